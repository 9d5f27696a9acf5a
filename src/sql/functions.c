/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  The SQL-callable functions: thin wrappers that turn arguments into C
 *	  values, call the subsystem that does the work, and turn its results
 *	  into rows.  Set-returning functions materialize their rows.
 *
 * Locks: the mutating functions take migrate's advisory transaction lock
 * (catalog.c); the others take none and read the catalog under the
 * statement's snapshot.
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
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "migrate/catalog/catalog.h"
#include "migrate/exec/executor.h"
#include "migrate/exec/register.h"
#include "migrate/guard/drift.h"
#include "migrate/model/graph.h"
#include "migrate/model/revfile.h"
#include "migrate/model/sqltext.h"
#include "migrate/model/target.h"
#include "migrate/sql/functions.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/textarray.h"

PG_FUNCTION_INFO_V1(migrate_revision);
PG_FUNCTION_INFO_V1(migrate_load);
PG_FUNCTION_INFO_V1(migrate_merge);
PG_FUNCTION_INFO_V1(migrate_forget);
PG_FUNCTION_INFO_V1(migrate_upgrade);
PG_FUNCTION_INFO_V1(migrate_downgrade);
PG_FUNCTION_INFO_V1(migrate_stamp);
PG_FUNCTION_INFO_V1(migrate_stamp_array);
PG_FUNCTION_INFO_V1(migrate_current);
PG_FUNCTION_INFO_V1(migrate_heads);
PG_FUNCTION_INFO_V1(migrate_branches);
PG_FUNCTION_INFO_V1(migrate_history);
PG_FUNCTION_INFO_V1(migrate_show);
PG_FUNCTION_INFO_V1(migrate_sql);
PG_FUNCTION_INFO_V1(migrate_fleet_member);
PG_FUNCTION_INFO_V1(migrate_fleet_members);
PG_FUNCTION_INFO_V1(migrate_check);
PG_FUNCTION_INFO_V1(migrate_at_head);
PG_FUNCTION_INFO_V1(migrate_log);

/* Node indexes as a text[] of their ids. */
static Datum
ids_datum(RevisionGraph *g, const int *nodes, int n)
{
	List	   *ids = NIL;

	for (int i = 0; i < n; i++)
		ids = lappend(ids, g->nodes[nodes[i]].id);
	return TextArrayFromList(ids);
}

/* The labels of a node as a text[]. */
static Datum
labels_datum(RevisionNode *r)
{
	List	   *labels = NIL;

	for (int i = 0; i < r->nlabels; i++)
		labels = lappend(labels, r->labels[i]);
	return TextArrayFromList(labels);
}

static char *
text_arg_or_null(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/* A target argument: NULL is refused rather than taken as "nothing". */
static char *
target_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target cannot be NULL"),
				 errhint("Write \"head\" to upgrade to the head, \"base\" to downgrade everything.")));
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * migrate_revision(message, upgrade, downgrade, parents, id, depends_on,
 *					branch_labels, transactional) RETURNS text
 *
 * Add a revision; parents NULL means the single head.  Takes the migrate
 * lock.
 */
Datum
migrate_revision(PG_FUNCTION_ARGS)
{
	RevisionSpec spec = {0};

	spec.message = text_arg_or_null(fcinfo, 0);
	spec.upgrade = text_arg_or_null(fcinfo, 1);
	spec.downgrade = text_arg_or_null(fcinfo, 2);
	spec.parents_given = !PG_ARGISNULL(3);
	if (spec.parents_given)
		spec.parents = TextArrayToList(PG_GETARG_ARRAYTYPE_P(3), "parents");
	spec.id = text_arg_or_null(fcinfo, 4);
	if (!PG_ARGISNULL(5))
		spec.depends_on = TextArrayToList(PG_GETARG_ARRAYTYPE_P(5), "depends_on");
	if (!PG_ARGISNULL(6))
		spec.labels = TextArrayToList(PG_GETARG_ARRAYTYPE_P(6), "branch_labels");
	spec.transactional = PG_ARGISNULL(7) ? true : PG_GETARG_BOOL(7);
	PG_RETURN_TEXT_P(cstring_to_text(RegisterRevision(&spec, false)));
}

