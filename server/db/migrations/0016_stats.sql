CREATE TABLE "stat_deltas" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stat_deltas_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"county_code" text NOT NULL,
	"region_path" text NOT NULL,
	"day" date NOT NULL,
	"key" text NOT NULL,
	"subject" uuid,
	"value" numeric NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stat_rollups" (
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"key" text NOT NULL,
	"grain" text NOT NULL,
	"period" date NOT NULL,
	"value" numeric NOT NULL,
	CONSTRAINT "stat_rollups_region_code_key_grain_period_pk" PRIMARY KEY("region_code","key","grain","period")
);
--> statement-breakpoint
CREATE TABLE "stat_subjects" (
	"county_code" text NOT NULL,
	"subject" uuid NOT NULL,
	"key" text NOT NULL,
	"grain" text NOT NULL,
	"period" date NOT NULL,
	"region_path" text NOT NULL,
	"value" numeric NOT NULL,
	CONSTRAINT "stat_subjects_subject_key_grain_period_region_path_pk" PRIMARY KEY("subject","key","grain","period","region_path")
);
--> statement-breakpoint
CREATE INDEX "stat_deltas_county_idx" ON "stat_deltas" USING btree ("county_code","id");--> statement-breakpoint
CREATE INDEX "stat_subjects_period_idx" ON "stat_subjects" USING btree ("county_code","key","grain","period","region_path" text_pattern_ops);--> statement-breakpoint
-- ---------- statistics: contributions, capture triggers, backfill (modules/stats, docs/METRICS.md) ----------
-- The calendar day of a moment in China time: the day a figure counts on.
CREATE OR REPLACE FUNCTION stat_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (t AT TIME ZONE 'Asia/Shanghai')::date
$$;
--> statement-breakpoint
CREATE TYPE stat_contribution AS (county_code text, region_path text, day date, key text, subject uuid, value numeric);
--> statement-breakpoint
-- What one row contributes to the figures, now. Each source table has one such function; the capture trigger
-- appends new − old, `cli stats-verify` sums them over the raw rows, the drill-down lists the rows they select.
CREATE OR REPLACE FUNCTION stat_contrib_volunteers(v volunteers) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT v.county_code, v.region_path, c.day, c.key, NULL::uuid, 1::numeric
  FROM (VALUES ('volunteers.registered', stat_day(v.created_at), true),
               ('volunteers.verified', stat_day(v.verified_at), v.verified AND v.verified_at IS NOT NULL)) c(key, day, counts)
  WHERE c.counts
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_teams(t teams) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT t.county_code, t.region_path, stat_day(t.created_at), 'teams.total', NULL::uuid, 1::numeric
$$;
--> statement-breakpoint
-- an activity counts once held (ended or archived; a 补录 record is 'ended' once accepted), on its start day
CREATE OR REPLACE FUNCTION stat_contrib_activities(a activities) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT a.county_code, a.region_path, stat_day(a.start_at), c.key, c.subject, c.value
  FROM (VALUES ('activities.total', NULL::uuid, 1::numeric),
               ('activities.' || a.type, NULL, 1),
               ('activities.participants', NULL, a.participant_count::numeric),
               ('activities.beneficiaries', NULL, a.beneficiary_count::numeric),
               ('team.served', a.team_id, 1)) c(key, subject, value)
  WHERE a.state IN ('ended', 'archived') AND (c.key <> 'team.served' OR a.team_id IS NOT NULL)
$$;
--> statement-breakpoint
-- a volunteer who checked in (and did not cancel) is one participant of a held activity
CREATE OR REPLACE FUNCTION stat_contrib_signup(s activity_signups, a activities) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT a.county_code, a.region_path, stat_day(a.start_at), 'activities.participants', NULL::uuid, 1::numeric
  WHERE a.id = s.activity_id AND a.state IN ('ended', 'archived') AND s.check_in_at IS NOT NULL
    AND s.status <> 'cancelled'
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_hours_entries(h hours_entries) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT h.county_code, h.region_path, h.service_date, c.key, c.subject, h.hours
  FROM (VALUES ('hours.total', NULL::uuid), ('volunteer.hours', h.volunteer_id)) c(key, subject)
