-- Active volunteers and active teams count where the volunteer or team belongs (its own region), not where it served:
-- a town's active volunteers are among its registered ones, its active teams among its teams, and the counts of the
-- lower regions add up. Hours served still count where they were served (hours.total). A volunteer's hours and a
-- team's services are pair contributions (the row and its volunteer/team), so a volunteer or team that moves region
-- moves them (as sign-ups move with their activity).
CREATE OR REPLACE FUNCTION stat_contrib_volunteer_hours(h hours_entries, v volunteers) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT h.county_code, v.region_path, h.service_date, 'volunteer.hours', v.id, h.hours
  WHERE v.id = h.volunteer_id
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_hours_entries(h hours_entries) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT h.county_code, h.region_path, h.service_date, 'hours.total', NULL::uuid, h.hours
  UNION ALL
  SELECT c.* FROM volunteers v, stat_contrib_volunteer_hours(h, v) c WHERE v.id = h.volunteer_id
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_activity_team(a activities, t teams) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT a.county_code, t.region_path, stat_day(a.start_at), 'team.served', t.id, 1::numeric
  WHERE a.team_id = t.id AND a.state IN ('ended', 'archived')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_activities(a activities) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT a.county_code, a.region_path, stat_day(a.start_at), c.key, NULL::uuid, c.value
  FROM (VALUES ('activities.total', 1::numeric),
               ('activities.' || a.type, 1),
               ('activities.participants', a.participant_count::numeric),
               ('activities.beneficiaries', a.beneficiary_count::numeric)) c(key, value)
  WHERE a.state IN ('ended', 'archived')
  UNION ALL
  SELECT c.* FROM teams t, stat_contrib_activity_team(a, t) c WHERE t.id = a.team_id
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_order_team(o orders, t teams) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT o.county_code, t.region_path, stat_day(o.completed_at), 'team.served', t.id, 1::numeric
  WHERE o.accepted_team_id = t.id AND o.completed_at IS NOT NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_orders(o orders) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE STRICT AS $$
  SELECT o.county_code, o.region_path, c.day, c.key, NULL::uuid, 1::numeric
  FROM (VALUES ('orders.submitted', stat_day(o.submitted_at), true),
               ('funnel.dispatched', stat_day(o.submitted_at), o.dispatched_at IS NOT NULL),
               ('funnel.accepted', stat_day(o.submitted_at), o.accepted_at IS NOT NULL),
               ('funnel.completed', stat_day(o.submitted_at), o.completed_at IS NOT NULL),
               ('funnel.rated', stat_day(o.submitted_at), o.rated_at IS NOT NULL),
               ('orders.completed', stat_day(o.completed_at), o.completed_at IS NOT NULL),
               ('orders.rated', stat_day(o.rated_at),
                 o.rated_at IS NOT NULL AND o.score IS NOT NULL AND NOT o.auto_rated),
               ('orders.satisfied', stat_day(o.rated_at),
                 o.rated_at IS NOT NULL AND coalesce(o.score >= 4, false) AND NOT o.auto_rated)) c(key, day, counts)
  WHERE c.counts
  UNION ALL
  SELECT c.* FROM teams t, stat_contrib_order_team(o, t) c WHERE t.id = o.accepted_team_id
$$;
--> statement-breakpoint
-- a volunteer's change also moves the hours they count for among the active (their region); a new or deleted
-- volunteer has none
CREATE OR REPLACE FUNCTION stat_capture_volunteers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stat_deltas (county_code, region_path, day, key, subject, value)
  SELECT c.county_code, c.region_path, c.day, c.key, c.subject, sum(c.value) FROM (
    SELECT n.* FROM stat_contrib_volunteers(NEW) n
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value FROM stat_contrib_volunteers(OLD) o
    UNION ALL
    SELECT n.* FROM hours_entries h, stat_contrib_volunteer_hours(h, NEW) n WHERE TG_OP = 'UPDATE' AND h.volunteer_id = NEW.id
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value
    FROM hours_entries h, stat_contrib_volunteer_hours(h, OLD) o WHERE TG_OP = 'UPDATE' AND h.volunteer_id = OLD.id
  ) c GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.value) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- a team's change also moves the services it counts for (its region)
CREATE OR REPLACE FUNCTION stat_capture_teams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stat_deltas (county_code, region_path, day, key, subject, value)
  SELECT c.county_code, c.region_path, c.day, c.key, c.subject, sum(c.value) FROM (
    SELECT n.* FROM stat_contrib_teams(NEW) n
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value FROM stat_contrib_teams(OLD) o
    UNION ALL
    SELECT n.* FROM activities a, stat_contrib_activity_team(a, NEW) n WHERE TG_OP = 'UPDATE' AND a.team_id = NEW.id
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value
    FROM activities a, stat_contrib_activity_team(a, OLD) o WHERE TG_OP = 'UPDATE' AND a.team_id = OLD.id
    UNION ALL
    SELECT n.* FROM orders x, stat_contrib_order_team(x, NEW) n WHERE TG_OP = 'UPDATE' AND x.accepted_team_id = NEW.id
    UNION ALL
    SELECT o.county_code, o.region_path, o.day, o.key, o.subject, -o.value
    FROM orders x, stat_contrib_order_team(x, OLD) o WHERE TG_OP = 'UPDATE' AND x.accepted_team_id = OLD.id
  ) c GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.value) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- the rollups again from the rows, under the new definitions (what `cli stats-verify --rebuild` does)
DELETE FROM stat_deltas;
--> statement-breakpoint
DELETE FROM stat_rollups;
--> statement-breakpoint
DELETE FROM stat_subjects;
--> statement-breakpoint
INSERT INTO stat_deltas (county_code, region_path, day, key, subject, value)
SELECT county_code, region_path, day, key, subject, sum(value) FROM stat_contributions
GROUP BY 1, 2, 3, 4, 5 HAVING sum(value) <> 0;
