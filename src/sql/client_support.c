/*-------------------------------------------------------------------------
 *
 * client_support.c
 *	  What the pg_migrate client needs from the server to run plans that
 *	  contain non-transactional revisions, and the graph as Graphviz DOT.
 *
 * migrate_load_file is migrate_load that leaves an unchanged file alone,
 * for a client that sends the whole folder on every run.  Before it sends
 * the files, the client asks migrate_folder_loaded whether the digest of
 * its folder is the one noted by the last load (migrate_note_folder), with
 * no change of the revisions since: then loading would change nothing.
 *
 * A function cannot run CREATE INDEX CONCURRENTLY and friends, so the
 * client runs such a revision itself, at top level, statement by
 * statement.  It asks migrate_plan for the ordered plan (with the
 * statements of each non-transactional revision, split by the server's
 * parser), runs the transactional stretches of it with migrate_steps (each
 * one transaction, through the executor), runs each non-transactional
 * revision itself and then records it with migrate_record.  Meanwhile it
 * holds migrate's advisory lock at session level (migrate_lock_session), so
 * that no other runner moves the applied set between the steps: the same
 * lock key as the transaction-level lock of CatalogLock, which a session
 * that holds it at session level is always granted again.
 *
 * A client-run CREATE INDEX CONCURRENTLY that was interrupted (a crash, a
 * terminated session) leaves an invalid index behind, which makes the
 * same statement fail when the revision runs again: before it, the client
 * asks migrate_leftover_index for such an index, the same check as the
 * background worker's (worker.c), and drops it at top level.
 *
 * migrate_steps and migrate_record check every step against the applied
 * set under the lock: an upgrade step needs its parents and dependencies
 * applied, a downgrade step needs no applied child or dependent.  Given
 * that, the executor's plan for the one revision is the revision alone.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "migrate/analysis/lint.h"
#include "migrate/catalog/catalog.h"
#include "migrate/exec/register.h"
#include "migrate/exec/executor.h"
#include "migrate/exec/worker.h"
#include "migrate/model/commit_point.h"
#include "migrate/model/revfile.h"
#include "migrate/model/sqltext.h"
#include "migrate/model/target.h"
#include "migrate/sql/client_support.h"
#include "migrate/sql/functions.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/runner.h"
#include "migrate/util/textarray.h"

PG_FUNCTION_INFO_V1(migrate_load_file);
PG_FUNCTION_INFO_V1(migrate_file_state);
PG_FUNCTION_INFO_V1(migrate_folder_loaded);
PG_FUNCTION_INFO_V1(migrate_note_folder);
PG_FUNCTION_INFO_V1(migrate_plan);
PG_FUNCTION_INFO_V1(migrate_preview);
PG_FUNCTION_INFO_V1(migrate_steps);
PG_FUNCTION_INFO_V1(migrate_record);
PG_FUNCTION_INFO_V1(migrate_progress);
PG_FUNCTION_INFO_V1(migrate_lock_session);
PG_FUNCTION_INFO_V1(migrate_unlock_session);
PG_FUNCTION_INFO_V1(migrate_graph);
PG_FUNCTION_INFO_V1(migrate_leftover_index);

static bool direction_arg(FunctionCallInfo fcinfo, int n);
static int	find_exact(RevisionGraph *g, const char *id);
static bool *applied_set(RevisionGraph *g);
static void check_step(RevisionGraph *g, int node, bool upgrade, bool *state);
static void dot_string(StringInfo buf, const char *s);
static bool same_strings(List *a, List *b);
static char *client_stretch(const char *id, bool upgrade, SqlStretch *stretch);
static void approve_stretch(const char *query, SqlStretch *stretch,
							List *approved);

/* A direction argument: true for 'upgrade', false for 'downgrade'. */
static bool
direction_arg(FunctionCallInfo fcinfo, int n)
{
	char	   *direction;

	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("direction cannot be NULL")));
	direction = text_to_cstring(PG_GETARG_TEXT_PP(n));
	if (strcmp(direction, "upgrade") == 0)
		return true;
	if (strcmp(direction, "downgrade") == 0)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid direction \"%s\"", direction),
			 errhint("Write \"upgrade\" or \"downgrade\".")));
	return false;				/* not reached */
}

