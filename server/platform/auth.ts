import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { Clock } from './clock.js';
import { sha256Hex } from './crypto.js';
import type { Permission, ScopeKind } from './permissions.js';
import type { Scope, TeamAccess } from './scope.js';
import type { Actor } from './audit.js';
import { AppError } from './errors.js';

export type RoleGrant = {
  role: string;
  scope: ScopeKind;
  regionCode: string | null;
  path: string | null;
  teamId: string | null;
};

export type AuthContext = {
  userId: string;
  name: string;
  countyCode: string | null;
  regionCode: string | null;
  sessionId: string;
  csrfToken: string;
  grants: RoleGrant[];
  permissions: ReadonlySet<Permission>;
  scope: Scope;
  /** The 三员 duty the account holds (system / security / audit), or null for a business account. */
  duty: string | null;
  /** Staff chose this account's password: until the owner sets their own, only the account's own routes answer. */
  mustChangePassword: boolean;
};

export const SESSION_COOKIE = 'wm_session';
export const CSRF_COOKIE = 'wm_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function scopeFromGrants(userId: string, grants: RoleGrant[], teams?: TeamAccess): Scope {
  const subtrees = new Set<string>();
  const regions = new Set<string>();
  let all = false;
  let self = false;
  for (const g of grants) {
    if (g.scope === 'all') all = true;
    else if (g.scope === 'subtree' && g.path) subtrees.add(g.path);
    else if (g.scope === 'own' && g.regionCode) regions.add(g.regionCode);
    else if (g.scope === 'self') self = true;
  }
  // a subtree already covers any narrower subtree or own-level region under it
  const paths = [...subtrees].filter((p) => ![...subtrees].some((q) => q !== p && p.startsWith(q)));
  return { userId, all, subtrees: paths, regions: [...regions], self, ...(teams ? { teams } : {}) };
}

type SessionRow = {
  session_id: string;
  user_id: string;
  csrf_token: string;
  last_seen_at: Date;
  name: string;
  county_code: string | null;
  region_code: string | null;
  active: boolean;
  must_change_password: boolean;
  grants: {
    role: string;
    scope: ScopeKind;
    regionCode: string | null;
    path: string | null;
    teamId: string | null;
    permissions: Permission[];
    duty: string | null;
  }[];
  teams: TeamAccess;
};

/**
 * Resolved sessions are kept for a few seconds, so a busy client costs one query per burst rather than per request.
 * Changes to accounts, roles and sessions — and to what the scope's team access reads (a user's volunteer record,
 * team leaders and members) — clear it in this process; another app server sees them within the TTL.
 */
const CACHE_TTL_MS = 5000;
const cache = new Map<string, { row: SessionRow; until: number }>();
export function clearAuthCache() {
  cache.clear();
}

/**
 * Resolves a bearer or cookie token to the caller: one query for session, user, grants and permissions.
 * Sessions idle longer than the limit end here; activity refreshes last_seen_at at most once a minute.
 */
export async function authenticate(
  database: Database,
  clock: Clock,
  token: string,
  idleMinutes: number,
): Promise<AuthContext> {
  const tokenHash = sha256Hex(token);
  const hit = cache.get(tokenHash);
  let row: SessionRow | undefined = hit && hit.until > performance.now() ? hit.row : undefined;
  if (!row) {
    const { rows } = await database.query(
      `select s.id as session_id, s.user_id, s.csrf_token, s.last_seen_at, u.name, u.county_code, u.region_code,
       u.active, u.must_change_password,
       coalesce(json_agg(json_build_object('role', ra.role_code, 'scope', ra.scope, 'regionCode', ra.region_code,
         'path', r.path, 'teamId', ra.team_id, 'permissions', ro.permissions, 'duty', ro.duty))
         filter (where ra.id is not null), '[]'::json) as grants,
       (select json_build_object('volunteerId', v.id, 'volunteerPath', v.region_path,
          'verified', coalesce(v.verified, false),
          'leads', (select coalesce(json_agg(json_build_object('id', t.id, 'regionPath', t.region_path)), '[]')
            from teams t where t.leader_volunteer_id = v.id),
          'memberOf', (select coalesce(json_agg(m.team_id), '[]') from team_members m
            where m.volunteer_id = v.id and m.status = 'active'))
        from (select 1) one left join volunteers v on v.user_id = u.id) as teams
     from sessions s join users u on u.id = s.user_id
     left join role_assignments ra on ra.user_id = u.id
     left join regions r on r.code = ra.region_code
     left join roles ro on ro.code = ra.role_code
     where s.token_hash = $1 and s.ended_at is null
     group by s.id, u.id`,
      [tokenHash],
      { priority: true },
    );
    row = rows[0] as SessionRow | undefined;
    if (row) {
      if (cache.size > 10_000) cache.clear();
      cache.set(tokenHash, { row, until: performance.now() + CACHE_TTL_MS });
    }
  }
  if (!row || !row.active) throw new AppError('AUTH_REQUIRED', '登录已失效，请重新登录');
  const now = clock.now();
  const idleMs = now.getTime() - new Date(row.last_seen_at).getTime();
  if (idleMs > idleMinutes * 60_000) {
    await database.query('update sessions set ended_at = $2 where id = $1', [row.session_id, now]);
    cache.delete(tokenHash);
    throw new AppError('AUTH_REQUIRED', `超过 ${idleMinutes} 分钟未操作，已自动退出，请重新登录`);
  }
  if (idleMs > 60_000) {
    await database.query('update sessions set last_seen_at = $2 where id = $1', [row.session_id, now]);
    row.last_seen_at = now;
  }
  const grants: RoleGrant[] = row.grants.map((g) => ({
    role: g.role,
    scope: g.scope,
    regionCode: g.regionCode,
    path: g.path,
    teamId: g.teamId,
  }));
  const permissions = new Set<Permission>(row.grants.flatMap((g) => g.permissions ?? []));
  return {
    userId: row.user_id,
    name: row.name,
    countyCode: row.county_code,
    regionCode: row.region_code,
    sessionId: row.session_id,
    csrfToken: row.csrf_token,
    grants,
    permissions,
    scope: scopeFromGrants(row.user_id, grants, row.teams),
    duty: row.grants.find((g) => g.duty)?.duty ?? null,
    mustChangePassword: row.must_change_password,
  };
}

export const actorOf = (auth: AuthContext, ip?: string, requestId?: string): Actor => ({
  userId: auth.userId,
  name: auth.name,
  countyCode: auth.countyCode,
  ip: ip ?? null,
  requestId: requestId ?? null,
});

/** A sql fragment for "now" from the injected clock, so tests can move time. */
export const nowSql = (clock: Clock) => sql`${clock.now().toISOString()}::timestamptz`;
