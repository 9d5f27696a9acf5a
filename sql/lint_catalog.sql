--
-- lint_catalog: the rules refined against the live catalogs, per-database
-- severities, migrate.lint_level, and the linter at load and at upgrade
--
CREATE EXTENSION migrate;
SET client_min_messages = notice;

-- what went wrong, with its SQLSTATE, detail and hint
CREATE FUNCTION lint_err(query text,
	OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;
-- live findings: rule, severity and message
CREATE FUNCTION live(sql text, transactional boolean DEFAULT true,
	downgrade boolean DEFAULT false)
RETURNS TABLE (rule text, severity text, stmt int, message text)
LANGUAGE sql AS $$
	SELECT rule, severity, statement, message
	  FROM migrate_lint(sql, transactional, downgrade)
$$;

SELECT migrate_rule_set('require-lock-timeout', 'off');
SELECT migrate_rule_set('require-statement-timeout', 'off');

-- a large table, a small one, an empty one
CREATE TABLE lc_big (id int CONSTRAINT lc_big_pkey PRIMARY KEY, grp int, v varchar(10),
	n numeric(10,2), t text, c int, k int NOT NULL,
	CONSTRAINT lc_big_c_check CHECK (c IS NOT NULL));
INSERT INTO lc_big SELECT i, i % 10, 'x', 1, 'x', 1, i FROM generate_series(1, 5000) i;
CREATE TABLE lc_small (id bigint CONSTRAINT lc_small_pkey PRIMARY KEY, big_id int CONSTRAINT lc_small_big_fkey REFERENCES lc_big, d int);
INSERT INTO lc_small SELECT i, i, i FROM generate_series(1, 10) i;
CREATE TABLE lc_empty (id bigint);
ANALYZE lc_big, lc_small, lc_empty;

-- table size decides the lock rules: large is flagged, small and empty are not
SELECT * FROM live('CREATE INDEX lc_big_grp_idx ON lc_big (grp)');
SELECT * FROM live('CREATE INDEX lc_small_d_idx ON lc_small (d)');
SELECT * FROM live('CREATE INDEX lc_empty_id_idx ON lc_empty (id)');
-- a table this database does not have: as without the catalogs
SELECT * FROM live('CREATE INDEX lc_none_id_idx ON lc_none (id)');
-- the threshold is a parameter
SET migrate.lint_table_threshold = 10000;
SELECT * FROM live('CREATE INDEX lc_big_grp_idx ON lc_big (grp)');
RESET migrate.lint_table_threshold;
-- a table that was never analyzed is counted up to the threshold, then
-- estimated from the density of the pages counted
CREATE TABLE lc_fresh (id bigint);
INSERT INTO lc_fresh SELECT generate_series(1, 1500);
SELECT * FROM live('CREATE INDEX lc_fresh_id_idx ON lc_fresh (id)');
-- 50,000 rows never analyzed: about 50,000 (within 2%); once analyzed,
-- the count of ANALYZE, also after an UPDATE of every row doubled the
-- pages (dead rows are not rows), and after three
CREATE TABLE lc_persons (id bigint, name text, email text);
INSERT INTO lc_persons SELECT g, 'name ' || g, 'p' || g || '@example.com'
  FROM generate_series(1, 50000) g;
CREATE FUNCTION about_rows(sql text) RETURNS numeric LANGUAGE sql AS $$
	SELECT substring(message from 'about ([0-9]+) rows')::numeric
	  FROM migrate_lint(sql) WHERE rule = 'changing-column-type'
$$;
SELECT about_rows('ALTER TABLE lc_persons ALTER COLUMN name TYPE varchar(100)')
	   BETWEEN 49000 AND 51000 AS about_50000;
ANALYZE lc_persons;
SELECT about_rows('ALTER TABLE lc_persons ALTER COLUMN name TYPE varchar(100)');
BEGIN;
UPDATE lc_persons SET name = upper(name);
SELECT about_rows('ALTER TABLE lc_persons ALTER COLUMN name TYPE varchar(100)');
UPDATE lc_persons SET name = lower(name);
UPDATE lc_persons SET name = upper(name);
SELECT about_rows('ALTER TABLE lc_persons ALTER COLUMN name TYPE varchar(100)');
ROLLBACK;
DROP FUNCTION about_rows(text);
DROP TABLE lc_persons;
-- created earlier in the same transaction: exempt
BEGIN;
CREATE TABLE lc_new (id bigint);
INSERT INTO lc_new SELECT generate_series(1, 5000);
SELECT * FROM live('CREATE INDEX lc_new_id_idx ON lc_new (id)');
ROLLBACK;

-- adding-required-column looks at the rows themselves
SELECT * FROM live('ALTER TABLE lc_small ADD COLUMN r int NOT NULL');
SELECT * FROM live('ALTER TABLE lc_empty ADD COLUMN r int NOT NULL');

-- adding-column-volatile-default: volatility and domains from the catalogs
CREATE DOMAIN lc_posint AS int CONSTRAINT lc_posint_check CHECK (VALUE > 0);
CREATE DOMAIN lc_label AS text;
SELECT * FROM live('ALTER TABLE lc_big ADD COLUMN p lc_posint');
SELECT * FROM live('ALTER TABLE lc_big ADD COLUMN l lc_label DEFAULT ''x''');
SELECT * FROM live('ALTER TABLE lc_big ADD COLUMN at timestamptz DEFAULT statement_timestamp()');
SELECT * FROM live('ALTER TABLE lc_big ADD COLUMN r float8 DEFAULT random()');

-- setting-not-null: a validated CHECK (col IS NOT NULL), or NOT NULL already,
-- makes it a catalog-only change
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN c SET NOT NULL');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN k SET NOT NULL');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN grp SET NOT NULL');
ALTER TABLE lc_big ADD CONSTRAINT lc_big_grp_nn CHECK (grp IS NOT NULL AND grp >= 0) NOT VALID;
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN grp SET NOT NULL');
ALTER TABLE lc_big VALIDATE CONSTRAINT lc_big_grp_nn;
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN grp SET NOT NULL');

