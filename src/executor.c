/*-------------------------------------------------------------------------
 *
 * executor.c
 *	  Runs upgrades, downgrades and stamps.
 *
 * One call is one transaction: the plan is made under the advisory lock
 * (CatalogLock), each revision's SQL is split with the raw parser and run
 * statement by statement through SPI as the calling role, and the applied
 * set and log are written at the end of the call.  Any error aborts the
 * caller's transaction (or subtransaction), which takes every revision of
 * the call and the bookkeeping with it: nothing partial survives.
 *
 * While revision SQL runs, lock_timeout is migrate.lock_timeout (a GUC
 * nest level undone on return or abort), and each statement is limited by
 * migrate.statement_timeout (a timer armed around the statement; the
 * caller's own statement_timeout stays armed if it is sooner).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "errcodes.h"
#include "executor.h"
#include "guc.h"
#include "sqltext.h"
#include "target.h"

/* What the error context callback reports. */
typedef struct StatementPosition
{
	const char *direction;
	const char *revision;
	int			number;
	int			line;
} StatementPosition;

static void statement_error_callback(void *arg);
static void refuse_non_transactional(RevisionGraph *g, const int *plan, int n,
									 bool upgrade);
static CatalogStep *run_plan(RevisionGraph *g, const int *plan, int n,
							 bool upgrade);
static int	run_script(const char *id, const char *sql, bool upgrade);
static void run_statement(const char *sql);
static bool fail_here(const char *id, int number);

/* Adds "upgrade of revision "x", statement N (line L)" to errors. */
static void
statement_error_callback(void *arg)
{
	StatementPosition *pos = arg;

	errcontext("%s of revision \"%s\", statement %d (line %d)",
			   pos->direction, pos->revision, pos->number, pos->line);
}

/* A function cannot run what needs its own transaction: refuse up front. */
static void
refuse_non_transactional(RevisionGraph *g, const int *plan, int n,
						 bool upgrade)
{
	for (int i = 0; i < n; i++)
	{
		RevisionNode *r = &g->nodes[plan[i]];

		if (!r->transactional)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_NON_TRANSACTIONAL),
					 errmsg("revision \"%s\" is not transactional", r->id),
					 errdetail("migrate_%s runs in a single transaction, and the %s SQL of this revision cannot run inside one.",
							   upgrade ? "upgrade" : "downgrade",
							   upgrade ? "upgrade" : "downgrade"),
					 upgrade ?
					 errhint("Upgrade up to its parents first, run its statements outside a transaction block, then record it with migrate_stamp('%s').",
							 r->id) :
					 errhint("Downgrade to revision \"%s\" first, run its downgrade statements outside a transaction block, then record it with migrate_stamp('%s-1').",
							 r->id, r->id)));
	}
}

/* Does migrate.debug_fail_at name this statement? */
static bool
fail_here(const char *id, int number)
{
	const char *colon;

	if (migrate_debug_fail_at == NULL || migrate_debug_fail_at[0] == '\0')
		return false;
	colon = strrchr(migrate_debug_fail_at, ':');
	return colon != NULL &&
		strlen(id) == (size_t) (colon - migrate_debug_fail_at) &&
		strncmp(migrate_debug_fail_at, id, colon - migrate_debug_fail_at) == 0 &&
		atoi(colon + 1) == number;
}

/* Run one statement through SPI, under migrate.statement_timeout. */
static void
run_statement(const char *sql)
{
	bool		outer_active = false;
	TimestampTz outer_finish = 0;
	int			rc;

	if (migrate_statement_timeout > 0)
	{
		outer_active = get_timeout_active(STATEMENT_TIMEOUT);
		if (outer_active)
			outer_finish = get_timeout_finish_time(STATEMENT_TIMEOUT);
		enable_timeout_after(STATEMENT_TIMEOUT, migrate_statement_timeout);
		if (outer_active &&
			outer_finish < get_timeout_finish_time(STATEMENT_TIMEOUT))
			enable_timeout_at(STATEMENT_TIMEOUT, outer_finish);
	}
	PG_TRY();
	{
		rc = SPI_execute(sql, false, 0);
		if (rc < 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_FORBIDDEN_STATEMENT),
					 errmsg("statement cannot run in a revision: %s",
							SPI_result_code_string(rc))));
	}
	PG_FINALLY();
	{
		if (migrate_statement_timeout > 0)
		{
			disable_timeout(STATEMENT_TIMEOUT, false);
			if (outer_active)
				enable_timeout_at(STATEMENT_TIMEOUT, outer_finish);
		}
	}
	PG_END_TRY();
}

