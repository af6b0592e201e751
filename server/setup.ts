import type { Deps } from './platform/context.js';
import { systemActor } from './platform/audit.js';
import { invalid } from './platform/errors.js';
import { passwordProblem } from './platform/crypto.js';
import { PHONE_RE } from './platform/validation.js';
import { importRegions, resolveCounty } from './modules/regions/service.js';
import { ensureDefaultStandards } from './modules/sites/service.js';
import { ensureUser } from './modules/accounts/service.js';

/** What `cli init` and `cli create-admin` do, callable from tests: one deployment may hold several counties. */

/** Imports a county's towns and villages and its default construction standards; idempotent. */
export async function initCounty(deps: Pick<Deps, 'database'>, county: string, actorName = '命令行') {
  if (!/^\d{6}$/.test(county)) throw invalid('county', '请提供 6 位县级区划代码，例如 131127');
  const r = await importRegions(deps.database, county, { ...systemActor(actorName), countyCode: county });
  await ensureDefaultStandards(deps.database.db, county);
  return r;
}

export const adminRoles = ['county_admin', 'sysadmin', 'secadmin', 'auditor'] as const;

/**
 * Creates an administrator of a county: the county named, or the only one initialised (several and none named → an
 * error listing them). A county admin works on the whole county; a 三员 account on its duty.
 */
export async function createAdmin(
  deps: Pick<Deps, 'database' | 'crypto'>,
  input: { phone?: string; password?: string; name?: string; role?: string; county?: string },
  actorName = '命令行',
) {
  const { phone, password, name = '管理员', role = 'county_admin' } = input;
  if (!phone || !PHONE_RE.test(phone)) throw invalid('phone', '手机号格式不正确（11 位中国大陆手机号）');
  const problem = password ? passwordProblem(password) : '请提供密码';
  if (problem || !password) throw invalid('password', problem ?? '请提供密码');
  if (!(adminRoles as readonly string[]).includes(role))
    throw invalid('role', '--role 只能是 county_admin、sysadmin、secadmin 或 auditor');
  const county = await resolveCounty(deps.database.db, input.county, '--county');
  const isCounty = role === 'county_admin';
  const r = await ensureUser(deps.database.db, deps.crypto, systemActor(actorName), {
    countyCode: county,
    name,
    phone,
    password,
    regionCode: isCounty ? county : null,
    roles: [{ role, regionCode: isCounty ? county : null, scope: isCounty ? 'subtree' : 'all' }],
    mustChangePassword: true,
  });
  return { ...r, county, role, name };
}