-- changing-column-type: rewrites predicted from the old and new types
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN v TYPE varchar(20)');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN v TYPE varchar');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN v TYPE text');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN v TYPE varchar(5)');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN n TYPE numeric(12,2)');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN n TYPE numeric(12,3)');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN t TYPE varchar(20)');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN grp TYPE bigint');
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN t TYPE text USING t || ''''');
-- no rewrite, but the CHECK on the column scans the table again
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN c TYPE int');
-- no rewrite, but the index on the column is rebuilt
CREATE INDEX lc_big_t_idx ON lc_big (t);
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN t TYPE text COLLATE "C"');
DROP INDEX lc_big_t_idx;

-- dropping-foreign-key, changing-primary-key: only the catalogs know
SELECT * FROM live('ALTER TABLE lc_small DROP CONSTRAINT lc_small_big_fkey');
SET migrate.lint_table_threshold = 5;
SELECT * FROM live('ALTER TABLE lc_small DROP CONSTRAINT lc_small_big_fkey');
SELECT * FROM live('ALTER TABLE lc_small DROP CONSTRAINT lc_small_pkey');
SELECT * FROM live('ALTER TABLE lc_small ADD CONSTRAINT lc_small_pkey2 PRIMARY KEY (d)');
RESET migrate.lint_table_threshold;
SELECT * FROM live('ALTER TABLE lc_big ALTER COLUMN id TYPE bigint');
SELECT * FROM live('ALTER TABLE lc_big DROP CONSTRAINT lc_big_c_check');

-- adding-primary-key USING INDEX: only nullable key columns are scanned
CREATE UNIQUE INDEX lc_big_grp_id_key ON lc_big (id, grp);
CREATE UNIQUE INDEX lc_big_k_key ON lc_big (k);
SELECT * FROM live('ALTER TABLE lc_big DROP CONSTRAINT lc_big_pkey, ADD CONSTRAINT lc_big_pkey2 PRIMARY KEY USING INDEX lc_big_grp_id_key');
SELECT rule FROM live('ALTER TABLE lc_big DROP CONSTRAINT lc_big_pkey, ADD CONSTRAINT lc_big_pkey2 PRIMARY KEY USING INDEX lc_big_k_key');

-- invalid-index-leftover: a failed concurrent build leaves an invalid index
CREATE UNIQUE INDEX CONCURRENTLY lc_big_grp_key ON lc_big (grp);
SELECT * FROM live('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS lc_big_grp_key ON lc_big (grp)', transactional => false);
DROP INDEX lc_big_grp_key;
SELECT * FROM live('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS lc_big_grp_key ON lc_big (grp)', transactional => false);

-- set-access-method to the method the table has: nothing to do
SELECT * FROM live('ALTER TABLE lc_big SET ACCESS METHOD heap');

-- removing-enum-value: dropping an enum, moving a column to another enum
CREATE TYPE lc_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE lc_mood2 AS ENUM ('sad', 'happy');
ALTER TABLE lc_small ADD COLUMN mood lc_mood;
SELECT * FROM live('DROP TYPE lc_mood');
SELECT * FROM live('DROP TYPE lc_label');
SET migrate.lint_table_threshold = 5;
SELECT * FROM live('ALTER TABLE lc_small ALTER COLUMN mood TYPE lc_mood2 USING mood::text::lc_mood2');
RESET migrate.lint_table_threshold;

-- validate-in-same-transaction: a lock this transaction already holds
BEGIN;
LOCK TABLE lc_big IN SHARE ROW EXCLUSIVE MODE;
SELECT * FROM live('ALTER TABLE lc_big VALIDATE CONSTRAINT lc_big_grp_nn');
ROLLBACK;
SELECT * FROM live('ALTER TABLE lc_big VALIDATE CONSTRAINT lc_big_grp_nn');

-- long-lock-hold-after-ael: only a large table makes it hot
SELECT * FROM live('ALTER TABLE lc_small ADD COLUMN e int; UPDATE lc_empty SET id = 1 WHERE id = 2');
SELECT * FROM live('ALTER TABLE lc_big ADD COLUMN e int; UPDATE lc_empty SET id = 1 WHERE id = 2');

-- destructive-downgrade-without-export: only data that exists is at risk
SELECT * FROM live('DROP TABLE lc_empty; DROP TABLE lc_none; TRUNCATE lc_small; ALTER TABLE lc_big DROP COLUMN t', downgrade => true);
CREATE SCHEMA lc_s;
SELECT * FROM live('DROP SCHEMA lc_s', downgrade => true);
CREATE TABLE lc_s.x AS SELECT 1 AS a;
SELECT * FROM live('DROP SCHEMA lc_s CASCADE', downgrade => true);
DROP SCHEMA lc_s CASCADE;

-- large-data-change: rows the planner expects a data change to touch
CREATE TABLE lc_rows (id int, g int);
INSERT INTO lc_rows SELECT i, 0 FROM generate_series(1, 20000) i;
ANALYZE lc_rows;
SELECT * FROM live('UPDATE lc_rows SET g = 2 WHERE id > 10');
SELECT * FROM live('DELETE FROM lc_rows WHERE true');
SELECT * FROM live('INSERT INTO lc_small (id) SELECT i FROM generate_series(1000, 20000) i');
-- near misses: a selective WHERE, a small table, one row, a new table
SELECT * FROM live('UPDATE lc_rows SET g = 2 WHERE id < 10');
SELECT * FROM live('DELETE FROM lc_small WHERE id > 0');
SELECT * FROM live('INSERT INTO lc_small (id) SELECT 100000');
SELECT * FROM live('CREATE TABLE lc_copy (id int); INSERT INTO lc_copy SELECT generate_series(1, 50000)');
-- the threshold is a parameter; VALUES rows are counted in the text
SET migrate.lint_row_threshold = 2;
SELECT * FROM live('INSERT INTO lc_small (id) VALUES (100), (101), (102)');
SELECT rule, severity, message FROM migrate_lint('INSERT INTO lc_small (id) VALUES (100), (101), (102)', live => false);
SELECT * FROM live('INSERT INTO lc_small (id) VALUES (100), (101)');
-- a statement that cannot be planned is left to fail by itself
SELECT * FROM live('UPDATE lc_big SET nosuch = 1 WHERE id > 10');
RESET migrate.lint_row_threshold;
SHOW migrate.lint_row_threshold;

-- attach-partition-without-check: the server scans the table it attaches
-- unless a validated CHECK (with the column NOT NULL) implies the bound
CREATE TABLE lc_part (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE lc_p1 (id int, k int);
INSERT INTO lc_p1 SELECT i, i % 100 FROM generate_series(1, 5000) i;
CREATE TABLE lc_p2 (id int, k int CONSTRAINT lc_p2_k CHECK (k >= 100 AND k < 200));
INSERT INTO lc_p2 SELECT i, 100 + i % 100 FROM generate_series(1, 5000) i;
CREATE TABLE lc_p3 (id int, k int CONSTRAINT lc_p3_k CHECK (k IS NOT NULL AND k >= 200 AND k < 300));
INSERT INTO lc_p3 SELECT i, 200 + i % 100 FROM generate_series(1, 5000) i;
CREATE TABLE lc_p4 (id int, k int);
INSERT INTO lc_p4 SELECT i, 300 FROM generate_series(1, 10) i;
ANALYZE lc_p1, lc_p2, lc_p3, lc_p4;
SELECT * FROM live('ALTER TABLE lc_part ATTACH PARTITION lc_p1 FOR VALUES FROM (0) TO (100)');
-- the CHECK lets NULLs through, so it does not imply the bound
SELECT * FROM live('ALTER TABLE lc_part ATTACH PARTITION lc_p2 FOR VALUES FROM (100) TO (200)');
-- near misses: an implying CHECK, a small table, a table created before it
SELECT * FROM live('ALTER TABLE lc_part ATTACH PARTITION lc_p3 FOR VALUES FROM (200) TO (300)');
SELECT * FROM live('ALTER TABLE lc_part ATTACH PARTITION lc_p3 FOR VALUES FROM (250) TO (300)');
SELECT * FROM live('ALTER TABLE lc_part ATTACH PARTITION lc_p4 FOR VALUES FROM (300) TO (400)');
SELECT * FROM live('CREATE TABLE lc_p5 (id int, k int); ALTER TABLE lc_part ATTACH PARTITION lc_p5 FOR VALUES FROM (500) TO (600)');
-- without the catalogs, as the text says; a bound the server refuses: nothing
SELECT rule, severity, message FROM migrate_lint('ALTER TABLE lc_part ATTACH PARTITION lc_p3 FOR VALUES FROM (200) TO (300)', live => false);
SELECT * FROM live('ALTER TABLE lc_part ATTACH PARTITION lc_p1 FOR VALUES FROM (''x'') TO (100)');
-- a populated default partition is scanned for rows of the new bound
CREATE TABLE lc_pdef PARTITION OF lc_part DEFAULT;
INSERT INTO lc_pdef SELECT i, 1000 + i FROM generate_series(1, 5000) i;
ANALYZE lc_pdef;
SELECT * FROM live('ALTER TABLE lc_part ATTACH PARTITION lc_p3 FOR VALUES FROM (200) TO (300)');
ALTER TABLE lc_pdef ADD CONSTRAINT lc_pdef_k CHECK (k IS NOT NULL AND k >= 1000);
SELECT * FROM live('ALTER TABLE lc_part ATTACH PARTITION lc_p3 FOR VALUES FROM (200) TO (300)');
-- the linter agrees with the server (the DDL guard's event triggers, off
-- in this transaction, would add DEBUG lines with their OIDs)
BEGIN;
ALTER EVENT TRIGGER migrate_00_guard_ddl_start DISABLE;
ALTER EVENT TRIGGER migrate_00_guard_ddl_end DISABLE;
SET client_min_messages = debug1;
ALTER TABLE lc_part ATTACH PARTITION lc_p3 FOR VALUES FROM (200) TO (300);
ALTER TABLE lc_part ATTACH PARTITION lc_p2 FOR VALUES FROM (100) TO (200);
RESET client_min_messages;
ROLLBACK;

-- per-database severities
SELECT * FROM lint_err($$SELECT migrate_rule_set('no-such-rule', 'off')$$);
SELECT * FROM lint_err($$SELECT migrate_rule_set('truncate', 'fatal')$$);
SELECT * FROM lint_err($$SELECT migrate_rule_set('truncate', 'info')$$);
SELECT * FROM lint_err($$SELECT migrate_rule_set(NULL, 'off')$$);
SELECT migrate_rule_set('truncate', 'warning');
SELECT migrate_rule_set('prefer-jsonb', 'off');
SELECT rule, severity FROM live('TRUNCATE lc_big; CREATE TABLE lc_j (doc json)');
SELECT rule, severity, default_severity FROM migrate_rules() WHERE severity <> default_severity ORDER BY 1;
SELECT rule, severity, set_by = current_user AS by_me FROM migrate.rule ORDER BY 1;
SELECT migrate_rule_set('truncate', 'default');
SELECT migrate_rule_set('prefer-jsonb', NULL);
SELECT rule, severity, default_severity FROM migrate_rules() WHERE severity <> default_severity ORDER BY 1;
SELECT count(*) AS rules, count(*) FILTER (WHERE catalog_aware) AS catalog_aware FROM migrate_rules();

-- migrate.lint_level
SHOW migrate.lint_level;
SHOW migrate.lint_table_threshold;
SET migrate.lint_level = 'loud';

--
-- at load: findings that hold whatever the database's state refuse the
-- revision (an escalation without its approval, below); those that depend
-- on the data, and warnings, are notices
--
SELECT * FROM lint_err($$SELECT migrate_revision('drop it', 'ALTER TABLE lc_big DROP COLUMN t;
DELETE FROM lc_small', 'SELECT 1', id => 'lc01')$$);
-- against these tables, which hold rows, it is stopped right before it runs
SELECT * FROM lint_err($$SELECT * FROM migrate_upgrade('lc01')$$);
-- the revision, not applied, takes the marker the hint asks for
SELECT migrate_load(E'-- migrate:revision lc01\n-- migrate:message drop it\n\n-- migrate:upgrade\n-- migrate:allow dropping-column\nALTER TABLE lc_big DROP COLUMN t;\n\n-- migrate:downgrade\nSELECT 1;\n');
-- a warning is a notice; style advice is for migrate_lint only
SELECT migrate_revision('trigger', 'CREATE TABLE lc_t (doc json); CREATE FUNCTION lc_f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER lc_trg BEFORE UPDATE ON lc_small FOR EACH ROW EXECUTE FUNCTION lc_f()',
	'DROP TRIGGER lc_trg ON lc_small; DROP FUNCTION lc_f(); DROP TABLE lc_t', id => 'lc02');
-- depends on the state: a notice when the database as it is now would stop it
SELECT migrate_revision('index', 'CREATE INDEX lc_big_v_idx ON lc_big (v)', 'DROP INDEX lc_big_v_idx', id => 'lc03');
SELECT migrate_revision('index', 'CREATE INDEX lc_small_d_idx ON lc_small (d)', 'DROP INDEX lc_small_d_idx', id => 'lc04');
-- escalations need an approval with a reason
SELECT * FROM lint_err($$SELECT migrate_revision('revoke', 'REVOKE SELECT ON lc_big FROM PUBLIC', 'GRANT SELECT ON lc_big TO PUBLIC', id => 'lc05')$$);
SELECT migrate_revision('revoke', '-- migrate:approve grant-revoke-change nobody reads it
REVOKE SELECT ON lc_big FROM PUBLIC', '-- migrate:allow grant-revoke-change
GRANT SELECT ON lc_big TO PUBLIC', id => 'lc05');
-- the timeouts are migrate's own business
SELECT migrate_rule_set('require-lock-timeout', 'default');
SELECT migrate_revision('add', 'ALTER TABLE lc_empty ADD COLUMN a int', 'ALTER TABLE lc_empty DROP COLUMN a', id => 'lc06');

--
-- at upgrade: the rules that depend on the state decide right before
-- each statement, and stop the whole call
--
SELECT * FROM lint_err($$SELECT * FROM migrate_upgrade('head')$$);
SELECT revision FROM migrate_current();
SELECT count(*) FROM pg_indexes WHERE indexname = 'lc_small_d_idx';
-- with the table small, the same revision runs
SET migrate.lint_table_threshold = 10000;
SELECT step, revision FROM migrate_upgrade('head');
RESET migrate.lint_table_threshold;
SELECT revision FROM migrate_current();

-- a downgrade that drops what its upgrade created is the undo; one that
-- empties a table it did not create is stopped when the table has rows
-- that migrations did not write (here, one of the application)
SELECT migrate_revision('seed', 'CREATE TABLE lc_seed (id bigint); INSERT INTO lc_seed VALUES (1)',
	'DROP TABLE lc_seed', id => 'lc07');
SELECT migrate_revision('more', 'INSERT INTO lc_empty VALUES (1)', 'DELETE FROM lc_empty', id => 'lc08');
SELECT step, revision FROM migrate_upgrade('head');
INSERT INTO lc_empty VALUES (2);
SELECT * FROM lint_err($$SELECT * FROM migrate_downgrade('lc06')$$);
SELECT migrate_rule_set('destructive-downgrade-without-export', 'warning');
SELECT step, revision FROM migrate_downgrade('lc06');
SELECT migrate_rule_set('destructive-downgrade-without-export', 'default');

-- large-data-change at upgrade: the estimate before the statement, the
-- row count after it (here the estimate is low, the count is not)
CREATE TABLE lc_grow (id int, g int);
INSERT INTO lc_grow SELECT i, 0 FROM generate_series(1, 30000) i;
ANALYZE lc_grow;
SELECT migrate_revision('grow', 'UPDATE lc_grow SET g = 1 WHERE id % 2 = 0', 'SELECT 1', id => 'lc10');
SELECT * FROM lint_err($$SELECT * FROM migrate_upgrade('head')$$);
SELECT revision, outcome, failed_statement, error FROM migrate.log WHERE revision = 'lc10';
SELECT count(*) FILTER (WHERE g = 1) AS changed FROM lc_grow;

--
-- allowances and approvals that silence a finding while a revision runs are
-- logged with it (migrate.log.allowances, migrate_allowances()); markers
-- that silence nothing are not
--
SELECT migrate_load('-- migrate:revision lc10
-- migrate:parents lc08
-- migrate:message grow
-- migrate:upgrade
-- migrate:approve large-data-change half the rows, reviewed
UPDATE lc_grow SET g = 1 WHERE id % 2 = 0;
-- migrate:allow delete-or-update-without-where
-- migrate:allow truncate
UPDATE lc_empty SET id = id + 1;
-- migrate:allow require-concurrent-index-creation
CREATE INDEX lc_small_id_d_idx ON lc_small (id, d);
-- migrate:approve grant-revoke-change "lc_grow" is read by nobody
REVOKE SELECT ON lc_grow FROM PUBLIC;
-- migrate:downgrade
DROP INDEX lc_small_id_d_idx;
');
SELECT step, revision FROM migrate_upgrade('head');
SELECT count(*) FILTER (WHERE g = 1) AS changed FROM lc_grow;
SELECT revision, direction, role = current_user AS by_me, statement, line, rule, marker, reason
  FROM migrate_allowances();
SELECT revision, outcome, jsonb_array_length(allowances) AS allowances
  FROM migrate.log WHERE revision IN ('lc07', 'lc10') ORDER BY id;
SELECT count(*) FROM migrate_allowances('lc07');

-- migrate.lint_level = warning: warnings block too; off: nothing does
SET migrate.lint_level = warning;
SELECT * FROM lint_err($$SELECT migrate_revision('trigger', 'CREATE TRIGGER lc_trg2 BEFORE UPDATE ON lc_small FOR EACH ROW EXECUTE FUNCTION lc_f()', 'DROP TRIGGER lc_trg2 ON lc_small', id => 'lc09')$$);
SET migrate.lint_level = off;
SELECT migrate_revision('anything', 'TRUNCATE lc_small', 'SELECT 1', id => 'lc09');
RESET migrate.lint_level;

DROP EXTENSION migrate;
DROP TABLE lc_big, lc_small, lc_empty, lc_fresh, lc_t, lc_part, lc_p1, lc_p2,
	lc_p3, lc_p4, lc_grow, lc_seed, lc_rows CASCADE;
DROP FUNCTION lc_f();
DROP TYPE lc_mood, lc_mood2;
DROP DOMAIN lc_posint, lc_label;
DROP FUNCTION lint_err(text), live(text, boolean, boolean);
