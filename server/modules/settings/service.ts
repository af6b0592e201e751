import { eq } from 'drizzle-orm';
import type { DbOrTx, Db } from '../../db/client.js';
import { settings } from '../../db/schema/index.js';
import { AppError, type ErrorDetail } from '../../platform/errors.js';
import { writeAudit, type Actor } from '../../platform/audit.js';
import { settingDefinitions, settingKeys, type SettingKey } from './definitions.js';
import type { SettingValue } from './schema.js';

/** County settings change rarely and are read on hot paths: kept for a few seconds, cleared here on every update. */
const CACHE_TTL_MS = 5000;
const cache = new Map<string, { values: Record<SettingKey, SettingValue>; until: number }>();

export async function getSettings(db: DbOrTx, countyCode: string): Promise<Record<SettingKey, SettingValue>> {
  const hit = cache.get(countyCode);
  if (hit && hit.until > performance.now()) return hit.values;
  const values = await readSettings(db, countyCode);
  cache.set(countyCode, { values, until: performance.now() + CACHE_TTL_MS });
  return values;
}

async function readSettings(db: DbOrTx, countyCode: string): Promise<Record<SettingKey, SettingValue>> {
  const rows = await db.select().from(settings).where(eq(settings.countyCode, countyCode));
  const stored = new Map(rows.map((r) => [r.key, r.value]));
  return Object.fromEntries(
    settingKeys.map((k) => [k, stored.has(k) ? stored.get(k) : settingDefinitions[k].default]),
  ) as Record<SettingKey, SettingValue>;
}

export type SettingOption = { value: string; label: string };
type OptionSource = (db: DbOrTx, countyCode: string) => Promise<SettingOption[]>;
const optionSources = new Map<SettingKey, OptionSource>();

/**
 * An enumerated setting whose choices are the county's own records (the default standard: the county's standards)
 * takes them from the module that owns them; the fixed options stay the choices of a county that has none.
 */
export function registerSettingOptions(key: SettingKey, source: OptionSource) {
  optionSources.set(key, source);
}

/** The choices of an enumerated setting in a county (null: not enumerated). */
export async function settingOptions(db: DbOrTx, countyCode: string | null, key: SettingKey) {
  const def = settingDefinitions[key] as { options?: readonly SettingOption[] };
  const source = optionSources.get(key);
  const own = source && countyCode ? await source(db, countyCode) : [];
  return own.length ? own : (def.options?.map((o) => ({ ...o })) ?? null);
}

export async function getSetting<T>(db: DbOrTx, countyCode: string, key: SettingKey): Promise<T> {
  return (await getSettings(db, countyCode))[key] as T;
}

/** Validates every key first; nothing is written unless all are valid. */
export async function updateSettings(db: Db, countyCode: string, input: Record<string, unknown>, actor: Actor) {
  const details: ErrorDetail[] = [];
  const clean: [SettingKey, SettingValue][] = [];
  for (const [key, value] of Object.entries(input)) {
    const def = (settingDefinitions as Record<string, (typeof settingDefinitions)[SettingKey]>)[key];
    if (!def) {
      details.push({ path: key, message: '未知的设置项' });
      continue;
    }
    const r = def.schema.safeParse(value);
    if (!r.success) {
      // an item of a list is named by its position (第 2 项), as people count
      const issue = r.error.issues[0];
      const at = typeof issue?.path[0] === 'number' ? `第 ${issue.path[0] + 1} 项` : '';
      details.push({ path: key, message: `${def.label}：${at}${issue?.message ?? '格式不正确'}` });
      continue;
    }
    const options = await settingOptions(db, countyCode, key as SettingKey);
    if (options && !options.some((o) => o.value === r.data)) {
      details.push({ path: key, message: `${def.label}：请从 ${options.map((o) => o.label).join('、')} 中选择` });
      continue;
    }
    clean.push([key as SettingKey, r.data as SettingValue]);
  }
  if (!clean.length && !details.length) details.push({ path: '(body)', message: '没有要修改的设置项' });
  if (details.length)
    throw new AppError('VALIDATION_FAILED', `设置校验失败：${details[0].path} ${details[0].message}`, details);
  cache.delete(countyCode);
  return db.transaction(async (tx) => {
    const before = await readSettings(tx, countyCode);
    for (const [key, value] of clean) {
      await tx
        .insert(settings)
        .values({ countyCode, key, value, updatedBy: actor.userId })
        .onConflictDoUpdate({
          target: [settings.countyCode, settings.key],
          set: { value, updatedAt: new Date(), updatedBy: actor.userId },
        });
    }
    const after = await readSettings(tx, countyCode);
    cache.delete(countyCode);
    await writeAudit(
      tx,
      { ...actor, countyCode },
      {
        action: 'setting.update',
        entity: 'setting',
        entityId: countyCode,
        before,
        after,
        detail: { changed: Object.fromEntries(clean.map(([k, v]) => [k, { from: before[k], to: v }])) },
      },
    );
    return after;
  });
}