/* The node of a full revision id; no prefixes or labels here. */
static int
find_exact(RevisionGraph *g, const char *id)
{
	int			node = GraphFind(g, id);

	if (node < 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_UNDEFINED_REVISION),
				 errmsg("revision \"%s\" does not exist", id),
				 errhint("migrate_plan() gives the full ids of the revisions to run.")));
	return node;
}

/* The applied flags of the graph, as a set the caller may change. */
static bool *
applied_set(RevisionGraph *g)
{
	bool	   *state = GraphNewSet(g);

	for (int i = 0; i < g->nnodes; i++)
		state[i] = g->nodes[i].applied;
	return state;
}

/*
 * Check that node can be applied (upgrade) or unapplied (downgrade) alone
 * in the applied set "state", and update state as if it were.
 */
static void
check_step(RevisionGraph *g, int node, bool upgrade, bool *state)
{
	RevisionNode *r = &g->nodes[node];

	if (upgrade)
	{
		if (state[node])
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_INVALID_UPGRADE),
					 errmsg("revision \"%s\" is already applied", r->id)));
		for (int i = 0; i < r->nparents; i++)
			if (!state[r->parents[i]])
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_INVALID_UPGRADE),
						 errmsg("revision \"%s\" cannot be applied before its parent \"%s\"",
								r->id, g->nodes[r->parents[i]].id),
						 errhint("Run the revisions in the order migrate_plan() gives.")));
		for (int i = 0; i < r->ndeps; i++)
			if (!state[r->deps[i]])
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_INVALID_UPGRADE),
						 errmsg("revision \"%s\" cannot be applied before its dependency \"%s\"",
								r->id, g->nodes[r->deps[i]].id),
						 errhint("Run the revisions in the order migrate_plan() gives.")));
	}
	else
	{
		if (!state[node])
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_INVALID_DOWNGRADE),
					 errmsg("revision \"%s\" is not applied", r->id)));
		for (int i = 0; i < r->nchildren; i++)
			if (state[r->children[i]])
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_INVALID_DOWNGRADE),
						 errmsg("revision \"%s\" cannot be unapplied before its child \"%s\"",
								r->id, g->nodes[r->children[i]].id),
						 errhint("Run the revisions in the order migrate_plan() gives.")));
		for (int i = 0; i < r->ndependents; i++)
			if (state[r->dependents[i]])
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_INVALID_DOWNGRADE),
						 errmsg("revision \"%s\" cannot be unapplied before revision \"%s\", which depends on it",
								r->id, g->nodes[r->dependents[i]].id),
						 errhint("Run the revisions in the order migrate_plan() gives.")));
	}
	state[node] = upgrade;
}

/* Are the two Lists of C strings equal, in order? */
static bool
same_strings(List *a, List *b)
{
	ListCell   *la,
			   *lb;

	if (list_length(a) != list_length(b))
		return false;
	forboth(la, a, lb, b)
		if (strcmp(lfirst(la), lfirst(lb)) != 0)
		return false;
	return true;
}

/*
 * The query a client runs for a stretch of a non-transactional revision:
 * its statements, and, when all of them can run in a transaction block,
 * the call that records the stretch as committed, so that the simple query
 * runs all of it in one implicit transaction.  A stretch that cannot (a
 * CONCURRENTLY build) runs alone; a later stretch's record counts for it,
 * and migrate_record clears the progress once the revision is recorded.
 */
static char *
client_stretch(const char *id, bool upgrade, SqlStretch *stretch)
{
	char	   *text = SqlStretchText(stretch);

	if (!SqlStretchTransactional(stretch))
		return text;
	return psprintf("%sSELECT pg_catalog.migrate_progress(%s, '%s', %d);\n",
					text, quote_literal_cstr(id),
					upgrade ? "upgrade" : "downgrade", stretch->number);
}

