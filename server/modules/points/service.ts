import type { DbOrTx } from '../../db/client.js';
import { ownerAccount, postTransaction, systemAccountId, type AccountType, type OwnerAccount } from './ledger.js';

/**
 * What other modules ask of the points ledger (CONVENTIONS.md: a module imports another only through its service).
 * The shop holds points when a redemption is reserved, settles them when it is handed out and refunds them when it is
 * cancelled; every call runs in the caller's transaction, so the ledger and the caller's row change together.
 */
export { ownerAccount, type AccountType, type OwnerAccount };

type Shop = { countyCode: string; points: number; memo: string; createdBy: string; now: Date };

/** Reserving: account → shop_held (not enough → INSUFFICIENT_POINTS, nothing moved). */
export async function holdForRedemption(tx: DbOrTx, p: Shop & { accountId: string }) {
  const held = await systemAccountId(tx, p.countyCode, 'shop_held', p.now);
  return postTransaction(tx, {
    countyCode: p.countyCode,
    kind: 'redemption',
    memo: p.memo,
    movements: [{ debit: p.accountId, credit: held, amount: p.points }],
    createdBy: p.createdBy,
    now: p.now,
  });
}

/** Handing out: shop_held → redeemed. */
export async function settleRedemption(tx: DbOrTx, p: Shop) {
  const held = await systemAccountId(tx, p.countyCode, 'shop_held', p.now);
  const redeemed = await systemAccountId(tx, p.countyCode, 'redeemed', p.now);
  return postTransaction(tx, {
    countyCode: p.countyCode,
    kind: 'handout',
    memo: p.memo,
    movements: [{ debit: held, credit: redeemed, amount: p.points }],
    createdBy: p.createdBy,
    now: p.now,
  });
}

/** Cancelling: shop_held → back to the account. */
export async function refundRedemption(tx: DbOrTx, p: Shop & { accountId: string }) {
  const held = await systemAccountId(tx, p.countyCode, 'shop_held', p.now);
  return postTransaction(tx, {
    countyCode: p.countyCode,
    kind: 'refund',
    memo: p.memo,
    movements: [{ debit: held, credit: p.accountId, amount: p.points }],
    createdBy: p.createdBy,
    now: p.now,
  });
}
