ALTER TABLE "follow_ups" ADD COLUMN "region_code" text;--> statement-breakpoint
UPDATE "follow_ups" f SET "region_code" = coalesce(h."region_code", o."region_code") FROM "orders" o LEFT JOIN "households" h ON h."id" = o."household_id" WHERE o."id" = f."order_id";--> statement-breakpoint
ALTER TABLE "follow_ups" ALTER COLUMN "region_code" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "teams_leader_idx" ON "teams" USING btree ("leader_volunteer_id");