/*
 * Let the runner session change protected objects with the statements of
 * this stretch that carry the approval, while it runs the stretch's query.
 */
static void
approve_stretch(const char *query, SqlStretch *stretch, List *approved)
{
	List	   *trees = NIL;
	ListCell   *lc;

	foreach(lc, stretch->statements)
		if (list_member_ptr(approved, lfirst(lc)))
			trees = lappend(trees, ((SqlStatement *) lfirst(lc))->parsetree);
	if (trees == NIL)
		return;
	/* one statement: DDL it runs indirectly (a DO block) too */
	RunnerSessionApprove(query, list_length(stretch->statements) == 1 ? NIL : trees);
}

/* Does the stored revision id start its sections where the file does? */
static bool
same_lines(const char *id, RevisionSpec *spec)
{
	int			up;
	int			down;

	CatalogSectionLines(id, &up, &down);
	return up == Max(spec->upgrade_line, 1) && down == Max(spec->downgrade_line, 1);
}

/*
 * A revision file's spec under migrate_load's id rules (the file's own id,
 * else "id", else the start of its checksum; a file with an id and no
 * parents line is a root), with the ids that a squash replaced standing for
 * the squash.
 */
static RevisionSpec *
file_spec(const char *script, const char *id)
{
	RevisionSpec *spec = RevisionFileParse(script);

	if (spec->id != NULL)
		spec->parents_given = true; /* absent parents: a root */
	else
		spec->id = id ? pstrdup(id) :
			pnstrdup(SqlChecksum(spec->upgrade, spec->downgrade), 12);
	RegisterMapReplaced(spec);
	return spec;
}

/*
 * How the stored revision "old" (NULL: none) compares with a file's spec:
 * "absent"; "same" (stored exactly as the file says: SQL text, comments and
 * markers included, message, flag, labels, parents, dependencies, section
 * lines); "changed" (its SQL as the checksum sees it, its parents,
 * dependencies or transactional flag differ: an applied revision cannot
 * take that); or "edited" (only its message, labels, comments, markers or
 * lines differ).  "same" is decided first, by comparing texts, so that the
 * common case costs no checksum.
 */
static const char *
stored_state(RevisionSpec *spec, CatalogRevision *old)
{
	if (old == NULL)
		return "absent";
	if (strcmp(old->upgrade, spec->upgrade) == 0 &&
		strcmp(old->downgrade, spec->downgrade) == 0 &&
		strcmp(old->message, spec->message) == 0 &&
		old->transactional == spec->transactional &&
		same_strings(old->labels, spec->labels) &&
		(!spec->parents_given || same_strings(old->parents, spec->parents)) &&
		same_strings(old->depends_on, spec->depends_on) &&
		same_lines(old->id, spec))
		return "same";
	if (strcmp(old->checksum, SqlChecksum(spec->upgrade, spec->downgrade)) != 0 ||
		old->transactional != spec->transactional ||
		(spec->parents_given && !same_strings(old->parents, spec->parents)) ||
		!same_strings(old->depends_on, spec->depends_on))
		return "changed";
	return "edited";
}

/*
 * migrate_load_file(script text, id text DEFAULT NULL) RETURNS text
 *
 * migrate_load for a client that sends a whole folder on every run: a file
 * whose revision is already stored exactly as the file says (the same SQL
 * text, comments and markers included, message, flag, labels, parents and
 * dependencies, written as full ids) is left alone, without the lock, the
 * checks and the writes of migrate_load; any other file goes through
 * migrate_load's path, which takes every change of an unapplied revision
 * and, of an applied one, the changes that leave its checksum alone
 * (comments, "-- migrate:allow" and "-- migrate:approve" markers).  The id
 * rules are migrate_load's.  Returns the revision's id.
 */