$$;
--> statement-breakpoint
-- orders: submitted/completed/rated on their own days; the funnel counts the orders submitted in a period by how far
-- they got; satisfaction counts residents' own ratings (not the automatic ones)
CREATE OR REPLACE FUNCTION stat_contrib_orders(o orders) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT o.county_code, o.region_path, c.day, c.key, c.subject, 1::numeric
  FROM (VALUES ('orders.submitted', stat_day(o.submitted_at), NULL::uuid, true),
               ('funnel.dispatched', stat_day(o.submitted_at), NULL, o.dispatched_at IS NOT NULL),
               ('funnel.accepted', stat_day(o.submitted_at), NULL, o.accepted_at IS NOT NULL),
               ('funnel.completed', stat_day(o.submitted_at), NULL, o.completed_at IS NOT NULL),
               ('funnel.rated', stat_day(o.submitted_at), NULL, o.rated_at IS NOT NULL),
               ('orders.completed', stat_day(o.completed_at), NULL, o.completed_at IS NOT NULL),
               ('orders.rated', stat_day(o.rated_at), NULL,
                 o.rated_at IS NOT NULL AND o.score IS NOT NULL AND NOT o.auto_rated),
               ('orders.satisfied', stat_day(o.rated_at), NULL,
                 o.rated_at IS NOT NULL AND coalesce(o.score >= 4, false) AND NOT o.auto_rated),
               ('team.served', stat_day(o.completed_at), o.accepted_team_id,
                 o.completed_at IS NOT NULL AND o.accepted_team_id IS NOT NULL)) c(key, day, subject, counts)
  WHERE c.counts
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_wishes(w wishes) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT w.county_code, w.region_path, c.day, c.key, NULL::uuid, 1::numeric
  FROM (VALUES ('wishes.collected', stat_day(w.created_at), true),
               ('wishes.fulfilled', stat_day(w.fulfilled_at),
                 w.fulfilled_at IS NOT NULL AND w.state IN ('fulfilled', 'confirmed'))) c(key, day, counts)
  WHERE c.counts
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_honors(h honors) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT h.county_code, h.region_path, stat_day(h.published_at), 'honors.published', NULL::uuid, 1::numeric
  WHERE h.state = 'published' AND h.published_at IS NOT NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_shop_redemptions(r shop_redemptions) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT r.county_code, r.region_path, stat_day(r.handed_out_at), 'points.redeemed', NULL::uuid, r.points::numeric
  WHERE r.state = 'handed_out' AND r.handed_out_at IS NOT NULL
$$;
--> statement-breakpoint
-- points issued: the net flow into household and volunteer accounts from claims, awards, service and adjustments
-- (and the reversals of those), on the transaction's day, in the receiving account's region
CREATE OR REPLACE FUNCTION stat_contrib_point_movements(m point_movements) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT acc.county_code, acc.region_path, stat_day(t.created_at), 'points.issued', NULL::uuid, x.sign * m.amount
  FROM point_transactions t
  CROSS JOIN (VALUES (m.credit_account_id, 1), (m.debit_account_id, -1)) x(account_id, sign)
  JOIN point_accounts acc ON acc.id = x.account_id AND acc.type IN ('household', 'volunteer')
  WHERE t.id = m.transaction_id
    AND (t.kind IN ('claim', 'award', 'service', 'adjustment')
      OR (t.kind = 'reversal' AND (SELECT r.kind FROM point_transactions r WHERE r.id = t.reverses_id)
        IN ('claim', 'award', 'service', 'adjustment')))
