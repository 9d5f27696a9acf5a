/* migrate--0.1.0--0.2.0.sql: update of the migrate extension to 0.2.0 */

\echo Use "ALTER EXTENSION migrate UPDATE TO '0.2.0'" to load this file. \quit

/*
 * The DDL guard's event-trigger functions run as the role whose DDL fired
 * them, no longer as the extension's owner: the linter analyses the
 * statement before the command's own permission check, and whatever that
 * analysis resolves or evaluates must have only the caller's rights.  The
 * guard's own bookkeeping still goes through catalog.c, which switches to
 * the owner with search_path pinned.  The pinned search_path stays, for
 * the guard's name lookups (the statement's own names resolve with the
 * caller's path).
 */
ALTER FUNCTION migrate.guard_ddl_start() SECURITY INVOKER;
ALTER FUNCTION migrate.guard_ddl_end() SECURITY INVOKER;
ALTER FUNCTION migrate.guard_sql_drop() SECURITY INVOKER;
ALTER FUNCTION migrate.guard_table_rewrite() SECURITY INVOKER;

/*
 * Progress within a non-transactional revision: the stretches (the runs of
 * statements between COMMITs) that committed, so that a rerun after a
 * failure or a crash resumes at the first one that did not.  Rows of a
 * revision go when its step is recorded; rows of other SQL (checksum) than
 * the revision's now are ignored.
 */
CREATE TABLE migrate.progress (
	revision	text NOT NULL,
	direction	text NOT NULL CHECK (direction IN ('upgrade', 'downgrade')),
	checksum	text NOT NULL,
	stretch		integer NOT NULL CHECK (stretch > 0),
	statements	integer NOT NULL,
	role		name NOT NULL,
	done_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (revision, direction, stretch)
);
SELECT pg_catalog.pg_extension_config_dump('migrate.progress', '');

/*
 * The transaction ids that ran revision SQL: a row whose xmin is one of
 * them was written by a migration, so that the data-dependent safety rules
 * can tell a history's own rows (seed data) from the application's.  Not
 * dumped: a restored row has a new xmin, and counts as the application's.
 */
