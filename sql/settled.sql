--
-- settled: a no-op upgrade to head or heads notes that every revision is
-- applied (migrate.settled), so that the next no-op upgrade answers without
-- reading the graph; any change to the graph or the applied set removes
-- the note, within the same transaction too.  The note of the folder that
-- pg_migrate loaded last (migrate.loaded_folder).
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

-- migrate_plan answers a no-op upgrade to heads from the note too, and a
-- runner that holds the lock notes it when the plan is empty
SELECT count(*) AS steps FROM migrate_plan('heads');
DELETE FROM migrate.settled;
SELECT count(*) AS steps FROM migrate_plan('heads');
SELECT count(*) AS notes FROM migrate.settled;	-- not without the lock
SELECT migrate_lock_session();
SELECT count(*) AS steps FROM migrate_plan('heads');
SELECT migrate_unlock_session();
SELECT heads FROM migrate.settled;
SELECT revision FROM migrate_plan('st4', 'downgrade');	-- downgrades plan as always

-- the folder last loaded (pg_migrate's digest of its files): noted first
-- in the transaction of the load, under the lock; the load's own changes
-- keep the note, and so do later changes of the applied set; a later
-- change of the revisions forgets it; a rollback takes it back
SELECT migrate_folder_loaded('sha256:aa');
BEGIN;
SELECT migrate_note_folder('sha256:aa');
SELECT locktype, objid FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
SELECT migrate_load_file(E'-- migrate:revision st7\n-- migrate:parents st6\n-- migrate:upgrade\nSELECT 7;\n-- migrate:downgrade\nSELECT 7;\n');
COMMIT;
SELECT migrate_folder_loaded('sha256:aa') AS aa, migrate_folder_loaded('sha256:bb') AS bb;
SELECT step, revision FROM migrate_upgrade('heads');
SELECT migrate_folder_loaded('sha256:aa') AS after_upgrade;
SELECT migrate_load_file(E'-- migrate:revision st7\n-- migrate:parents st6\n-- migrate:upgrade\nSELECT 7;\n-- migrate:downgrade\nSELECT 7;\n');
SELECT migrate_folder_loaded('sha256:aa') AS after_same_load;
SELECT migrate_load_file(E'-- migrate:revision st7\n-- migrate:parents st6\n-- a comment\n-- migrate:upgrade\nSELECT 7;\n-- migrate:downgrade\nSELECT 7;\n');
SELECT migrate_folder_loaded('sha256:aa') AS after_edit;
SELECT migrate_note_folder('sha256:bb');
SELECT migrate_revision('eight', 'SELECT 8', 'SELECT 8', parents => '{st7}', id => 'st8');
SELECT migrate_folder_loaded('sha256:bb') AS after_revision;
BEGIN;
SELECT migrate_note_folder('sha256:cc');
ROLLBACK;
SELECT migrate_folder_loaded('sha256:cc') AS rolled_back;
SELECT migrate_folder_loaded(NULL) AS null_digest;
SELECT * FROM st_err($$SELECT migrate_note_folder(NULL)$$);
SELECT * FROM st_err($$SELECT migrate_note_folder('')$$);
SELECT * FROM st_err($$SELECT migrate_note_folder(repeat('x', 300))$$);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM st_err($$SELECT migrate_note_folder('sha256:dd')$$);
ROLLBACK;

-- cleanup
SELECT count(*) FROM migrate_downgrade('base', drop_data => true);
DROP EXTENSION migrate;
DROP FUNCTION st_err;
