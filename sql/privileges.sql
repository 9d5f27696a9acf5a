--
-- privileges: revision SQL runs as the caller; the catalog is written
-- only through the functions; internal SQL ignores the search_path
--
CREATE EXTENSION migrate;
-- ad-hoc DDL here runs in schema public, which the test's revisions
-- manage; the guard has tests of its own
SET migrate.enforce = off;
SELECT current_user AS superuser \gset
CREATE ROLE migrate_app LOGIN;
CREATE ROLE migrate_deployer LOGIN;
GRANT CREATE ON SCHEMA public TO migrate_deployer;
CREATE SCHEMA p_evil AUTHORIZATION migrate_deployer;

SELECT migrate_revision('owned by the caller', 'CREATE TABLE p_owned (id int)', 'DROP TABLE p_owned', id => 'p0000001');
SELECT migrate_revision('needs more than the caller has', 'ALTER TABLE pg_catalog.pg_class ADD COLUMN x int', id => 'p0000002');

SET ROLE migrate_app;
-- reading is for everyone
SELECT revision, applied FROM migrate_history();
SELECT migrate_at_head();
-- changing is not
SELECT * FROM migrate_upgrade('p0000001');
SELECT migrate_revision('m', 'SELECT 1', id => 'p0000009');
SELECT migrate_load(E'-- migrate:revision p0000009\n-- migrate:upgrade\nSELECT 1;');
SELECT * FROM migrate_stamp('head');
SELECT * FROM migrate_downgrade('base');
SELECT migrate_merge('{a,b}', 'm');
-- nor is the catalog open to direct reads or writes
SELECT * FROM migrate.applied;
INSERT INTO migrate.applied (revision, checksum) VALUES ('p0000001', 'x');
RESET ROLE;

-- a role granted the functions can migrate; its SQL runs as itself
GRANT EXECUTE ON FUNCTION migrate_upgrade(text), migrate_downgrade(text) TO migrate_deployer;
SET ROLE migrate_deployer;
SELECT step, revision FROM migrate_upgrade('p0000001');
SELECT tableowner FROM pg_tables WHERE tablename = 'p_owned';
SELECT revision, applied_by FROM migrate_current();
SELECT * FROM migrate_upgrade('head');
SELECT * FROM migrate.log;
-- the search_path cannot redirect migrate's own SQL
CREATE FUNCTION p_evil.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql AS 'SELECT NULL';
CREATE FUNCTION p_evil.texteq(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT false';
CREATE OPERATOR p_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = p_evil.texteq);
-- (a new session, so that migrate prepares its plans under this path)
\c - migrate_deployer
SET search_path = public, p_evil, pg_catalog;
SELECT step, revision FROM migrate_downgrade('base');
SELECT step, revision FROM migrate_upgrade('p0000001');
SELECT revision, markers FROM migrate_current();
\c - :superuser

SELECT revision, direction, role FROM migrate.log ORDER BY id;
SELECT step, revision FROM migrate_downgrade('base');
DROP SCHEMA p_evil CASCADE;
REVOKE CREATE ON SCHEMA public FROM migrate_deployer;
DROP EXTENSION migrate;
DROP ROLE migrate_app, migrate_deployer;
