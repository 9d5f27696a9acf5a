/* migrate--0.1.0.sql: install script of the migrate extension */

\echo Use "CREATE EXTENSION migrate" to load this file. \quit

/*
 * The catalog.  Only src/catalog.c reads or writes these tables; ordinary
 * roles have no privileges on them and go through the functions below,
 * which switch to the extension owner for bookkeeping.  Every table and
 * sequence is registered with pg_extension_config_dump so that pg_dump and
 * pg_restore carry the history along with the data.
 *
 * The tables that name revisions have no foreign keys to migrate.revision:
 * pg_restore -j loads the data of extension tables in parallel, in no
 * order, and would drop their rows.  The functions check every reference
 * before writing, and migrate_check() reports any that dangles.
 */
CREATE SCHEMA migrate;
REVOKE ALL ON SCHEMA migrate FROM PUBLIC;

CREATE SEQUENCE migrate.revision_seq;

-- One row per revision of the graph.
CREATE TABLE migrate.revision (
	id				text PRIMARY KEY
					CHECK (id OPERATOR(pg_catalog.~) '^[A-Za-z0-9_.]{1,64}$'),
	seq				bigint NOT NULL UNIQUE
					DEFAULT pg_catalog.nextval('migrate.revision_seq'),
	message			text NOT NULL DEFAULT '',
	upgrade			text NOT NULL DEFAULT '',
	downgrade		text NOT NULL DEFAULT '',
	transactional	boolean NOT NULL DEFAULT true,
	checksum		text NOT NULL,
	branch_labels	text[] NOT NULL DEFAULT '{}',
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by		name NOT NULL DEFAULT CURRENT_USER
);
CREATE INDEX revision_branch_labels_idx ON migrate.revision
	USING gin (branch_labels) WITH (fastupdate = off);

-- Parent edges: "revision" comes directly after "parent".
CREATE TABLE migrate.parent (
	revision	text NOT NULL,
	parent		text NOT NULL,
	position	integer NOT NULL,
	PRIMARY KEY (revision, parent)
);
CREATE INDEX parent_parent_idx ON migrate.parent (parent);

-- depends_on edges: "revision" needs "dependency" applied first.
CREATE TABLE migrate.dependency (
	revision	text NOT NULL,
	dependency	text NOT NULL,
	position	integer NOT NULL,
	PRIMARY KEY (revision, dependency)
);
CREATE INDEX dependency_dependency_idx ON migrate.dependency (dependency);

-- The applied set: one row per applied revision.
CREATE TABLE migrate.applied (
	revision	text PRIMARY KEY,
	checksum	text NOT NULL,
	applied_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	applied_by	name NOT NULL DEFAULT CURRENT_USER,
	stamped		boolean NOT NULL DEFAULT false
);

CREATE SEQUENCE migrate.log_seq;

-- Every upgrade, downgrade and stamp of a revision.
CREATE TABLE migrate.log (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('migrate.log_seq'),
	xact		xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
	revision	text NOT NULL,
	direction	text NOT NULL CHECK (direction IN ('upgrade', 'downgrade')),
	stamped		boolean NOT NULL,
	role		name NOT NULL DEFAULT CURRENT_USER,
	started_at	timestamptz NOT NULL,
	duration	interval NOT NULL,
	statements	integer NOT NULL,	-- statements run
	outcome		text NOT NULL CHECK (outcome IN ('success', 'failure', 'retry')),
	failed_statement integer,		-- failure, retry: its number in the revision
	sqlstate	text,				-- failure, retry: the error
	error		text,
	detail		text,				-- the error's detail; for lock waits, the blockers
	statement_text text,
	-- success: the "-- migrate:allow" and "-- migrate:approve" markers that
	-- silenced a safety finding while the revision ran, one object each:
	-- {"statement", "line", "rule", "marker": "allow"|"approve", "reason"}
	allowances	jsonb
);
CREATE INDEX log_revision_idx ON migrate.log (revision);

/*
 * The version of the catalog's contents.  A backend keeps the revision graph
 * it last read and reads it again only when the version has changed.  Every
 * statement that changes one of the tables above runs the trigger below,
 * which drops its own backend's copy and, once per (sub)transaction, gives
 * the version a new value from a sequence (never reused, even by
 * transactions that roll back).  Not dumped: a restored database starts
 * versions of its own.
 */
