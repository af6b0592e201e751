CREATE INDEX "volunteers_list_idx" ON "volunteers" USING btree ("county_code","created_at" DESC NULLS FIRST,"volunteer_no");--> statement-breakpoint
CREATE INDEX "households_list_idx" ON "households" USING btree ("county_code","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "orders_board_idx" ON "orders" USING btree ("county_code","overdue" DESC NULLS FIRST,"created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "activities_list_idx" ON "activities" USING btree ("county_code","start_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "point_accounts_list_idx" ON "point_accounts" USING btree ("county_code","balance" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "point_claims_list_idx" ON "point_claims" USING btree ("county_code","updated_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "wishes_list_idx" ON "wishes" USING btree ("county_code","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
-- Version groups of the scoped lists (platform/lists.ts): '<group>:<county>' rows, or '<group>' for global ones,
-- bumped once per transaction at commit by deferred constraint triggers. A transaction-local setting remembers that
-- a name was bumped, so a bulk write (an import, a batch award) pays one upsert per name, not one per row.
CREATE OR REPLACE FUNCTION bump_list_version_named(n text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  k text := 'wenming_lv.v' || md5(n);
  x text := pg_current_xact_id()::text;
BEGIN
  IF current_setting(k, true) = x THEN RETURN; END IF;
  PERFORM set_config(k, x, true);
  INSERT INTO cache_versions (name, version, bumped_by) VALUES (n, 1, x)
    ON CONFLICT (name) DO UPDATE SET version = cache_versions.version + 1, bumped_by = excluded.bumped_by
    WHERE cache_versions.bumped_by IS DISTINCT FROM excluded.bumped_by;
END;
$$;
--> statement-breakpoint
-- every county's row of a group (TRUNCATE, or a child row whose parent is gone)
CREATE OR REPLACE FUNCTION bump_list_version_all(g text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE cache_versions SET version = version + 1, bumped_by = pg_current_xact_id()::text
    WHERE (name = g OR name LIKE g || ':%') AND bumped_by IS DISTINCT FROM pg_current_xact_id()::text;
END;
$$;
--> statement-breakpoint
-- rows with a county_code: bumps '<TG_ARGV[0]>:<county_code>' (both counties if an update moved the row)
CREATE OR REPLACE FUNCTION bump_list_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM bump_list_version_all(TG_ARGV[0]);
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN PERFORM bump_list_version_named(TG_ARGV[0] || ':' || OLD.county_code); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM bump_list_version_named(TG_ARGV[0] || ':' || NEW.county_code); END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- child rows without a county_code bump their parent's county (static SQL, so the lookup's plan is kept); a parent
-- already gone (a cascade) bumps every county of the group
CREATE OR REPLACE FUNCTION bump_list_version_county(g text, c text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF c IS NULL THEN PERFORM bump_list_version_all(g); ELSE PERFORM bump_list_version_named(g || ':' || c); END IF;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_list_version_via_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN PERFORM bump_list_version_all(TG_ARGV[0]); RETURN NULL; END IF;
  PERFORM bump_list_version_county(TG_ARGV[0],
    (SELECT a.county_code FROM activities a WHERE a.id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.activity_id ELSE NEW.activity_id END)));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_list_version_via_wish() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN PERFORM bump_list_version_all(TG_ARGV[0]); RETURN NULL; END IF;
  PERFORM bump_list_version_county(TG_ARGV[0],
    (SELECT w.county_code FROM wishes w WHERE w.id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.wish_id ELSE NEW.wish_id END)));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_list_version_via_team() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN PERFORM bump_list_version_all(TG_ARGV[0]); RETURN NULL; END IF;
  PERFORM bump_list_version_county(TG_ARGV[0],
    (SELECT t.county_code FROM teams t WHERE t.id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.team_id ELSE NEW.team_id END)));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- tables without a county: bumps the global row TG_ARGV[0]
CREATE OR REPLACE FUNCTION bump_list_version_global() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM bump_list_version_named(TG_ARGV[0]);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER volunteers_list_version AFTER INSERT OR UPDATE OR DELETE ON "volunteers" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('volunteers');
--> statement-breakpoint
CREATE TRIGGER volunteers_list_version_truncate AFTER TRUNCATE ON "volunteers" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('volunteers');
--> statement-breakpoint
-- which account a volunteer record belongs to (lists that show the caller's own sign-ups are kept per account)
CREATE CONSTRAINT TRIGGER volunteers_users_list_version AFTER INSERT ON "volunteers" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION bump_list_version_global('volunteer_users');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER volunteers_users_update_list_version AFTER UPDATE OF user_id ON "volunteers" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) EXECUTE FUNCTION bump_list_version_global('volunteer_users');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER volunteers_users_delete_list_version AFTER DELETE ON "volunteers" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.user_id IS NOT NULL) EXECUTE FUNCTION bump_list_version_global('volunteer_users');
--> statement-breakpoint
CREATE TRIGGER volunteers_users_list_version_truncate AFTER TRUNCATE ON "volunteers" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version_global('volunteer_users');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER team_members_list_version AFTER INSERT OR UPDATE OR DELETE ON "team_members" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version_via_team('team_members');
--> statement-breakpoint
CREATE TRIGGER team_members_list_version_truncate AFTER TRUNCATE ON "team_members" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version_via_team('team_members');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER teams_list_version AFTER INSERT OR UPDATE OR DELETE ON "teams" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('teams');
--> statement-breakpoint
CREATE TRIGGER teams_list_version_truncate AFTER TRUNCATE ON "teams" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('teams');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER orders_list_version AFTER INSERT OR UPDATE OR DELETE ON "orders" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('orders');
--> statement-breakpoint
CREATE TRIGGER orders_list_version_truncate AFTER TRUNCATE ON "orders" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('orders');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER service_items_list_version AFTER INSERT OR UPDATE OR DELETE ON "service_items" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('orders');
--> statement-breakpoint
CREATE TRIGGER service_items_list_version_truncate AFTER TRUNCATE ON "service_items" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('orders');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER households_list_version AFTER INSERT OR UPDATE OR DELETE ON "households" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('households');
--> statement-breakpoint
CREATE TRIGGER households_list_version_truncate AFTER TRUNCATE ON "households" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('households');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER activities_list_version AFTER INSERT OR UPDATE OR DELETE ON "activities" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('activities');
--> statement-breakpoint
CREATE TRIGGER activities_list_version_truncate AFTER TRUNCATE ON "activities" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('activities');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER activity_shifts_list_version AFTER INSERT OR UPDATE OR DELETE ON "activity_shifts" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version_via_activity('activities');
--> statement-breakpoint
CREATE TRIGGER activity_shifts_list_version_truncate AFTER TRUNCATE ON "activity_shifts" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version_via_activity('activities');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER activity_signups_list_version AFTER INSERT OR UPDATE OR DELETE ON "activity_signups" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version_via_activity('activities');
--> statement-breakpoint
CREATE TRIGGER activity_signups_list_version_truncate AFTER TRUNCATE ON "activity_signups" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version_via_activity('activities');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER point_accounts_list_version AFTER INSERT OR UPDATE OR DELETE ON "point_accounts" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('point_accounts');
--> statement-breakpoint
CREATE TRIGGER point_accounts_list_version_truncate AFTER TRUNCATE ON "point_accounts" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('point_accounts');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER point_claims_list_version AFTER INSERT OR UPDATE OR DELETE ON "point_claims" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('point_claims');
--> statement-breakpoint
CREATE TRIGGER point_claims_list_version_truncate AFTER TRUNCATE ON "point_claims" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('point_claims');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER point_rules_list_version AFTER INSERT OR UPDATE OR DELETE ON "point_rules" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('point_claims');
--> statement-breakpoint
CREATE TRIGGER point_rules_list_version_truncate AFTER TRUNCATE ON "point_rules" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('point_claims');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER wishes_list_version AFTER INSERT OR UPDATE OR DELETE ON "wishes" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version('wishes');
--> statement-breakpoint
CREATE TRIGGER wishes_list_version_truncate AFTER TRUNCATE ON "wishes" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('wishes');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER wish_claims_list_version AFTER INSERT OR UPDATE OR DELETE ON "wish_claims" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version_via_wish('wishes');
--> statement-breakpoint
CREATE TRIGGER wish_claims_list_version_truncate AFTER TRUNCATE ON "wish_claims" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version_via_wish('wishes');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER regions_list_version AFTER INSERT OR UPDATE OR DELETE ON "regions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version_global('regions');
--> statement-breakpoint
CREATE TRIGGER regions_list_version_truncate AFTER TRUNCATE ON "regions" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version_global('regions');
--> statement-breakpoint
-- a user's name is shown in lists (who submitted a wish); logins and other updates of the row are not
CREATE CONSTRAINT TRIGGER users_list_version AFTER UPDATE OF name ON "users" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION bump_list_version_global('user_names');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER users_delete_list_version AFTER DELETE ON "users" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_list_version_global('user_names');
--> statement-breakpoint
CREATE TRIGGER users_list_version_truncate AFTER TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version_global('user_names');
