--
-- guard: the DDL guard's scope, drift records, exemptions and privileges
--
CREATE EXTENSION migrate;
SET client_min_messages = notice;

-- the event triggers: ALWAYS, so session_replication_role cannot skip them
SELECT evtname, evtevent, evtenabled, p.prosecdef, p.proconfig
  FROM pg_event_trigger e JOIN pg_proc p ON p.oid = e.evtfoid
 ORDER BY evtname;
SHOW migrate.enforce;

-- a database where no revision ran DDL manages nothing: nothing recorded
CREATE SCHEMA g_free;
CREATE TABLE g_free.t (id int);
INSERT INTO g_free.t SELECT generate_series(1, 2000);
ANALYZE g_free.t;
ALTER TABLE g_free.t RENAME COLUMN id TO n;
CREATE INDEX ON g_free.t (n);
SELECT * FROM migrate_managed_schemas();
SELECT count(*) FROM migrate_drift(true);

-- a revision that runs DDL in a schema makes it managed
SELECT migrate_revision('shop', $$
CREATE SCHEMA g_shop;
CREATE TABLE g_shop.customer (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE g_shop.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES g_shop.customer);
$$, E'-- migrate:allow drop-cascade\nDROP SCHEMA g_shop CASCADE', id => 'g0000001');
SELECT step, revision FROM migrate_upgrade('head');
SELECT schema_name, revision FROM migrate_managed_schemas();
-- the migration itself is no drift, and the fingerprint matches
SELECT count(*) FROM migrate_drift(true);
SELECT * FROM migrate_check();
INSERT INTO g_shop.customer SELECT g, 'c' || g FROM generate_series(1, 5000) g;
ANALYZE g_shop.customer;

-- DDL outside migrations in a managed schema is drift; safe changes run,
-- but even a table made by hand there is managed: dropping it is blocked
ALTER TABLE g_shop.customer ADD COLUMN note text;
COMMENT ON TABLE g_shop.customer IS 'customers';
CREATE TABLE g_shop.scratch (id int);
DROP TABLE g_shop.scratch;
-- DDL elsewhere is not
ALTER TABLE g_free.t ADD COLUMN x int;
SELECT role, application, command_tag, object_type, object_identity, statement, blocked, rule, acknowledged
  FROM migrate_drift();
SELECT problem, detail FROM migrate_check();

-- an unsafe change is blocked, and recorded as blocked
SELECT * FROM err($$ALTER TABLE g_shop.customer RENAME COLUMN email TO mail$$);
SELECT command_tag, object_type, object_identity, blocked, rule
  FROM migrate_drift() WHERE blocked;
SELECT attname FROM pg_attribute WHERE attrelid = 'g_shop.customer'::regclass AND attnum = 2;

-- warn lets it run with a WARNING, and records the rule
SET migrate.enforce = warn;
ALTER TABLE g_shop.customer RENAME COLUMN note TO remark;
-- off only records
SET migrate.enforce = off;
ALTER TABLE g_shop.customer RENAME COLUMN remark TO note;
RESET migrate.enforce;
SELECT command_tag, object_identity, blocked, rule FROM migrate_drift() ORDER BY at DESC LIMIT 2;

-- drift-ddl-outside-migration at error blocks every DDL in managed schemas
SELECT migrate_rule_set('drift-ddl-outside-migration', 'error');
SELECT * FROM err($$COMMENT ON TABLE g_shop.customer IS 'x'$$);
COMMENT ON TABLE g_free.t IS 'not managed: runs';
SELECT migrate_rule_set('drift-ddl-outside-migration', NULL);

-- temporary objects are never recorded nor blocked
CREATE TEMP TABLE g_tmp (id int);
INSERT INTO g_tmp SELECT generate_series(1, 5000);
ANALYZE g_tmp;
ALTER TABLE g_tmp RENAME COLUMN id TO n;
DROP TABLE g_tmp;
-- nor are tables created in the same transaction
BEGIN;
CREATE TABLE g_shop.fresh (id int);
INSERT INTO g_shop.fresh SELECT generate_series(1, 5000);
CREATE INDEX fresh_id ON g_shop.fresh (id);
ALTER TABLE g_shop.fresh RENAME COLUMN id TO n;
ROLLBACK;

