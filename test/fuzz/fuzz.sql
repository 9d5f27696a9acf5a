-- Fuzz driver for migrate's SQL functions, run inside the server.
--
-- migrate_fuzz(seed, cases) feeds random and mutated revision files,
-- revision SQL and target strings to migrate_load, migrate_revision,
-- migrate_upgrade, migrate_downgrade, migrate_stamp, migrate_sql,
-- migrate_history and (when it exists) migrate_lint, each call in a
-- subtransaction, and returns how many calls ended in each SQLSTATE.
-- What it looks for is a crash (the connection drops; the caller checks the
-- server log for "terminated by signal") or an internal error (XX000), which
-- means an "impossible" state was reached.

CREATE FUNCTION fuzz_pick(items text[]) RETURNS text
LANGUAGE sql AS $fz$ SELECT items[1 + floor(random() * array_length(items, 1))::int] $fz$;

-- A random string made of pieces of the languages under test.
CREATE FUNCTION fuzz_noise(pieces text[], n int) RETURNS text
LANGUAGE sql AS $fz$
	SELECT string_agg(fuzz_pick(pieces), '') FROM generate_series(1, n)
$fz$;

-- A revision file, then mutated: spans deleted, duplicated, or replaced
-- by noise.
CREATE FUNCTION fuzz_file(ids text[]) RETURNS text
LANGUAGE plpgsql AS $fz$
DECLARE
	sql_pieces text[] := ARRAY[
		'CREATE TABLE fz_t (id int);', 'DROP TABLE fz_t;', 'SELECT 1;', ';', ' ',
		E'\n', 'BEGIN;', 'COMMIT;', 'SAVEPOINT s;', E'\\i x\n', E'\\set a b\n',
		'''', '"', '$$', '$a$', '/*', '*/', '--', 'CREATE INDEX CONCURRENTLY fz_i ON fz_t (id);',
		'VACUUM;', 'COPY fz_t FROM STDIN;', 'ALTER TABLE fz_t ADD x int;', 'É', '😀', 'ß',
		E'\r\n', E'\t', 'E''\\x''', '(', ')', '1e999', 'fz_t', 'SELEC', 'INSERT INTO fz_t VALUES (1);',
		'SELECT pg_catalog.pg_sleep(0);', 'DO $$ BEGIN END $$;', 'U&"\0041"', 'B''101''', 'X''1F'''];
	directives text[] := ARRAY[
		E'-- migrate:revision %s\n', E'-- migrate:parents %s\n', E'-- migrate:depends-on %s\n',
		E'-- migrate:branch-labels %s\n', E'-- migrate:transactional %s\n', E'-- migrate:message %s\n',
		E'-- migrate:upgrade\n', E'-- migrate:downgrade\n', E'-- migrate:up\n', E'-- migrate:down\n',
		E'-- migrate:up transaction:false\n', E'-- migrate:bogus %s\n', E'--migrate:upgrade\n', E'-- migrate:\n'];
	words text[] := ids || ARRAY['true', 'false', 'maybe', '', 'a b', 'head', 'base', 'x-y', 'lbl', repeat('z', 70)];
	file text := '';
	cut int;
	len int;
BEGIN
	-- a mostly well-formed file
	IF random() < 0.8 THEN
		file := format(E'-- migrate:revision %s\n', fuzz_pick(ids));
	END IF;
	IF random() < 0.7 THEN
		file := file || format(E'-- migrate:parents %s\n', fuzz_pick(ids));
	END IF;
	IF random() < 0.2 THEN
		file := file || format(E'-- migrate:depends-on %s\n', fuzz_pick(words));
	END IF;
	IF random() < 0.2 THEN
		file := file || format(E'-- migrate:branch-labels %s\n', fuzz_pick(words));
	END IF;
	IF random() < 0.2 THEN
		file := file || format(E'-- migrate:transactional %s\n', fuzz_pick(words));
	END IF;
	file := file || E'-- migrate:upgrade\n' || fuzz_noise(sql_pieces, (random() * 8)::int)
		|| E'\n-- migrate:downgrade\n' || fuzz_noise(sql_pieces, (random() * 4)::int);
	-- mutations
	FOR i IN 1..(random() * 4)::int LOOP
		len := length(file);
		cut := 1 + floor(random() * greatest(len, 1))::int;
		CASE floor(random() * 4)::int
			WHEN 0 THEN file := overlay(file placing '' from cut for (random() * 20)::int);
			WHEN 1 THEN file := overlay(file placing substr(file, cut, (random() * 30)::int) from cut for 0);
			WHEN 2 THEN file := overlay(file placing format(fuzz_pick(directives), fuzz_pick(words)) from cut for 0);
			ELSE file := overlay(file placing fuzz_noise(sql_pieces, 1 + (random() * 3)::int) from cut for 0);
		END CASE;
	END LOOP;
	RETURN file;
