--
-- security: what roles without privileges, and deploy roles, can and
-- cannot make migrate do.  Each attack of the audit is a case here that
-- must fail safely: nothing runs as the extension's owner, nothing is
-- recorded for a role that cannot run the command, and what needs an
-- approval cannot be switched off by the caller.
--
CREATE EXTENSION migrate;
SET client_min_messages = warning;
SELECT current_user AS superuser \gset
CREATE ROLE sec_nobody LOGIN;
CREATE ROLE sec_deployer LOGIN;
CREATE ROLE sec_app LOGIN;
CREATE ROLE sec_group NOLOGIN;
CREATE SCHEMA sec AUTHORIZATION sec_deployer;
GRANT USAGE ON SCHEMA sec TO sec_app, sec_nobody;
GRANT sec_group TO sec_deployer;
GRANT EXECUTE ON FUNCTION migrate_revision(text, text, text, text[], text, text[], text[], boolean),
	migrate_upgrade(text), migrate_downgrade(text), migrate_lock_session(),
	migrate_unlock_session(), migrate_rule_set(text, text) TO sec_deployer, sec_group;
GRANT EXECUTE ON PROCEDURE migrate_apply(text), migrate_unapply(text) TO sec_deployer, sec_group;
RESET client_min_messages;

-- what went wrong, with its SQLSTATE (the install test's helper is gone)
CREATE FUNCTION sec_err(query text, OUT code text, OUT message text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
END $$;

-- the deployer's revision makes schema sec managed; the owner protects a
-- column an HR sync writes
SET ROLE sec_deployer;
SELECT migrate_revision('events', $$
CREATE TABLE sec.events (at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE sec.events_2030 PARTITION OF sec.events FOR VALUES FROM ('2030-01-01') TO ('2031-01-01');
CREATE TABLE sec.person (id int PRIMARY KEY, name text, salary numeric);
CREATE TABLE sec.big (id int, payload text);
$$, id => 'sec00001');
SELECT step, revision FROM migrate_upgrade('head');
-- the application's rows
INSERT INTO sec.big SELECT g, 'x' FROM generate_series(1, 20000) g;
RESET ROLE;
ANALYZE sec.big;
SELECT migrate_protect('sec.person.salary', 'written by the HR sync');
SELECT schema_name FROM migrate_managed_schemas();

--
-- 1. The guard analyses DDL before the command's own permission check: it
-- must not run anything the statement names, and it runs as the caller.
--
SET SESSION AUTHORIZATION sec_nobody;
CREATE FUNCTION pg_temp.evil() RETURNS date LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'evil() ran as %', current_user;
END $$;
CREATE DOMAIN pg_temp.d AS date CHECK (pg_temp.evil() IS NOT NULL);
CREATE TABLE pg_temp.x (at date NOT NULL, what text);
SELECT * FROM sec_err($$ALTER TABLE sec.events ATTACH PARTITION pg_temp.x FOR VALUES FROM (pg_temp.evil()) TO ('2031-01-01')$$);
SELECT * FROM sec_err($$ALTER TABLE sec.events ATTACH PARTITION pg_temp.x FOR VALUES FROM ('2031-01-01'::pg_temp.d) TO ('2032-01-01')$$);
RESET SESSION AUTHORIZATION;
-- the owner's own statement with an expression bound: the guard does not
-- evaluate it either (the command does, as the owner of the table)
SET ROLE sec_deployer;
CREATE FUNCTION sec.noisy() RETURNS date LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'noisy() ran as %', current_user;
	RETURN '2031-01-01';
END $$;
CREATE TABLE sec.events_2031 (at date NOT NULL, what text);
SELECT * FROM sec_err($$ALTER TABLE sec.events ATTACH PARTITION sec.events_2031 FOR VALUES FROM (sec.noisy()) TO ('2032-01-01')$$);
RESET ROLE;

--
-- 2. Functions that read the catalog as the owner resolve no name through
-- the caller's pg_temp or search_path: domains named like the types their
-- queries cast to, with a CHECK that says who runs it.
--
SET SESSION AUTHORIZATION sec_nobody;
CREATE FUNCTION pg_temp.esc(anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF current_user <> session_user THEN
		RAISE EXCEPTION 'esc() ran as %', current_user;
	END IF;
	RETURN true;
END $$;
CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (pg_temp.esc(VALUE));
CREATE DOMAIN pg_temp.oid AS pg_catalog.oid CHECK (pg_temp.esc(VALUE));
CREATE DOMAIN pg_temp."char" AS pg_catalog."char" CHECK (pg_temp.esc(VALUE));
CREATE DOMAIN pg_temp.xid AS pg_catalog.xid CHECK (pg_temp.esc(VALUE));
CREATE DOMAIN pg_temp.name AS pg_catalog.name CHECK (pg_temp.esc(VALUE));
CREATE DOMAIN pg_temp.int4 AS pg_catalog.int4 CHECK (pg_temp.esc(VALUE));
CREATE DOMAIN pg_temp.bool AS pg_catalog.bool CHECK (pg_temp.esc(VALUE));
-- every function PUBLIC may call, each reading the catalog as the owner
SELECT count(*) >= 0 AS ok FROM migrate_managed_schemas();
SELECT count(*) >= 0 AS ok FROM migrate_check();
SELECT count(*) >= 0 AS ok FROM migrate_history();
SELECT count(*) >= 0 AS ok FROM migrate_current();
SELECT count(*) >= 0 AS ok FROM migrate_heads();
SELECT count(*) >= 0 AS ok FROM migrate_branches();
SELECT count(*) >= 0 AS ok FROM migrate_show('sec00001');
SELECT count(*) >= 0 AS ok FROM migrate_drift(true);
SELECT count(*) >= 0 AS ok FROM migrate_protected();
SELECT count(*) >= 0 AS ok FROM migrate_rules();
SELECT count(*) >= 0 AS ok FROM migrate_allowances();
SELECT count(*) >= 0 AS ok FROM migrate_lint('ALTER TABLE sec.person DROP COLUMN name', live => true);
SELECT length(migrate_sql('base')) > 0 AS ok;
SELECT length(migrate_graph()) > 0 AS ok;
SELECT migrate_at_head();
SELECT count(*) >= 0 AS ok FROM migrate_plan('head');
-- the mutating ones are refused before anything runs
SELECT * FROM sec_err($$SELECT migrate_upgrade('head')$$);
SELECT * FROM sec_err($$SELECT migrate_lock_session()$$);
SELECT * FROM sec_err($$SELECT migrate_load('-- migrate:revision sec00009')$$);
-- and the caller's own search_path, with a schema of its own first
RESET SESSION AUTHORIZATION;
CREATE SCHEMA sec_evil AUTHORIZATION sec_deployer;
SET SESSION AUTHORIZATION sec_deployer;
CREATE FUNCTION sec_evil.esc(anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF current_user <> session_user THEN
		RAISE EXCEPTION 'sec_evil.esc() ran as %', current_user;
	END IF;
	RETURN true;
END $$;
CREATE DOMAIN sec_evil.text AS pg_catalog.text CHECK (sec_evil.esc(VALUE));
CREATE DOMAIN sec_evil.oid AS pg_catalog.oid CHECK (sec_evil.esc(VALUE));
CREATE FUNCTION sec_evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'sec_evil.now() ran as %', current_user;
END $$;
-- (this backend's pg_temp already has sec_nobody's domains)
SET search_path = sec_evil, pg_catalog;
SELECT count(*) >= 0 AS ok FROM migrate_managed_schemas();
SELECT count(*) >= 0 AS ok FROM migrate_check();
SELECT count(*) >= 0 AS ok FROM migrate_drift(true);
SELECT count(*) >= 0 AS ok FROM migrate_rules();
SELECT migrate_revision('noop', 'SELECT 1', 'SELECT 1', id => 'sec00002');
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM public.sec_err($$SELECT migrate_rule_set('renaming-column', 'warning')$$);
SELECT * FROM public.sec_err($$SELECT migrate_rule_set('renaming-column', 'default')$$);
-- ad-hoc DDL in the managed schema: recorded as drift by the guard
ALTER TABLE sec.big ADD COLUMN note pg_catalog.text;
SELECT * FROM public.sec_err($$ALTER TABLE sec.big RENAME COLUMN note TO remark$$);
RESET search_path;
RESET SESSION AUTHORIZATION;
SELECT role, command_tag, object_identity, blocked, rule FROM migrate_drift() ORDER BY at, id;
SELECT migrate_drift_ack(NULL, 'seen by the security test') > 0 AS acknowledged;
DROP SCHEMA sec_evil CASCADE;

--
-- 3. Protected objects need an approval in every kind of revision, and
-- the approval-level rules stay on whatever migrate.lint_level says.
--
SET ROLE sec_deployer;
-- a DO block in a non-transactional revision, run by the worker
SELECT migrate_revision('drop salary, indirectly', $$
DO $do$ BEGIN EXECUTE 'ALTER TABLE sec.person DROP COLUMN salary'; END $do$;
$$, id => 'sec00003', transactional => false);
CALL migrate_apply('sec00003');
-- directly, with migrate.lint_level off, by the worker and in a function
SET migrate.lint_level = off;
SELECT migrate_revision('drop salary', 'ALTER TABLE sec.person DROP COLUMN salary',
	parents => '{sec00002}', id => 'sec00004', transactional => false);
CALL migrate_apply('sec00004');
SELECT migrate_revision('drop salary', 'ALTER TABLE sec.person DROP COLUMN salary',
	parents => '{sec00002}', id => 'sec00005');
SELECT * FROM sec_err($$SELECT migrate_upgrade('sec00005')$$);
RESET migrate.lint_level;
RESET ROLE;
-- the column is still there, nothing applied past sec00002
SELECT attname FROM pg_attribute WHERE attrelid = 'sec.person'::regclass AND attnum > 0 ORDER BY attnum;
SELECT revision FROM migrate.applied ORDER BY revision;
-- an approved one runs, in the worker too
SET ROLE sec_deployer;
SELECT migrate_revision('drop salary, approved', $$
-- migrate:allow dropping-column
-- migrate:approve protected-object-change the HR sync moved to its own table
ALTER TABLE sec.person DROP COLUMN salary;
$$, parents => '{sec00002}', id => 'sec00006', transactional => false);
SET migrate.lint_level = off;
CALL migrate_apply('sec00006');
RESET migrate.lint_level;
RESET ROLE;
SELECT attname FROM pg_attribute WHERE attrelid = 'sec.person'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT revision, rule, marker, reason FROM migrate_allowances('sec00006');
-- the settings that would switch the approval off are not the caller's
SET ROLE sec_deployer;
SELECT * FROM sec_err($$SET migrate.lint_row_threshold = 1000000000$$);
SELECT * FROM sec_err($$SET migrate.lint_table_threshold = 1000000000$$);
SELECT * FROM sec_err($$SET migrate.enforce = off$$);
SELECT * FROM sec_err($$SELECT migrate_rule_set('protected-object-change', 'off')$$);
SELECT * FROM sec_err($$SELECT migrate_rule_set('large-data-change', 'warning')$$);
RESET ROLE;
-- a superuser may
SELECT migrate_rule_set('large-data-change', 'warning');
SELECT migrate_rule_set('large-data-change', NULL);

--
-- 3b. A session holding the runner lock is exempt from recording, but not
-- from protected objects, and only while it holds the lock.
--
SELECT migrate_protect('sec.person.name', 'written by the HR sync');
SET ROLE sec_deployer;
SELECT migrate_lock_session();
SELECT * FROM sec_err($$ALTER TABLE sec.person DROP COLUMN name$$);
SELECT pg_advisory_unlock_all();
SELECT * FROM sec_err($$ALTER TABLE sec.big RENAME COLUMN note TO remark$$);
RESET ROLE;
SELECT role, command_tag, blocked, rule FROM migrate_drift() ORDER BY at, id;
SELECT migrate_drift_ack(NULL, 'seen') > 0 AS acknowledged;

--
-- 5. A role that cannot run the command makes the guard neither block nor
-- record anything; what is recorded keeps a bounded part of the statement.
--
SELECT 'ALTER TABLE sec.big DROP COLUMN payload /* ' || repeat('x', 1000000) || ' */' AS big_statement \gset
SET SESSION AUTHORIZATION sec_nobody;
SELECT * FROM sec_err($$ALTER TABLE sec.big DROP COLUMN payload$$);
:big_statement;
SELECT * FROM sec_err($$ALTER TABLE sec.person DROP COLUMN name$$);
SELECT * FROM sec_err($$DROP SCHEMA sec CASCADE$$);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION sec_app;
SELECT * FROM sec_err($$ALTER TABLE sec.big RENAME COLUMN payload TO body$$);
SELECT * FROM sec_err($$CREATE TRIGGER t BEFORE INSERT ON sec.big FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()$$);
RESET SESSION AUTHORIZATION;
SELECT count(*) AS drift_rows FROM migrate_drift();
SET SESSION AUTHORIZATION sec_deployer;
:big_statement;
RESET SESSION AUTHORIZATION;
SELECT role, blocked, rule, length(statement) AS stored_bytes, right(statement, 26) AS ending
  FROM migrate_drift() ORDER BY at, id;
SELECT migrate_drift_ack(NULL, 'seen') > 0 AS acknowledged;

--
-- 7. migrate_sql writes a message and a target only inside comments.
--
SET ROLE sec_deployer;
SELECT migrate_revision(E'innocent\nALTER ROLE sec_deployer SUPERUSER; --', 'SELECT 1', 'SELECT 1',
	parents => '{sec00006}', id => 'sec00007');
RESET ROLE;
SELECT line FROM regexp_split_to_table(migrate_sql('sec00007'), E'\n') AS line
 WHERE line LIKE '%ALTER ROLE%';
SELECT * FROM sec_err($$SELECT migrate_sql(E'sec00007\nSELECT 1;')$$);
SELECT line FROM regexp_split_to_table(migrate_sql('sec00007', E'sec00002'), E'\n') AS line
 WHERE line LIKE '-- migrate:%';

--
-- 8. migrate_lint tells about rows only of tables the caller may read.
--
SELECT rule FROM migrate_lint('DELETE FROM sec.big WHERE id > 5000', live => true);
SET SESSION AUTHORIZATION sec_nobody;
SELECT rule FROM migrate_lint('DELETE FROM sec.big WHERE id > 5000', live => true);
RESET SESSION AUTHORIZATION;

--
-- 9. The worker runs as a role that cannot log in, after SET ROLE.
--
SET migrate.enforce = off;
CREATE TABLE sec.big2 (id int);
ALTER TABLE sec.big2 OWNER TO sec_group;
GRANT USAGE, CREATE ON SCHEMA sec TO sec_group;
RESET migrate.enforce;
SET SESSION AUTHORIZATION sec_deployer;
SET ROLE sec_group;
SELECT migrate_revision('index, as the group', 'CREATE INDEX CONCURRENTLY big_id ON sec.big2 (id)',
	'DROP INDEX CONCURRENTLY sec.big_id', parents => '{sec00007}', id => 'sec00008',
	transactional => false);
CALL migrate_apply('sec00008');
SELECT current_user;
RESET ROLE;
RESET SESSION AUTHORIZATION;
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner, i.indisvalid
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'sec.big2'::regclass;
SELECT revision, direction, role, outcome FROM migrate.log WHERE revision = 'sec00008';

--
-- 6. A failed CONCURRENTLY build drops its own invalid index, not one
-- that was there before.
--
SET migrate.enforce = off;
CREATE TABLE sec.dup (a int, b int);
INSERT INTO sec.dup VALUES (1, 1), (1, 1);
CREATE UNIQUE INDEX CONCURRENTLY dup_a ON sec.dup (a);
RESET migrate.enforce;
SELECT migrate_revision('unique b', 'CREATE UNIQUE INDEX CONCURRENTLY dup_b ON sec.dup (b)',
	'DROP INDEX CONCURRENTLY sec.dup_b', parents => '{sec00008}', id => 'sec00009',
	transactional => false);
CALL migrate_apply('sec00009');
SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'sec.dup'::regclass ORDER BY 1;

-- cleanup
DROP EXTENSION migrate;
DROP SCHEMA sec CASCADE;
DROP FUNCTION sec_err;
DROP OWNED BY sec_group, sec_deployer, sec_app, sec_nobody;
DROP ROLE sec_nobody, sec_deployer, sec_app, sec_group;
