-- Volunteer search (issue #3). A name part in Chinese (“建国”, “张”) is matched with LIKE '%…%', which no btree
-- serves: this GIN index over the name's characters finds the rows that contain every character of the query,
-- and LIKE rechecks the order. Built-in (no pg_trgm, which also needs 3 characters and so misses 1–2 character
-- queries), so it works the same on PGlite.
CREATE INDEX IF NOT EXISTS "volunteers_name_chars_idx" ON "volunteers" USING gin (string_to_array("name", NULL));
--> statement-breakpoint
-- The list's order (newest first): the first page of a county, or of a broad match such as “li”, is read from
-- this index in order and stops after 20 rows instead of sorting every volunteer of the county.
CREATE INDEX IF NOT EXISTS "volunteers_county_created_idx" ON "volunteers" ("county_code", "created_at" DESC, "volunteer_no");
