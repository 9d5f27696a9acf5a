--
-- check: migrate_check and migrate_at_head, for start-up checks and CI
--
CREATE EXTENSION migrate;

SELECT * FROM migrate_check();
SELECT migrate_revision('one', 'CREATE TABLE k_one ()', 'DROP TABLE k_one', id => 'k0000001');
SELECT migrate_revision('two', 'CREATE TABLE k_two ()', 'DROP TABLE k_two', id => 'k0000002');
SELECT * FROM migrate_check();
SELECT migrate_at_head();

SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM migrate_check();
SELECT migrate_at_head();

-- a second head
SELECT migrate_revision('branch', 'CREATE TABLE k_three ()', 'DROP TABLE k_three', id => 'k0000003', parents => '{k0000001}');
SELECT * FROM migrate_check();
SELECT migrate_at_head();
SELECT step, revision FROM migrate_upgrade('heads');
SELECT * FROM migrate_check();
SELECT migrate_at_head();
SELECT migrate_merge('{k0000002,k0000003}', 'merge', id => 'k0000004');
SELECT * FROM migrate_check();
SELECT step, revision FROM migrate_upgrade();
SELECT * FROM migrate_check();

-- references that dangle (only a manual edit of the catalog makes them)
INSERT INTO migrate.applied (revision, checksum) VALUES ('k_gone', 'x');
SELECT * FROM migrate_check();
DELETE FROM migrate.applied WHERE revision = 'k_gone';
INSERT INTO migrate.parent (revision, parent, position) VALUES ('k0000004', 'k_gone', 3);
SELECT * FROM err($$SELECT * FROM migrate_check()$$);
DELETE FROM migrate.parent WHERE parent = 'k_gone';
-- an applied revision whose parent is not applied
DELETE FROM migrate.applied WHERE revision = 'k0000001';
SELECT * FROM migrate_check();
SELECT migrate_at_head();
SELECT * FROM migrate_stamp('heads');
SELECT * FROM migrate_check();

-- mutating calls refuse isolation levels whose snapshot could predate a
-- concurrent migration
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM migrate_downgrade('base');
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT migrate_revision('m', 'SELECT 1');
ROLLBACK;
-- reading is fine there
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT revision FROM migrate_current();
ROLLBACK;

SELECT step, revision FROM migrate_downgrade('base');
DROP EXTENSION migrate;