/*
 * migrate_load(script text, id text DEFAULT NULL) RETURNS text
 *
 * Add or update a revision from the text of a revision file.  A file with
 * "-- migrate:revision" and no "-- migrate:parents" is a root; a file
 * without "-- migrate:revision" (dbmate) follows the single head and takes
 * its id from the argument, or else from its checksum.
 */
Datum
migrate_load(PG_FUNCTION_ARGS)
{
	RevisionSpec *spec;
	char	   *id = text_arg_or_null(fcinfo, 1);

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision file text cannot be NULL")));
	spec = RevisionFileParse(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	if (spec->id != NULL)
	{
		if (id != NULL && strcmp(id, spec->id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("revision file says \"%s\" but \"%s\" was given as id",
							spec->id, id)));
		if (!spec->parents_given)
			spec->parents_given = true; /* absent parents: a root */
	}
	else
		spec->id = id ? id : pnstrdup(SqlChecksum(spec->upgrade, spec->downgrade), 12);
	PG_RETURN_TEXT_P(cstring_to_text(RegisterRevision(spec, true)));
}

/*
 * migrate_merge(parents text[], message text, id text) RETURNS text
 */
Datum
migrate_merge(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("parents of a merge cannot be NULL")));
	PG_RETURN_TEXT_P(cstring_to_text(RegisterMerge(TextArrayToList(PG_GETARG_ARRAYTYPE_P(0), "parents"),
												   text_arg_or_null(fcinfo, 1),
												   text_arg_or_null(fcinfo, 2))));
}

/*
 * migrate_forget(id text) RETURNS text
 *
 * Remove a revision that is not applied and that no revision has as parent
 * or dependency (one whose file was deleted, or that was created by
 * mistake), and log it.  The full id only: no prefix, label or target.
 * Takes the migrate lock.
 */
Datum
migrate_forget(PG_FUNCTION_ARGS)
{
	char	   *id;
	RevisionGraph *g;
	int			node = -1;
	StringInfoData dependents;
	int			ndependents = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision id cannot be NULL")));
	id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	CatalogLock();
	g = CatalogLoadGraph(false);
	for (int i = 0; i < g->nnodes && node < 0; i++)
		if (strcmp(g->nodes[i].id, id) == 0)
			node = i;
	if (node < 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_UNDEFINED_REVISION),
				 errmsg("revision \"%s\" does not exist", id),
				 errhint("migrate_forget() takes a full revision id; migrate_history() lists them.")));
	if (g->nodes[node].applied)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_CANNOT_FORGET),
				 errmsg("cannot forget revision \"%s\" because it is applied", id),
				 errhint("Downgrade below it first; its downgrade SQL is still stored.")));
	initStringInfo(&dependents);
	for (int i = 0; i < g->nnodes; i++)
	{
		RevisionNode *r = &g->nodes[i];
		bool		depends = false;

		for (int k = 0; k < r->nparents && !depends; k++)
			depends = r->parents[k] == node;
		for (int k = 0; k < r->ndeps && !depends; k++)
			depends = r->deps[k] == node;
		if (depends)
			appendStringInfo(&dependents, "%s\"%s\"",
							 ndependents++ > 0 ? ", " : "", r->id);
	}
	if (ndependents > 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_CANNOT_FORGET),
				 errmsg("cannot forget revision \"%s\" because other revisions depend on it",
						id),
				 errdetail_plural("Revision %s has it as parent or dependency.",
								  "Revisions %s have it as parent or dependency.",
								  ndependents, dependents.data),
				 errhint("Forget those first, children before parents.")));
	CatalogForgetRevision(CatalogGetRevision(id));
	PG_RETURN_TEXT_P(cstring_to_text(id));
}