Datum
migrate_load_file(PG_FUNCTION_ARGS)
{
	RevisionSpec *spec;
	char	   *id = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	CatalogRevision *old;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision file text cannot be NULL")));
	spec = file_spec(text_to_cstring(PG_GETARG_TEXT_PP(0)), id);
	if (id != NULL && strcmp(id, spec->id) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revision file says \"%s\" but \"%s\" was given as id",
						spec->id, id)));
	old = GraphValidId(spec->id) ? CatalogGetRevision(spec->id) : NULL;
	if (strcmp(stored_state(spec, old), "same") == 0)
		PG_RETURN_TEXT_P(cstring_to_text(old->id));
	PG_RETURN_TEXT_P(cstring_to_text(RegisterRevision(spec, true)));
}

/*
 * migrate_file_state(script text, id text DEFAULT NULL) RETURNS
 *	 (revision text, state text, applied boolean)
 *
 * How a revision file compares with the database, without loading it:
 * "absent" (no such revision), "same" (stored exactly as the file says,
 * as migrate_load_file decides), "changed" (its SQL, as the checksum sees
 * it, its parents, dependencies or transactional flag differ: an applied
 * revision cannot take that), or "edited" (only its message, labels,
 * comments or markers differ: a load takes them).  The id rules are
 * migrate_load_file's.  Takes no lock, writes nothing.
 */
Datum
migrate_file_state(PG_FUNCTION_ARGS)
{
	RevisionSpec *spec;
	char	   *id = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	CatalogRevision *old;
	const char *state;
	ReturnSetInfo *rsinfo;
	Datum		values[3];
	bool		nulls[3] = {0};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision file text cannot be NULL")));
	spec = file_spec(text_to_cstring(PG_GETARG_TEXT_PP(0)), id);
	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	old = GraphValidId(spec->id) ? CatalogGetRevision(spec->id) : NULL;
	state = stored_state(spec, old);
	values[0] = CStringGetTextDatum(spec->id);
	values[1] = CStringGetTextDatum(state);
	values[2] = BoolGetDatum(old != NULL && old->applied);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

/*
 * migrate_folder_loaded(digest text) RETURNS boolean
 *
 * Is digest the one that migrate_note_folder noted, with no change of the
 * revisions since?  Then loading that folder again changes nothing.  The
 * digest is the client's (pg_migrate hashes the names and texts of the
 * files); the server only compares it.  Takes no lock, writes nothing.
 */
Datum
migrate_folder_loaded(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CatalogFolderLoaded(text_to_cstring(PG_GETARG_TEXT_PP(0))));
}

/*
 * migrate_note_folder(digest text) RETURNS void
 *
 * Note that this transaction loads the folder of this digest: called in
 * the transaction of the load, before the files; takes migrate's lock.
 * What this transaction changes in the revisions afterwards counts as the
 * load of that folder; any later change of the revisions forgets the note.
 */
Datum
migrate_note_folder(PG_FUNCTION_ARGS)
{
	char	   *digest;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("folder digest cannot be NULL")));
	digest = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (digest[0] == '\0' || strlen(digest) > 256)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid folder digest"),
				 errdetail("A folder digest has 1 to 256 characters, not %zu.",
						   strlen(digest))));
	CatalogNoteFolder(digest);
	PG_RETURN_VOID();
}

/*
 * migrate_plan(target text, direction text DEFAULT 'upgrade') RETURNS SETOF
 *	 (step, revision, message, transactional, statements text[],
 *	  lines integer[], commit_before text)
 *
 * The revisions that migrate_upgrade (or migrate_downgrade) would run for
 * target, in order.  For a non-transactional revision, its statements as
 * the executor splits them, and the line of each in the revision's SQL;
 * NULL for the others.  commit_before: why a runner that can commit
 * between revisions should commit before this one (model/commit_point.c),
 * or NULL.  Takes no lock: a runner takes migrate_lock_session
 * first.  The statements that carry an approval of protected-object-change
 * are the ones this session may then run on protected objects (guard.c).
 */
