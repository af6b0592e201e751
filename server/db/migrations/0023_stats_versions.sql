-- Versions for the statistics answers kept by each app server (the never-stale cache of the lists, platform/lists.ts):
-- the rollups change only when a fold or a rebuild writes them, so one bump per such statement and county
-- (`stats:411523`) tells a server that the overviews it keeps for that county are old. The settings (the active
-- volunteer threshold, the activity types, the inspection validity) get a county group of their own.
CREATE TRIGGER "stat_rollups_list_version_ins" AFTER INSERT ON "stat_rollups" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('stats');--> statement-breakpoint
CREATE TRIGGER "stat_rollups_list_version_upd" AFTER UPDATE ON "stat_rollups" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('stats');--> statement-breakpoint
CREATE TRIGGER "stat_rollups_list_version_del" AFTER DELETE ON "stat_rollups" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('stats');--> statement-breakpoint
CREATE TRIGGER "stat_subjects_list_version_ins" AFTER INSERT ON "stat_subjects" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('stats');--> statement-breakpoint
CREATE TRIGGER "stat_subjects_list_version_upd" AFTER UPDATE ON "stat_subjects" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('stats');--> statement-breakpoint
CREATE TRIGGER "stat_subjects_list_version_del" AFTER DELETE ON "stat_subjects" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('stats');--> statement-breakpoint
CREATE TRIGGER "settings_list_version_ins" AFTER INSERT ON "settings" REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('settings');--> statement-breakpoint
CREATE TRIGGER "settings_list_version_upd" AFTER UPDATE ON "settings" REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('settings');--> statement-breakpoint
CREATE TRIGGER "settings_list_version_del" AFTER DELETE ON "settings" REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT EXECUTE FUNCTION bump_list_versions('settings');
