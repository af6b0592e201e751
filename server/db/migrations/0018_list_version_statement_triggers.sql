-- The list versions of the county tables are bumped by statement-level triggers over transition tables instead of
-- per-row deferred constraint triggers (migration 0011): one trigger call and one upsert per statement and version
-- name, at the end of the statement, where a single-row write paid an after-trigger event, a re-fetch of its row at
-- commit and three PL/pgSQL calls (bump_list_version → bump_list_version_named for OLD and NEW, with md5 and a
-- transaction-local setting to skip repeats). A repeat within a transaction is still a no-op (bumped_by = this
-- transaction, checked by the upsert), a statement that changes no row bumps nothing and assigns no transaction id,
-- and the bump becomes visible with the rows, at commit, as before. The shard row (migration 0014) is now locked from
-- the writing statement to commit rather than only at commit: the hot writes are single statements (order actions,
-- sign-ups), so this is the same moment there. Tables whose triggers look at columns (volunteers.user_id, users.name)
-- and the global groups keep their per-row triggers; TRUNCATE keeps its statement triggers.
CREATE OR REPLACE FUNCTION bump_list_versions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cs text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    cs := ARRAY(SELECT DISTINCT county_code FROM lv_new);
  ELSIF TG_OP = 'UPDATE' THEN
    cs := ARRAY(SELECT county_code FROM lv_new UNION SELECT county_code FROM lv_old);
  ELSE
    cs := ARRAY(SELECT DISTINCT county_code FROM lv_old);
  END IF;
  IF cardinality(cs) = 0 THEN RETURN NULL; END IF;
  INSERT INTO cache_versions AS cv (name, shard, version, bumped_by)
    SELECT DISTINCT TG_ARGV[0] || ':' || c, pg_backend_pid() % 16, 1, pg_current_xact_id()::text FROM unnest(cs) AS u(c) WHERE c IS NOT NULL
    ON CONFLICT (name, shard) DO UPDATE SET version = cv.version + 1, bumped_by = excluded.bumped_by
    WHERE cv.bumped_by IS DISTINCT FROM excluded.bumped_by;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_list_versions_via_activity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cs text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    cs := ARRAY(SELECT DISTINCT a.county_code FROM lv_new s LEFT JOIN activities a ON a.id = s.activity_id);
  ELSIF TG_OP = 'UPDATE' THEN
    cs := ARRAY(SELECT DISTINCT a.county_code FROM (SELECT activity_id FROM lv_new UNION SELECT activity_id FROM lv_old) s LEFT JOIN activities a ON a.id = s.activity_id);
  ELSE
    cs := ARRAY(SELECT DISTINCT a.county_code FROM lv_old s LEFT JOIN activities a ON a.id = s.activity_id);
  END IF;
  IF cardinality(cs) = 0 THEN RETURN NULL; END IF;
  -- a parent already gone (a cascade): every county of the group
  IF array_position(cs, NULL) IS NOT NULL THEN PERFORM bump_list_version_all(TG_ARGV[0]); END IF;
  INSERT INTO cache_versions AS cv (name, shard, version, bumped_by)
    SELECT DISTINCT TG_ARGV[0] || ':' || c, pg_backend_pid() % 16, 1, pg_current_xact_id()::text FROM unnest(cs) AS u(c) WHERE c IS NOT NULL
    ON CONFLICT (name, shard) DO UPDATE SET version = cv.version + 1, bumped_by = excluded.bumped_by
    WHERE cv.bumped_by IS DISTINCT FROM excluded.bumped_by;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_list_versions_via_wish() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cs text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    cs := ARRAY(SELECT DISTINCT w.county_code FROM lv_new s LEFT JOIN wishes w ON w.id = s.wish_id);
  ELSIF TG_OP = 'UPDATE' THEN
    cs := ARRAY(SELECT DISTINCT w.county_code FROM (SELECT wish_id FROM lv_new UNION SELECT wish_id FROM lv_old) s LEFT JOIN wishes w ON w.id = s.wish_id);
  ELSE
    cs := ARRAY(SELECT DISTINCT w.county_code FROM lv_old s LEFT JOIN wishes w ON w.id = s.wish_id);
  END IF;
  IF cardinality(cs) = 0 THEN RETURN NULL; END IF;
  -- a parent already gone (a cascade): every county of the group
  IF array_position(cs, NULL) IS NOT NULL THEN PERFORM bump_list_version_all(TG_ARGV[0]); END IF;
  INSERT INTO cache_versions AS cv (name, shard, version, bumped_by)
    SELECT DISTINCT TG_ARGV[0] || ':' || c, pg_backend_pid() % 16, 1, pg_current_xact_id()::text FROM unnest(cs) AS u(c) WHERE c IS NOT NULL
    ON CONFLICT (name, shard) DO UPDATE SET version = cv.version + 1, bumped_by = excluded.bumped_by
    WHERE cv.bumped_by IS DISTINCT FROM excluded.bumped_by;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_list_versions_via_team() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cs text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    cs := ARRAY(SELECT DISTINCT t.county_code FROM lv_new s LEFT JOIN teams t ON t.id = s.team_id);
  ELSIF TG_OP = 'UPDATE' THEN
    cs := ARRAY(SELECT DISTINCT t.county_code FROM (SELECT team_id FROM lv_new UNION SELECT team_id FROM lv_old) s LEFT JOIN teams t ON t.id = s.team_id);
  ELSE
    cs := ARRAY(SELECT DISTINCT t.county_code FROM lv_old s LEFT JOIN teams t ON t.id = s.team_id);
  END IF;
  IF cardinality(cs) = 0 THEN RETURN NULL; END IF;
  -- a parent already gone (a cascade): every county of the group
  IF array_position(cs, NULL) IS NOT NULL THEN PERFORM bump_list_version_all(TG_ARGV[0]); END IF;
  INSERT INTO cache_versions AS cv (name, shard, version, bumped_by)
    SELECT DISTINCT TG_ARGV[0] || ':' || c, pg_backend_pid() % 16, 1, pg_current_xact_id()::text FROM unnest(cs) AS u(c) WHERE c IS NOT NULL
    ON CONFLICT (name, shard) DO UPDATE SET version = cv.version + 1, bumped_by = excluded.bumped_by
    WHERE cv.bumped_by IS DISTINCT FROM excluded.bumped_by;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "volunteers_list_version" ON "volunteers";--> statement-breakpoint
