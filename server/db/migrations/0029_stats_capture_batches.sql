-- A volunteer import inserts a batch of hundreds of rows in one statement; the statistics capture on insert ran a
-- plpgsql trigger and an INSERT into stat_deltas per row (the #3 import fell from 6,348 to 2,943 rows/s when the
-- capture arrived, bench/NOTES.md stop 18). On insert it now runs once per statement over the transition table and
-- writes each summed delta once; the same rows and values as the row trigger (a new volunteer has no hours, so the
-- hours branches of the row trigger added nothing on insert). Updates and deletes keep their row triggers.
CREATE OR REPLACE FUNCTION stat_capture_volunteers_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stat_deltas (county_code, region_path, day, key, subject, value)
  SELECT c.county_code, c.region_path, c.day, c.key, c.subject, sum(c.value)
  FROM stat_new_volunteers v, stat_contrib_volunteers(v) c
  GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.value) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER stat_capture_ins ON volunteers;
--> statement-breakpoint
CREATE TRIGGER stat_capture_ins AFTER INSERT ON volunteers REFERENCING NEW TABLE AS stat_new_volunteers
  FOR EACH STATEMENT EXECUTE FUNCTION stat_capture_volunteers_inserted();