/* Run the SQL of one revision; returns the number of statements. */
static int
run_script(const char *id, const char *sql, bool upgrade)
{
	const char *direction = upgrade ? "upgrade" : "downgrade";
	List	   *statements;
	ListCell   *lc;
	StatementPosition pos = {direction, id, 0, 0};
	ErrorContextCallback callback;

	statements = SqlSplit(sql, psprintf("%s SQL of revision \"%s\"",
										direction, id));

	callback.callback = statement_error_callback;
	callback.arg = &pos;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	foreach(lc, statements)
	{
		SqlStatement *st = lfirst(lc);

		pos.number = st->number;
		pos.line = st->line;
		if (fail_here(id, st->number))
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_INJECTED_FAILURE),
					 errmsg("injected failure at statement %d of revision \"%s\"",
							st->number, id),
					 errdetail("migrate.debug_fail_at is \"%s\".",
							   migrate_debug_fail_at),
					 errhint("migrate.debug_fail_at is for tests only; RESET it.")));
		run_statement(st->text);
	}
	error_context_stack = callback.previous;
	return list_length(statements);
}

/*
 * Run the plan's revisions in order, with migrate.lock_timeout in force.
 * Returns one CatalogStep per revision.
 */
static CatalogStep *
run_plan(RevisionGraph *g, const int *plan, int n, bool upgrade)
{
	CatalogStep *steps = palloc0(sizeof(CatalogStep) * Max(n, 1));
	char	  **scripts;
	MemoryContext per_revision;
	MemoryContext old;
	int			nest;

	if (n == 0)
		return steps;
	scripts = CatalogGetScripts(g, plan, n, upgrade);
	per_revision = AllocSetContextCreate(CurrentMemoryContext,
										 "migrate revision",
										 ALLOCSET_DEFAULT_SIZES);

	nest = NewGUCNestLevel();
	(void) set_config_option("lock_timeout",
							 psprintf("%d", migrate_lock_timeout),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	for (int i = 0; i < n; i++)
	{
		RevisionNode *r = &g->nodes[plan[i]];
		TimestampTz start = GetCurrentTimestamp();
		long		secs;
		int			usecs;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(per_revision);
		steps[i].statements = run_script(r->id, scripts[i], upgrade);
		MemoryContextSwitchTo(old);
		MemoryContextReset(per_revision);

		TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
		steps[i].id = r->id;
		steps[i].message = r->message;
		steps[i].upgrade = upgrade;
		steps[i].started_at = start;
		steps[i].duration_us = (int64) secs * 1000000 + usecs;
		pfree(scripts[i]);
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	AtEOXact_GUC(true, nest);
	MemoryContextDelete(per_revision);
	return steps;
}

/*
 * Upgrade: apply every unapplied revision in the target's ancestry.
 * Downgrade: unapply what lies above the target, children first.
 * Returns the steps done, in order.
 */
CatalogStep *
ExecuteMove(const char *target, bool upgrade, int *n)
{
	RevisionGraph *g;
	Target	   *t;
	int		   *plan;
	CatalogStep *steps;

	CatalogLock();
	g = CatalogLoadGraph(false);
	t = TargetResolve(g, target);
	plan = upgrade ? PlanUpgrade(g, t, n) : PlanDowngrade(g, t, false, n);
	refuse_non_transactional(g, plan, *n, upgrade);
	steps = run_plan(g, plan, *n, upgrade);
	CatalogRecordSteps(steps, *n);
	return steps;
}

/*
 * Set the applied set to what stamping each target gives, running no
 * revision SQL.  Returns the revisions unstamped (children first), then
 * those stamped (parents first).
 */
CatalogStep *
ExecuteStamp(const char **targets, int ntargets, int *n)
{
	RevisionGraph *g;
	Target	  **resolved = palloc(sizeof(Target *) * Max(ntargets, 1));
	bool	   *state;
	CatalogStep *steps;
	TimestampTz now = GetCurrentTimestamp();

	CatalogLock();
	g = CatalogLoadGraph(false);
	if (ntargets == 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_TARGET),
				 errmsg("no target to stamp")));
	for (int i = 0; i < ntargets; i++)
		resolved[i] = TargetResolve(g, targets[i]);
	state = PlanStamp(g, resolved, ntargets);

	steps = palloc0(sizeof(CatalogStep) * Max(g->nnodes, 1));
	*n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < g->nnodes; i++)
		{
			int			node = g->topo[pass == 0 ? g->nnodes - 1 - i : i];
			RevisionNode *r = &g->nodes[node];

			if (r->applied == state[node] || r->applied != (pass == 0))
				continue;
			steps[*n].id = r->id;
			steps[*n].message = r->message;
			steps[*n].upgrade = (pass == 1);
			steps[*n].stamped = true;
			steps[*n].started_at = now;
			(*n)++;
		}
	CatalogRecordSteps(steps, *n);
	return steps;
}
