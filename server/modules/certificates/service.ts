import { and, asc, desc, eq, gte, ilike, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { reserveNumbers } from '../../platform/counters.js';
import {
  activities,
  certificates,
  files,
  hoursEntries,
  orders,
  regions,
  serviceItems,
  volunteers,
  type CertificateSnapshot,
} from '../../db/schema/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { actionsFor, addEvent, assertAllowed, runTransition } from '../../platform/transitions.js';
import { certificateMachine, type CertificateParty } from './transitions.js';
import { writeAudit } from '../../platform/audit.js';
import { escapeLike, inScope, type Scope } from '../../platform/scope.js';
import { notify } from '../../platform/notify.js';
import { randomToken } from '../../platform/crypto.js';
import type { FileStore } from '../../platform/files.js';
import { offsetPage } from '../../platform/lists.js';
import { getSettings } from '../settings/service.js';
import { volunteerScope } from '../volunteers/service.js';
import { chinaDate, roundHours } from '../hours/ledger.js';
import { codeOfPath, requireMyVolunteer, type HoursCaller } from '../hours/service.js';
import { maskName } from '../stars/service.js';
import { idTypeLabel, renderCertificatePdf } from './pdf.js';

/**
 * At most this many content rows on a certificate (so that it stays on one A4 page); the rest are summarised in one
 * row.
 */
export const MAX_CONTENT_ROWS = 20;

const certScope = (scope: Scope) =>
  inScope(scope, { path: certificates.regionPath, regionCode: codeOfPath(certificates.regionPath) });

/**
 * The activities and orders of a volunteer with verified hours in a period, one row each (reversals netted), oldest
 * first.
 */
export async function periodContent(db: DbOrTx, volunteerId: string, from: string, to: string) {
  const rows = await db
    .select({
      id: hoursEntries.id,
      kind: hoursEntries.kind,
      hours: hoursEntries.hours,
      serviceDate: hoursEntries.serviceDate,
      activityId: hoursEntries.activityId,
      orderId: hoursEntries.orderId,
      reversesId: hoursEntries.reversesId,
      description: hoursEntries.description,
      activityTitle: activities.title,
      itemName: serviceItems.name,
    })
    .from(hoursEntries)
    .leftJoin(activities, eq(activities.id, hoursEntries.activityId))
    .leftJoin(orders, eq(orders.id, hoursEntries.orderId))
    .leftJoin(serviceItems, eq(serviceItems.id, orders.serviceItemId))
    .where(
      and(
        eq(hoursEntries.volunteerId, volunteerId),
        gte(hoursEntries.serviceDate, from),
        lte(hoursEntries.serviceDate, to),
      ),
    )
    .orderBy(asc(hoursEntries.serviceDate), asc(hoursEntries.seq));
  const groups = new Map<string, { title: string; date: string; hours: number }>();
  let total = 0;
  for (const r of rows) {
    const h = Number(r.hours);
    total += h;
    const key = r.activityId ? `a:${r.activityId}` : r.orderId ? `o:${r.orderId}` : `e:${r.reversesId ?? r.id}`;
    const title = r.activityTitle ?? (r.orderId ? `点单服务：${r.itemName ?? '服务'}` : r.description);
    const g = groups.get(key);
    if (g) {
      g.hours += h;
      if (r.serviceDate < g.date) g.date = r.serviceDate;
    } else groups.set(key, { title, date: r.serviceDate, hours: h });
  }
  const list = [...groups.values()]
    .filter((g) => g.hours > 0.005)
    .map((g) => ({ ...g, hours: roundHours(g.hours) }))
    .sort((a, b) => a.date.localeCompare(b.date));
  let content = list;
  if (list.length > MAX_CONTENT_ROWS) {
    const rest = list.slice(MAX_CONTENT_ROWS - 1);
    content = [
      ...list.slice(0, MAX_CONTENT_ROWS - 1),
      {
        title: `其他 ${rest.length} 项志愿服务（合并计）`,
        date: `${rest[0].date} 至 ${rest.at(-1)!.date}`,
        hours: roundHours(rest.reduce((s, x) => s + x.hours, 0)),
      },
    ];
  }
  return { hours: roundHours(total), content };
}

/** The issuer block from the county settings; the name defaults to the county's name + 新时代文明实践中心. */
export async function issuerOf(
  db: DbOrTx,
  countyCode: string,
): Promise<CertificateSnapshot['issuer'] & { sealFileId: string }> {
  const s = await getSettings(db, countyCode);
  let name = String(s['certificates.issuerName'] ?? '').trim();
  if (!name) {
    const [county] = await db.select({ name: regions.name }).from(regions).where(eq(regions.code, countyCode));
    name = `${county?.name ?? ''}新时代文明实践中心`;
  }
  return {
    name,
    personInCharge: String(s['certificates.personInCharge'] ?? ''),
    handler: String(s['certificates.handler'] ?? ''),
    contact: String(s['certificates.contact'] ?? ''),
    sealFileId: String(s['certificates.sealFileId'] ?? ''),
  };
}

/** Reserves the next certificate number of a county: ZYZM-<county>-<year>-<6-digit sequence>. */
async function nextNumber(tx: DbOrTx, countyCode: string, year: string) {
  const n = await reserveNumbers(tx, countyCode, 'certificate');
  return `ZYZM-${countyCode}-${year}-${String(n).padStart(6, '0')}`;
}

export type IssueInput = { volunteerId?: string; from: string; to: string };

/**
 * Issues a certificate for a period: staff (certificate:issue) for a volunteer in scope, or a volunteer for themself.
 * The volunteer, hours, content and issuer are copied into a snapshot; the PDF is drawn from it.
 */
export async function issueCertificate(db: Db, c: HoursCaller, now: Date, input: IssueInput, self: boolean) {
  let v: typeof volunteers.$inferSelect | undefined;
  if (self) v = await requireMyVolunteer(db, c.userId);
  else {
    [v] = await db
      .select()
      .from(volunteers)
      .where(and(eq(volunteers.id, input.volunteerId!), volunteerScope(c.scope)));
    if (!v) throw notFound('志愿者');
  }
  const today = chinaDate(now);
  if (input.from > input.to) throw invalid('to', '截止日期不能早于起始日期');
  if (input.to > today) throw invalid('to', '截止日期不能晚于今天');
  const { hours, content } = await periodContent(db, v.id, input.from, input.to);
  if (!(hours > 0))
    throw new AppError(
      'INVALID_TRANSITION',
      `${input.from} 至 ${input.to} 期间没有已认定的服务时长，不能开具志愿服务证明`,
    );
  const { sealFileId: _seal, ...issuer } = await issuerOf(db, v.countyCode);
  const snapshot: CertificateSnapshot = {
    name: v.name,
    idType: v.idType,
    idMasked: v.idMasked,
    volunteerNo: v.volunteerNo,
    issuer,
    content,
  };
  const volunteer = v;
  return db.transaction(async (tx) => {
    const number = await nextNumber(tx, volunteer.countyCode, today.slice(0, 4));
    const [row] = await tx
      .insert(certificates)
      .values({
        countyCode: volunteer.countyCode,
        regionPath: volunteer.regionPath,
        volunteerId: volunteer.id,
        number,
        verifyCode: randomToken(9),
        periodFrom: input.from,
        periodTo: input.to,
        hours: hours.toFixed(2),
        snapshot,
        issuedBy: c.userId,
        issuedAt: now,
      })
      .returning();
    if (!self) {
      await notify(tx, {
        countyCode: volunteer.countyCode,
        userIds: [volunteer.userId],
        kind: 'certificate.issued',
        title: '志愿服务证明已开具',
        body: `已为您开具 ${input.from} 至 ${input.to} 的志愿服务证明（${number}），累计 ${hours} 小时`,
        entity: 'certificate',
        entityId: row.id,
        now,
      });
    }
    await addEvent(tx, {
      entity: 'certificate',
      entityId: row.id,
      action: 'issue',
      from: null,
      to: 'valid',
      actor: c.actor,
      at: now,
    });
    await writeAudit(
      tx,
      { ...c.actor, countyCode: volunteer.countyCode },
      {
        action: 'certificate.issue',
        entity: 'certificate',
        entityId: row.id,
        after: { number, volunteerId: volunteer.id, periodFrom: input.from, periodTo: input.to, hours },
        detail: { self },
      },
    );
    return row;
  });
}

const columns = {
  id: certificates.id,
  number: certificates.number,
  verifyCode: certificates.verifyCode,
  volunteerId: certificates.volunteerId,
  volunteerName: volunteers.name,
  volunteerNo: volunteers.volunteerNo,
  periodFrom: certificates.periodFrom,
  periodTo: certificates.periodTo,
  hours: certificates.hours,
  issuerName: sql<string>`${certificates.snapshot}->'issuer'->>'name'`,
  issuedAt: certificates.issuedAt,
  state: certificates.state,
  revokedAt: certificates.revokedAt,
  revokeReason: certificates.revokeReason,
};

/** Who sees a certificate: the staff who issue certificates for its place, or its volunteer. */
type Viewer = { userId: string; scope: Scope; canIssue: boolean };
const parties = (issuer: boolean, holder: boolean) => {
  const p = new Set<CertificateParty>();
  if (issuer) p.add('issuer');
  if (holder) p.add('holder');
  return p;
};

const present = <T extends { hours: string; state: 'valid' | 'revoked'; id: string }>(
  r: T,
  who: ReadonlySet<CertificateParty>,
) => ({
  ...r,
  hours: Number(r.hours),
  valid: r.state === 'valid',
  pdfUrl: `/api/v1/certificates/${r.id}/pdf`,
  actions: actionsFor(certificateMachine, r.state, who, undefined),
});

async function paged(
  db: DbOrTx,
  conds: SQL[],
  who: ReadonlySet<CertificateParty>,
  f: { page: number; pageSize: number },
) {
  const { rows, total } = await offsetPage(db, {
    from: certificates,
    countJoins: (q) => q.innerJoin(volunteers, eq(volunteers.id, certificates.volunteerId)),
    rows: () =>
      db.select(columns).from(certificates).innerJoin(volunteers, eq(volunteers.id, certificates.volunteerId)),
    where: and(...conds),
    order: [desc(certificates.issuedAt), desc(certificates.number)],
    filter: f,
  });
  return { items: rows.map((r) => present(r, who)), total, page: f.page, pageSize: f.pageSize };
}

/** The staff list (certificate:issue): certificates of the caller's scope. */
export async function listCertificates(
  db: DbOrTx,
  scope: Scope,
  f: { volunteerId?: string; q?: string; page: number; pageSize: number },
) {
  const conds: SQL[] = [certScope(scope)];
  if (f.volunteerId) conds.push(eq(certificates.volunteerId, f.volunteerId));
  if (f.q?.trim()) {
    const q = `%${escapeLike(f.q.trim())}%`;
    conds.push(or(ilike(certificates.number, q), ilike(volunteers.name, q), ilike(volunteers.volunteerNo, q))!);
  }
  return paged(db, conds, parties(true, false), f);
}

export async function myCertificates(db: DbOrTx, userId: string, f: { page: number; pageSize: number }) {
  const v = await requireMyVolunteer(db, userId);
  return paged(db, [eq(certificates.volunteerId, v.id)], parties(false, true), f);
}

/**
 * The scoped loader of a certificate: one query that finds it only if the caller may see it — staff who issue
 * certificates with its place in scope, or its volunteer — and says who the caller is to it. Out of sight = not found.
 */
export async function findCertificate(db: DbOrTx, c: Viewer, id: string) {
  const issuerSees = c.canIssue ? certScope(c.scope) : sql`false`;
  const mine = eq(volunteers.userId, c.userId);
  const [row] = await db
    .select({
      cert: certificates,
      shown: columns,
      issuer: sql<boolean>`${issuerSees}`,
      holder: sql<boolean>`${mine}`,
      holderUserId: volunteers.userId,
    })
    .from(certificates)
    .innerJoin(volunteers, eq(volunteers.id, certificates.volunteerId))
    .where(and(eq(certificates.id, id), or(issuerSees, mine)));
  if (!row) throw notFound('志愿服务证明');
  return { ...row, parties: parties(!!row.issuer, !!row.holder) };
}

/** The detail: the certificate, its snapshot and the caller's `actions`. */
export async function getCertificate(db: DbOrTx, c: Viewer, id: string) {
  const f = await findCertificate(db, c, id);
  return {
    ...present(f.shown, f.parties),
    snapshot: { ...f.cert.snapshot, idTypeName: idTypeLabel(f.cert.snapshot.idType) },
  };
}

export async function revokeCertificate(db: Db, c: HoursCaller, now: Date, id: string, reason: string) {
  const f = await findCertificate(
    db,
    { userId: c.userId, scope: c.scope, canIssue: c.permissions.has('certificate:issue') },
    id,
  );
  assertAllowed(certificateMachine, 'revoke', f.cert.state, f.parties, undefined);
  const cert = f.cert;
  return db.transaction((tx) =>
    runTransition(tx, {
      machine: certificateMachine,
      table: certificates,
      record: { id, countyCode: cert.countyCode, state: cert.state },
      action: 'revoke',
      actor: c.actor,
      now,
      set: { revokedAt: now, revokeReason: reason },
      lost: '该证明已作废',
      note: reason,
      detail: { number: cert.number },
      tell: () => ({
        userIds: [f.holderUserId],
        kind: 'certificate.revoked',
        title: '志愿服务证明已作废',
        body: `您的志愿服务证明 ${cert.number} 已作废：${reason}`,
      }),
    }),
  );
}

/** The public check behind the QR code: enough to confirm the paper, names masked. */
export async function verifyCertificate(db: DbOrTx, verifyCode: string) {
  const [cert] = await db.select().from(certificates).where(eq(certificates.verifyCode, verifyCode));
  if (!cert) throw new AppError('NOT_FOUND', '证明不存在，请核对二维码或验证码');
  return {
    valid: cert.state === 'valid',
    number: cert.number,
    hours: Number(cert.hours),
    issuer: cert.snapshot.issuer.name,
    issuedAt: cert.issuedAt,
    name: maskName(cert.snapshot.name),
    volunteerNo: cert.snapshot.volunteerNo,
    periodFrom: cert.periodFrom,
    periodTo: cert.periodTo,
    revokedAt: cert.revokedAt,
  };
}

// ---------- the PDF ----------

const sealCache = new Map<string, Buffer | null>();
async function sealImage(db: DbOrTx, store: FileStore, countyCode: string, fileId: string): Promise<Buffer | null> {
  if (!fileId || !/^[0-9a-f-]{36}$/i.test(fileId)) return null;
  const key = `${countyCode}:${fileId}`;
  if (sealCache.has(key)) return sealCache.get(key)!;
  let buf: Buffer | null = null;
  const [f] = await db.select().from(files).where(eq(files.id, fileId));
  if (f && (f.mime === 'image/png' || f.mime === 'image/jpeg') && (!f.countyCode || f.countyCode === countyCode))
    buf = await store.get(f.storageKey).catch(() => null);
  if (sealCache.size > 20) sealCache.clear();
  sealCache.set(key, buf);
  return buf;
}

/** Recently drawn PDFs (a certificate is immutable but for its revocation), so a repeated download costs nothing. */
const pdfCache = new Map<string, Buffer>();
const PDF_CACHE_MAX = 64;

export async function certificatePdf(
  db: DbOrTx,
  store: FileStore,
  cert: typeof certificates.$inferSelect,
  origin: string,
) {
  const { sealFileId } = await issuerOf(db, cert.countyCode);
  const key = `${cert.id}|${cert.revokedAt ? 1 : 0}|${origin}|${sealFileId}`;
  const hit = pdfCache.get(key);
  if (hit) {
    pdfCache.delete(key);
    pdfCache.set(key, hit);
    return hit;
  }
  const pdf = await renderCertificatePdf({
    number: cert.number,
    periodFrom: cert.periodFrom,
    periodTo: cert.periodTo,
    hours: Number(cert.hours),
    issuedAt: cert.issuedAt,
    revokedAt: cert.revokedAt,
    snapshot: cert.snapshot,
    verifyUrl: `${origin}/m/verify/${cert.verifyCode}`,
    seal: await sealImage(db, store, cert.countyCode, sealFileId),
  });
  pdfCache.set(key, pdf);
  if (pdfCache.size > PDF_CACHE_MAX) pdfCache.delete(pdfCache.keys().next().value!);
  return pdf;
}