/* Rows (step, revision, message, statements, duration) of executed steps. */
void
ReturnStepRows(FunctionCallInfo fcinfo, CatalogStep *steps, int n)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	for (int i = 0; i < n; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {0};
		Interval   *duration = palloc0(sizeof(Interval));

		duration->time = steps[i].duration_us;
		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(steps[i].id);
		values[2] = CStringGetTextDatum(steps[i].message);
		values[3] = Int32GetDatum(steps[i].statements);
		values[4] = IntervalPGetDatum(duration);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * migrate_upgrade(target text DEFAULT 'head') RETURNS SETOF
 *	 (step, revision, message, statements, duration)
 *
 * Takes the migrate lock; runs the revisions' SQL as the caller.
 */
Datum
migrate_upgrade(PG_FUNCTION_ARGS)
{
	int			n;
	CatalogStep *steps;

	InitMaterializedSRF(fcinfo, 0);
	steps = ExecuteMove(target_arg(fcinfo, 0), true, &n);
	ReturnStepRows(fcinfo, steps, n);
	return (Datum) 0;
}

/*
 * migrate_downgrade(target text) RETURNS SETOF
 *	 (step, revision, message, statements, duration)
 * migrate_downgrade(target text, drop_data boolean) RETURNS SETOF ...
 *
 * drop_data true consents to the data loss for this call: the call runs
 * with migrate.drop_data = on (a GUC nest level, undone on return or
 * abort).
 */
Datum
migrate_downgrade(PG_FUNCTION_ARGS)
{
	int			n;
	CatalogStep *steps;
	int			nest = -1;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_NARGS() > 1)
	{
		if (PG_ARGISNULL(1))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("drop_data cannot be NULL")));
		if (PG_GETARG_BOOL(1))
		{
			nest = NewGUCNestLevel();
			(void) set_config_option("migrate.drop_data", "on",
									 PGC_USERSET, PGC_S_SESSION,
									 GUC_ACTION_SAVE, true, 0, false);
		}
	}
	steps = ExecuteMove(target_arg(fcinfo, 0), false, &n);
	if (nest >= 0)
		AtEOXact_GUC(true, nest);
	ReturnStepRows(fcinfo, steps, n);
	return (Datum) 0;
}

