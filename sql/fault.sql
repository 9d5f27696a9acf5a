--
-- fault: a failure injected at every statement of a 20-revision history,
-- upgrading and downgrading, leaves the applied set, the log and the
-- schema exactly as they were
--
CREATE EXTENSION migrate;
-- ad-hoc DDL here runs in schema public, which the test's revisions
-- manage; the guard has tests of its own
SET migrate.enforce = off;

-- 20 revisions of one to four statements: tables, columns, indexes, rows
SELECT count(migrate_revision(
	'revision ' || i,
	concat_ws(E';\n',
		format('CREATE TABLE fi_%s (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)', i),
		CASE WHEN i % 3 = 0 THEN format('ALTER TABLE fi_%s ADD COLUMN extra_%s int', i - 2, i) END,
		CASE WHEN i % 5 = 0 THEN format('CREATE INDEX fi_%s_v ON fi_%s (v)', i, i) END,
		CASE WHEN i % 2 = 0 THEN format('INSERT INTO fi_%s (v) SELECT g::text FROM generate_series(1, 100) g', i) END),
	concat_ws(E';\n',
		CASE WHEN i % 3 = 0 THEN format('ALTER TABLE fi_%s DROP COLUMN extra_%s', i - 2, i) END,
		format('DROP TABLE fi_%s', i)),
	id => format('fi%s', lpad(i::text, 2, '0')),
	parents => CASE WHEN i = 1 THEN '{}'::text[] END))
  FROM generate_series(1, 20) i;

-- what must not change: applied set, log of what was done, and the schema
-- with its data (each failure adds a failure row to the log: counted below)
CREATE FUNCTION snapshot() RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws(' | ',
		(SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.applied),
		(SELECT count(*) FROM migrate.log WHERE outcome = 'success'),
		(SELECT md5(string_agg(c.relname || '.' || coalesce(a.attname, '') || ':' ||
							   coalesce(format_type(a.atttypid, a.atttypmod), ''), ',' ORDER BY 1))
		   FROM pg_class c LEFT JOIN pg_attribute a
			 ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		  WHERE c.relname LIKE 'fi\_%'),
		(SELECT sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', relname),
														 false, true, '')))[1]::text::int)
		   FROM pg_class WHERE relname LIKE 'fi\_%' AND relkind = 'r'))
$$;

-- every (revision, statement) of a direction, from the current state
CREATE FUNCTION inject_everywhere(direction text, target text,
	OUT cases int, OUT raised int, OUT unchanged_and_recorded int)
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	before text;
	failures bigint;
	failure record;
BEGIN
	cases := 0; raised := 0; unchanged_and_recorded := 0;
	FOR r IN
		SELECT s.revision, k
		  FROM migrate_history() h
		  JOIN LATERAL migrate_show(h.revision) s ON true
		  CROSS JOIN LATERAL generate_series(1,
			  array_length(string_to_array(CASE direction WHEN 'upgrade' THEN s.upgrade ELSE s.downgrade END, ';'), 1)) k
		 WHERE (direction = 'upgrade') <> s.applied
		 ORDER BY 1, 2
	LOOP
		before := snapshot();
		failures := (SELECT count(*) FROM migrate.log WHERE outcome = 'failure' AND revision = r.revision
						AND failed_statement = r.k);
		PERFORM set_config('migrate.debug_fail_at', r.revision || ':' || r.k, false);
		SELECT * INTO failure FROM err(format('SELECT migrate_%s(%L)', direction, target));
		PERFORM set_config('migrate.debug_fail_at', '', false);
		cases := cases + 1;
		IF failure.code = 'MG900' AND failure.message = format('injected failure at statement %s of revision "%s"', r.k, r.revision) THEN
			raised := raised + 1;
		ELSE
			RAISE NOTICE 'case %:% gave % %', r.revision, r.k, failure.code, failure.message;
		END IF;
		IF snapshot() = before AND
		   (SELECT count(*) FROM migrate.log WHERE outcome = 'failure' AND revision = r.revision
			   AND failed_statement = r.k AND sqlstate = 'MG900') = failures + 1 THEN
			unchanged_and_recorded := unchanged_and_recorded + 1;
		ELSE
			-- says which, so that a failure here can be told apart
			RAISE WARNING 'case %:% left % (before: %), failure rows % (before: %)',
				r.revision, r.k, snapshot(), before,
				(SELECT count(*) FROM migrate.log WHERE outcome = 'failure' AND revision = r.revision
					AND failed_statement = r.k AND sqlstate = 'MG900'), failures;
		END IF;
	END LOOP;
END $$;

-- from base, failing each upgrade statement in turn
SELECT snapshot();
SELECT * FROM inject_everywhere('upgrade', 'head');
-- from the middle of the history
SELECT count(*) FROM migrate_upgrade('fi07');
SELECT * FROM inject_everywhere('upgrade', 'head');
-- failing each downgrade statement in turn, from head
SELECT count(*) FROM migrate_upgrade('head');
SELECT snapshot() <> '' AS at_head;
SELECT * FROM inject_everywhere('downgrade', 'base');

-- the setting is for superusers, and empty means off
SHOW migrate.debug_fail_at;
CREATE ROLE fault_user;
SET ROLE fault_user;
SET migrate.debug_fail_at = 'fi01:1';
RESET ROLE;
DROP ROLE fault_user;

-- and nothing was left half done: a clean round trip still works
SELECT count(*) FROM migrate_downgrade('base');
SELECT count(*) FROM pg_class WHERE relname LIKE 'fi\_%';
SELECT count(*) FROM migrate_upgrade('head');
SELECT count(*) FROM migrate_downgrade('base');

DROP FUNCTION inject_everywhere, snapshot;
DROP EXTENSION migrate;
