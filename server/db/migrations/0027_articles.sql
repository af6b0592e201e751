CREATE TABLE "article_views" (
	"article_id" uuid NOT NULL,
	"shard" integer NOT NULL,
	"views" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "article_views_article_id_shard_pk" PRIMARY KEY("article_id","shard")
);
--> statement-breakpoint
CREATE TABLE "articles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"column" text NOT NULL,
	"title" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"body" text NOT NULL,
	"cover_file_id" uuid,
	"attachment_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"image_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" text NOT NULL,
	"author_id" uuid,
	"reviewer_id" uuid,
	"review_comment" text,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "publicity_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"region_path" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"quantity" integer NOT NULL,
	"day" date NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"photo_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "publicity_items_quantity_ck" CHECK ("publicity_items"."quantity" > 0)
);
--> statement-breakpoint
ALTER TABLE "article_views" ADD CONSTRAINT "article_views_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "articles" ADD CONSTRAINT "articles_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publicity_items" ADD CONSTRAINT "publicity_items_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "articles_path_idx" ON "articles" USING btree ("region_path" text_pattern_ops,"state");--> statement-breakpoint
CREATE INDEX "articles_list_idx" ON "articles" USING btree ("county_code","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "articles_public_idx" ON "articles" USING btree ("county_code","state","published_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "publicity_items_path_idx" ON "publicity_items" USING btree ("region_path" text_pattern_ops,"day");--> statement-breakpoint
CREATE INDEX "publicity_items_list_idx" ON "publicity_items" USING btree ("county_code","day" DESC NULLS LAST,"id" DESC NULLS LAST);