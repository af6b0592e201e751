CREATE TABLE "honors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"kind" text NOT NULL,
	"nominee_name" text NOT NULL,
	"story" text NOT NULL,
	"photo_file_id" uuid,
	"consent" boolean DEFAULT false NOT NULL,
	"household_id" uuid,
	"volunteer_id" uuid,
	"year" integer NOT NULL,
	"state" text NOT NULL,
	"notice_start_at" timestamp with time zone,
	"notice_end_at" timestamp with time zone,
	"review_comment" text,
	"revoke_reason" text,
	"nominated_by" uuid,
	"published_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "point_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"type" text NOT NULL,
	"owner_id" uuid,
	"system_code" text,
	"region_code" text,
	"region_path" text NOT NULL,
	"name" text NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "point_accounts_kind_ck" CHECK (("point_accounts"."type" = 'system') = ("point_accounts"."system_code" is not null) and ("point_accounts"."type" = 'system') = ("point_accounts"."owner_id" is null)),
	CONSTRAINT "point_accounts_balance_ck" CHECK ("point_accounts"."type" = 'system' or "point_accounts"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "point_adjustments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_path" text NOT NULL,
	"account_id" uuid NOT NULL,
	"amount" integer NOT NULL,
	"reason" text NOT NULL,
	"state" text NOT NULL,
	"requested_by" uuid NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"comment" text,
	"transaction_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "point_adjustments_amount_ck" CHECK ("point_adjustments"."amount" <> 0),
	CONSTRAINT "point_adjustments_two_people_ck" CHECK ("point_adjustments"."decided_by" is null or "point_adjustments"."decided_by" <> "point_adjustments"."requested_by")
);
--> statement-breakpoint
CREATE TABLE "point_award_activities" (
	"activity_id" uuid NOT NULL,
	"transaction_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "point_claims" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_path" text NOT NULL,
	"account_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"points" integer NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"evidence_file_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" text NOT NULL,
	"notice_start_at" timestamp with time zone,
	"notice_end_at" timestamp with time zone,
	"review_comment" text,
	"transaction_id" uuid,
	"submitted_by" uuid,
	"reviewed_by" uuid,
	"posted_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "point_movements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "point_movements_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"transaction_id" uuid NOT NULL,
	"debit_account_id" uuid NOT NULL,
	"credit_account_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "point_movements_amount_ck" CHECK ("point_movements"."amount" > 0),
	CONSTRAINT "point_movements_sides_ck" CHECK ("point_movements"."debit_account_id" <> "point_movements"."credit_account_id")
);
--> statement-breakpoint
CREATE TABLE "point_privileges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"threshold" integer NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "point_privileges_threshold_ck" CHECK ("point_privileges"."threshold" > 0)
);
--> statement-breakpoint
CREATE TABLE "point_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"group" text NOT NULL,
	"points" integer NOT NULL,
	"evidence_required" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "point_rules_points_ck" CHECK ("point_rules"."points" <> 0 and ("point_rules"."category" = 'deduction') = ("point_rules"."points" < 0))
);
--> statement-breakpoint
CREATE TABLE "point_transactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "point_transactions_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"county_code" text NOT NULL,
	"kind" text NOT NULL,
	"idempotency_key" text,
	"rule_id" uuid,
	"reverses_id" uuid,
	"memo" text NOT NULL,
	"created_by" uuid,
	"approved_by" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shop_goods" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"points" integer NOT NULL,
	"stock" integer NOT NULL,
	"funding_source" text DEFAULT '' NOT NULL,
	"image_file_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "shop_goods_points_ck" CHECK ("shop_goods"."points" > 0),
	CONSTRAINT "shop_goods_stock_ck" CHECK ("shop_goods"."stock" >= 0)
);
--> statement-breakpoint
CREATE TABLE "shop_redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_path" text NOT NULL,
	"goods_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"points" integer NOT NULL,
	"state" text NOT NULL,
	"pickup_code" text NOT NULL,
	"hold_transaction_id" uuid,
	"settle_transaction_id" uuid,
	"requested_by" uuid,
	"handed_out_by" uuid,
	"handed_out_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "shop_redemptions_quantity_ck" CHECK ("shop_redemptions"."quantity" > 0 and "shop_redemptions"."points" > 0)
);
--> statement-breakpoint
CREATE TABLE "wish_claims" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"wish_id" uuid NOT NULL,
	"claimant_type" text NOT NULL,
	"claimant_name" text NOT NULL,
	"user_id" uuid,
	"volunteer_id" uuid,
	"amount" numeric(10, 2) NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "wish_claims_amount_ck" CHECK ("wish_claims"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "wishes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"value" numeric(10, 2) NOT NULL,
	"beneficiary_name" text NOT NULL,
	"beneficiary_phone_enc" text,
	"beneficiary_phone_masked" text,
	"consent_to_publish" boolean DEFAULT false NOT NULL,
	"source" text NOT NULL,
	"claim_mode" text DEFAULT 'single' NOT NULL,
	"claimed_value" numeric(10, 2) DEFAULT '0' NOT NULL,
	"state" text NOT NULL,
	"over_cap" boolean DEFAULT false NOT NULL,
	"approved_over_cap_by" uuid,
	"reject_reason" text,
	"photo_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"deadline" timestamp with time zone,
	"submitted_by" uuid,
	"published_at" timestamp with time zone,
	"fulfilled_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "wishes_value_ck" CHECK ("wishes"."value" > 0)
);
--> statement-breakpoint
CREATE TABLE "workflow_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "workflow_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"entity" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"actor_user_id" uuid,
	"actor_name" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"data" jsonb,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "honors" ADD CONSTRAINT "honors_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "honors" ADD CONSTRAINT "honors_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_accounts" ADD CONSTRAINT "point_accounts_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_adjustments" ADD CONSTRAINT "point_adjustments_account_id_point_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."point_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_adjustments" ADD CONSTRAINT "point_adjustments_transaction_id_point_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_award_activities" ADD CONSTRAINT "point_award_activities_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_award_activities" ADD CONSTRAINT "point_award_activities_transaction_id_point_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_claims" ADD CONSTRAINT "point_claims_account_id_point_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."point_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_claims" ADD CONSTRAINT "point_claims_rule_id_point_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."point_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_claims" ADD CONSTRAINT "point_claims_transaction_id_point_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_movements" ADD CONSTRAINT "point_movements_transaction_id_point_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_movements" ADD CONSTRAINT "point_movements_debit_account_id_point_accounts_id_fk" FOREIGN KEY ("debit_account_id") REFERENCES "public"."point_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_movements" ADD CONSTRAINT "point_movements_credit_account_id_point_accounts_id_fk" FOREIGN KEY ("credit_account_id") REFERENCES "public"."point_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_transactions" ADD CONSTRAINT "point_transactions_rule_id_point_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."point_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_goods" ADD CONSTRAINT "shop_goods_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_redemptions" ADD CONSTRAINT "shop_redemptions_goods_id_shop_goods_id_fk" FOREIGN KEY ("goods_id") REFERENCES "public"."shop_goods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_redemptions" ADD CONSTRAINT "shop_redemptions_account_id_point_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."point_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_redemptions" ADD CONSTRAINT "shop_redemptions_hold_transaction_id_point_transactions_id_fk" FOREIGN KEY ("hold_transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_redemptions" ADD CONSTRAINT "shop_redemptions_settle_transaction_id_point_transactions_id_fk" FOREIGN KEY ("settle_transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wish_claims" ADD CONSTRAINT "wish_claims_wish_id_wishes_id_fk" FOREIGN KEY ("wish_id") REFERENCES "public"."wishes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wish_claims" ADD CONSTRAINT "wish_claims_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wish_claims" ADD CONSTRAINT "wish_claims_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wishes" ADD CONSTRAINT "wishes_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "honors_path_idx" ON "honors" USING btree ("region_path" text_pattern_ops,"state");--> statement-breakpoint
CREATE INDEX "honors_board_idx" ON "honors" USING btree ("county_code","kind","state","published_at");--> statement-breakpoint
CREATE UNIQUE INDEX "point_accounts_owner_uq" ON "point_accounts" USING btree ("type","owner_id") WHERE "point_accounts"."owner_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "point_accounts_system_uq" ON "point_accounts" USING btree ("county_code","system_code") WHERE "point_accounts"."system_code" is not null;--> statement-breakpoint
CREATE INDEX "point_accounts_path_idx" ON "point_accounts" USING btree ("region_path" text_pattern_ops,"type");--> statement-breakpoint
CREATE INDEX "point_adjustments_path_idx" ON "point_adjustments" USING btree ("region_path" text_pattern_ops,"state");--> statement-breakpoint
CREATE UNIQUE INDEX "point_award_activities_uq" ON "point_award_activities" USING btree ("activity_id");--> statement-breakpoint
CREATE INDEX "point_claims_path_idx" ON "point_claims" USING btree ("region_path" text_pattern_ops,"state");--> statement-breakpoint
CREATE INDEX "point_claims_account_idx" ON "point_claims" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "point_claims_notice_idx" ON "point_claims" USING btree ("county_code","state","notice_end_at");--> statement-breakpoint
CREATE INDEX "point_movements_debit_idx" ON "point_movements" USING btree ("debit_account_id","seq");--> statement-breakpoint
CREATE INDEX "point_movements_credit_idx" ON "point_movements" USING btree ("credit_account_id","seq");--> statement-breakpoint
CREATE INDEX "point_movements_tx_idx" ON "point_movements" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "point_privileges_county_idx" ON "point_privileges" USING btree ("county_code","threshold");--> statement-breakpoint
CREATE INDEX "point_rules_county_idx" ON "point_rules" USING btree ("county_code","category","sort");--> statement-breakpoint
CREATE UNIQUE INDEX "point_transactions_idem_uq" ON "point_transactions" USING btree ("county_code","idempotency_key") WHERE "point_transactions"."idempotency_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "point_transactions_reverses_uq" ON "point_transactions" USING btree ("reverses_id") WHERE "point_transactions"."reverses_id" is not null;--> statement-breakpoint
CREATE INDEX "point_transactions_county_idx" ON "point_transactions" USING btree ("county_code","created_at");--> statement-breakpoint
CREATE INDEX "shop_goods_path_idx" ON "shop_goods" USING btree ("region_path" text_pattern_ops,"active");--> statement-breakpoint
CREATE INDEX "shop_redemptions_path_idx" ON "shop_redemptions" USING btree ("region_path" text_pattern_ops,"state");--> statement-breakpoint
CREATE INDEX "shop_redemptions_account_idx" ON "shop_redemptions" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "wish_claims_wish_idx" ON "wish_claims" USING btree ("wish_id");--> statement-breakpoint
CREATE UNIQUE INDEX "wish_claims_live_uq" ON "wish_claims" USING btree ("wish_id","user_id") WHERE "wish_claims"."state" <> 'withdrawn' and "wish_claims"."user_id" is not null;--> statement-breakpoint
CREATE INDEX "wishes_path_idx" ON "wishes" USING btree ("region_path" text_pattern_ops,"state");--> statement-breakpoint
CREATE INDEX "wishes_state_idx" ON "wishes" USING btree ("county_code","state","published_at");--> statement-breakpoint
CREATE INDEX "workflow_events_entity_idx" ON "workflow_events" USING btree ("entity","entity_id","seq");--> statement-breakpoint
CREATE OR REPLACE FUNCTION point_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'point_movements is append-only: % refused', TG_OP USING ERRCODE = 'raise_exception';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER point_movements_no_update BEFORE UPDATE OR DELETE ON "point_movements" FOR EACH ROW EXECUTE FUNCTION point_movements_append_only();
--> statement-breakpoint
CREATE TRIGGER point_transactions_no_update BEFORE UPDATE OR DELETE ON "point_transactions" FOR EACH ROW EXECUTE FUNCTION point_movements_append_only();
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "hours_entries_reverses_idx" ON "hours_entries" ("reverses_id") WHERE "reverses_id" IS NOT NULL;
