--
-- forget: the folder and the database agree.  migrate_file_state compares
-- a revision file with the stored revision without loading it;
-- migrate_forget removes an unapplied revision that nothing depends on,
-- and logs it.
--
CREATE EXTENSION migrate;
SET client_min_messages = warning;
CREATE FUNCTION fg_err(query text,
	OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

SELECT migrate_load(E'-- migrate:revision fg1\n-- migrate:message one\n-- migrate:upgrade\nCREATE TABLE fg_one (id int);\n-- migrate:downgrade\nDROP TABLE fg_one;\n');
SELECT migrate_load(E'-- migrate:revision fg2\n-- migrate:parents fg1\n-- migrate:message two\n-- migrate:upgrade\nCREATE TABLE fg_two (id int);\n-- migrate:downgrade\nDROP TABLE fg_two;\n');
SELECT migrate_revision('dependent', 'SELECT 1', 'SELECT 1', parents => '{fg1}', depends_on => '{fg2}', id => 'fg3');
SELECT step, revision FROM migrate_upgrade('fg1');

-- a file as stored, edited (message, comments, markers), changed (SQL), new
SELECT * FROM migrate_file_state(E'-- migrate:revision fg1\n-- migrate:message one\n-- migrate:upgrade\nCREATE TABLE fg_one (id int);\n-- migrate:downgrade\nDROP TABLE fg_one;\n');
SELECT * FROM migrate_file_state(E'-- migrate:revision fg1\n-- migrate:message one, renamed\n-- migrate:upgrade\n-- a comment\nCREATE TABLE fg_one (id int);\n-- migrate:downgrade\nDROP TABLE fg_one;\n');
SELECT * FROM migrate_file_state(E'-- migrate:revision fg1\n-- migrate:message one\n-- migrate:upgrade\nCREATE TABLE fg_one (id bigint);\n-- migrate:downgrade\nDROP TABLE fg_one;\n');
SELECT * FROM migrate_file_state(E'-- migrate:revision fg2\n-- migrate:parents fg1\n-- migrate:message two\n-- migrate:upgrade\nCREATE TABLE fg_two (id int);\n-- migrate:downgrade\nDROP TABLE fg_two;\n');
SELECT * FROM migrate_file_state(E'-- migrate:revision fg9\n-- migrate:upgrade\nSELECT 1;\n');
SELECT count(*) AS revisions FROM migrate.revision;

-- refused: applied, depended on (parent or dependency), unknown, NULL
SELECT * FROM fg_err($$SELECT migrate_forget('fg1')$$);
SELECT * FROM fg_err($$SELECT migrate_forget('fg2')$$);
SELECT * FROM fg_err($$SELECT migrate_forget('fg9')$$);
SELECT * FROM fg_err($$SELECT migrate_forget('fg')$$);
SELECT * FROM fg_err($$SELECT migrate_forget(NULL)$$);

-- children first
SELECT migrate_forget('fg3');
SELECT migrate_forget('fg2');
SELECT revision, parents, applied FROM migrate_history();
SELECT revision, direction, outcome, detail FROM migrate.log WHERE direction = 'forget' ORDER BY id;
SELECT problem, revision FROM migrate_check();

-- a forgotten revision can be loaded again
SELECT migrate_load(E'-- migrate:revision fg2\n-- migrate:parents fg1\n-- migrate:message two\n-- migrate:upgrade\nCREATE TABLE fg_two (id int);\n-- migrate:downgrade\nDROP TABLE fg_two;\n');
SELECT step, revision FROM migrate_upgrade('head');

-- migrate_forget is not granted to PUBLIC; migrate_file_state is
SELECT has_function_privilege('public', 'migrate_forget(text)', 'EXECUTE') AS public_may_forget,
       has_function_privilege('public', 'migrate_file_state(text, text)', 'EXECUTE') AS public_may_compare;

-- migrate_log: the run log, newest first; of one revision; the last N
SELECT revision, direction, stamped, role = current_user AS by_me,
	   started_at <= now() AS started, duration >= '0' AS timed, statements,
	   outcome, failed_statement, sqlstate, error
  FROM migrate_log();
SELECT count(*) = (SELECT count(*) FROM migrate.log) AS all_rows FROM migrate_log();
SELECT revision, direction FROM migrate_log(count => 1);
SELECT revision, direction, outcome FROM migrate_log('fg1');
SELECT count(*) FROM migrate_log('nothing');
SELECT * FROM migrate_log(count => -1);

-- cleanup
SELECT step, revision FROM migrate_downgrade('base');
DROP EXTENSION migrate;
DROP FUNCTION fg_err;
