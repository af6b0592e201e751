CREATE TABLE "report_notes" (
	"county_code" text NOT NULL,
	"region_code" text NOT NULL,
	"year" integer NOT NULL,
	"plans" text NOT NULL,
	"updated_by" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "report_notes_region_code_year_pk" PRIMARY KEY("region_code","year")
);
