ALTER TABLE "survey_responses" ADD COLUMN "promoted_plan_id" uuid;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD COLUMN "promoted_plan_month" text;