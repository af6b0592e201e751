-- The contribution functions without STRICT, so that the planner inlines them into the capture triggers' statements
-- (a STRICT SQL function is not inlined: each call was planned again, twice per written row). A missing row (NEW on
-- DELETE, OLD on INSERT) contributes nothing through the guards on its id.
CREATE OR REPLACE FUNCTION stat_contrib_volunteers(v volunteers) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT v.county_code, v.region_path, c.day, c.key, NULL::uuid, 1::numeric
  FROM (VALUES ('volunteers.registered', stat_day(v.created_at), true),
               ('volunteers.verified', stat_day(v.verified_at), v.verified AND v.verified_at IS NOT NULL)) c(key, day, counts)
  WHERE c.counts AND v.id IS NOT NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_teams(t teams) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT t.county_code, t.region_path, stat_day(t.created_at), 'teams.total', NULL::uuid, 1::numeric
  WHERE t.id IS NOT NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_activities(a activities) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
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
CREATE OR REPLACE FUNCTION stat_contrib_signup(s activity_signups, a activities) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT a.county_code, a.region_path, stat_day(a.start_at), 'activities.participants', NULL::uuid, 1::numeric
  WHERE a.id = s.activity_id AND a.state IN ('ended', 'archived') AND s.check_in_at IS NOT NULL
    AND s.status <> 'cancelled'
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_hours_entries(h hours_entries) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT h.county_code, h.region_path, h.service_date, 'hours.total', NULL::uuid, h.hours WHERE h.id IS NOT NULL
  UNION ALL
  SELECT c.* FROM volunteers v, stat_contrib_volunteer_hours(h, v) c WHERE v.id = h.volunteer_id
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_orders(o orders) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
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
  WHERE c.counts AND o.id IS NOT NULL
  UNION ALL
  SELECT c.* FROM teams t, stat_contrib_order_team(o, t) c WHERE t.id = o.accepted_team_id
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_wishes(w wishes) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT w.county_code, w.region_path, c.day, c.key, NULL::uuid, 1::numeric
  FROM (VALUES ('wishes.collected', stat_day(w.created_at), true),
               ('wishes.fulfilled', stat_day(w.fulfilled_at),
                 w.fulfilled_at IS NOT NULL AND w.state IN ('fulfilled', 'confirmed'))) c(key, day, counts)
  WHERE c.counts AND w.id IS NOT NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_honors(h honors) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT h.county_code, h.region_path, stat_day(h.published_at), 'honors.published', NULL::uuid, 1::numeric
  WHERE h.state = 'published' AND h.published_at IS NOT NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_shop_redemptions(r shop_redemptions) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT r.county_code, r.region_path, stat_day(r.handed_out_at), 'points.redeemed', NULL::uuid, r.points::numeric
  WHERE r.state = 'handed_out' AND r.handed_out_at IS NOT NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_point_movements(m point_movements) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
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
CREATE OR REPLACE FUNCTION stat_contrib_volunteer_hours(h hours_entries, v volunteers) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT h.county_code, v.region_path, h.service_date, 'volunteer.hours', v.id, h.hours
  WHERE v.id = h.volunteer_id
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_activity_team(a activities, t teams) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT a.county_code, t.region_path, stat_day(a.start_at), 'team.served', t.id, 1::numeric
  WHERE a.team_id = t.id AND a.state IN ('ended', 'archived')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stat_contrib_order_team(o orders, t teams) RETURNS SETOF stat_contribution
LANGUAGE sql STABLE AS $$
  SELECT o.county_code, t.region_path, stat_day(o.completed_at), 'team.served', t.id, 1::numeric
  WHERE o.accepted_team_id = t.id AND o.completed_at IS NOT NULL
$$;