END $fz$;

-- A target string: pieces of the target grammar, mostly well-formed.
CREATE FUNCTION fuzz_target(ids text[]) RETURNS text
LANGUAGE sql AS $fz$
	SELECT CASE floor(random() * 5)::int
		WHEN 0 THEN fuzz_pick(ids || ARRAY['head', 'heads', 'base', 'current'])
		WHEN 1 THEN fuzz_pick(ARRAY['', 'lbl@', 'fz0@', 'head@']) || fuzz_pick(ARRAY['', '+', '-'])
					|| fuzz_pick(ARRAY['0', '1', '2', '7', '99999999999', ''])
		WHEN 2 THEN fuzz_pick(ids || ARRAY['head', 'base', 'lbl']) || fuzz_pick(ARRAY['+1', '-1', '+2', '-3', '@head', '@base', '@-1'])
		WHEN 3 THEN left(fuzz_pick(ids), 1 + (random() * 6)::int)
		ELSE fuzz_noise(ARRAY['@', '+', '-', ':', 'head', 'a', '0', ' ', '%', '😀', '.', '_', 'fz'], 1 + (random() * 5)::int)
	END
$fz$;

CREATE FUNCTION migrate_fuzz(seed float8, cases int,
	OUT sqlstate text, OUT calls bigint)
RETURNS SETOF record
LANGUAGE plpgsql AS $fz$
DECLARE
	ids text[] := ARRAY['fz0', 'fz1', 'fz2', 'fz3', 'fz4', 'fz5', 'fz6', 'fz7', 'fz00', 'fz000', 'lbl'];
	state text;
	has_lint bool := to_regproc('migrate_lint') IS NOT NULL;
	query text;
BEGIN
	PERFORM setseed(seed);
	CREATE TEMP TABLE fuzz_result (code text) ON COMMIT DROP;
	FOR i IN 1..cases LOOP
		query := CASE floor(random() * 9)::int
			WHEN 0 THEN format('SELECT migrate_load(%L)', fuzz_file(ids))
			WHEN 1 THEN format('SELECT migrate_load(%L)', fuzz_file(ids))
			WHEN 2 THEN format('SELECT migrate_revision(%L, %L, %L, parents => %L, id => %L, depends_on => %L, branch_labels => %L, transactional => %L)',
							   fuzz_target(ids), fuzz_file(ids), fuzz_file(ids),
							   CASE WHEN random() < 0.3 THEN NULL ELSE ARRAY[fuzz_target(ids)] END,
							   CASE WHEN random() < 0.2 THEN NULL ELSE fuzz_pick(ids) END,
							   CASE WHEN random() < 0.7 THEN NULL ELSE ARRAY[fuzz_target(ids)] END,
							   CASE WHEN random() < 0.8 THEN NULL ELSE ARRAY[fuzz_pick(ids)] END,
							   random() < 0.8)
			WHEN 3 THEN format('SELECT count(*) FROM migrate_upgrade(%L)', fuzz_target(ids))
			WHEN 4 THEN format('SELECT count(*) FROM migrate_downgrade(%L)', fuzz_target(ids))
			WHEN 5 THEN format('SELECT count(*) FROM migrate_stamp(ARRAY[%L, %L])', fuzz_target(ids), fuzz_target(ids))
			WHEN 6 THEN format('SELECT migrate_sql(%L, %L)', fuzz_target(ids), fuzz_target(ids))
			WHEN 7 THEN format('SELECT count(*) FROM migrate_history(%L)', fuzz_target(ids) || ':' || fuzz_target(ids))
			ELSE CASE WHEN has_lint THEN format('SELECT count(*) FROM migrate_lint(%L)', fuzz_file(ids))
					  ELSE format('SELECT count(*) FROM migrate_show(%L)', fuzz_target(ids)) END
		END;
		BEGIN
			EXECUTE query;
			state := '00000';
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
			IF state = 'XX000' THEN
				RAISE WARNING 'internal error for: %', query;
			END IF;
		END;
		INSERT INTO fuzz_result VALUES (state);
	END LOOP;
	RETURN QUERY SELECT code, count(*) FROM fuzz_result GROUP BY code ORDER BY code;
END $fz$;