Datum
migrate_plan(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	RevisionGraph *g;
	Target	   *t;
	char	   *target;
	bool		upgrade;
	int		   *plan;
	char	  **scripts = NULL;
	char	  **commit_before = NULL;
	int			n;
	int			nnt = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target cannot be NULL")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	upgrade = direction_arg(fcinfo, 1);
	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	/* everything applied, as migrate.settled says: no graph to read */
	if (upgrade && TargetNamesHeads(target))
	{
		int			heads = CatalogSettledHeads();

		if (heads == 1 || (heads > 1 && strcmp(target, "heads") == 0))
			return (Datum) 0;
	}

	g = CatalogLoadGraph(false);
	t = TargetResolve(g, target);
	plan = upgrade ? PlanUpgrade(g, t, &n) : PlanDowngrade(g, t, false, &n);

	/*
	 * A runner that holds the lock and has nothing to do notes that
	 * everything is applied, as a no-op migrate_upgrade does.
	 */
	if (upgrade && n == 0 && TargetNamesHeads(target) && CatalogSessionLockHeld())
		PlanNoteSettled(g);

	/*
	 * The scripts: of the non-transactional revisions, to hand out their
	 * statements; of all, for the commit points, when there are several.
	 */
	for (int i = 0; i < n; i++)
		nnt += !g->nodes[plan[i]].transactional;
	if (n > 1 || nnt > 0)
	{
		const char **ids = palloc(sizeof(char *) * n);
		bool	   *transactional = palloc(sizeof(bool) * n);

		for (int i = 0; i < n; i++)
		{
			ids[i] = g->nodes[plan[i]].id;
			transactional[i] = g->nodes[plan[i]].transactional;
		}
		scripts = palloc0(sizeof(char *) * n);
		CatalogGetScripts(ids, n, upgrade ? scripts : NULL,
						  upgrade ? NULL : scripts, NULL, false);
		commit_before = CommitPoints(n, ids, scripts, transactional);
	}

	for (int i = 0; i < n; i++)
	{
		RevisionNode *r = &g->nodes[plan[i]];
		Datum		values[7];
		bool		nulls[7] = {0};

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(r->id);
		values[2] = CStringGetTextDatum(r->message);
		values[3] = BoolGetDatum(r->transactional);
		nulls[4] = nulls[5] = r->transactional;
		if (!r->transactional)
		{
			List	   *statements;
			List	   *approved;
			ListCell   *lc;
			List	   *texts = NIL;
			Datum	   *lines;
			int			j = 0;
			int			done;

			statements = SqlSplit(scripts[i],
								  psprintf("%s SQL of revision \"%s\"",
										   upgrade ? "upgrade" : "downgrade",
										   r->id));
			approved = LintApprovedStatements(scripts[i], statements,
											  "protected-object-change");
			done = CatalogProgress(r->id, upgrade, SqlChecksum(scripts[i], ""));
			lines = palloc(sizeof(Datum) * Max(list_length(statements), 1));
			foreach(lc, SqlStretches(statements))
			{
				SqlStretch *stretch = lfirst(lc);
				char	   *query;

				if (stretch->number <= done)
					continue;	/* an earlier run committed it */
				query = client_stretch(r->id, upgrade, stretch);
				approve_stretch(query, stretch, approved);
				texts = lappend(texts, query);
				lines[j++] = Int32GetDatum(((SqlStatement *) linitial(stretch->statements))->line +
										   CatalogSectionLine(r->id, upgrade) - 1);
			}
			values[4] = TextArrayFromList(texts);
			values[5] = PointerGetDatum(construct_array(lines, j, INT4OID, 4,
														true, TYPALIGN_INT));
		}
		if (commit_before && commit_before[i])
			values[6] = CStringGetTextDatum(commit_before[i]);
		else
			nulls[6] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate_progress(revision text, direction text, stretch integer) RETURNS
 * void
 *
 * Record that a stretch of a non-transactional revision committed, with
 * the transaction that ran it (the client's stretch query ends with this
 * call, so both commit together), and with the effects of the DDL this
 * session ran since the last record (a CONCURRENTLY stretch before it has
 * no record of its own).  Needs the session lock, as the client
 * that planned the stretch holds it.
 */
Datum
migrate_progress(PG_FUNCTION_ARGS)
{
	char	   *id;
	bool		upgrade;
	const char *ids[1];
	char	   *script[1];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision and stretch cannot be NULL")));
	id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	upgrade = direction_arg(fcinfo, 1);
	if (!CatalogSessionLockHeld())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migrate_progress needs migrate's session lock"),
				 errhint("Call migrate_lock_session() first, as a runner that planned the stretch with migrate_plan() does.")));
	ids[0] = id;
	CatalogGetScripts(ids, 1, upgrade ? script : NULL, upgrade ? NULL : script,
					  NULL, false);
	CatalogRecordMigrationXids();
	CatalogRecordProgress(id, upgrade, SqlChecksum(script[0], ""),
						  PG_GETARG_INT32(2), 0, RunnerOutsideEffectsTake());
	PG_RETURN_VOID();
}