CREATE TABLE migrate.xact (
	xid			xid8 PRIMARY KEY,
	at			timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- a client's record of a committed stretch of a non-transactional revision
CREATE FUNCTION @extschema@.migrate_progress(revision text, direction text, stretch integer)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_progress'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.migrate_progress(text, text, integer) FROM PUBLIC;
-- whoever may record a client's non-transactional revision may record its
-- progress too
DO $$
DECLARE
	grantee regrole;
BEGIN
	FOR grantee IN
		SELECT a.grantee::regrole
		  FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
		 WHERE p.oid = 'pg_catalog.migrate_record(text, text, integer, interval)'::pg_catalog.regprocedure
		   AND a.privilege_type = 'EXECUTE' AND a.grantee <> 0 AND a.grantee <> p.proowner
	LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.migrate_progress(text, text, integer) TO %s', grantee);
	END LOOP;
END
$$;

-- migrate_lint_revision knows what earlier revisions, not applied yet, create
DROP FUNCTION @extschema@.migrate_lint_revision(text, text, boolean, boolean);
CREATE FUNCTION @extschema@.migrate_lint_revision(
	upgrade text,
	downgrade text DEFAULT NULL,
	transactional boolean DEFAULT true,
	live boolean DEFAULT true,
	earlier text[] DEFAULT NULL)
RETURNS TABLE (section text, rule text, severity text, statement integer,
			   line integer, message text, hint text)
AS 'MODULE_PATHNAME', 'migrate_lint_revision'
LANGUAGE C VOLATILE;
/*
 * A downgrade that would drop data the application wrote is refused
 * unless the caller consents: drop_data => true runs the call with
 * migrate.drop_data = on.  An overload, so that the grants of
 * migrate_downgrade(text) stay as they are.
 */
CREATE FUNCTION @extschema@.migrate_downgrade(target text, drop_data boolean)
RETURNS TABLE (step integer, revision text, message text,
			   statements integer, duration interval)
AS 'MODULE_PATHNAME', 'migrate_downgrade'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.migrate_downgrade(text, boolean) FROM PUBLIC;

-- The findings that would stop a plan, judged now: for dry runs.
CREATE FUNCTION @extschema@.migrate_preview(target text, direction text DEFAULT 'upgrade')
RETURNS TABLE (revision text, statement integer, line integer, rule text,
			   severity text, message text, hint text)
AS 'MODULE_PATHNAME', 'migrate_preview'
LANGUAGE C VOLATILE;

/*
 * The folder and the database agree: how a revision file compares with
 * the stored revision, and forgetting an unapplied revision (logged with
 * direction "forget").
 */
CREATE FUNCTION @extschema@.migrate_file_state(script text, id text DEFAULT NULL)
RETURNS TABLE (revision text, state text, applied boolean)
AS 'MODULE_PATHNAME', 'migrate_file_state'
LANGUAGE C STABLE;

CREATE FUNCTION @extschema@.migrate_forget(id text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_forget'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.migrate_forget(text) FROM PUBLIC;

ALTER TABLE migrate.log DROP CONSTRAINT log_direction_check;
ALTER TABLE migrate.log ADD CONSTRAINT log_direction_check
	CHECK (direction IN ('upgrade', 'downgrade', 'forget'));

/*
 * Squashed revisions: a revision whose file says "-- migrate:replaces A B
 * ..." stands for those revisions.  One row per replaced id, so that files
 * that still name a replaced id as parent or dependency load onto the
 * squashed revision, and a replaced file loaded again is refused.
 */
CREATE TABLE migrate.replaced (
	revision	text PRIMARY KEY,
	replaced_by	text NOT NULL,
	replaced_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX replaced_replaced_by_idx ON migrate.replaced (replaced_by);
SELECT pg_catalog.pg_extension_config_dump('migrate.replaced', '');

/*
 * "Everything is applied": a row that a no-op upgrade to head or heads
 * writes once it has read the whole graph, and that every change to the
 * graph or the applied set deletes (migrate.catalog_changed), so that the
 * next no-op upgrade on a fresh connection answers from it without reading
 * the graph.  Not dumped: a restored database computes it again.
 */
CREATE TABLE migrate.settled (
	one			boolean PRIMARY KEY DEFAULT true CHECK (one),
	heads		integer NOT NULL CHECK (heads > 0),
	settled_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);

/*
 * Line numbers are file lines: where each section's SQL starts in its
 * revision file, so that errors, plans and previews name the line of the
 * file (1 for revisions that did not come from a file, and for those
 * loaded before this version until their file is loaded again).
 */
ALTER TABLE migrate.revision
	ADD COLUMN upgrade_line integer NOT NULL DEFAULT 1 CHECK (upgrade_line OPERATOR(pg_catalog.>) 0),
	ADD COLUMN downgrade_line integer NOT NULL DEFAULT 1 CHECK (downgrade_line OPERATOR(pg_catalog.>) 0);

-- The run log for people and pg_migrate log: what ran when, by whom, how
-- long, and how it ended.
CREATE FUNCTION @extschema@.migrate_log(revision text DEFAULT NULL, count integer DEFAULT NULL)
RETURNS TABLE (id bigint, revision text, direction text, stamped boolean,
			   role name, started_at timestamptz, duration interval,
			   statements integer, outcome text, failed_statement integer,
			   sqlstate text, error text)
AS 'MODULE_PATHNAME', 'migrate_log'
LANGUAGE C STABLE;

/*
 * Tables that hold only the history's own rows (seed data) although some
 * of them were updated: right before a migration's INSERT, UPDATE, DELETE
 * or MERGE, a table whose rows all came from migrations is marked here, and
 * one that holds other rows is unmarked, so that the rows a migration then
 * updates count as the history's own, while the application's rows that a
 * migration updates do not.  By relation OID: not dumped (a restored
 * database has other OIDs and no migrate.xact).
 */
CREATE TABLE migrate.seed_table (
	relid		oid PRIMARY KEY,
	marked_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);

/*
 * Impact analysis: what depends on a schema, a table or a column (the
 * object itself first, depth 0), with the path of dependence, sizes, the
 * protection and the revisions that created or changed it.
 */
CREATE FUNCTION @extschema@.migrate_impact(object text)
RETURNS TABLE (depth integer, kind text, object text, path text, detail text,
			   rows bigint, size bigint, protected boolean,
			   protected_reason text, revisions text[])
AS 'MODULE_PATHNAME', 'migrate_impact'
LANGUAGE C STABLE;

/*
 * The stairway test: upgrade, downgrade, upgrade each unapplied revision
 * up to the target inside a subtransaction that is always rolled back,
 * comparing the schemas and the rows before the upgrade and after the
 * downgrade.  Runs revision SQL as the caller: not granted to PUBLIC.
 */
CREATE FUNCTION @extschema@.migrate_verify(target text DEFAULT 'heads')
RETURNS TABLE (step integer, revision text, status text, left_behind text[],
			   removed text[], data text[], upgrade_locks text[],
			   downgrade_locks text[], rewritten text[], sqlstate text,
			   statement text, message text, note text)
AS 'MODULE_PATHNAME', 'migrate_verify'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.migrate_verify(text) FROM PUBLIC;
-- granted at the end of this script to whoever may upgrade

/*
 * Effects: what each revision actually created, altered and dropped (the
 * cascade's victims marked), as the DDL guard's event triggers saw it,
 * logged with the revision; migrate_show gives the last run's.
 */
ALTER TABLE migrate.log ADD COLUMN effects jsonb;
DROP FUNCTION @extschema@.migrate_show(text);
CREATE FUNCTION @extschema@.migrate_show(id text)
RETURNS TABLE (revision text, parents text[], depends_on text[],
			   branch_labels text[], message text, transactional boolean,
			   checksum text, created_at timestamptz, created_by name,
			   applied boolean, applied_at timestamptz, markers text,
			   upgrade text, downgrade text, effects jsonb)
AS 'MODULE_PATHNAME', 'migrate_show'
LANGUAGE C STABLE STRICT;

/*
 * Autogenerate: the changes that take the live schemas (default: the
 * managed ones) to those the DDL script "desired" creates, one row each in
 * the order the upgrade runs them, with what undoes each.  The script runs
 * as the caller in a subtransaction that is always rolled back.
 */
CREATE FUNCTION @extschema@.migrate_diff(desired text, schemas text[] DEFAULT NULL)
RETURNS TABLE (ordinal integer, phase text, transactional boolean, kind text,
			   object text, upgrade text, downgrade text, finding text, hint text)
AS 'MODULE_PATHNAME', 'migrate_diff'
LANGUAGE C VOLATILE;
-- the schema fingerprint of the managed schemas as they are now
CREATE FUNCTION @extschema@.migrate_fingerprint()
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_fingerprint'
LANGUAGE C STABLE;

/*
 * Fleets: pg_migrate upgrade --atomic over many databases, with two-phase
 * commit.  Each database's transaction records itself as a member of the
 * fleet run before PREPARE TRANSACTION 'migrate_<fleet>_<member>_<members>';
 * a member's row is visible once it committed, which tells pg_migrate
 * fleet recover that the fleet's decision was to commit.  migrate_check
 * reports the prepared transactions still in doubt.
 */
CREATE TABLE migrate.fleet_member (
	fleet		text NOT NULL,
	member		integer NOT NULL CHECK (member > 0),
	members		integer NOT NULL CHECK (members >= member),
	prepared_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	prepared_by	name NOT NULL DEFAULT CURRENT_USER,
	PRIMARY KEY (fleet, member)
);
SELECT pg_catalog.pg_extension_config_dump('migrate.fleet_member', '');

CREATE FUNCTION @extschema@.migrate_fleet_member(fleet text, member integer, members integer)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_fleet_member'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.migrate_fleet_member(text, integer, integer) FROM PUBLIC;

CREATE FUNCTION @extschema@.migrate_fleet_members(fleets text[])
RETURNS TABLE (fleet text, member integer, members integer)
AS 'MODULE_PATHNAME', 'migrate_fleet_members'
LANGUAGE C STABLE;

-- granted at the end of this script to whoever may upgrade

/*
 * Whoever may upgrade may verify (the same SQL runs, as the caller) and
 * take part in an atomic fleet run.
 */
DO $$
DECLARE
	grantee regrole;
	fn text;
BEGIN
	FOR grantee IN
		SELECT a.grantee::regrole
		  FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
		 WHERE p.oid = 'pg_catalog.migrate_upgrade(text)'::pg_catalog.regprocedure
		   AND a.privilege_type = 'EXECUTE' AND a.grantee <> 0 AND a.grantee <> p.proowner
	LOOP
		FOREACH fn IN ARRAY ARRAY['migrate_verify(text)',
								  'migrate_fleet_member(text, integer, integer)']
		LOOP
			EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.%s TO %s', fn, grantee);
		END LOOP;
	END LOOP;
END
$$;

/*
 * Commit points: migrate_plan says before which revisions a runner that
 * can commit between revisions (pg_migrate) should commit, because the
 * revision needs what an earlier one of the same transaction did committed
 * (an enum value it added, a table it altered before a VALIDATE).
 */
DROP FUNCTION @extschema@.migrate_plan(text, text);
CREATE FUNCTION @extschema@.migrate_plan(target text, direction text DEFAULT 'upgrade')
RETURNS TABLE (step integer, revision text, message text,
			   transactional boolean, statements text[], lines integer[],
			   commit_before text)
AS 'MODULE_PATHNAME', 'migrate_plan'
LANGUAGE C STABLE;

/*
 * The effects of each committed stretch of a non-transactional revision
 * that a worker or a client ran, as the guard's event triggers saw them
 * there; gathered into the revision's migrate.log row when it is recorded.
 */
ALTER TABLE migrate.progress ADD COLUMN effects jsonb;

/*
 * The folder last loaded: pg_migrate sends a digest of its folder's files
 * (names, ids, texts) before the files, and loads them one by one only
 * when it differs from the one noted here.  migrate_note_folder notes it
 * in the transaction that loads the folder, under migrate's lock; every
 * later change of the revisions (not of the applied set) deletes the note
 * (migrate.catalog_changed), so that a note stands for "loading that
 * folder again changes nothing".  Not dumped: a restored database loads
 * the folder once more.
 */
CREATE TABLE migrate.loaded_folder (
	one			boolean PRIMARY KEY DEFAULT true CHECK (one),
	digest		text NOT NULL,
	loaded_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE FUNCTION @extschema@.migrate_folder_loaded(digest text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'migrate_folder_loaded'
LANGUAGE C STABLE STRICT;

CREATE FUNCTION @extschema@.migrate_note_folder(digest text)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_note_folder'
LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION @extschema@.migrate_note_folder(text) FROM PUBLIC;

-- whoever may load may note the folder it loaded
DO $$
DECLARE
	grantee regrole;
BEGIN
	FOR grantee IN
		SELECT a.grantee::regrole
		  FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
		 WHERE p.oid = 'pg_catalog.migrate_load_file(text, text)'::pg_catalog.regprocedure
		   AND a.privilege_type = 'EXECUTE' AND a.grantee <> 0 AND a.grantee <> p.proowner
	LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.migrate_note_folder(text) TO %s', grantee);
	END LOOP;
END
$$;
