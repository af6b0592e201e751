CREATE TABLE "activity_participants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "activity_participants_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"activity_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text NOT NULL,
	"signed_up_at" timestamp with time zone NOT NULL,
	"promoted_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"check_in_at" timestamp with time zone,
	"check_in_method" text,
	"checked_in_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "participant_quota" integer;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "participant_confirmed_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "participant_waitlist_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "activity_participants" ADD CONSTRAINT "activity_participants_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_participants" ADD CONSTRAINT "activity_participants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "activity_participants_live_uq" ON "activity_participants" USING btree ("activity_id","user_id") WHERE "activity_participants"."status" <> 'cancelled';--> statement-breakpoint
CREATE INDEX "activity_participants_wait_idx" ON "activity_participants" USING btree ("activity_id","status","seq");--> statement-breakpoint
CREATE INDEX "activity_participants_user_idx" ON "activity_participants" USING btree ("user_id","created_at");--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_participant_quota_ck" CHECK ("activities"."participant_confirmed_count" >= 0 and "activities"."participant_waitlist_count" >= 0 and "activities"."participant_confirmed_count" <= coalesce("activities"."participant_quota", 0));--> statement-breakpoint
-- Residents' attendance counts in activities.participants as volunteers' check-ins do: a pair contribution (the place
-- and its activity), counted once the activity is held, moved by the activity's trigger when its state, day or region
-- changes (issue #13).
CREATE OR REPLACE FUNCTION stat_contrib_participant(p activity_participants, a activities) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT a.county_code, a.region_path, stat_day(a.start_at), 'activities.participants', NULL::uuid, 1::numeric
  WHERE a.id = p.activity_id AND a.state IN ('ended', 'archived') AND p.check_in_at IS NOT NULL
    AND p.status <> 'cancelled'
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_capture_activities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stat_deltas (county_code, region_path, day, key, subject, value)
  SELECT c.county_code, c.region_path, c.day, c.key, c.subject, sum(c.value) FROM (
    SELECT n.* FROM stat_contrib_activities(NEW) n
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value FROM stat_contrib_activities(OLD) o
    UNION ALL
    SELECT n.* FROM activity_signups s, stat_contrib_signup(s, NEW) n WHERE s.activity_id = NEW.id
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value
    FROM activity_signups s, stat_contrib_signup(s, OLD) o WHERE s.activity_id = OLD.id
    UNION ALL
    SELECT n.* FROM activity_participants p, stat_contrib_participant(p, NEW) n WHERE p.activity_id = NEW.id
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value
    FROM activity_participants p, stat_contrib_participant(p, OLD) o WHERE p.activity_id = OLD.id
  ) c GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.value) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_capture_activity_participants() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE a activities;
BEGIN
  SELECT * INTO a FROM activities WHERE id = coalesce(NEW.activity_id, OLD.activity_id);
  IF a.id IS NULL THEN RETURN NULL; END IF;
  INSERT INTO stat_deltas (county_code, region_path, day, key, subject, value)
  SELECT c.county_code, c.region_path, c.day, c.key, c.subject, sum(c.value) FROM (
    SELECT n.* FROM stat_contrib_participant(NEW, a) n
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value FROM stat_contrib_participant(OLD, a) o
  ) c GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.value) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- as for sign-ups: only a write that touches an attendance calls plpgsql (the join burst pays nothing)
CREATE TRIGGER stat_capture_ins AFTER INSERT ON activity_participants FOR EACH ROW
  WHEN (NEW.check_in_at IS NOT NULL) EXECUTE FUNCTION stat_capture_activity_participants();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON activity_participants FOR EACH ROW
  WHEN ((OLD.check_in_at IS NOT NULL OR NEW.check_in_at IS NOT NULL)
    AND (OLD.check_in_at, OLD.status, OLD.activity_id) IS DISTINCT FROM (NEW.check_in_at, NEW.status, NEW.activity_id))
  EXECUTE FUNCTION stat_capture_activity_participants();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON activity_participants FOR EACH ROW
  WHEN (OLD.check_in_at IS NOT NULL) EXECUTE FUNCTION stat_capture_activity_participants();
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
  UNION ALL SELECT c.* FROM point_movements x, stat_contrib_point_movements(x) c;
