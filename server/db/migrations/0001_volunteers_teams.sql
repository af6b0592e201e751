CREATE TABLE "consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"version" text NOT NULL,
	"granted_by" text NOT NULL,
	"guardian_name" text,
	"at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "counters" (
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"value" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "counters_county_code_name_pk" PRIMARY KEY("county_code","name")
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"error" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "team_categories" (
	"county_code" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_categories_county_code_code_pk" PRIMARY KEY("county_code","code")
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"team_id" uuid NOT NULL,
	"volunteer_id" uuid NOT NULL,
	"status" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	CONSTRAINT "team_members_team_id_volunteer_id_pk" PRIMARY KEY("team_id","volunteer_id")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"site_id" uuid,
	"parent_id" uuid,
	"level" text NOT NULL,
	"category" text NOT NULL,
	"name" text NOT NULL,
	"leader_volunteer_id" uuid,
	"is_brand" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"user_id" uuid,
	"volunteer_no" text NOT NULL,
	"name" text NOT NULL,
	"name_pinyin" text NOT NULL,
	"name_initials" text NOT NULL,
	"gender" text NOT NULL,
	"birth_date" date NOT NULL,
	"id_type" text DEFAULT 'resident_id' NOT NULL,
	"id_hash" text NOT NULL,
	"id_enc" text NOT NULL,
	"id_masked" text NOT NULL,
	"phone_hash" text,
	"phone_enc" text,
	"phone_masked" text,
	"verified" boolean DEFAULT false NOT NULL,
	"verified_at" timestamp with time zone,
	"skills" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"categories" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"availability" text DEFAULT '' NOT NULL,
	"service_area" text DEFAULT '' NOT NULL,
	"political_status" text DEFAULT '' NOT NULL,
	"education" text DEFAULT '' NOT NULL,
	"occupation" text DEFAULT '' NOT NULL,
	"guardian_name" text,
	"guardian_phone_enc" text,
	"guardian_phone_masked" text,
	"guardian_relation" text,
	"source" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "regions_path_idx";--> statement-breakpoint
DROP INDEX "sites_path_idx";--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_leader_volunteer_id_volunteers_id_fk" FOREIGN KEY ("leader_volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteers" ADD CONSTRAINT "volunteers_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteers" ADD CONSTRAINT "volunteers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consents_subject_idx" ON "consents" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "jobs_created_idx" ON "jobs" USING btree ("created_by","created_at");--> statement-breakpoint
CREATE INDEX "team_members_volunteer_idx" ON "team_members" USING btree ("volunteer_id");--> statement-breakpoint
CREATE INDEX "teams_path_idx" ON "teams" USING btree ("region_path");--> statement-breakpoint
CREATE INDEX "teams_parent_idx" ON "teams" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "teams_name_uq" ON "teams" USING btree ("county_code","name");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_id_hash_uq" ON "volunteers" USING btree ("county_code","id_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_no_uq" ON "volunteers" USING btree ("county_code","volunteer_no");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_user_uq" ON "volunteers" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "volunteers_path_idx" ON "volunteers" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "volunteers_pinyin_idx" ON "volunteers" USING btree ("county_code","name_pinyin" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "volunteers_initials_idx" ON "volunteers" USING btree ("county_code","name_initials" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "volunteers_name_idx" ON "volunteers" USING btree ("county_code","name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "volunteers_phone_idx" ON "volunteers" USING btree ("phone_hash");--> statement-breakpoint
CREATE INDEX "regions_path_idx" ON "regions" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "sites_path_idx" ON "sites" USING btree ("region_path" text_pattern_ops,"kind");