/*
 * migrate_preview(target text, direction text DEFAULT 'upgrade') RETURNS
 *	 SETOF (revision, statement, line, rule, severity, message, hint)
 *
 * The findings that would stop the plan migrate_plan gives, judged against
 * the catalogs as they are now, statement by statement as the executor
 * judges them right before each runs (what earlier revisions of the plan
 * create counts as created; at a commit point, what came before counts as
 * committed, as pg_migrate runs the plan).  For a dry run: runs nothing and takes no
 * advisory lock; the tables it looks at are locked ACCESS SHARE until the
 * end of the transaction.  Markers and migrate.drop_data count as when the
 * plan runs.
 */
Datum
migrate_preview(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	RevisionGraph *g;
	Target	   *t;
	bool		upgrade;
	int		   *nodes;
	int			n;
	MigrationPlan *plan;
	ListCell   *lc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target cannot be NULL")));
	upgrade = direction_arg(fcinfo, 1);
	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	g = CatalogLoadGraph(false);
	t = TargetResolve(g, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	nodes = upgrade ? PlanUpgrade(g, t, &n) : PlanDowngrade(g, t, false, &n);
	plan = PlanPrepare(g, nodes, n, upgrade, NULL);
	PlanMarkCommitPoints(plan);
	foreach(lc, LintPlan(plan, false))
	{
		LintPlanFinding *pf = lfirst(lc);
		Datum		values[7];
		bool		nulls[7] = {0};

		values[0] = CStringGetTextDatum(pf->revision);
		values[1] = Int32GetDatum(pf->finding->statement);
		values[2] = Int32GetDatum(pf->finding->line +
								  CatalogSectionLine(pf->revision, upgrade) - 1);
		values[3] = CStringGetTextDatum(pf->finding->rule);
		values[4] = CStringGetTextDatum(LintSeverityName(pf->finding->severity));
		values[5] = CStringGetTextDatum(pf->finding->message);
		values[6] = CStringGetTextDatum(pf->finding->hint);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate_steps(revisions text[], direction text) RETURNS SETOF
 *	 (step, revision, message, statements, duration)
 *
 * Apply (or unapply) exactly the given revisions, in the given order, in
 * one transaction, each through the executor.  Each must be transactional
 * and runnable in turn (see check_step).  Takes the migrate lock.
 */
Datum
migrate_steps(PG_FUNCTION_ARGS)
{
	RevisionGraph *g;
	List	   *ids;
	ListCell   *lc;
	bool		upgrade;
	bool	   *state;
	int		   *nodes;
	CatalogStep *steps;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revisions cannot be NULL")));
	ids = TextArrayToList(PG_GETARG_ARRAYTYPE_P(0), "revisions");
	upgrade = direction_arg(fcinfo, 1);
	InitMaterializedSRF(fcinfo, 0);

	CatalogLock();
	g = CatalogLoadGraph(false);
	state = applied_set(g);
	nodes = palloc(sizeof(int) * Max(list_length(ids), 1));
	foreach(lc, ids)
	{
		int			node = find_exact(g, lfirst(lc));
		RevisionNode *r = &g->nodes[node];

		if (!r->transactional)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_NON_TRANSACTIONAL),
					 errmsg("revision \"%s\" is not transactional", r->id),
					 errdetail("migrate_steps runs its revisions in one transaction."),
					 errhint("Run its statements outside a transaction block, then record it with migrate_record('%s', '%s').",
							 r->id, upgrade ? "upgrade" : "downgrade")));
		check_step(g, node, upgrade, state);
		nodes[foreach_current_index(lc)] = node;
	}

	/* each step checked against the state its predecessors leave: run all */
	steps = ExecuteRevisions(PlanPrepare(g, nodes, list_length(ids), upgrade,
										 NULL),
							 0, list_length(ids));
	ReturnStepRows(fcinfo, steps, list_length(ids));
	return (Datum) 0;
}

