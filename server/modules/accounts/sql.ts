import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

/** A user's display name by id, as a scalar subquery for a select list (null when the id is null or unknown). */
export const userNameSql = (id: AnyColumn | SQL) => sql<string | null>`(select u.name from users u where u.id = ${id})`;
