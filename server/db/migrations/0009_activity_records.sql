ALTER TABLE "activities" ADD COLUMN "sheet_photo_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "participant_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "recorded_by" uuid;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "recorded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "confirmed_by" uuid;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "return_reason" text;