CREATE TRIGGER "volunteers_list_version_ins" AFTER INSERT ON "volunteers" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('volunteers');--> statement-breakpoint
CREATE TRIGGER "volunteers_list_version_upd" AFTER UPDATE ON "volunteers" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('volunteers');--> statement-breakpoint
CREATE TRIGGER "volunteers_list_version_del" AFTER DELETE ON "volunteers" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('volunteers');--> statement-breakpoint
DROP TRIGGER IF EXISTS "teams_list_version" ON "teams";--> statement-breakpoint
CREATE TRIGGER "teams_list_version_ins" AFTER INSERT ON "teams" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('teams');--> statement-breakpoint
CREATE TRIGGER "teams_list_version_upd" AFTER UPDATE ON "teams" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('teams');--> statement-breakpoint
CREATE TRIGGER "teams_list_version_del" AFTER DELETE ON "teams" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('teams');--> statement-breakpoint
DROP TRIGGER IF EXISTS "orders_list_version" ON "orders";--> statement-breakpoint
CREATE TRIGGER "orders_list_version_ins" AFTER INSERT ON "orders" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('orders');--> statement-breakpoint
CREATE TRIGGER "orders_list_version_upd" AFTER UPDATE ON "orders" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('orders');--> statement-breakpoint
CREATE TRIGGER "orders_list_version_del" AFTER DELETE ON "orders" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('orders');--> statement-breakpoint
DROP TRIGGER IF EXISTS "service_items_list_version" ON "service_items";--> statement-breakpoint
CREATE TRIGGER "service_items_list_version_ins" AFTER INSERT ON "service_items" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('orders');--> statement-breakpoint
CREATE TRIGGER "service_items_list_version_upd" AFTER UPDATE ON "service_items" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('orders');--> statement-breakpoint
CREATE TRIGGER "service_items_list_version_del" AFTER DELETE ON "service_items" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('orders');--> statement-breakpoint
DROP TRIGGER IF EXISTS "households_list_version" ON "households";--> statement-breakpoint
CREATE TRIGGER "households_list_version_ins" AFTER INSERT ON "households" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('households');--> statement-breakpoint
CREATE TRIGGER "households_list_version_upd" AFTER UPDATE ON "households" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('households');--> statement-breakpoint
CREATE TRIGGER "households_list_version_del" AFTER DELETE ON "households" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('households');--> statement-breakpoint
DROP TRIGGER IF EXISTS "activities_list_version" ON "activities";--> statement-breakpoint
CREATE TRIGGER "activities_list_version_ins" AFTER INSERT ON "activities" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('activities');--> statement-breakpoint
CREATE TRIGGER "activities_list_version_upd" AFTER UPDATE ON "activities" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('activities');--> statement-breakpoint
CREATE TRIGGER "activities_list_version_del" AFTER DELETE ON "activities" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('activities');--> statement-breakpoint
DROP TRIGGER IF EXISTS "point_accounts_list_version" ON "point_accounts";--> statement-breakpoint
CREATE TRIGGER "point_accounts_list_version_ins" AFTER INSERT ON "point_accounts" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('point_accounts');--> statement-breakpoint
CREATE TRIGGER "point_accounts_list_version_upd" AFTER UPDATE ON "point_accounts" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('point_accounts');--> statement-breakpoint
CREATE TRIGGER "point_accounts_list_version_del" AFTER DELETE ON "point_accounts" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('point_accounts');--> statement-breakpoint
DROP TRIGGER IF EXISTS "point_claims_list_version" ON "point_claims";--> statement-breakpoint
CREATE TRIGGER "point_claims_list_version_ins" AFTER INSERT ON "point_claims" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('point_claims');--> statement-breakpoint
CREATE TRIGGER "point_claims_list_version_upd" AFTER UPDATE ON "point_claims" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('point_claims');--> statement-breakpoint
CREATE TRIGGER "point_claims_list_version_del" AFTER DELETE ON "point_claims" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('point_claims');--> statement-breakpoint
DROP TRIGGER IF EXISTS "point_rules_list_version" ON "point_rules";--> statement-breakpoint
CREATE TRIGGER "point_rules_list_version_ins" AFTER INSERT ON "point_rules" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('point_claims');--> statement-breakpoint
CREATE TRIGGER "point_rules_list_version_upd" AFTER UPDATE ON "point_rules" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('point_claims');--> statement-breakpoint
CREATE TRIGGER "point_rules_list_version_del" AFTER DELETE ON "point_rules" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('point_claims');--> statement-breakpoint
DROP TRIGGER IF EXISTS "wishes_list_version" ON "wishes";--> statement-breakpoint
CREATE TRIGGER "wishes_list_version_ins" AFTER INSERT ON "wishes" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('wishes');--> statement-breakpoint
CREATE TRIGGER "wishes_list_version_upd" AFTER UPDATE ON "wishes" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('wishes');--> statement-breakpoint
CREATE TRIGGER "wishes_list_version_del" AFTER DELETE ON "wishes" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('wishes');--> statement-breakpoint
DROP TRIGGER IF EXISTS "team_members_list_version" ON "team_members";--> statement-breakpoint
CREATE TRIGGER "team_members_list_version_ins" AFTER INSERT ON "team_members" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_team('team_members');--> statement-breakpoint
CREATE TRIGGER "team_members_list_version_upd" AFTER UPDATE ON "team_members" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_team('team_members');--> statement-breakpoint
CREATE TRIGGER "team_members_list_version_del" AFTER DELETE ON "team_members" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_team('team_members');--> statement-breakpoint
DROP TRIGGER IF EXISTS "activity_shifts_list_version" ON "activity_shifts";--> statement-breakpoint
CREATE TRIGGER "activity_shifts_list_version_ins" AFTER INSERT ON "activity_shifts" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_activity('activities');--> statement-breakpoint
CREATE TRIGGER "activity_shifts_list_version_upd" AFTER UPDATE ON "activity_shifts" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_activity('activities');--> statement-breakpoint
CREATE TRIGGER "activity_shifts_list_version_del" AFTER DELETE ON "activity_shifts" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_activity('activities');--> statement-breakpoint
DROP TRIGGER IF EXISTS "activity_signups_list_version" ON "activity_signups";--> statement-breakpoint
CREATE TRIGGER "activity_signups_list_version_ins" AFTER INSERT ON "activity_signups" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_activity('activities');--> statement-breakpoint
CREATE TRIGGER "activity_signups_list_version_upd" AFTER UPDATE ON "activity_signups" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_activity('activities');--> statement-breakpoint
CREATE TRIGGER "activity_signups_list_version_del" AFTER DELETE ON "activity_signups" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_activity('activities');--> statement-breakpoint
DROP TRIGGER IF EXISTS "wish_claims_list_version" ON "wish_claims";--> statement-breakpoint
CREATE TRIGGER "wish_claims_list_version_ins" AFTER INSERT ON "wish_claims" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_wish('wishes');--> statement-breakpoint
CREATE TRIGGER "wish_claims_list_version_upd" AFTER UPDATE ON "wish_claims" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_wish('wishes');--> statement-breakpoint
CREATE TRIGGER "wish_claims_list_version_del" AFTER DELETE ON "wish_claims" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions_via_wish('wishes');
