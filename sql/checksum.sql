--
-- checksum: over the server scanner's tokens, so layout is not a change
-- and any token is
--
CREATE EXTENSION migrate;

CREATE FUNCTION sum_of(up text, down text DEFAULT '') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM migrate_load(format(E'-- migrate:revision c_probe\n-- migrate:upgrade\n%s\n-- migrate:downgrade\n%s', up, down));
	SELECT checksum INTO result FROM migrate_show('c_probe');
	RETURN left(result, 16);
END $$;

-- the same statement, written differently: one checksum
SELECT DISTINCT sum_of(s) FROM unnest(ARRAY[
	'CREATE TABLE c1 (id int, name text DEFAULT ''x'');',
	E'create   table c1(\n\tid INT,  -- the key\n\tname TEXT default ''x'' /* a comment */\n);',
	E'CREATE TABLE c1 (id int, name text DEFAULT ''x'');\r\n',
	'CREATE TABLE C1 (ID int, NAME text DEFAULT $$x$$);',
	E'/* leading */ CREATE TABLE "c1" (id int, name text DEFAULT E''x'');']) AS s;

-- any token that changes: another checksum each
SELECT count(DISTINCT sum_of(s)) AS checksums, count(*) AS scripts FROM unnest(ARRAY[
	'CREATE TABLE c1 (id int, name text DEFAULT ''x'');',
	'CREATE TABLE c1 (id int, name text DEFAULT ''y'');',
	'CREATE TABLE c1 (id bigint, name text DEFAULT ''x'');',
	'CREATE TABLE "C1" (id int, name text DEFAULT ''x'');',
	'CREATE TABLE c1 (id int, name text DEFAULT ''x'')',
	'CREATE TABLE c1 (id int, name text DEFAULT ''X'');',
	'CREATE TABLE c1 (name text DEFAULT ''x'', id int);',
	'CREATE TABLE c1 (id int, name text DEFAULT 1);',
	'CREATE TABLE c1 (id int, name text DEFAULT 2);']) AS s;

-- the downgrade counts too, and an upgrade statement moved into the
-- downgrade is a change
SELECT sum_of('SELECT 1', 'SELECT 2') <> sum_of('SELECT 1', 'SELECT 3') AS downgrade_counts,
	   sum_of('SELECT 1; SELECT 2', '') <> sum_of('SELECT 1', 'SELECT 2') AS sections_count;

-- an applied revision can be reloaded with layout changes, not with other changes
SELECT migrate_load(E'-- migrate:revision c0000001\n-- migrate:message accounts\n-- migrate:upgrade\nCREATE TABLE c_account (id int);\n-- migrate:downgrade\nDROP TABLE c_account;');
SELECT step, revision FROM migrate_upgrade('c0000001');
SELECT migrate_load(E'-- migrate:revision c0000001\r\n-- migrate:message accounts, reworded\r\n-- migrate:upgrade\r\n-- the accounts\r\ncreate table c_account (\r\n  id int\r\n);\r\n-- migrate:downgrade\r\ndrop table c_account;\r\n');
SELECT message FROM migrate_show('c0000001');
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision c0000001\n-- migrate:upgrade\nCREATE TABLE c_account (id bigint);\n-- migrate:downgrade\nDROP TABLE c_account;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision c0000001\n-- migrate:parents c_probe\n-- migrate:upgrade\nCREATE TABLE c_account (id int);\n-- migrate:downgrade\nDROP TABLE c_account;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision c0000001\n-- migrate:transactional false\n-- migrate:upgrade\nCREATE TABLE c_account (id int);\n-- migrate:downgrade\nDROP TABLE c_account;')$$);
-- migrate_load_file (the client's), which leaves a file alone when its
-- revision is stored as the file says, takes a changed comment or marker
-- of an applied revision: a refusal's hint is followed by editing the file
SELECT migrate_load_file(E'-- migrate:revision c0000001\n-- migrate:message accounts, reworded\n-- migrate:upgrade\nCREATE TABLE c_account (id int);\n-- migrate:downgrade\n-- migrate:allow dropping-table\nDROP TABLE c_account;');
SELECT downgrade FROM migrate.revision WHERE id = 'c0000001';
SELECT * FROM err($$SELECT migrate_load_file(E'-- migrate:revision c0000001\n-- migrate:message accounts, reworded\n-- migrate:upgrade\nCREATE TABLE c_account (id bigint);\n-- migrate:downgrade\nDROP TABLE c_account;')$$);

-- an unapplied revision takes the new SQL
SELECT step, revision FROM migrate_downgrade('base');
SELECT migrate_load(E'-- migrate:revision c0000001\n-- migrate:upgrade\nCREATE TABLE c_account (id bigint);\n-- migrate:downgrade\nDROP TABLE c_account;');
SELECT upgrade FROM migrate_show('c0000001');

-- migrate_check finds stored SQL that no longer matches its checksum,
-- and a revision changed after it was applied (both only by writing the
-- catalog directly, as a superuser can)
SELECT step, revision FROM migrate_upgrade('c0000001');
SELECT * FROM migrate_check() WHERE problem = 'checksum_mismatch';
UPDATE migrate.revision SET downgrade = 'DROP TABLE c_account CASCADE' WHERE id = 'c0000001';
SELECT * FROM migrate_check() WHERE problem = 'checksum_mismatch';
UPDATE migrate.revision SET downgrade = 'DROP TABLE c_account;' WHERE id = 'c0000001';
UPDATE migrate.applied SET checksum = 'f00d' || substr(checksum, 5) WHERE revision = 'c0000001';
SELECT * FROM migrate_check() WHERE problem = 'checksum_mismatch';

-- a statement the scanner cannot read is refused with its line
SELECT sum_of(E'SELECT 1;\nSELECT ''unterminated');

SELECT step, revision FROM migrate_downgrade('base');
DROP FUNCTION sum_of;
DROP EXTENSION migrate;