/*
 * migrate_record(revision text, direction text, statements integer,
 *				  duration interval) RETURNS text
 *
 * Record that the client ran a non-transactional revision's upgrade (or
 * downgrade) SQL: the applied set and the log change as if the executor
 * had run it, with the effects of its statements (recorded with its
 * stretches by migrate_progress, and those this session ran since).  The
 * revision must be runnable alone (see check_step).
 * Takes the migrate lock.  Returns the revision's id.
 */
Datum
migrate_record(PG_FUNCTION_ARGS)
{
	RevisionGraph *g;
	int			node;
	RevisionNode *r;
	bool		upgrade;
	CatalogStep step = {0};
	Interval   *duration;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision cannot be NULL")));
	upgrade = direction_arg(fcinfo, 1);

	CatalogLock();
	g = CatalogLoadGraph(false);
	node = find_exact(g, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	r = &g->nodes[node];
	if (r->transactional)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revision \"%s\" is transactional", r->id),
				 errdetail("migrate_record is for revisions that must run outside a transaction block."),
				 errhint("Use migrate_steps() to run it, or migrate_stamp() to record it without running it.")));
	check_step(g, node, upgrade, applied_set(g));

	duration = PG_ARGISNULL(3) ? NULL : PG_GETARG_INTERVAL_P(3);
	step.id = r->id;
	step.message = r->message;
	step.upgrade = upgrade;
	step.stamped = false;
	step.statements = PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2);
	step.duration_us = duration ? Max(duration->time, 0) : 0;
	step.started_at = GetCurrentTimestamp() - step.duration_us;
	{
		const char *ids[1] = {r->id};
		char	   *script[1];

		CatalogGetScripts(ids, 1, upgrade ? script : NULL, upgrade ? NULL : script,
					  NULL, false);
		step.effects = CatalogProgressEffects(r->id, upgrade,
											  SqlChecksum(script[0], ""),
											  RunnerOutsideEffectsTake());
	}
	CatalogRecordSteps(&step, 1);
	CatalogClearProgress(r->id);
	PG_RETURN_TEXT_P(cstring_to_text(r->id));
}

/*
 * migrate_lock_session() RETURNS void
 *
 * Take migrate's advisory lock at session level, waiting for it (under the
 * session's lock_timeout): every other session's mutating call waits until
 * migrate_unlock_session() or the end of the session.
 */
Datum
migrate_lock_session(PG_FUNCTION_ARGS)
{
	CatalogSessionLock(true);
	PG_RETURN_VOID();
}

/*
 * migrate_unlock_session() RETURNS boolean
 *
 * Release the lock of migrate_lock_session; false if it was not held.
 */