CREATE SEQUENCE migrate.state_version_seq;
CREATE TABLE migrate.state (
	version		bigint NOT NULL
);
INSERT INTO migrate.state VALUES (pg_catalog.nextval('migrate.state_version_seq'));

CREATE FUNCTION migrate.catalog_changed() RETURNS trigger
AS 'MODULE_PATHNAME', 'migrate_catalog_changed'
LANGUAGE C;

CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON migrate.revision FOR EACH STATEMENT EXECUTE FUNCTION migrate.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON migrate.parent FOR EACH STATEMENT EXECUTE FUNCTION migrate.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON migrate.dependency FOR EACH STATEMENT EXECUTE FUNCTION migrate.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON migrate.applied FOR EACH STATEMENT EXECUTE FUNCTION migrate.catalog_changed();

SELECT pg_catalog.pg_extension_config_dump('migrate.revision_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.revision', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.parent', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.dependency', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.applied', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.log_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.log', '');

/*
 * The SQL interface.  The functions live in pg_catalog so that they are
 * found whatever the caller's search_path.
 */

CREATE FUNCTION @extschema@.migrate_revision(
	message text,
	upgrade text,
	downgrade text DEFAULT '',
	parents text[] DEFAULT NULL,
	id text DEFAULT NULL,
	depends_on text[] DEFAULT NULL,
	branch_labels text[] DEFAULT NULL,
	transactional boolean DEFAULT true)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_revision'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_load(script text, id text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_load'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_merge(
	parents text[],
	message text,
	id text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_merge'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_upgrade(target text DEFAULT 'head')
RETURNS TABLE (step integer, revision text, message text,
			   statements integer, duration interval)
AS 'MODULE_PATHNAME', 'migrate_upgrade'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_downgrade(target text)
RETURNS TABLE (step integer, revision text, message text,
			   statements integer, duration interval)
AS 'MODULE_PATHNAME', 'migrate_downgrade'
LANGUAGE C VOLATILE;

-- One transaction per revision; runs non-transactional revisions too.
CREATE PROCEDURE @extschema@.migrate_apply(target text DEFAULT 'head')
AS 'MODULE_PATHNAME', 'migrate_apply'
LANGUAGE C;

CREATE PROCEDURE @extschema@.migrate_unapply(target text)
AS 'MODULE_PATHNAME', 'migrate_unapply'
LANGUAGE C;

CREATE FUNCTION @extschema@.migrate_stamp(target text)
RETURNS TABLE (revision text, message text, action text)
AS 'MODULE_PATHNAME', 'migrate_stamp'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_stamp(targets text[])
RETURNS TABLE (revision text, message text, action text)
AS 'MODULE_PATHNAME', 'migrate_stamp_array'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_current()
RETURNS TABLE (revision text, message text, markers text,
			   applied_at timestamptz, applied_by name)
AS 'MODULE_PATHNAME', 'migrate_current'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_heads()
RETURNS TABLE (revision text, message text, branch_labels text[],
			   applied boolean)
AS 'MODULE_PATHNAME', 'migrate_heads'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_branches()
RETURNS TABLE (revision text, message text, children text[])
AS 'MODULE_PATHNAME', 'migrate_branches'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_history(range text DEFAULT NULL)
RETURNS TABLE (revision text, parents text[], depends_on text[],
			   branch_labels text[], message text, applied boolean,
			   markers text)
AS 'MODULE_PATHNAME', 'migrate_history'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_show(id text)
RETURNS TABLE (revision text, parents text[], depends_on text[],
			   branch_labels text[], message text, transactional boolean,
			   checksum text, created_at timestamptz, created_by name,
			   applied boolean, applied_at timestamptz, markers text,
			   upgrade text, downgrade text)
AS 'MODULE_PATHNAME', 'migrate_show'
LANGUAGE C STABLE STRICT;

CREATE FUNCTION @extschema@.migrate_sql(target text, from_state text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_sql'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_check()
RETURNS TABLE (problem text, revision text, detail text)
AS 'MODULE_PATHNAME', 'migrate_check'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_at_head()
RETURNS boolean
AS 'MODULE_PATHNAME', 'migrate_at_head'
LANGUAGE C STABLE;

/* Mutating functions are for the owner and whoever it grants them to. */
REVOKE ALL ON FUNCTION @extschema@.migrate_revision(text, text, text, text[], text, text[], text[], boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_load(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_merge(text[], text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_upgrade(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_downgrade(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_stamp(text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_apply(text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_unapply(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_stamp(text[]) FROM PUBLIC;

/*
 * For the pg_migrate client (src/client_support.c): plans with
 * non-transactional revisions, run step by step by the client, and the
 * graph as Graphviz DOT.
 */
CREATE FUNCTION @extschema@.migrate_load_file(script text, id text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_load_file'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_plan(target text, direction text DEFAULT 'upgrade')
RETURNS TABLE (step integer, revision text, message text,
			   transactional boolean, statements text[], lines integer[])
AS 'MODULE_PATHNAME', 'migrate_plan'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_steps(revisions text[], direction text)
RETURNS TABLE (step integer, revision text, message text,
			   statements integer, duration interval)
AS 'MODULE_PATHNAME', 'migrate_steps'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_record(revision text, direction text,
										   statements integer DEFAULT 0,
										   duration interval DEFAULT '0')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_record'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_lock_session()
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_lock_session'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_unlock_session()
RETURNS boolean
AS 'MODULE_PATHNAME', 'migrate_unlock_session'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_graph()
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_graph'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_leftover_index(statement text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_leftover_index'
LANGUAGE C STRICT VOLATILE;

REVOKE ALL ON FUNCTION @extschema@.migrate_load_file(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_steps(text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_record(text, text, integer, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_lock_session() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_unlock_session() FROM PUBLIC;

/*
 * The safety linter (src/lint*.c): per-database rule severities, the rule
 * catalogue, and linting any text.
 */
CREATE TABLE migrate.rule (
	rule		text PRIMARY KEY,
	severity	text NOT NULL CHECK (severity IN ('error', 'warning', 'off')),
	set_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	set_by		name NOT NULL DEFAULT CURRENT_USER
);
SELECT pg_catalog.pg_extension_config_dump('migrate.rule', '');

CREATE FUNCTION @extschema@.migrate_lint(
	sql text,
	transactional boolean DEFAULT true,
	downgrade boolean DEFAULT false,
	live boolean DEFAULT true)
RETURNS TABLE (rule text, severity text, statement integer, line integer,
			   message text, hint text)
AS 'MODULE_PATHNAME', 'migrate_lint'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_lint_revision(
	upgrade text,
	downgrade text DEFAULT NULL,
	transactional boolean DEFAULT true,
	live boolean DEFAULT true)
RETURNS TABLE (section text, rule text, severity text, statement integer,
			   line integer, message text, hint text)
AS 'MODULE_PATHNAME', 'migrate_lint_revision'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_rules()
RETURNS TABLE (rule text, severity text, default_severity text,
			   catalog_aware boolean, catches text, why text,
			   alternative text)
AS 'MODULE_PATHNAME', 'migrate_rules'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_rule_set(rule text, severity text)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_rule_set'
LANGUAGE C VOLATILE;

REVOKE ALL ON FUNCTION @extschema@.migrate_rule_set(text, text) FROM PUBLIC;

/*
 * The DDL guard (src/guard*.c, src/protect.c): event triggers that watch
 * DDL run outside migrations.  What they watch is the managed scope: the
 * schemas in which revisions have run DDL (recorded as revisions run) and
 * the protected objects.  Drift rows are keyed by a random uuid, not a
 * sequence: nextval() in a trigger would replace the session's lastval().
 */
CREATE TABLE migrate.managed_schema (
	name		text PRIMARY KEY,
	since		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	revision	text			-- the revision that first ran DDL in it
);

CREATE TABLE migrate.protected (
	schema_name	text NOT NULL,
	table_name	text NOT NULL,
	column_name	text NOT NULL DEFAULT '',	-- '': the whole table
	reason		text NOT NULL,
	protected_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	protected_by name NOT NULL DEFAULT CURRENT_USER,
	PRIMARY KEY (schema_name, table_name, column_name)
);

CREATE TABLE migrate.drift (
	id			uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
	at			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	role		name NOT NULL,
	application	text NOT NULL DEFAULT '',
	command_tag	text NOT NULL,
	object_type	text,
	object_identity text,
	schema_name	text,
	statement	text,
	blocked		boolean NOT NULL DEFAULT false,
	rule		text,			-- blocked or warned: the rule
	acknowledged_at timestamptz,
	acknowledged_by name,
	note		text
);
CREATE INDEX drift_at_idx ON migrate.drift (at);

-- The schema fingerprint the last upgrade or downgrade left (one row).
CREATE TABLE migrate.fingerprint (
	one			boolean PRIMARY KEY DEFAULT true CHECK (one),
	hash		text NOT NULL,
	taken_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- every change to the scope makes the backends' copies of it stale
CREATE FUNCTION migrate.guard_scope_changed() RETURNS trigger
AS 'MODULE_PATHNAME', 'migrate_guard_scope_changed'
LANGUAGE C;
CREATE TRIGGER guard_scope_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON migrate.managed_schema FOR EACH STATEMENT EXECUTE FUNCTION migrate.guard_scope_changed();
CREATE TRIGGER guard_scope_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON migrate.protected FOR EACH STATEMENT EXECUTE FUNCTION migrate.guard_scope_changed();

SELECT pg_catalog.pg_extension_config_dump('migrate.managed_schema', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.protected', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.drift', '');
SELECT pg_catalog.pg_extension_config_dump('migrate.fingerprint', '');

CREATE FUNCTION migrate.guard_ddl_start() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_guard_ddl_start'
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION migrate.guard_ddl_end() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_guard_ddl_end'
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION migrate.guard_sql_drop() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_guard_sql_drop'
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION migrate.guard_table_rewrite() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_guard_table_rewrite'
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION migrate.guard_ddl_start() FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate.guard_ddl_end() FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate.guard_sql_drop() FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate.guard_table_rewrite() FROM PUBLIC;

-- Named to sort before other event triggers; ALWAYS: also in replica role.
CREATE EVENT TRIGGER migrate_00_guard_ddl_start ON ddl_command_start
	EXECUTE FUNCTION migrate.guard_ddl_start();
CREATE EVENT TRIGGER migrate_00_guard_ddl_end ON ddl_command_end
	EXECUTE FUNCTION migrate.guard_ddl_end();
CREATE EVENT TRIGGER migrate_00_guard_sql_drop ON sql_drop
	EXECUTE FUNCTION migrate.guard_sql_drop();
CREATE EVENT TRIGGER migrate_00_guard_table_rewrite ON table_rewrite
	EXECUTE FUNCTION migrate.guard_table_rewrite();
ALTER EVENT TRIGGER migrate_00_guard_ddl_start ENABLE ALWAYS;
ALTER EVENT TRIGGER migrate_00_guard_ddl_end ENABLE ALWAYS;
ALTER EVENT TRIGGER migrate_00_guard_sql_drop ENABLE ALWAYS;
ALTER EVENT TRIGGER migrate_00_guard_table_rewrite ENABLE ALWAYS;

CREATE FUNCTION @extschema@.migrate_drift(include_acknowledged boolean DEFAULT false)
RETURNS TABLE (id uuid, at timestamptz, role name, application text,
			   command_tag text, object_type text, object_identity text,
			   statement text, blocked boolean, rule text,
			   acknowledged boolean)
AS 'MODULE_PATHNAME', 'migrate_drift'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_drift_ack(ids uuid[] DEFAULT NULL,
											  note text DEFAULT NULL)
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_drift_ack'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_protect(object text, reason text)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_protect'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_unprotect(object text)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_unprotect'
LANGUAGE C VOLATILE;

CREATE FUNCTION @extschema@.migrate_protected()
RETURNS TABLE (object text, reason text, protected_at timestamptz,
			   protected_by name)
AS 'MODULE_PATHNAME', 'migrate_protected'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_managed_schemas()
RETURNS TABLE (schema_name text, since timestamptz, revision text)
AS 'MODULE_PATHNAME', 'migrate_managed_schemas'
LANGUAGE C STABLE;

REVOKE ALL ON FUNCTION @extschema@.migrate_drift_ack(uuid[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_protect(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_unprotect(text) FROM PUBLIC;

-- The allow/approve markers that silenced findings while revisions ran.
CREATE FUNCTION @extschema@.migrate_allowances(revision text DEFAULT NULL)
RETURNS TABLE (revision text, direction text, started_at timestamptz,
			   role name, statement integer, line integer, rule text,
			   marker text, reason text)
AS 'MODULE_PATHNAME', 'migrate_allowances'
LANGUAGE C STABLE;
