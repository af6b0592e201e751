-- A list's version counter was one row per name ('orders:411523'), bumped at commit by every writing transaction and
-- locked until that commit was flushed, so concurrent writers of one county queued on it (the service loop and the
-- sign-ups of bench #4/#5). Each name is now split over up to 16 shards, one per backend (pid mod 16): a backend
-- bumps its own shard, a reader sums the shards (platform/lists.ts). A version still only grows, once per transaction.
ALTER TABLE "cache_versions" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "cache_versions" DROP CONSTRAINT "cache_versions_pkey";--> statement-breakpoint
ALTER TABLE "cache_versions" ADD CONSTRAINT "cache_versions_name_shard_pk" PRIMARY KEY("name","shard");--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_list_version_named(n text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  k text := 'wenming_lv.v' || md5(n);
  x text := pg_current_xact_id()::text;
BEGIN
  IF current_setting(k, true) = x THEN RETURN; END IF;
  PERFORM set_config(k, x, true);
  INSERT INTO cache_versions (name, shard, version, bumped_by) VALUES (n, pg_backend_pid() % 16, 1, x)
    ON CONFLICT (name, shard) DO UPDATE SET version = cache_versions.version + 1, bumped_by = excluded.bumped_by
    WHERE cache_versions.bumped_by IS DISTINCT FROM excluded.bumped_by;
END;
$$;