$$;
--> statement-breakpoint
-- The capture triggers: append (new − old) of a row's contribution to stat_deltas, in the writing transaction.
DO $do$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['volunteers', 'teams', 'hours_entries', 'orders', 'wishes', 'honors', 'shop_redemptions',
    'point_movements'] LOOP
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
-- an activity's change also moves the participants its sign-ups count for (held or not, its day and region)
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
  ) c GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.value) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_capture_activity_signups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE a activities;
BEGIN
  SELECT * INTO a FROM activities WHERE id = coalesce(NEW.activity_id, OLD.activity_id);
  IF a.id IS NULL THEN RETURN NULL; END IF;
  INSERT INTO stat_deltas (county_code, region_path, day, key, subject, value)
  SELECT c.county_code, c.region_path, c.day, c.key, c.subject, sum(c.value) FROM (
    SELECT n.* FROM stat_contrib_signup(NEW, a) n
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value FROM stat_contrib_signup(OLD, a) o
  ) c GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.value) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Triggers fire only when a column a contribution reads has changed (WHEN is evaluated without calling plpgsql):
-- the sign-up burst, list edits and the overdue sweep pay nothing.
CREATE TRIGGER stat_capture_ins AFTER INSERT ON volunteers FOR EACH ROW EXECUTE FUNCTION stat_capture_volunteers();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON volunteers FOR EACH ROW
  WHEN ((OLD.county_code, OLD.region_path, OLD.created_at, OLD.verified, OLD.verified_at)
    IS DISTINCT FROM (NEW.county_code, NEW.region_path, NEW.created_at, NEW.verified, NEW.verified_at))
  EXECUTE FUNCTION stat_capture_volunteers();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON volunteers FOR EACH ROW EXECUTE FUNCTION stat_capture_volunteers();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON teams FOR EACH ROW EXECUTE FUNCTION stat_capture_teams();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON teams FOR EACH ROW
  WHEN ((OLD.county_code, OLD.region_path, OLD.created_at) IS DISTINCT FROM (NEW.county_code, NEW.region_path, NEW.created_at))
  EXECUTE FUNCTION stat_capture_teams();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON teams FOR EACH ROW EXECUTE FUNCTION stat_capture_teams();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON activities FOR EACH ROW
  WHEN (NEW.state IN ('ended', 'archived')) EXECUTE FUNCTION stat_capture_activities();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON activities FOR EACH ROW
  WHEN ((OLD.state IN ('ended', 'archived') OR NEW.state IN ('ended', 'archived'))
    AND (OLD.county_code, OLD.region_path, OLD.state, OLD.type, OLD.start_at, OLD.participant_count,
      OLD.beneficiary_count, OLD.team_id)
    IS DISTINCT FROM (NEW.county_code, NEW.region_path, NEW.state, NEW.type, NEW.start_at, NEW.participant_count,
      NEW.beneficiary_count, NEW.team_id))
  EXECUTE FUNCTION stat_capture_activities();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON activities FOR EACH ROW
  WHEN (OLD.state IN ('ended', 'archived')) EXECUTE FUNCTION stat_capture_activities();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON activity_signups FOR EACH ROW
  WHEN (NEW.check_in_at IS NOT NULL) EXECUTE FUNCTION stat_capture_activity_signups();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON activity_signups FOR EACH ROW
  WHEN ((OLD.check_in_at IS NOT NULL OR NEW.check_in_at IS NOT NULL)
    AND (OLD.check_in_at, OLD.status, OLD.activity_id) IS DISTINCT FROM (NEW.check_in_at, NEW.status, NEW.activity_id))
  EXECUTE FUNCTION stat_capture_activity_signups();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON activity_signups FOR EACH ROW
  WHEN (OLD.check_in_at IS NOT NULL) EXECUTE FUNCTION stat_capture_activity_signups();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON hours_entries FOR EACH ROW
  EXECUTE FUNCTION stat_capture_hours_entries();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION stat_capture_orders();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON orders FOR EACH ROW
  WHEN ((OLD.county_code, OLD.region_path, OLD.submitted_at, OLD.dispatched_at, OLD.accepted_at, OLD.completed_at,
      OLD.rated_at, OLD.score, OLD.auto_rated, OLD.accepted_team_id)
    IS DISTINCT FROM (NEW.county_code, NEW.region_path, NEW.submitted_at, NEW.dispatched_at, NEW.accepted_at,
      NEW.completed_at, NEW.rated_at, NEW.score, NEW.auto_rated, NEW.accepted_team_id))
  EXECUTE FUNCTION stat_capture_orders();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON orders FOR EACH ROW EXECUTE FUNCTION stat_capture_orders();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON wishes FOR EACH ROW EXECUTE FUNCTION stat_capture_wishes();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON wishes FOR EACH ROW
  WHEN ((OLD.county_code, OLD.region_path, OLD.created_at, OLD.state, OLD.fulfilled_at)
    IS DISTINCT FROM (NEW.county_code, NEW.region_path, NEW.created_at, NEW.state, NEW.fulfilled_at))
  EXECUTE FUNCTION stat_capture_wishes();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON wishes FOR EACH ROW EXECUTE FUNCTION stat_capture_wishes();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON honors FOR EACH ROW EXECUTE FUNCTION stat_capture_honors();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON honors FOR EACH ROW
  WHEN ((OLD.county_code, OLD.region_path, OLD.state, OLD.published_at)
    IS DISTINCT FROM (NEW.county_code, NEW.region_path, NEW.state, NEW.published_at))
  EXECUTE FUNCTION stat_capture_honors();
