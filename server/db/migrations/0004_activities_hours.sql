CREATE TABLE "activities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"site_id" uuid,
	"team_id" uuid,
	"plan_id" uuid,
	"title" text NOT NULL,
	"type" text NOT NULL,
	"theme" text DEFAULT '' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"quota" integer NOT NULL,
	"confirmed_count" integer DEFAULT 0 NOT NULL,
	"waitlist_count" integer DEFAULT 0 NOT NULL,
	"address" text NOT NULL,
	"lat" double precision,
	"lng" double precision,
	"checkin_radius_m" integer,
	"beneficiaries" text DEFAULT '' NOT NULL,
	"beneficiary_count" integer DEFAULT 0 NOT NULL,
	"risky" boolean DEFAULT false NOT NULL,
	"insurance" text,
	"state" text NOT NULL,
	"cancel_reason" text,
	"code" text NOT NULL,
	"cover_file_id" uuid,
	"photo_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"created_by" uuid,
	"published_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"archived_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "activities_quota_ck" CHECK ("activities"."quota" > 0 and "activities"."confirmed_count" >= 0 and "activities"."confirmed_count" <= "activities"."quota"),
	CONSTRAINT "activities_time_ck" CHECK ("activities"."end_at" > "activities"."start_at")
);
--> statement-breakpoint
CREATE TABLE "activity_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"site_id" uuid,
	"year" integer NOT NULL,
	"title" text NOT NULL,
	"goals" text DEFAULT '' NOT NULL,
	"months" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activity_shifts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"activity_id" uuid NOT NULL,
	"position" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"quota" integer NOT NULL,
	"confirmed_count" integer DEFAULT 0 NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "activity_shifts_quota_ck" CHECK ("activity_shifts"."quota" > 0 and "activity_shifts"."confirmed_count" >= 0 and "activity_shifts"."confirmed_count" <= "activity_shifts"."quota")
);
--> statement-breakpoint
CREATE TABLE "activity_signups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "activity_signups_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"activity_id" uuid NOT NULL,
	"shift_id" uuid,
	"volunteer_id" uuid NOT NULL,
	"user_id" uuid,
	"status" text NOT NULL,
	"source" text DEFAULT 'self' NOT NULL,
	"signed_up_at" timestamp with time zone NOT NULL,
	"promoted_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"check_in_at" timestamp with time zone,
	"check_out_at" timestamp with time zone,
	"check_in_method" text,
	"check_in_lat" double precision,
	"check_in_lng" double precision,
	"no_show" boolean DEFAULT false NOT NULL,
	"hours_settled_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_path" text NOT NULL,
	"volunteer_id" uuid NOT NULL,
	"number" text NOT NULL,
	"verify_code" text NOT NULL,
	"period_from" date NOT NULL,
	"period_to" date NOT NULL,
	"hours" numeric(8, 2) NOT NULL,
	"snapshot" jsonb NOT NULL,
	"issued_by" uuid,
	"issued_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoke_reason" text
);
--> statement-breakpoint
CREATE TABLE "hours_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "hours_entries_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"county_code" text NOT NULL,
	"region_path" text NOT NULL,
	"volunteer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"hours" numeric(7, 2) NOT NULL,
	"service_date" date NOT NULL,
	"activity_id" uuid,
	"signup_id" uuid,
	"order_id" uuid,
	"request_id" uuid,
	"reverses_id" uuid,
	"description" text NOT NULL,
	"evidence_file_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "hours_entries_sign_ck" CHECK (("hours_entries"."kind" = 'reversal' and "hours_entries"."hours" < 0) or ("hours_entries"."kind" <> 'reversal' and "hours_entries"."hours" > 0))
);
--> statement-breakpoint
CREATE TABLE "hours_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_path" text NOT NULL,
	"volunteer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"activity_id" uuid,
	"signup_id" uuid,
	"hours" numeric(7, 2) NOT NULL,
	"service_date" date NOT NULL,
	"reason" text NOT NULL,
	"evidence_file_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text NOT NULL,
	"answer" text,
	"requested_by" uuid,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"entry_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "hours_requests_hours_ck" CHECK ("hours_requests"."hours" > 0)
);
--> statement-breakpoint
CREATE TABLE "star_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_path" text NOT NULL,
	"volunteer_id" uuid NOT NULL,
	"level" integer NOT NULL,
	"hours_at_apply" numeric(8, 2) NOT NULL,
	"state" text NOT NULL,
	"comment" text,
	"objection" text,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"notice_start" date,
	"notice_end" date,
	"granted_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "star_applications_level_ck" CHECK ("star_applications"."level" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "submission_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"submission_id" uuid NOT NULL,
	"action" text NOT NULL,
	"actor_user_id" uuid,
	"actor_name" text NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"level" text NOT NULL,
	"month" text NOT NULL,
	"state" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"figures" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attachment_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"comment" text,
	"submitted_by" uuid,
	"submitted_at" timestamp with time zone NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "volunteers" ADD COLUMN "star_level" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_plan_id_activity_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."activity_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_plans" ADD CONSTRAINT "activity_plans_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_plans" ADD CONSTRAINT "activity_plans_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_shifts" ADD CONSTRAINT "activity_shifts_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_signups" ADD CONSTRAINT "activity_signups_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_signups" ADD CONSTRAINT "activity_signups_shift_id_activity_shifts_id_fk" FOREIGN KEY ("shift_id") REFERENCES "public"."activity_shifts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_signups" ADD CONSTRAINT "activity_signups_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_signups" ADD CONSTRAINT "activity_signups_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hours_entries" ADD CONSTRAINT "hours_entries_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hours_entries" ADD CONSTRAINT "hours_entries_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hours_entries" ADD CONSTRAINT "hours_entries_signup_id_activity_signups_id_fk" FOREIGN KEY ("signup_id") REFERENCES "public"."activity_signups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hours_entries" ADD CONSTRAINT "hours_entries_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hours_requests" ADD CONSTRAINT "hours_requests_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hours_requests" ADD CONSTRAINT "hours_requests_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hours_requests" ADD CONSTRAINT "hours_requests_signup_id_activity_signups_id_fk" FOREIGN KEY ("signup_id") REFERENCES "public"."activity_signups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "star_applications" ADD CONSTRAINT "star_applications_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission_events" ADD CONSTRAINT "submission_events_submission_id_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activities_path_idx" ON "activities" USING btree ("region_path" text_pattern_ops,"start_at");--> statement-breakpoint
