--
-- guard_rules: each rule the DDL guard enforces outside migrations, on a
-- managed table that holds rows, with the near miss it lets run
--
CREATE EXTENSION migrate;
SET client_min_messages = notice;

-- run a statement and roll it back: "runs", or the error that blocked it
CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE sql;
	RAISE EXCEPTION 'ran';
EXCEPTION WHEN OTHERS THEN
	RETURN CASE WHEN SQLERRM = 'ran' THEN 'runs' ELSE SQLSTATE || ' ' || SQLERRM END;
END $$;

SELECT migrate_revision('rules', $$
CREATE SCHEMA g_r;
CREATE TYPE g_r.mood AS ENUM ('ok', 'sad');
CREATE TABLE g_r.parent (id bigint CONSTRAINT parent_pkey PRIMARY KEY);
CREATE TABLE g_r.big (
	id int CONSTRAINT big_pkey PRIMARY KEY,
	parent_id bigint,
	code varchar(10),
	email text CONSTRAINT email_not_null CHECK (email IS NOT NULL),
	note text,
	mood g_r.mood);
CREATE UNIQUE INDEX big_code_key ON g_r.big (code);
CREATE TABLE g_r.small (id int CONSTRAINT small_pkey PRIMARY KEY, note text);
CREATE VIEW g_r.big_view AS SELECT id FROM g_r.big;
$$, id => 'gr000001');
SELECT step, revision FROM migrate_upgrade('head');
INSERT INTO g_r.parent SELECT generate_series(1, 5000);
INSERT INTO g_r.big SELECT g, g, 'c' || g, 'e' || g, NULL, 'ok' FROM generate_series(1, 5000) g;
INSERT INTO g_r.small SELECT generate_series(1, 10);
ANALYZE g_r.parent, g_r.big, g_r.small;
SHOW migrate.lint_table_threshold;

-- blocked on the big table, and the near miss that runs
SELECT n, sql, try(sql) FROM (VALUES
 (1, 'ALTER TABLE g_r.big ADD COLUMN at timestamptz DEFAULT clock_timestamp()'),
 (2, 'ALTER TABLE g_r.big ADD COLUMN at timestamptz DEFAULT now()'),
 (3, 'ALTER TABLE g_r.big ADD COLUMN n bigserial'),
 (4, 'ALTER TABLE g_r.big ADD COLUMN n bigint'),
 (5, 'ALTER TABLE g_r.big ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED'),
 (6, 'ALTER TABLE g_r.small ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED'),
 (7, 'ALTER TABLE g_r.big ALTER COLUMN note SET NOT NULL'),
 (8, 'ALTER TABLE g_r.big ALTER COLUMN email SET NOT NULL'),
 (9, 'ALTER TABLE g_r.big ALTER COLUMN id TYPE bigint'),
 (10, 'ALTER TABLE g_r.big ALTER COLUMN code TYPE varchar(20)'),
 (11, 'ALTER TABLE g_r.big RENAME COLUMN note TO remark'),
 (12, 'ALTER TABLE g_r.big RENAME TO large'),
 (13, 'ALTER SCHEMA g_r RENAME TO g_rules'),
 (14, 'ALTER TABLE g_r.big DROP COLUMN note'),
 (15, 'DROP TABLE g_r.small'),
 (16, 'DROP SCHEMA g_r'),
 (17, 'DROP VIEW g_r.big_view CASCADE'),
 (18, 'ALTER TABLE g_r.big ADD CONSTRAINT big_parent_fk FOREIGN KEY (parent_id) REFERENCES g_r.parent'),
 (19, 'ALTER TABLE g_r.big ADD CONSTRAINT big_parent_fk FOREIGN KEY (parent_id) REFERENCES g_r.parent NOT VALID'),
 (20, 'ALTER TABLE g_r.big ADD CONSTRAINT big_id_positive CHECK (id > 0)'),
 (21, 'ALTER TABLE g_r.big ADD CONSTRAINT big_id_positive CHECK (id > 0) NOT VALID'),
 (22, 'ALTER TABLE g_r.big ADD CONSTRAINT big_email_key UNIQUE (email)'),
 (23, 'ALTER TABLE g_r.big ADD CONSTRAINT big_code_key UNIQUE USING INDEX big_code_key'),
 (24, 'ALTER TABLE g_r.big DROP CONSTRAINT big_pkey'),
 (25, 'CREATE INDEX big_note ON g_r.big (note)'),
 (26, 'CREATE INDEX small_note ON g_r.small (note)'),
 (27, 'DROP INDEX g_r.big_code_key'),
 (28, 'ALTER TYPE g_r.mood RENAME VALUE ''sad'' TO ''blue'''),
 (29, 'ALTER TABLE g_r.big DISABLE TRIGGER ALL'),
 (30, 'ALTER TABLE g_r.big SET UNLOGGED'),
 (31, 'REVOKE SELECT ON g_r.big FROM PUBLIC'),
 (32, 'GRANT SELECT ON g_r.big TO PUBLIC'),
 (33, 'ALTER TABLE g_r.big ENABLE ROW LEVEL SECURITY'),
 (34, 'CREATE TRIGGER big_touch BEFORE UPDATE ON g_r.big FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()'),
 (35, 'ALTER TABLE g_r.big ALTER COLUMN note SET DEFAULT ''none''')
) AS t(n, sql) ORDER BY n;

-- CONCURRENTLY cannot run in a function: the near miss of 25, at top level
CREATE INDEX CONCURRENTLY big_note ON g_r.big (note);
DROP INDEX CONCURRENTLY g_r.big_note;

-- every block is recorded, with its rule
SELECT rule, count(*) FROM migrate_drift() WHERE blocked GROUP BY rule ORDER BY rule;

-- the rewrite guard: with the linter's rule off, table_rewrite still stops
-- a rewrite of the big table, and lets the small one be rewritten
SELECT migrate_rule_set('changing-column-type', 'off');
SELECT try('ALTER TABLE g_r.big ALTER COLUMN parent_id TYPE int');
SELECT try('ALTER TABLE g_r.small ALTER COLUMN note TYPE int USING length(note)');
SELECT migrate_rule_set('adding-column-volatile-default', 'off');
SELECT try('ALTER TABLE g_r.big ADD COLUMN at timestamptz DEFAULT clock_timestamp()');
SELECT migrate_rule_set('changing-column-type', NULL);
SELECT migrate_rule_set('adding-column-volatile-default', NULL);
-- a never-analyzed table counts as empty at ddl_command_start, but the
-- rewrite guard counts its pages under the command's own lock
SELECT migrate_revision('fresh', 'CREATE TABLE g_r.fresh (id int) WITH (autovacuum_enabled = off)', id => 'gr000002');
SELECT step, revision FROM migrate_upgrade('head');
INSERT INTO g_r.fresh SELECT generate_series(1, 5000);
SELECT reltuples FROM pg_class WHERE oid = 'g_r.fresh'::regclass;
SELECT try('ALTER TABLE g_r.fresh ALTER COLUMN id TYPE bigint');

SELECT step, revision FROM migrate_downgrade('base');
DROP FUNCTION try;
DROP EXTENSION migrate;
DROP SCHEMA g_r CASCADE;
