--
-- apply: CALL migrate_apply / migrate_unapply commit after each revision,
-- run non-transactional revisions through a background worker, resume
-- after a failure, and leave a failure record behind
--
CREATE EXTENSION migrate;
-- ad-hoc DDL here runs in schema public, which the test's revisions
-- manage; the guard has tests of its own
SET migrate.enforce = off;

SELECT migrate_revision('accounts', 'CREATE TABLE ap_account (id int, email text); INSERT INTO ap_account VALUES (1, ''a''), (2, ''b'')',
						'DROP TABLE ap_account', id => 'ap01');
SELECT migrate_revision('index, concurrently', 'CREATE INDEX CONCURRENTLY ap_account_id ON ap_account (id)',
						'DROP INDEX CONCURRENTLY ap_account_id', id => 'ap02', transactional => false);
SELECT migrate_revision('a column', 'ALTER TABLE ap_account ADD COLUMN name text',
						'ALTER TABLE ap_account DROP COLUMN name', id => 'ap03');

CREATE VIEW state AS
	SELECT (SELECT string_agg(revision, ' ' ORDER BY revision) FROM migrate.applied) AS applied,
		   (SELECT string_agg(indexrelid::regclass || CASE WHEN indisvalid THEN '' ELSE ' (invalid)' END, ' ' ORDER BY indexrelid::regclass::text)
			  FROM pg_index WHERE indrelid = to_regclass('ap_account')) AS indexes,
		   (SELECT string_agg(attname, ' ' ORDER BY attnum) FROM pg_attribute
			 WHERE attrelid = to_regclass('ap_account') AND attnum > 0 AND NOT attisdropped) AS columns;

-- a function cannot run CREATE INDEX CONCURRENTLY: the hint names the way
SELECT * FROM migrate_upgrade('head');

-- the procedure needs CALL at top level
BEGIN;
CALL migrate_apply('head');
ROLLBACK;
CREATE FUNCTION apply_in_function() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CALL migrate_apply('head'); END $$;
SELECT apply_in_function();
DROP FUNCTION apply_in_function;
CALL migrate_apply(NULL);

-- a revision per transaction; the non-transactional one runs at top level
CALL migrate_apply('head');
SELECT * FROM state;
SELECT revision, direction, statements, outcome FROM migrate.log ORDER BY id;
CALL migrate_apply('head');

-- down again, the same way
CALL migrate_unapply('ap01');
SELECT * FROM state;
CALL migrate_unapply('-1');
SELECT * FROM state;

-- a failing CONCURRENTLY build leaves no invalid index behind, and the
-- revision stays unapplied; what came before it stays applied
SELECT migrate_revision('unique emails', E'CREATE UNIQUE INDEX CONCURRENTLY ap_account_email ON ap_account (email)',
						'DROP INDEX CONCURRENTLY ap_account_email', id => 'ap04', transactional => false);
CALL migrate_apply('ap03');
INSERT INTO ap_account VALUES (3, 'a');
CALL migrate_apply('head');
SELECT * FROM state;
SELECT revision, outcome, failed_statement, sqlstate, error, detail, statement_text
  FROM migrate.log WHERE outcome = 'failure' ORDER BY id;

-- fix the data, and the same CALL resumes where it stopped
DELETE FROM ap_account WHERE id = 3;
CALL migrate_apply('head');
SELECT * FROM state;

-- a transactional revision that fails in the middle of a run: the ones
-- before it are committed, it is rolled back, its failure recorded
SELECT migrate_revision('bad', 'ALTER TABLE ap_account ADD COLUMN ok int; ALTER TABLE ap_account ADD COLUMN ok int',
						'ALTER TABLE ap_account DROP COLUMN ok', id => 'ap06', parents => '{ap04}');
CALL migrate_unapply('ap02');
CALL migrate_apply('head');
SELECT * FROM state;
SELECT revision, outcome, failed_statement, sqlstate, error, statement_text
  FROM migrate.log WHERE outcome = 'failure' ORDER BY id DESC LIMIT 1;

-- migrate_upgrade's failures are recorded too, although the call's
-- transaction is rolled back
SELECT * FROM migrate_upgrade('head');
SELECT revision, outcome, failed_statement, sqlstate, error
  FROM migrate.log WHERE outcome = 'failure' ORDER BY id DESC LIMIT 1;

-- a role without the procedure cannot run it
CREATE ROLE apply_user;
SET ROLE apply_user;
CALL migrate_apply('head');
RESET ROLE;
DROP ROLE apply_user;

SELECT migrate_load(E'-- migrate:revision ap06\n-- migrate:parents ap04\n-- migrate:upgrade\nALTER TABLE ap_account ADD COLUMN ok int;\n-- migrate:downgrade\nALTER TABLE ap_account DROP COLUMN ok;');
CALL migrate_apply('head');

-- the statements the worker runs are checked right before each one against
-- the catalogs of that moment: a blocking finding stops the call before the
-- statement runs, and is recorded; a marker that silences one is logged
CREATE TABLE ap_big (id int, v int);
INSERT INTO ap_big SELECT i, i FROM generate_series(1, 5000) i;
ANALYZE ap_big;
SELECT migrate_revision('big indexes', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS ap_big_id ON ap_big (id);
CREATE INDEX ap_big_v ON ap_big (v)', 'DROP INDEX ap_big_v; DROP INDEX ap_big_id', id => 'ap07', transactional => false);
CALL migrate_apply('head');
SELECT indexrelid::regclass AS index FROM pg_index WHERE indrelid = 'ap_big'::regclass ORDER BY 1;
SELECT revision, outcome, failed_statement, sqlstate, error, statement_text
  FROM migrate.log WHERE outcome = 'failure' ORDER BY id DESC LIMIT 1;
SELECT migrate_load(E'-- migrate:revision ap07\n-- migrate:parents ap06\n-- migrate:transactional false\n-- migrate:upgrade\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ap_big_id ON ap_big (id);\n-- migrate:allow require-concurrent-index-creation\nCREATE INDEX ap_big_v ON ap_big (v);\n-- migrate:downgrade\nDROP INDEX ap_big_v;\nDROP INDEX ap_big_id;');
CALL migrate_apply('head');
SELECT indexrelid::regclass AS index FROM pg_index WHERE indrelid = 'ap_big'::regclass ORDER BY 1;
SELECT revision, direction, statement, line, rule, marker, reason FROM migrate_allowances();
CALL migrate_unapply('base');
SELECT * FROM state;
DROP VIEW state;
DROP TABLE ap_big;
DROP EXTENSION migrate;