CREATE INDEX "activities_state_idx" ON "activities" USING btree ("county_code","state","start_at");--> statement-breakpoint
CREATE INDEX "activities_team_idx" ON "activities" USING btree ("team_id","start_at");--> statement-breakpoint
CREATE INDEX "activities_plan_idx" ON "activities" USING btree ("plan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "activity_plans_region_year_uq" ON "activity_plans" USING btree ("region_code","year");--> statement-breakpoint
CREATE INDEX "activity_plans_path_idx" ON "activity_plans" USING btree ("region_path" text_pattern_ops,"year");--> statement-breakpoint
CREATE INDEX "activity_shifts_activity_idx" ON "activity_shifts" USING btree ("activity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "activity_signups_live_uq" ON "activity_signups" USING btree ("activity_id","volunteer_id") WHERE "activity_signups"."status" <> 'cancelled';--> statement-breakpoint
CREATE INDEX "activity_signups_wait_idx" ON "activity_signups" USING btree ("activity_id","status","seq");--> statement-breakpoint
CREATE INDEX "activity_signups_volunteer_idx" ON "activity_signups" USING btree ("volunteer_id","created_at");--> statement-breakpoint
CREATE INDEX "activity_signups_user_idx" ON "activity_signups" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_number_uq" ON "certificates" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_verify_uq" ON "certificates" USING btree ("verify_code");--> statement-breakpoint
CREATE INDEX "certificates_volunteer_idx" ON "certificates" USING btree ("volunteer_id");--> statement-breakpoint
CREATE INDEX "certificates_path_idx" ON "certificates" USING btree ("region_path" text_pattern_ops,"issued_at");--> statement-breakpoint
CREATE INDEX "hours_entries_volunteer_idx" ON "hours_entries" USING btree ("volunteer_id","service_date");--> statement-breakpoint
CREATE INDEX "hours_entries_path_idx" ON "hours_entries" USING btree ("region_path" text_pattern_ops,"service_date");--> statement-breakpoint
CREATE INDEX "hours_entries_activity_idx" ON "hours_entries" USING btree ("activity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "hours_entries_signup_uq" ON "hours_entries" USING btree ("signup_id","kind") WHERE "hours_entries"."kind" = 'attendance';--> statement-breakpoint
CREATE UNIQUE INDEX "hours_entries_order_uq" ON "hours_entries" USING btree ("order_id","volunteer_id") WHERE "hours_entries"."kind" = 'order';--> statement-breakpoint
CREATE INDEX "hours_requests_path_idx" ON "hours_requests" USING btree ("region_path" text_pattern_ops,"status");--> statement-breakpoint
CREATE INDEX "hours_requests_volunteer_idx" ON "hours_requests" USING btree ("volunteer_id","created_at");--> statement-breakpoint
CREATE INDEX "star_applications_path_idx" ON "star_applications" USING btree ("region_path" text_pattern_ops,"state");--> statement-breakpoint
CREATE UNIQUE INDEX "star_applications_live_uq" ON "star_applications" USING btree ("volunteer_id","level") WHERE "star_applications"."state" in ('applied', 'notice', 'granted');--> statement-breakpoint
CREATE INDEX "submission_events_submission_idx" ON "submission_events" USING btree ("submission_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "submissions_region_month_uq" ON "submissions" USING btree ("region_code","month");--> statement-breakpoint
CREATE INDEX "submissions_path_idx" ON "submissions" USING btree ("region_path" text_pattern_ops,"month");--> statement-breakpoint
CREATE OR REPLACE FUNCTION hours_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'hours_entries is append-only: % refused', TG_OP USING ERRCODE = 'raise_exception';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER hours_entries_no_update BEFORE UPDATE OR DELETE ON "hours_entries" FOR EACH ROW EXECUTE FUNCTION hours_entries_append_only();
