--
-- squash: a revision that says "-- migrate:replaces A B ..." stands for a
-- history from base.  A database that applied all of A B ... takes it as
-- applied (stamped); a new database runs its SQL; files that name a
-- replaced id as parent load onto it; a replaced file is refused.
--
CREATE EXTENSION migrate;
SET client_min_messages = warning;
CREATE FUNCTION sq_err(query text,
	OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;
-- the files of a three-revision history, and its squash of the first two
CREATE TEMP TABLE sq_file (id text PRIMARY KEY, body text);
INSERT INTO sq_file VALUES
 ('sqa', E'-- migrate:revision sqa\n-- migrate:message accounts\n-- migrate:upgrade\nCREATE TABLE sq_account (id int PRIMARY KEY);\n-- migrate:downgrade\nDROP TABLE sq_account;\n'),
 ('sqb', E'-- migrate:revision sqb\n-- migrate:parents sqa\n-- migrate:message account names\n-- migrate:upgrade\nALTER TABLE sq_account ADD COLUMN name text;\n-- migrate:downgrade\nALTER TABLE sq_account DROP COLUMN name;\n'),
 ('sqc', E'-- migrate:revision sqc\n-- migrate:parents sqb\n-- migrate:message orders\n-- migrate:upgrade\nCREATE TABLE sq_order (id int, account int REFERENCES sq_account);\n-- migrate:downgrade\nDROP TABLE sq_order;\n'),
 ('sqs', E'-- migrate:revision sqs\n-- migrate:message squash of sqa..sqb\n-- migrate:replaces sqa sqb\n-- migrate:upgrade\n-- sqa\nCREATE TABLE sq_account (id int PRIMARY KEY);\n-- sqb\nALTER TABLE sq_account ADD COLUMN name text;\n-- migrate:downgrade\nALTER TABLE sq_account DROP COLUMN name;\nDROP TABLE sq_account;\n');

-- 1. A database that applied the old history: the squash loads as applied
SELECT migrate_load(body) FROM sq_file WHERE id IN ('sqa', 'sqb', 'sqc') ORDER BY id;
SELECT step, revision FROM migrate_upgrade('head');
SELECT migrate_load(body) FROM sq_file WHERE id = 'sqs';
SELECT revision, parents, applied FROM migrate_history() ORDER BY revision;
SELECT revision, stamped FROM migrate.applied ORDER BY revision;
SELECT revision, direction, stamped FROM migrate.log WHERE revision = 'sqs';
SELECT revision, replaced_by FROM migrate.replaced ORDER BY revision;
SELECT step, revision FROM migrate_upgrade('head');	-- nothing to do
SELECT problem, revision FROM migrate_check();
-- a replaced file loaded again is refused; the squash reloads quietly
SELECT * FROM sq_err($$SELECT migrate_load(body) FROM sq_file WHERE id = 'sqa'$$);
SELECT migrate_load(body) FROM sq_file WHERE id = 'sqs';
-- down to base and up again runs the squash's SQL
SELECT step, revision FROM migrate_downgrade('base', drop_data => true);
SELECT count(*) AS tables_left FROM pg_class WHERE relname IN ('sq_account', 'sq_order');
SELECT step, revision FROM migrate_upgrade('head');
SELECT attname FROM pg_attribute WHERE attrelid = 'sq_account'::regclass AND attnum > 0 ORDER BY attnum;
SELECT step, revision FROM migrate_downgrade('base', drop_data => true);
DROP EXTENSION migrate;

-- 2. A new database: the squash first, then a file whose parent is replaced
CREATE EXTENSION migrate;
SELECT migrate_load(body) FROM sq_file WHERE id IN ('sqs', 'sqc') ORDER BY id DESC;
SELECT revision, parents, applied FROM migrate_history() ORDER BY revision;
SELECT step, revision FROM migrate_upgrade('head');
SELECT count(*) AS tables FROM pg_class WHERE relname IN ('sq_account', 'sq_order');
SELECT step, revision FROM migrate_downgrade('base', drop_data => true);
DROP EXTENSION migrate;

-- 3. Nothing applied yet: the old revisions are replaced, not stamped
CREATE EXTENSION migrate;
SELECT migrate_load(body) FROM sq_file WHERE id IN ('sqa', 'sqb', 'sqc') ORDER BY id;
SELECT migrate_load(body) FROM sq_file WHERE id = 'sqs';
SELECT revision, parents, applied FROM migrate_history() ORDER BY revision;
SELECT count(*) AS log_rows FROM migrate.log;
DROP EXTENSION migrate;

-- 4. Refused: part of the way through, not a root, itself, a gap
CREATE EXTENSION migrate;
SELECT migrate_load(body) FROM sq_file WHERE id IN ('sqa', 'sqb', 'sqc') ORDER BY id;
SELECT step, revision FROM migrate_upgrade('sqa');
SELECT * FROM sq_err($$SELECT migrate_load(body) FROM sq_file WHERE id = 'sqs'$$);
SELECT * FROM sq_err($$SELECT migrate_load(E'-- migrate:revision sqt\n-- migrate:parents sqc\n-- migrate:replaces sqa\n-- migrate:upgrade\nSELECT 1;\n')$$);
SELECT * FROM sq_err($$SELECT migrate_load(E'-- migrate:revision sqt\n-- migrate:replaces sqt\n-- migrate:upgrade\nSELECT 1;\n')$$);
SELECT * FROM sq_err($$SELECT migrate_load(E'-- migrate:revision sqt\n-- migrate:replaces sqb sqb\n-- migrate:upgrade\nSELECT 1;\n')$$);
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM sq_err($$SELECT migrate_load(E'-- migrate:revision sqt\n-- migrate:replaces sqb sqc\n-- migrate:upgrade\nSELECT 1;\n')$$);
SELECT * FROM sq_err($$SELECT migrate_load(E'-- migrate:revision sqt\n-- migrate:replaces sqa\n-- migrate:replaces sqb\n-- migrate:upgrade\nSELECT 1;\n')$$);
-- nothing changed
SELECT revision, parents, applied FROM migrate_history() ORDER BY revision;
SELECT count(*) AS replaced FROM migrate.replaced;
SELECT step, revision FROM migrate_downgrade('base', drop_data => true);

-- cleanup
DROP EXTENSION migrate;
DROP FUNCTION sq_err;
