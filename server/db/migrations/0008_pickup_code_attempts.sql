ALTER TABLE "shop_redemptions" ADD COLUMN "code_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "shop_redemptions" ADD COLUMN "code_locked_until" timestamp with time zone;