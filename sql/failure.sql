--
-- failure: a failing statement leaves schema, applied set and the log of
-- what was done exactly as they were, the error says where it happened,
-- and a failure record survives the rollback
--
CREATE EXTENSION migrate;
-- ad-hoc DDL here runs in schema public, which the test's revisions
-- manage; the guard has tests of its own
SET migrate.enforce = off;

CREATE VIEW state AS
	SELECT (SELECT string_agg(revision, ' ' ORDER BY revision) FROM migrate.applied) AS applied,
		   (SELECT count(*) FROM migrate.log WHERE outcome = 'success') AS done,
		   (SELECT count(*) FROM migrate.log WHERE outcome = 'failure') AS failures,
		   (SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class
			 WHERE relname LIKE 'f\_%' AND relkind IN ('r', 'i')) AS relations;

SELECT migrate_revision('accounts', 'CREATE TABLE f_account (id int PRIMARY KEY, name text);
INSERT INTO f_account VALUES (1, NULL), (2, ''b'');', 'DROP TABLE f_account;', id => 'f0000001');
-- statement 3 of this one fails on existing data, at line 4
SELECT migrate_revision('names are required',
'CREATE INDEX f_account_name ON f_account (name);
ALTER TABLE f_account ADD COLUMN email text;

ALTER TABLE f_account ALTER COLUMN name SET NOT NULL;
ALTER TABLE f_account ADD COLUMN later int;',
'ALTER TABLE f_account DROP COLUMN email, DROP COLUMN later; DROP INDEX f_account_name;',
id => 'f0000002');
SELECT migrate_revision('more', 'CREATE TABLE f_more (id int)', 'DROP TABLE f_more', id => 'f0000003');

SELECT * FROM state;

-- the error keeps its own SQLSTATE and message, and names the revision,
-- the statement and its line
SELECT * FROM migrate_upgrade('head');
SELECT * FROM err($$SELECT migrate_upgrade('head')$$);
SELECT * FROM state;
SELECT revision, direction, statements, outcome, failed_statement, sqlstate, error, statement_text
  FROM migrate.log WHERE outcome = 'failure';

-- inside a transaction block the caller decides; a savepoint keeps the rest
BEGIN;
CREATE TABLE f_kept (id int);
SAVEPOINT before_upgrade;
SELECT * FROM migrate_upgrade('head');
ROLLBACK TO SAVEPOINT before_upgrade;
SELECT * FROM state;
COMMIT;
DROP TABLE f_kept;

-- fix the data, and the same upgrade goes through
SELECT step, revision, statements FROM migrate_upgrade('f0000001');
UPDATE f_account SET name = 'a' WHERE name IS NULL;
SELECT step, revision, statements FROM migrate_upgrade('head');
SELECT * FROM state;

-- a failing downgrade keeps everything too
INSERT INTO f_more VALUES (1);
CREATE VIEW f_more_view AS SELECT * FROM f_more;
SELECT * FROM migrate_downgrade('base', drop_data => true);
SELECT * FROM state;
DROP VIEW f_more_view;

-- migrate.statement_timeout limits each statement of a revision
SELECT migrate_revision('slow', 'SELECT pg_sleep(0.01); SELECT pg_sleep(5)', id => 'f0000004');
SET migrate.statement_timeout = '200ms';
SELECT * FROM migrate_upgrade('head');
RESET migrate.statement_timeout;
SELECT * FROM state;

-- migrate.lock_timeout is in force while revision SQL runs, and only then
SELECT migrate_load(E'-- migrate:revision f0000004\n-- migrate:parents f0000003\n-- migrate:message record the timeout\n-- migrate:upgrade\nCREATE TABLE f_seen AS SELECT current_setting(\'lock_timeout\') AS lock_timeout;\n-- migrate:downgrade\nDROP TABLE f_seen;');
SET lock_timeout = '7s';
SET migrate.lock_timeout = '1500ms';
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM f_seen;
SHOW lock_timeout;
RESET lock_timeout;
RESET migrate.lock_timeout;

-- non-transactional revisions are stored and listed, but a function
-- cannot run them
SELECT migrate_revision('concurrent index', 'CREATE INDEX CONCURRENTLY f_more_id ON f_more (id)',
						'DROP INDEX CONCURRENTLY f_more_id', id => 'f0000005', transactional => false);
SELECT revision, markers FROM migrate_history() WHERE revision = 'f0000005';
SELECT transactional FROM migrate_show('f0000005');
SELECT * FROM err($$SELECT migrate_upgrade('head')$$);
SELECT * FROM state;
-- the hint's way: run it by hand, then stamp it
CREATE INDEX CONCURRENTLY f_more_id ON f_more (id);
SELECT * FROM migrate_stamp('f0000005');
SELECT * FROM err($$SELECT migrate_downgrade('f0000004')$$);
-- what ran by hand is drift, until acknowledged
SELECT command_tag, object_type, object_identity, blocked FROM migrate_drift();
SELECT migrate_drift_ack(note => 'made by hand in this test');
SELECT * FROM migrate_check();

SELECT * FROM migrate_stamp('f0000004');
DROP INDEX f_more_id;
SELECT step, revision FROM migrate_downgrade('base', drop_data => true);
SELECT * FROM state;
DROP VIEW state;
DROP EXTENSION migrate;
