--
-- settled: a no-op upgrade to head or heads notes that every revision is
-- applied (migrate.settled), so that the next no-op upgrade answers without
-- reading the graph; any change to the graph or the applied set removes
-- the note, within the same transaction too.
--
CREATE EXTENSION migrate;
SET client_min_messages = warning;
CREATE FUNCTION st_err(query text, OUT code text, OUT message text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
END $$;
SELECT migrate_revision('one', 'CREATE TABLE st_one (id int)', 'DROP TABLE st_one', id => 'st1');
SELECT migrate_revision('two', 'CREATE TABLE st_two (id int)', 'DROP TABLE st_two', id => 'st2');
SELECT step, revision FROM migrate_upgrade('head');
SELECT heads FROM migrate.settled;		-- an upgrade that ran something notes nothing
SELECT step, revision FROM migrate_upgrade('head');
SELECT heads FROM migrate.settled;		-- the no-op did
SELECT step, revision FROM migrate_upgrade('heads');	-- answered from the note
SELECT step, revision FROM migrate_upgrade('st2');		-- other targets plan as always

-- a new revision removes the note; the upgrade runs it
SELECT migrate_revision('three', 'CREATE TABLE st_three (id int)', 'DROP TABLE st_three', id => 'st3');
SELECT count(*) AS notes FROM migrate.settled;
SELECT step, revision FROM migrate_upgrade('head');
SELECT step, revision FROM migrate_upgrade('head');
SELECT heads FROM migrate.settled;

-- within one transaction: note, change, upgrade again
BEGIN;
SELECT step, revision FROM migrate_upgrade('head');
SELECT migrate_revision('four', 'CREATE TABLE st_four (id int)', 'DROP TABLE st_four', id => 'st4');
SELECT step, revision FROM migrate_upgrade('head');
COMMIT;
SELECT to_regclass('st_four') IS NOT NULL AS four_exists;

-- a stamp changes the applied set: the note goes
SELECT step, revision FROM migrate_upgrade('head');
SELECT count(*) AS notes FROM migrate.settled;
SELECT revision FROM migrate_stamp('st3');
SELECT count(*) AS notes FROM migrate.settled;
SELECT revision FROM migrate_stamp('head');
SELECT step, revision FROM migrate_upgrade('head');
SELECT heads FROM migrate.settled;

-- two heads: "heads" is a no-op, "head" stays ambiguous
SELECT migrate_revision('side', 'SELECT 1', 'SELECT 1', parents => '{st3}', id => 'st5');
SELECT step, revision FROM migrate_upgrade('heads');
SELECT step, revision FROM migrate_upgrade('heads');
SELECT heads FROM migrate.settled;
SELECT * FROM st_err($$SELECT migrate_upgrade('head')$$);

-- a read-only transaction answers without writing the note
SELECT migrate_revision('more', 'SELECT 1', 'SELECT 1', parents => '{st4}', id => 'st6');
SELECT step, revision FROM migrate_upgrade('heads');
BEGIN READ ONLY;
SELECT step, revision FROM migrate_upgrade('heads');
COMMIT;
SELECT count(*) AS notes FROM migrate.settled;

-- cleanup
SELECT count(*) FROM migrate_downgrade('base', drop_data => true);
DROP EXTENSION migrate;
DROP FUNCTION st_err;