Datum
migrate_unlock_session(PG_FUNCTION_ARGS)
{
	bool		recorded = CatalogSessionRecorded() || RunnerSessionChanged();
	bool		released = CatalogSessionLock(false);

	if (recorded)
		CatalogStoreFingerprint();
	PG_RETURN_BOOL(released);
}

/*
 * migrate_leftover_index(statement text) RETURNS text
 *
 * For a CREATE INDEX CONCURRENTLY statement: the invalid index of the same
 * name on the same table that an interrupted build left behind, schema-
 * qualified and quoted, for the caller to drop (DROP INDEX CONCURRENTLY
 * cannot run in a function) before running the statement again.  NULL
 * for other statements, or when there is none.  Takes no lock.
 */
Datum
migrate_leftover_index(PG_FUNCTION_ARGS)
{
	char	   *leftover;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	leftover = LeftoverInvalidIndex(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	if (leftover == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(leftover));
}

/* Append s as a DOT double-quoted string. */
static void
dot_string(StringInfo buf, const char *s)
{
	appendStringInfoChar(buf, '"');
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			appendStringInfoChar(buf, '\\');
		if (*s == '\n')
			appendStringInfoString(buf, "\\n");
		else if (*s != '\r')
			appendStringInfoChar(buf, *s);
	}
	appendStringInfoChar(buf, '"');
}

/*
 * The graph in Graphviz DOT: one box per revision, in creation order,
 * labelled with its id, labels and message; applied revisions filled,
 * heads with a double border; parent edges solid, from parent to child;
 * depends_on edges dashed, from dependency to dependent.
 */
char *
GraphToDot(RevisionGraph *g)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf,
						   "digraph migrate {\n"
						   "\trankdir=BT;\n"
						   "\tnode [shape=box, fontname=\"monospace\"];\n");
	for (int i = 0; i < g->nnodes; i++)
	{
		RevisionNode *r = &g->nodes[g->topo[i]];
		StringInfoData label;

		initStringInfo(&label);
		appendStringInfoString(&label, r->id);
		for (int j = 0; j < r->nlabels; j++)
			appendStringInfo(&label, "%s%s", j == 0 ? " (" : ", ", r->labels[j]);
		if (r->nlabels > 0)
			appendStringInfoChar(&label, ')');
		if (r->message[0] != '\0')
			appendStringInfo(&label, "\n%s", r->message);
		appendStringInfoChar(&buf, '\t');
		dot_string(&buf, r->id);
		appendStringInfoString(&buf, " [label=");
		dot_string(&buf, label.data);
		if (r->applied)
			appendStringInfoString(&buf, ", style=filled, fillcolor=\"#d9ead3\"");
		if (GraphIsHead(g, g->topo[i]))
			appendStringInfoString(&buf, ", peripheries=2");
		if (!r->transactional)
			appendStringInfoString(&buf, ", color=\"#cc0000\"");
		appendStringInfoString(&buf, "];\n");
		pfree(label.data);
	}
	for (int i = 0; i < g->nnodes; i++)
	{
		RevisionNode *r = &g->nodes[g->topo[i]];

		for (int j = 0; j < r->nparents; j++)
		{
			appendStringInfoChar(&buf, '\t');
			dot_string(&buf, g->nodes[r->parents[j]].id);
			appendStringInfoString(&buf, " -> ");
			dot_string(&buf, r->id);
			appendStringInfoString(&buf, ";\n");
		}
		for (int j = 0; j < r->ndeps; j++)
		{
			appendStringInfoChar(&buf, '\t');
			dot_string(&buf, g->nodes[r->deps[j]].id);
			appendStringInfoString(&buf, " -> ");
			dot_string(&buf, r->id);
			appendStringInfoString(&buf, " [style=dashed];\n");
		}
	}
	appendStringInfoString(&buf, "}\n");
	return buf.data;
}

/*
 * migrate_graph() RETURNS text
 *
 * The revision graph as Graphviz DOT (see GraphToDot).
 */
Datum
migrate_graph(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(GraphToDot(CatalogLoadGraph(false))));
}