/* Rows (revision, message, action) of a stamp. */
static void
stamp(FunctionCallInfo fcinfo, const char **targets, int ntargets)
{
	ReturnSetInfo *rsinfo;
	CatalogStep *steps;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	steps = ExecuteStamp(targets, ntargets, &n);
	for (int i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {0};

		values[0] = CStringGetTextDatum(steps[i].id);
		values[1] = CStringGetTextDatum(steps[i].message);
		values[2] = CStringGetTextDatum(steps[i].upgrade ? "stamped" : "unstamped");
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * migrate_stamp(target text) RETURNS SETOF (revision, message, action)
 */
Datum
migrate_stamp(PG_FUNCTION_ARGS)
{
	const char *target = target_arg(fcinfo, 0);

	stamp(fcinfo, &target, 1);
	return (Datum) 0;
}

/*
 * migrate_stamp(targets text[]) RETURNS SETOF (revision, message, action)
 */
Datum
migrate_stamp_array(PG_FUNCTION_ARGS)
{
	List	   *list;
	const char **targets;
	ListCell   *lc;
	int			n = 0;

	if (PG_ARGISNULL(0))
		(void) target_arg(fcinfo, 0);
	list = TextArrayToList(PG_GETARG_ARRAYTYPE_P(0), "targets");
	targets = palloc(sizeof(char *) * Max(list_length(list), 1));
	foreach(lc, list)
		targets[n++] = lfirst(lc);
	stamp(fcinfo, targets, n);
	return (Datum) 0;
}

/*
 * migrate_current() RETURNS SETOF
 *	 (revision, message, markers, applied_at, applied_by)
 *
 * The applied revisions that have no applied child; no rows at base.
 */
Datum
migrate_current(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	RevisionGraph *g;
	int		   *cur;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	g = CatalogLoadGraph(false);
	cur = GraphCurrent(g, &n);
	for (int i = 0; i < n; i++)
	{
		RevisionNode *r = &g->nodes[cur[i]];
		Datum		values[5];
		bool		nulls[5] = {0};

		values[0] = CStringGetTextDatum(r->id);
		values[1] = CStringGetTextDatum(r->message);
		values[2] = CStringGetTextDatum(GraphMarkers(g, cur[i]));
		values[3] = TimestampTzGetDatum(r->applied_at);
		values[4] = CStringGetDatum(r->applied_by);
		values[4] = DirectFunctionCall1(namein, values[4]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate_heads() RETURNS SETOF (revision, message, branch_labels, applied)
 */
Datum
migrate_heads(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	RevisionGraph *g;
	int		   *heads;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	g = CatalogLoadGraph(false);
	heads = GraphHeads(g, &n);
	for (int i = 0; i < n; i++)
	{
		RevisionNode *r = &g->nodes[heads[i]];
		bool	   *lineage = GraphNewSet(g);
		List	   *labels = NIL;
		Datum		values[4];
		bool		nulls[4] = {0};

		/* the labels of the head's lineage, nearest first */
		GraphAddAncestors(g, heads[i], false, lineage);
		for (int k = g->nnodes - 1; k >= 0; k--)
			if (lineage[g->topo[k]])
				for (int j = 0; j < g->nodes[g->topo[k]].nlabels; j++)
					labels = lappend(labels, g->nodes[g->topo[k]].labels[j]);
		values[0] = CStringGetTextDatum(r->id);
		values[1] = CStringGetTextDatum(r->message);
		values[2] = TextArrayFromList(labels);
		values[3] = BoolGetDatum(r->applied);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate_branches() RETURNS SETOF (revision, message, children)
 *
 * One row per branch point.
 */
Datum
migrate_branches(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	RevisionGraph *g;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	g = CatalogLoadGraph(false);
	for (int i = 0; i < g->nnodes; i++)
	{
		RevisionNode *r = &g->nodes[g->topo[i]];
		Datum		values[3];
		bool		nulls[3] = {0};

		if (r->nchildren < 2)
			continue;
		values[0] = CStringGetTextDatum(r->id);
		values[1] = CStringGetTextDatum(r->message);
		values[2] = ids_datum(g, r->children, r->nchildren);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate_history(range text DEFAULT NULL) RETURNS SETOF
 *	 (revision, parents, depends_on, branch_labels, message, applied, markers)
 *
 * Newest first.  range is "[start]:[end]" of targets, both ends included.
 */
Datum
migrate_history(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	RevisionGraph *g;
	bool	   *in_range;
	bool	   *current;
	int		   *cur;
	int			ncur;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	g = CatalogLoadGraph(false);
	in_range = PlanRange(g, text_arg_or_null(fcinfo, 0));
	current = GraphNewSet(g);
	cur = GraphCurrent(g, &ncur);
	for (int i = 0; i < ncur; i++)
		current[cur[i]] = true;
	for (int i = g->nnodes - 1; i >= 0; i--)
	{
		int			node = g->topo[i];
		RevisionNode *r = &g->nodes[node];
		Datum		values[7];
		bool		nulls[7] = {0};
		char	   *markers = GraphMarkers(g, node);

		if (!in_range[node])
			continue;
		if (current[node])
			markers = psprintf("%s%scurrent", markers, markers[0] ? " " : "");
		values[0] = CStringGetTextDatum(r->id);
		values[1] = ids_datum(g, r->parents, r->nparents);
		values[2] = ids_datum(g, r->deps, r->ndeps);
		values[3] = labels_datum(r);
		values[4] = CStringGetTextDatum(r->message);
		values[5] = BoolGetDatum(r->applied);
		values[6] = CStringGetTextDatum(markers);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate_show(id text) RETURNS SETOF (...one revision in full...)
 *
 * id is any target naming one revision; base gives no row.
 */
Datum
migrate_show(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	RevisionGraph *g;
	int			node;
	RevisionNode *r;
	CatalogRevision *rev;
	Datum		values[15];
	bool		nulls[15] = {0};
	char	   *effects;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	g = CatalogLoadGraph(false);
	node = TargetResolveOne(g, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	if (node < 0)
		return (Datum) 0;
	r = &g->nodes[node];
	rev = CatalogGetRevision(r->id);
	values[0] = CStringGetTextDatum(r->id);
	values[1] = ids_datum(g, r->parents, r->nparents);
	values[2] = ids_datum(g, r->deps, r->ndeps);
	values[3] = labels_datum(r);
	values[4] = CStringGetTextDatum(r->message);
	values[5] = BoolGetDatum(r->transactional);
	values[6] = CStringGetTextDatum(rev->checksum);
	values[7] = TimestampTzGetDatum(rev->created_at);
	values[8] = DirectFunctionCall1(namein, CStringGetDatum(rev->created_by));
	values[9] = BoolGetDatum(r->applied);
	values[10] = TimestampTzGetDatum(r->applied_at);
	nulls[10] = !r->applied;
	values[11] = CStringGetTextDatum(GraphMarkers(g, node));
	values[12] = CStringGetTextDatum(rev->upgrade);
	values[13] = CStringGetTextDatum(rev->downgrade);
	/* 0.2.0: what the last run did (a column the 0.1.0 function lacks) */
	if (rsinfo->setDesc->natts > 14)
	{
		effects = CatalogRevisionEffects(r->id);
		nulls[14] = effects == NULL;
		values[14] = effects ? DirectFunctionCall1(jsonb_in,
												   CStringGetDatum(effects)) : (Datum) 0;
	}
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

/*
 * migrate_sql(target text, from_state text DEFAULT NULL) RETURNS text
 */
Datum
migrate_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(OfflineScript(target_arg(fcinfo, 0),
												   text_arg_or_null(fcinfo, 1))));
}

/* Append a problem row to the result of migrate_check. */
static void
problem(ReturnSetInfo *rsinfo, const char *what, const char *revision,
		const char *detail)
{
	Datum		values[3];
	bool		nulls[3] = {0};

	values[0] = CStringGetTextDatum(what);
	nulls[1] = revision == NULL;
	values[1] = revision ? CStringGetTextDatum(revision) : (Datum) 0;
	values[2] = CStringGetTextDatum(detail);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

static void
drift_problem(void *arg, const char *what, const char *detail)
{
	problem((ReturnSetInfo *) arg, what, NULL, detail);
}

/*
 * migrate_check() RETURNS SETOF (problem, revision, detail)
 *
 * One row per problem: multiple_heads, pending (an unapplied revision),
 * inconsistent_applied (an applied revision whose parent or dependency is
 * not applied), unknown_applied (an applied row naming no revision),
 * checksum_mismatch (a
 * revision whose stored SQL no longer matches its checksum, or that changed
 * after it was applied), drift (DDL outside migrations not acknowledged)
 * and schema_drift (the managed schemas no longer match the fingerprint
 * the last migration stored), prepared_transaction (a prepared
 * transaction of a pg_migrate --atomic run, in doubt until its fleet is
 * committed or rolled back).  No rows: all is well.
 */
Datum
migrate_check(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	RevisionGraph *g;
	int		   *heads;
	int			nheads;
	List	   *all;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	g = CatalogLoadGraph(false);
	heads = GraphHeads(g, &nheads);
	if (nheads > 1)
		problem(rsinfo, "multiple_heads", NULL,
				psprintf("There are %d heads: %s.", nheads,
						 GraphListIds(g, heads, nheads)));
	for (int i = 0; i < g->nnodes; i++)
	{
		RevisionNode *r = &g->nodes[g->topo[i]];

		if (!r->applied)
			problem(rsinfo, "pending", r->id,
					psprintf("Revision %s is not applied%s%s.", r->id,
							 r->message[0] ? ": " : "", r->message));
	}
	for (int i = 0; i < g->nnodes; i++)
	{
		RevisionNode *r = &g->nodes[g->topo[i]];

		for (int pass = 0; pass < 2 && r->applied; pass++)
		{
			int		   *edges = pass == 0 ? r->parents : r->deps;
			int			nedges = pass == 0 ? r->nparents : r->ndeps;

			for (int j = 0; j < nedges; j++)
				if (!g->nodes[edges[j]].applied)
					problem(rsinfo, "inconsistent_applied", r->id,
							psprintf("Revision %s is applied, but its %s %s is not.",
									 r->id, pass == 0 ? "parent" : "dependency",
									 g->nodes[edges[j]].id));
		}
	}
	foreach(lc, CatalogDanglingApplied())
		problem(rsinfo, "unknown_applied", lfirst(lc),
				psprintf("Revision %s is recorded as applied, but no such revision is registered.",
						 (char *) lfirst(lc)));
	all = CatalogAllRevisions();
	foreach(lc, all)
	{
		CatalogRevision *rev = lfirst(lc);
		char	   *actual = SqlChecksum(rev->upgrade, rev->downgrade);

		if (strcmp(actual, rev->checksum) != 0)
			problem(rsinfo, "checksum_mismatch", rev->id,
					psprintf("The stored SQL of revision %s sums to %.12s, but its checksum says %.12s.",
							 rev->id, actual, rev->checksum));
		else if (rev->applied && strcmp(rev->applied_checksum, rev->checksum) != 0)
			problem(rsinfo, "checksum_mismatch", rev->id,
					psprintf("Revision %s was applied with checksum %.12s and now has %.12s.",
							 rev->id, rev->applied_checksum, rev->checksum));
	}
	DriftProblems(drift_problem, rsinfo);
	foreach(lc, CatalogPreparedFleetXacts())
	{
		char	  **x = lfirst(lc);

		problem(rsinfo, "prepared_transaction", NULL,
				psprintf("Prepared transaction \"%s\" of an atomic fleet run is in doubt since %s (for %s); pg_migrate fleet recover over the databases of the fleet resolves it.",
						 x[0], x[1], x[2]));
	}
	return (Datum) 0;
}

/*
 * migrate_at_head() RETURNS boolean
 *
 * True when every head is applied: for application start-up checks.
 */
Datum
migrate_at_head(PG_FUNCTION_ARGS)
{
	RevisionGraph *g = CatalogLoadGraph(false);
	int		   *heads;
	int			n;

	heads = GraphHeads(g, &n);
	for (int i = 0; i < n; i++)
		if (!g->nodes[heads[i]].applied)
			PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(true);
}

/*
 * migrate_log(revision text DEFAULT NULL, count integer DEFAULT NULL)
 *	 RETURNS SETOF (id, revision, direction, stamped, role, started_at,
 *	 duration, statements, outcome, failed_statement, sqlstate, error)
 *
 * The run log (migrate.log), newest first: what ran when, by whom, how
 * long, and how it ended; of one revision (its full id), the last "count"
 * rows.  Takes no lock.
 */
Datum
migrate_log(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	AttInMetadata *meta;
	ListCell   *lc;
	int			count = PG_ARGISNULL(1) ? -1 : PG_GETARG_INT32(1);

	if (count < -1 || (!PG_ARGISNULL(1) && count < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("count must not be negative")));
	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	meta = TupleDescGetAttInMetadata(rsinfo->setDesc);
	foreach(lc, CatalogLogRows(text_arg_or_null(fcinfo, 0), count))
		tuplestore_puttuple(rsinfo->setResult,
							BuildTupleFromCStrings(meta, (char **) lfirst(lc)));
	return (Datum) 0;
}

/*
 * migrate_fleet_member(fleet text, member integer, members integer)
 * RETURNS void
 *
 * Record that this transaction is member "member" of "members" of the
 * atomic fleet run "fleet" (pg_migrate --atomic, before PREPARE
 * TRANSACTION).  Takes no lock.
 */
Datum
migrate_fleet_member(PG_FUNCTION_ARGS)
{
	char	   *fleet;
	int32		member;
	int32		members;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the fleet, member and members of a fleet member must not be null")));
	fleet = text_to_cstring(PG_GETARG_TEXT_PP(0));
	member = PG_GETARG_INT32(1);
	members = PG_GETARG_INT32(2);
	if (strspn(fleet, "0123456789abcdef") != strlen(fleet) || fleet[0] == '\0' ||
		strlen(fleet) > 32)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid fleet id \"%s\"", fleet),
				 errdetail("A fleet id is 1 to 32 lower-case hexadecimal digits.")));
	if (members < 1 || member < 1 || member > members)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid member %d of %d of a fleet", member, members),
				 errdetail("A fleet has at least one member, numbered from 1 to the number of members.")));
	CatalogRecordFleetMember(fleet, member, members);
	PG_RETURN_VOID();
}

/*
 * migrate_fleet_members(fleets text[]) RETURNS SETOF (fleet, member,
 * members)
 *
 * The committed members of those atomic fleet runs in this database (for
 * pg_migrate fleet recover).  Takes no lock.
 */
Datum
migrate_fleet_members(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	foreach(lc, CatalogFleetMembers(PG_GETARG_DATUM(0)))
	{
		char	  **row = lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {0};

		values[0] = CStringGetTextDatum(row[0]);
		values[1] = Int32GetDatum(pg_strtoint32(row[1]));
		values[2] = Int32GetDatum(pg_strtoint32(row[2]));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
