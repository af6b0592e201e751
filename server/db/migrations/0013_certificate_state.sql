ALTER TABLE "certificates" ADD COLUMN "state" text DEFAULT 'valid' NOT NULL;--> statement-breakpoint
UPDATE "certificates" SET "state" = 'revoked' WHERE "revoked_at" IS NOT NULL;