--> statement-breakpoint
CREATE TRIGGER stat_capture_del AFTER DELETE ON honors FOR EACH ROW EXECUTE FUNCTION stat_capture_honors();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON shop_redemptions FOR EACH ROW
  EXECUTE FUNCTION stat_capture_shop_redemptions();
--> statement-breakpoint
CREATE TRIGGER stat_capture_upd AFTER UPDATE ON shop_redemptions FOR EACH ROW
  WHEN ((OLD.county_code, OLD.region_path, OLD.state, OLD.handed_out_at, OLD.points)
    IS DISTINCT FROM (NEW.county_code, NEW.region_path, NEW.state, NEW.handed_out_at, NEW.points))
  EXECUTE FUNCTION stat_capture_shop_redemptions();
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON point_movements FOR EACH ROW
  EXECUTE FUNCTION stat_capture_point_movements();
--> statement-breakpoint
-- Every row's contribution now, from the raw rows: the backfill below, and what `cli stats-verify` compares the
-- rollups with.
CREATE VIEW stat_contributions AS
  SELECT c.* FROM volunteers x, stat_contrib_volunteers(x) c
  UNION ALL SELECT c.* FROM teams x, stat_contrib_teams(x) c
  UNION ALL SELECT c.* FROM activities x, stat_contrib_activities(x) c
  UNION ALL SELECT c.* FROM activity_signups s JOIN activities a ON a.id = s.activity_id, stat_contrib_signup(s, a) c
  UNION ALL SELECT c.* FROM hours_entries x, stat_contrib_hours_entries(x) c
  UNION ALL SELECT c.* FROM orders x, stat_contrib_orders(x) c
  UNION ALL SELECT c.* FROM wishes x, stat_contrib_wishes(x) c
  UNION ALL SELECT c.* FROM honors x, stat_contrib_honors(x) c
  UNION ALL SELECT c.* FROM shop_redemptions x, stat_contrib_shop_redemptions(x) c
  UNION ALL SELECT c.* FROM point_movements x, stat_contrib_point_movements(x) c;
--> statement-breakpoint
-- Backfill: what the rows already there contribute (the fold moves it into the rollups).
INSERT INTO stat_deltas (county_code, region_path, day, key, subject, value)
SELECT county_code, region_path, day, key, subject, sum(value) FROM stat_contributions
GROUP BY 1, 2, 3, 4, 5 HAVING sum(value) <> 0;
