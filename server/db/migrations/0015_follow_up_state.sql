ALTER TABLE "follow_ups" ADD COLUMN "state" text DEFAULT 'open' NOT NULL;--> statement-breakpoint
UPDATE "follow_ups" SET "state" = 'closed' WHERE "closed_at" IS NOT NULL;