-- session_replication_role = replica does not skip the guard
SET session_replication_role = replica;
SELECT * FROM err($$ALTER TABLE g_shop.customer RENAME COLUMN email TO mail$$);
RESET session_replication_role;

-- a restore session (a superuser with check_function_bodies off, as every
-- pg_dump script sets) is neither blocked nor recorded
SELECT count(*) AS before FROM migrate_drift(true) \gset
SET check_function_bodies = off;
ALTER TABLE g_shop.customer RENAME COLUMN email TO mail;
ALTER TABLE g_shop.customer RENAME COLUMN mail TO email;
RESET check_function_bodies;
SELECT count(*) - :before AS recorded FROM migrate_drift(true);

-- ordinary roles cannot turn the guard off, nor raise the size threshold
CREATE ROLE g_app LOGIN;
GRANT USAGE, CREATE ON SCHEMA g_shop TO g_app;
ALTER TABLE g_shop.customer OWNER TO g_app;
SET ROLE g_app;
SELECT * FROM err($$SET migrate.enforce = off$$);
SELECT * FROM err($$SET migrate.lint_table_threshold = 1000000$$);
SELECT * FROM err($$ALTER TABLE g_shop.customer RENAME COLUMN email TO mail$$);
-- the drift functions: reading is for everyone, acknowledging is not
SELECT count(*) > 0 AS sees_drift FROM migrate_drift();
SELECT * FROM err($$SELECT migrate_drift_ack()$$);
SELECT * FROM err($$ALTER EVENT TRIGGER migrate_00_guard_ddl_start DISABLE$$);
SELECT * FROM err($$SET session_replication_role = replica$$);
RESET ROLE;
-- nor by setting migrate.enforce in a new session before migrate's library
-- is loaded: the placeholder is checked against the role when it loads
\c - g_app
SET migrate.enforce = off;
ALTER TABLE g_shop.customer RENAME COLUMN email TO mail;
\c - postgres
SET client_min_messages = notice;
SELECT role, command_tag, blocked, rule FROM migrate_drift() WHERE role = 'g_app';

-- acknowledging: by id, then all (which also accepts the schemas as they are)
SELECT migrate_drift_ack(array_agg(id), 'renames by hand') FROM migrate_drift() WHERE NOT blocked AND command_tag = 'ALTER TABLE' AND rule IS NOT NULL;
SELECT count(*) FROM migrate_drift() WHERE rule IS NOT NULL AND NOT blocked;
SELECT problem FROM migrate_check();
SELECT migrate_drift_ack(note => 'reviewed');
SELECT count(*) FROM migrate_drift();
SELECT count(*), count(*) FILTER (WHERE acknowledged) FROM migrate_drift(true);
SELECT note, acknowledged_by FROM migrate.drift GROUP BY 1, 2 ORDER BY 1;
SELECT * FROM migrate_check();

-- a change the triggers did not see shows as schema drift
ALTER EVENT TRIGGER migrate_00_guard_ddl_end DISABLE;
ALTER EVENT TRIGGER migrate_00_guard_ddl_start DISABLE;
ALTER TABLE g_shop.orders ADD COLUMN total numeric;
ALTER EVENT TRIGGER migrate_00_guard_ddl_start ENABLE ALWAYS;
ALTER EVENT TRIGGER migrate_00_guard_ddl_end ENABLE ALWAYS;
SELECT count(*) FROM migrate_drift();
SELECT problem FROM migrate_check();
-- a migration stores the fingerprint again
SELECT migrate_revision('more', 'ALTER TABLE g_shop.orders ADD COLUMN placed_at timestamptz', id => 'g0000002');
SELECT step, revision FROM migrate_upgrade('head');
SELECT * FROM migrate_check();

-- extension scripts are exempt, and extension members are no part of the
-- fingerprint
CREATE EXTENSION pgcrypto SCHEMA g_shop;
SELECT * FROM migrate_check();
DROP EXTENSION pgcrypto;
SELECT count(*) FROM migrate_drift();

-- inside a migration the revision's own lint decides; downgrades too
SELECT step, revision FROM migrate_downgrade('base', drop_data => true);
SELECT * FROM migrate_check();
SELECT count(*) FROM migrate_drift();

DROP TABLE g_free.t;
DROP SCHEMA g_free;
DROP EXTENSION migrate;
DROP ROLE g_app;
