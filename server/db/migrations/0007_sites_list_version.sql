CREATE TABLE "cache_versions" (
	"name" text PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	"bumped_by" text
);
--> statement-breakpoint
INSERT INTO "cache_versions" ("name") VALUES ('sites') ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_cache_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- once per transaction: later firings of the same transaction find bumped_by already set to it
  UPDATE cache_versions SET version = version + 1, bumped_by = pg_current_xact_id()::text
    WHERE name = TG_ARGV[0] AND bumped_by IS DISTINCT FROM pg_current_xact_id()::text;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER sites_list_version AFTER INSERT OR UPDATE OR DELETE ON "sites" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('sites');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER inspections_sites_list_version AFTER INSERT OR UPDATE OR DELETE ON "inspections" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('sites');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER regions_sites_list_version AFTER INSERT OR UPDATE OR DELETE ON "regions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_version('sites');
--> statement-breakpoint
CREATE TRIGGER sites_list_version_truncate AFTER TRUNCATE ON "sites" FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('sites');
--> statement-breakpoint
CREATE TRIGGER inspections_sites_list_version_truncate AFTER TRUNCATE ON "inspections" FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('sites');
--> statement-breakpoint
CREATE TRIGGER regions_sites_list_version_truncate AFTER TRUNCATE ON "regions" FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('sites');
