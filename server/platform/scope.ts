import { sql, type SQL, type AnyColumn } from 'drizzle-orm';

/**
 * The caller's data scope, computed once per request from their role assignments and passed to every
 * repository call. Out-of-scope rows are simply not found. No assignment → an empty scope → nothing.
 */
export type Scope = {
  readonly userId: string;
  /** 全部: every row of the deployment. */
  readonly all: boolean;
  /** 本级及以下: region paths whose subtrees are visible. */
  readonly subtrees: readonly string[];
  /** 本级: region codes visible without their children. */
  readonly regions: readonly string[];
  /** 仅本人: rows the user owns. */
  readonly self: boolean;
  /**
   * The caller as a volunteer and team member (队长, 队员), read with the session: what team-based access is decided
   * by. Absent (system work, scopes built by hand) means no volunteer record and no team.
   */
  readonly teams?: TeamAccess;
};

/** The caller's own volunteer record and the teams they lead or belong to. */
export type TeamAccess = {
  readonly volunteerId: string | null;
  /** The region path of the caller's volunteer record (whose pool orders they may take). */
  readonly volunteerPath: string | null;
  readonly verified: boolean;
  /** Teams the caller leads (队长), with their region paths. */
  readonly leads: readonly { readonly id: string; readonly regionPath: string }[];
  /** Teams the caller is an active member of, led ones included. */
  readonly memberOf: readonly string[];
};

export const noTeams: TeamAccess = { volunteerId: null, volunteerPath: null, verified: false, leads: [], memberOf: [] };

export const emptyScope = (userId: string): Scope => ({ userId, all: false, subtrees: [], regions: [], self: false });
/** 本级及以下 over a whole county: e.g. an anonymous reader of the county's public pages. */
export const countyScope = (countyCode: string): Scope => ({
  userId: '00000000-0000-0000-0000-000000000000',
  all: false,
  subtrees: [`/${countyCode}/`],
  regions: [],
  self: false,
});
export const systemScope: Scope = {
  userId: '00000000-0000-0000-0000-000000000000',
  all: true,
  subtrees: [],
  regions: [],
  self: false,
  teams: noTeams,
};

/** The caller's volunteer and team access (none for a scope without). */
export const teamAccess = (scope: Scope): TeamAccess => scope.teams ?? noTeams;
/** Whether the caller leads the team (队长). */
export const leadsTeam = (scope: Scope, teamId: string | null | undefined): boolean =>
  !!teamId && teamAccess(scope).leads.some((t) => t.id === teamId);
/** The ids of the teams the caller leads. */
export const ledTeamIds = (scope: Scope): string[] => teamAccess(scope).leads.map((t) => t.id);
/** The ids of the teams the caller leads or belongs to. */
export const visibleTeamIds = (scope: Scope): string[] => [
  ...new Set([...ledTeamIds(scope), ...teamAccess(scope).memberOf]),
];
/** The WHERE fragment "this team column names a team the caller leads" (false when they lead none). */
export function ledTeamFilter(scope: Scope, teamColumn: AnyColumn | SQL): SQL {
  const ids = ledTeamIds(scope);
  if (!ids.length) return sql`false`;
  return sql`${teamColumn} in (${sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )})`;
}

export type ScopedColumns = { path: AnyColumn | SQL; regionCode: AnyColumn | SQL; owner?: AnyColumn | SQL };

/** The WHERE fragment that keeps a query inside the scope. */
export function inScope(scope: Scope, cols: ScopedColumns): SQL {
  if (scope.all) return sql`true`;
  const parts: SQL[] = [];
  for (const p of scope.subtrees) parts.push(sql`${cols.path} like ${escapeLike(p) + '%'}`);
  if (scope.regions.length)
    parts.push(
      sql`${cols.regionCode} in (${sql.join(
        scope.regions.map((r) => sql`${r}`),
        sql`, `,
      )})`,
    );
  if (scope.self && cols.owner) parts.push(sql`${cols.owner} = ${scope.userId}`);
  if (!parts.length) return sql`false`;
  return sql`(${sql.join(parts, sql` or `)})`;
}

/**
 * inScope for hand-written SQL on hot paths (no query builder): appends its parameters to `params` and returns the
 * condition text with $n placeholders. Same rules as inScope.
 */
export function scopeCondition(
  scope: Scope,
  cols: { path: string; regionCode: string; owner?: string },
  params: unknown[],
): string {
  if (scope.all) return 'true';
  const parts: string[] = [];
  for (const p of scope.subtrees) {
    params.push(escapeLike(p) + '%');
    parts.push(`${cols.path} like $${params.length}`);
  }
  if (scope.regions.length) {
    params.push(scope.regions);
    parts.push(`${cols.regionCode} = any($${params.length}::text[])`);
  }
  if (scope.self && cols.owner) {
    params.push(scope.userId);
    parts.push(`${cols.owner} = $${params.length}`);
  }
  return parts.length ? `(${parts.join(' or ')})` : 'false';
}

/** Whether a region (by its path) lies inside the scope: used before creating a record there. */
export function regionInScope(scope: Scope, regionPath: string): boolean {
  if (scope.all) return true;
  if (scope.subtrees.some((p) => regionPath.startsWith(p))) return true;
  const code = regionPath.split('/').filter(Boolean).at(-1);
  return !!code && scope.regions.includes(code);
}

export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The path of the town (乡镇) a region lies in: its first two levels. */
export const townPath = (path: string) => `/${path.split('/').filter(Boolean).slice(0, 2).join('/')}/`;
/** The path of the county a region lies in. */
export const countyPath = (path: string) => `/${path.split('/').filter(Boolean)[0]}/`;
