-- list versions (platform/lists.ts) of the grid work and survey lists: `grids:<county>` (grids, and their links:
-- a grid's household count), `visits:<county>` and `surveys:<county>` (surveys, and their responses: a survey's
-- response count), bumped once per statement over its transition tables as the other county lists (migration 0018)
CREATE OR REPLACE FUNCTION bump_list_versions_via_grid() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cs text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    cs := ARRAY(SELECT DISTINCT g.county_code FROM lv_new s LEFT JOIN grids g ON g.id = s.grid_id);
  ELSIF TG_OP = 'UPDATE' THEN
    cs := ARRAY(SELECT DISTINCT g.county_code FROM (SELECT grid_id FROM lv_new UNION SELECT grid_id FROM lv_old) s LEFT JOIN grids g ON g.id = s.grid_id);
  ELSE
    cs := ARRAY(SELECT DISTINCT g.county_code FROM lv_old s LEFT JOIN grids g ON g.id = s.grid_id);
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
$$;--> statement-breakpoint
CREATE TRIGGER "grids_list_version_ins" AFTER INSERT ON "grids"
  REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('grids');--> statement-breakpoint
CREATE TRIGGER "grids_list_version_upd" AFTER UPDATE ON "grids"
  REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('grids');--> statement-breakpoint
CREATE TRIGGER "grids_list_version_del" AFTER DELETE ON "grids"
  REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('grids');--> statement-breakpoint
CREATE TRIGGER "grids_list_version_truncate" AFTER TRUNCATE ON "grids"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('grids');--> statement-breakpoint
CREATE TRIGGER "grid_links_list_version_ins" AFTER INSERT ON "grid_links"
  REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions_via_grid('grids');--> statement-breakpoint
CREATE TRIGGER "grid_links_list_version_upd" AFTER UPDATE ON "grid_links"
  REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions_via_grid('grids');--> statement-breakpoint
CREATE TRIGGER "grid_links_list_version_del" AFTER DELETE ON "grid_links"
  REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions_via_grid('grids');--> statement-breakpoint
CREATE TRIGGER "grid_links_list_version_truncate" AFTER TRUNCATE ON "grid_links"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('grids');--> statement-breakpoint
CREATE TRIGGER "visits_list_version_ins" AFTER INSERT ON "visits"
  REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('visits');--> statement-breakpoint
CREATE TRIGGER "visits_list_version_upd" AFTER UPDATE ON "visits"
  REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('visits');--> statement-breakpoint
CREATE TRIGGER "visits_list_version_del" AFTER DELETE ON "visits"
  REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('visits');--> statement-breakpoint
CREATE TRIGGER "visits_list_version_truncate" AFTER TRUNCATE ON "visits"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('visits');--> statement-breakpoint
CREATE TRIGGER "surveys_list_version_ins" AFTER INSERT ON "surveys"
  REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('surveys');--> statement-breakpoint
CREATE TRIGGER "surveys_list_version_upd" AFTER UPDATE ON "surveys"
  REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('surveys');--> statement-breakpoint
CREATE TRIGGER "surveys_list_version_del" AFTER DELETE ON "surveys"
  REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('surveys');--> statement-breakpoint
CREATE TRIGGER "surveys_list_version_truncate" AFTER TRUNCATE ON "surveys"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('surveys');--> statement-breakpoint
CREATE TRIGGER "survey_responses_list_version_ins" AFTER INSERT ON "survey_responses"
  REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('surveys');--> statement-breakpoint
CREATE TRIGGER "survey_responses_list_version_upd" AFTER UPDATE ON "survey_responses"
  REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('surveys');--> statement-breakpoint
CREATE TRIGGER "survey_responses_list_version_del" AFTER DELETE ON "survey_responses"
  REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('surveys');--> statement-breakpoint
CREATE TRIGGER "survey_responses_list_version_truncate" AFTER TRUNCATE ON "survey_responses"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version('surveys');
