-- Content (#14): the figures of articles and offline publicity, captured like every other figure (migration 0016,
-- docs/DECISIONS.md "Statistics"), and the list versions of the two tables (migration 0018).
-- An article counts once published, on its publishing day (China time); a withdrawn one no longer counts.
CREATE OR REPLACE FUNCTION stat_contrib_articles(a articles) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT a.county_code, a.region_path, stat_day(a.published_at), 'articles.published', NULL::uuid, 1::numeric
  WHERE a.state = 'published' AND a.published_at IS NOT NULL
$$;
--> statement-breakpoint
-- Offline publicity counts its quantity (posters put up, leaflets handed out, broadcasts …) on its day.
CREATE OR REPLACE FUNCTION stat_contrib_publicity_items(p publicity_items) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT p.county_code, p.region_path, p.day,
    CASE p.kind WHEN 'poster' THEN 'publicity.posters' WHEN 'leaflet' THEN 'publicity.leaflets'
      WHEN 'broadcast' THEN 'publicity.broadcasts' WHEN 'banner' THEN 'publicity.banners' ELSE 'publicity.other' END,
    NULL::uuid, p.quantity::numeric
  WHERE p.id IS NOT NULL
$$;
--> statement-breakpoint
DO $do$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['articles', 'publicity_items'] LOOP
    EXECUTE format($f$
      CREATE OR REPLACE FUNCTION stat_capture_%1$s() RETURNS trigger LANGUAGE plpgsql AS $b$
      BEGIN
        INSERT INTO stat_deltas (county_code, region_path, day, key, subject, value)
        SELECT c.county_code, c.region_path, c.day, c.key, c.subject, sum(c.value) FROM (
          SELECT n.* FROM stat_contrib_%1$s(NEW) n
          UNION ALL
          SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value FROM stat_contrib_%1$s(OLD) o
        ) c GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.value) <> 0;
        RETURN NULL;
      END $b$$f$, t);
  END LOOP;
END $do$;
--> statement-breakpoint
-- drafts, edits and reviews call no plpgsql: only a row that is or was published
CREATE TRIGGER stat_capture_ins AFTER INSERT ON articles FOR EACH ROW
  WHEN (NEW.state = 'published') EXECUTE FUNCTION stat_capture_articles();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON articles FOR EACH ROW
  WHEN ((OLD.state = 'published' OR NEW.state = 'published')
    AND (OLD.county_code, OLD.region_path, OLD.state, OLD.published_at)
    IS DISTINCT FROM (NEW.county_code, NEW.region_path, NEW.state, NEW.published_at))
  EXECUTE FUNCTION stat_capture_articles();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON articles FOR EACH ROW
  WHEN (OLD.state = 'published') EXECUTE FUNCTION stat_capture_articles();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON publicity_items FOR EACH ROW
  EXECUTE FUNCTION stat_capture_publicity_items();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON publicity_items FOR EACH ROW
  WHEN ((OLD.county_code, OLD.region_path, OLD.kind, OLD.day, OLD.quantity)
    IS DISTINCT FROM (NEW.county_code, NEW.region_path, NEW.kind, NEW.day, NEW.quantity))
  EXECUTE FUNCTION stat_capture_publicity_items();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON publicity_items FOR EACH ROW
  EXECUTE FUNCTION stat_capture_publicity_items();
--> statement-breakpoint
CREATE OR REPLACE VIEW stat_contributions AS
  SELECT c.* FROM volunteers x, stat_contrib_volunteers(x) c
  UNION ALL SELECT c.* FROM teams x, stat_contrib_teams(x) c
  UNION ALL SELECT c.* FROM activities x, stat_contrib_activities(x) c
  UNION ALL SELECT c.* FROM activity_signups s JOIN activities a ON a.id = s.activity_id, stat_contrib_signup(s, a) c
  UNION ALL SELECT c.* FROM activity_participants p JOIN activities a ON a.id = p.activity_id,
    stat_contrib_participant(p, a) c
  UNION ALL SELECT c.* FROM hours_entries x, stat_contrib_hours_entries(x) c
  UNION ALL SELECT c.* FROM orders x, stat_contrib_orders(x) c
  UNION ALL SELECT c.* FROM wishes x, stat_contrib_wishes(x) c
  UNION ALL SELECT c.* FROM honors x, stat_contrib_honors(x) c
  UNION ALL SELECT c.* FROM shop_redemptions x, stat_contrib_shop_redemptions(x) c
  UNION ALL SELECT c.* FROM point_movements x, stat_contrib_point_movements(x) c
  UNION ALL SELECT c.* FROM articles x, stat_contrib_articles(x) c
  UNION ALL SELECT c.* FROM publicity_items x, stat_contrib_publicity_items(x) c;
--> statement-breakpoint
-- list versions (platform/lists.ts): the staff lists and the public columns are kept under `articles:<county>` and
-- `publicity:<county>`; a view writes article_views only, which bumps nothing
CREATE TRIGGER "articles_list_version_ins" AFTER INSERT ON "articles"
  REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('articles');--> statement-breakpoint
CREATE TRIGGER "articles_list_version_upd" AFTER UPDATE ON "articles"
  REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('articles');--> statement-breakpoint
CREATE TRIGGER "articles_list_version_del" AFTER DELETE ON "articles"
  REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('articles');--> statement-breakpoint
CREATE TRIGGER "publicity_items_list_version_ins" AFTER INSERT ON "publicity_items"
  REFERENCING NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('publicity');--> statement-breakpoint
CREATE TRIGGER "publicity_items_list_version_upd" AFTER UPDATE ON "publicity_items"
  REFERENCING OLD TABLE AS lv_old NEW TABLE AS lv_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('publicity');--> statement-breakpoint
CREATE TRIGGER "publicity_items_list_version_del" AFTER DELETE ON "publicity_items"
  REFERENCING OLD TABLE AS lv_old FOR EACH STATEMENT
  EXECUTE FUNCTION bump_list_versions('publicity');
