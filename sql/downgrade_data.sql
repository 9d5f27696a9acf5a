--
-- downgrade_data: a downgrade keeps data.  One that would drop a table, a
-- column, a schema, or every row of a table, holding rows the application
-- wrote, is refused before anything runs, whoever created the object (its
-- own upgrade included); the refusal names each object and its rows.  Rows
-- that migrations inserted (seed data) and columns without a value lose
-- nothing.  The caller consents with migrate_downgrade(target, drop_data
-- => true) or SET migrate.drop_data = on, and the consent is logged.
--
CREATE EXTENSION migrate;
SET client_min_messages = warning;
CREATE FUNCTION dd_err(query text,
	OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;
SET migrate.enforce = off;

SELECT migrate_revision('kinds', $$CREATE TABLE dd_kind (id int PRIMARY KEY, name text);
INSERT INTO dd_kind VALUES (1, 'seed'), (2, 'seed too');$$,
	'DROP TABLE dd_kind;', id => 'dd1');
SELECT migrate_revision('orders', $$CREATE TABLE dd_order (id int PRIMARY KEY, kind int);
ALTER TABLE dd_kind ADD COLUMN note text;
CREATE SCHEMA dd_archive;
CREATE TABLE dd_archive.old (id int);$$,
	$$DROP SCHEMA dd_archive CASCADE;
ALTER TABLE dd_kind DROP COLUMN note;
DROP TABLE dd_order;$$, id => 'dd2');
SELECT migrate_revision('purge', 'SELECT 1', 'DELETE FROM dd_order; TRUNCATE dd_kind;', id => 'dd3');

-- only the history's own rows: the round trip is quiet
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM migrate_preview('base', 'downgrade');
SELECT step, revision FROM migrate_downgrade('base');
SELECT step, revision FROM migrate_upgrade('head');

-- the application writes rows: every loss is named, with its rows
INSERT INTO dd_order SELECT g, 1 FROM generate_series(1, 20) g;
INSERT INTO dd_archive.old VALUES (1);
SELECT revision, statement, line, rule, message FROM migrate_preview('base', 'downgrade');
SELECT * FROM dd_err($$SELECT * FROM migrate_downgrade('base')$$);
SELECT * FROM dd_err($$SELECT * FROM migrate_downgrade('dd1')$$);
SELECT revision FROM migrate_current();

-- a column nobody wrote into loses nothing; one with a value does
SELECT revision, statement, message FROM migrate_preview('dd1', 'downgrade');
UPDATE dd_kind SET note = 'by hand' WHERE id = 1;
SELECT revision, statement, message FROM migrate_preview('dd1', 'downgrade')
 WHERE message LIKE '%column%';
-- the application's UPDATE of a seeded table makes the table its data too
SELECT revision, statement, message FROM migrate_preview('base', 'downgrade')
 WHERE revision = 'dd1';

-- an allowance in the downgrade silences that statement only
SELECT migrate_revision('allowed', 'CREATE TABLE dd_tmp (id int)',
	E'-- migrate:allow destructive-downgrade-without-export\nDROP TABLE dd_tmp;', id => 'dd4');
SELECT step, revision FROM migrate_upgrade('head');
INSERT INTO dd_tmp VALUES (1);
SELECT revision, statement FROM migrate_preview('dd3', 'downgrade');
SELECT step, revision FROM migrate_downgrade('dd3');

-- consent for one call: the parameter
SELECT * FROM dd_err($$SELECT * FROM migrate_downgrade('dd2', drop_data => NULL)$$);
SELECT step, revision FROM migrate_downgrade('dd2', drop_data => true);
SHOW migrate.drop_data;
SELECT count(*) AS orders FROM dd_order;
SELECT revision, direction, a->>'statement' AS statement, a->>'rule' AS rule,
       a->>'marker' AS marker
  FROM migrate.log, jsonb_array_elements(allowances) a
 WHERE outcome = 'success' AND direction = 'downgrade' ORDER BY id, statement;
SELECT revision, statement, rule, marker, reason FROM migrate_allowances()
 WHERE direction = 'downgrade';

-- consent for a transaction: the setting; the preview honours it too
BEGIN;
SET LOCAL migrate.drop_data = on;
SELECT count(*) AS findings FROM migrate_preview('base', 'downgrade');
SELECT step, revision FROM migrate_downgrade('base');
ROLLBACK;
SELECT count(*) AS findings FROM migrate_preview('base', 'downgrade');

-- CALL migrate_unapply refuses the same way, before running anything
CALL migrate_unapply('base');
SELECT revision FROM migrate_current();

-- migrate_downgrade(text, boolean) is not granted to PUBLIC
SELECT has_function_privilege('public', 'migrate_downgrade(text, boolean)', 'EXECUTE') AS public_may,
       has_function_privilege('public', 'migrate_preview(text, text)', 'EXECUTE') AS public_may_preview;

-- cleanup
SELECT step, revision FROM migrate_downgrade('base', drop_data => true);
DROP EXTENSION migrate;
DROP FUNCTION dd_err;
