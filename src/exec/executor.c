/*-------------------------------------------------------------------------
 *
 * executor.c
 *	  Runs upgrades, downgrades and stamps.
 *
 * migrate_upgrade and migrate_downgrade: one call is one transaction.  The
 * plan is made under the advisory lock (CatalogLock), each revision's SQL is
 * split with the raw parser and run statement by statement through SPI as
 * the calling role, and the applied set and log are written at the end of
 * the call.  Any error aborts the caller's transaction (or subtransaction),
 * which takes every revision of the call and the bookkeeping with it:
 * nothing partial survives.
 *
 * Revisions run under savepoints (subtransactions), one per batch of
 * consecutive revisions, so that a failure can be recorded in migrate.log
 * by a background worker (worker.c) before the error goes on: the record
 * is all that survives the rollback.  When a statement could not get a
 * lock in migrate.lock_timeout, the batch is rolled back to its savepoint
 * and run again, up to migrate.lock_retries times, with a growing delay,
 * each retry logged with the sessions that held the lock.
 *
 * CALL migrate_apply (apply.c) uses the same pieces one revision at a time,
 * committing after each, and hands the statements of non-transactional
 * revisions to a background worker that runs them at top level.
 *
 * While revision SQL runs, lock_timeout is migrate.lock_timeout (a GUC
 * nest level undone on return or abort), and each statement is limited by
 * migrate.statement_timeout (a timer armed around the statement; the
 * caller's own statement_timeout stays armed if it is sooner).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "migrate/analysis/lint.h"
#include "migrate/catalog/catalog.h"
#include "migrate/exec/executor.h"
#include "migrate/exec/precondition.h"
#include "migrate/exec/worker.h"
#include "migrate/model/sqltext.h"
#include "migrate/model/target.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/guc.h"
#include "migrate/util/runner.h"
#include "migrate/util/subxact.h"

/* Where the executor is: for the error context and the failure record. */
typedef struct StatementPosition
{
	const char *direction;
	const char *revision;
	int			number;
	int			line;
	const char *text;
	Node	   *parsetree;
	const char *target;			/* of migrate_upgrade, for hints; or NULL */
} StatementPosition;

/*
 * A savepoint covers up to this many revisions, or the revisions that
 * started within this many milliseconds (see ExecuteRevisions).
 */
#define MIGRATE_BATCH_REVISIONS 64
#define MIGRATE_BATCH_MS 100

static void statement_error_callback(void *arg);
static void refuse_non_transactional(PlannedRevision *plan, int n,
									 bool upgrade);
static int	run_script(const char *id, const char *sql, bool upgrade,
					   StatementPosition *pos, char **allowances);
static void run_statement_once(const char *revision, const char *sql);
static char *describe_blockers(Node *parsetree);
static bool fail_here(const char *id, int number);
static void record_failure(const char *id, bool upgrade, TimestampTz start,
						   StatementPosition *pos, ErrorData *edata);

/*
 * Adds "upgrade of revision "x", statement N (line L)" to errors; and when
 * a single-transaction call runs out of lock memory, or uses an enum value
 * an earlier revision of the call added (usable only once that transaction
 * commits), names the way that commits per revision.
 */
static void
statement_error_callback(void *arg)
{
	StatementPosition *pos = arg;
	const char *call = strcmp(pos->direction, "upgrade") == 0 ? "apply" : "unapply";

	errcontext("%s of revision \"%s\", statement %d (line %d)",
			   pos->direction, pos->revision, pos->number, pos->line);
	if (pos->target != NULL && geterrcode() == ERRCODE_OUT_OF_MEMORY)
		errhint("One call of migrate_%s holds the locks of all its revisions until it ends; CALL migrate_%s('%s') commits after each revision.  Or raise max_locks_per_transaction.",
				pos->direction, call, pos->target);
	else if (pos->target != NULL &&
			 geterrcode() == ERRCODE_UNSAFE_NEW_ENUM_VALUE_USAGE)
		errhint("An earlier revision of this call added the value, and one call of migrate_%s is one transaction; CALL migrate_%s('%s') commits after each revision, so the value is usable in the next.",
				pos->direction, call, pos->target);
}

/* The executor is at statement st now (for errors and failure records). */
static void
position_at(StatementPosition *pos, SqlStatement *st)
{
	pos->number = st->number;
	pos->line = st->line;
	pos->text = st->text;
	pos->parsetree = st->parsetree;
}

/* A function cannot run what needs its own transaction: refuse up front. */
static void
refuse_non_transactional(PlannedRevision *plan, int n, bool upgrade)
{
	for (int i = 0; i < n; i++)
		if (!plan[i].transactional)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_NON_TRANSACTIONAL),
					 errmsg("revision \"%s\" is not transactional", plan[i].id),
					 errdetail("migrate_%s runs in a single transaction, and the %s SQL of this revision cannot run inside one.",
							   upgrade ? "upgrade" : "downgrade",
							   upgrade ? "upgrade" : "downgrade"),
					 errhint("CALL migrate_%s(...) runs it, committing after each revision.",
							 upgrade ? "apply" : "unapply")));
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
run_statement_once(const char *revision, const char *sql)
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
	RunnerEnter(revision);
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
		RunnerLeave();
		if (migrate_statement_timeout > 0)
		{
			disable_timeout(STATEMENT_TIMEOUT, false);
			if (outer_active)
				enable_timeout_at(STATEMENT_TIMEOUT, outer_finish);
		}
	}
	PG_END_TRY();
}

/*
 * The relations a statement names, for finding who blocks it: the usual
 * DDL and DML targets.
 */
static List *
statement_relations(Node *parsetree)
{
	List	   *rels = NIL;
	ListCell   *lc;

	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
			return list_make1(((AlterTableStmt *) parsetree)->relation);
		case T_IndexStmt:
			return list_make1(((IndexStmt *) parsetree)->relation);
		case T_RenameStmt:
			if (((RenameStmt *) parsetree)->relation)
				return list_make1(((RenameStmt *) parsetree)->relation);
			return NIL;
		case T_CreateTrigStmt:
			return list_make1(((CreateTrigStmt *) parsetree)->relation);
		case T_InsertStmt:
			return list_make1(((InsertStmt *) parsetree)->relation);
		case T_UpdateStmt:
			return list_make1(((UpdateStmt *) parsetree)->relation);
		case T_DeleteStmt:
			return list_make1(((DeleteStmt *) parsetree)->relation);
		case T_TruncateStmt:
			return ((TruncateStmt *) parsetree)->relations;
		case T_LockStmt:
			return ((LockStmt *) parsetree)->relations;
		case T_DropStmt:
			{
				DropStmt   *drop = (DropStmt *) parsetree;

				if (drop->removeType != OBJECT_TABLE &&
					drop->removeType != OBJECT_INDEX &&
					drop->removeType != OBJECT_VIEW &&
					drop->removeType != OBJECT_MATVIEW &&
					drop->removeType != OBJECT_SEQUENCE)
					return NIL;
				foreach(lc, drop->objects)
					rels = lappend(rels, makeRangeVarFromNameList(lfirst(lc)));
				return rels;
			}
		default:
			return NIL;
	}
}

/*
 * Who holds locks on the relations of the statement: "pid 123 (role app,
 * idle in transaction since ...): <query>" for each, or NULL.
 */
static char *
describe_blockers(Node *parsetree)
{
	static const char *const sql =
	"SELECT pg_catalog.string_agg(pg_catalog.format('pid %s (role %s, %s since %s): %s',"
	" a.pid, a.usename, a.state, a.query_start, pg_catalog.left(a.query, 200)), '; ' ORDER BY a.pid)"
	" FROM pg_catalog.pg_stat_activity a"
	" WHERE a.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()"
	"   AND a.pid OPERATOR(pg_catalog.=) ANY (SELECT l.pid FROM pg_catalog.pg_locks l"
	"    WHERE l.granted AND l.relation OPERATOR(pg_catalog.=) ANY ($1))";
	List	   *rels = statement_relations(parsetree);
	Datum	   *oids = palloc(sizeof(Datum) * Max(list_length(rels), 1));
	int			n = 0;
	ListCell   *lc;
	Oid			types[1] = {OIDARRAYOID};
	Datum		values[1];
	bool		isnull;
	char	   *result = NULL;

	foreach(lc, rels)
	{
		Oid			relid = RangeVarGetRelid((RangeVar *) lfirst(lc), NoLock, true);

		if (OidIsValid(relid))
			oids[n++] = ObjectIdGetDatum(relid);
	}
	if (n == 0)
		return NULL;
	values[0] = PointerGetDatum(construct_array(oids, n, OIDOID, sizeof(Oid),
												true, TYPALIGN_INT));
	if (SPI_execute_with_args(sql, 1, types, values, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									  1, &isnull);

		if (!isnull)
			result = TextDatumGetCString(d);
	}
	return result;
}

/*
 * Run the SQL of one revision; returns the number of statements, and in
 *allowances the allow/approve markers that silenced findings (JSON, or
 * NULL), for the log.
 */
static int
run_script(const char *id, const char *sql, bool upgrade,
		   StatementPosition *pos, char **allowances)
{
	const char *direction = upgrade ? "upgrade" : "downgrade";
	List	   *statements;
	ListCell   *lc;
	ErrorContextCallback callback;
	LintRun    *lint;

	pos->direction = direction;
	pos->revision = id;
	pos->number = 0;
	pos->line = 0;
	pos->text = NULL;
	statements = SqlSplit(sql, psprintf("%s SQL of revision \"%s\"",
										direction, id));
	PreconditionsCheck(id, sql, upgrade);
	lint = LintRunBegin(id, statements, sql, upgrade, true);

	callback.callback = statement_error_callback;
	callback.arg = pos;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	foreach(lc, statements)
	{
		SqlStatement *st = lfirst(lc);

		position_at(pos, st);
		if (fail_here(id, st->number))
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_INJECTED_FAILURE),
					 errmsg("injected failure at statement %d of revision \"%s\"",
							st->number, id),
					 errdetail("migrate.debug_fail_at is \"%s\".",
							   migrate_debug_fail_at),
					 errhint("migrate.debug_fail_at is for tests only; RESET it.")));
		LintRunStatement(lint, st);
		run_statement_once(id, st->text);
		LintRunRowCount(lint, st, SPI_processed);
	}
	error_context_stack = callback.previous;
	*allowances = LintRunEnd(lint);
	return list_length(statements);
}

/*
 * Record a failed revision in migrate.log from a worker, so that the record
 * survives the rollback.  A failure to record is a WARNING: the revision's
 * own error is the one that matters.
 */
static void
record_failure(const char *id, bool upgrade, TimestampTz start,
			   StatementPosition *pos, ErrorData *edata)
{
	CatalogFailure f;
	long		secs;
	int			usecs;
	char	   *error;

	TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
	f.id = id;
	f.upgrade = upgrade;
	f.started_at = start;
	f.duration_us = (int64) secs * 1000000 + usecs;
	f.statement = pos->number;
	f.statement_text = pos->text;
	f.sqlerrcode = edata->sqlerrcode;
	f.message = edata->message ? edata->message : "";
	f.detail = edata->detail;

	error = WorkerRunAutonomous(CatalogFailureSql(&f), CatalogOwner());
	if (error)
		ereport(WARNING,
				(errmsg("could not record the failure of revision \"%s\" in migrate.log: %s",
						id, error)));
}

/*
 * The plan of an upgrade (or downgrade) to target, taken under the
 * advisory lock, in the current memory context.  Unless
 * allow_non_transactional, a plan with a non-transactional revision is
 * refused.
 */
PlannedRevision *
ExecutePlan(const char *target, bool upgrade, bool allow_non_transactional,
			int *n)
{
	RevisionGraph *g;
	Target	   *t;
	int		   *nodes;
	PlannedRevision *plan;

	CatalogLock();
	g = CatalogLoadGraph(false);
	t = TargetResolve(g, target);
	nodes = upgrade ? PlanUpgrade(g, t, n) : PlanDowngrade(g, t, false, n);
	plan = palloc(sizeof(PlannedRevision) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		RevisionNode *r = &g->nodes[nodes[i]];

		plan[i].id = pstrdup(r->id);
		plan[i].message = pstrdup(r->message);
		plan[i].transactional = r->transactional;
	}
	if (!allow_non_transactional)
		refuse_non_transactional(plan, *n, upgrade);
	return plan;
}

/*
 * Run transactional revisions in order, in the current transaction, under
 * savepoints (subtransactions) that each cover a batch of consecutive
 * revisions; then record what was done.  A failure rolls back to the
 * batch's savepoint and is recorded before the error goes on; a lock not
 * granted in time rolls back to it and runs the batch again, later.
 * target is the call's (for hints) or NULL.
 *
 * A batch ends after MIGRATE_BATCH_REVISIONS revisions or once it has run
 * MIGRATE_BATCH_MS: releasing a subtransaction costs time linear in what
 * the whole transaction holds (locks, relations created, the relation
 * cache), so one per revision made a long upgrade quadratic, while a lock
 * retry runs again at most a batch's worth of work.
 */
CatalogStep *
ExecuteRevisions(PlannedRevision *plan, int n, bool upgrade,
				 const char *target)
{
	CatalogStep *steps = palloc0(sizeof(CatalogStep) * Max(n, 1));
	const char **ids = palloc(sizeof(char *) * Max(n, 1));
	char	  **scripts;
	MemoryContext per_revision;
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	StatementPosition pos = {0};
	int			nest;
	int			batch_start = 0;	/* first revision of the batch */
	TimestampTz batch_began = 0;
	int			attempt = 0;	/* lock retries of this batch */
	int			i = 0;

	if (n == 0)
		return steps;
	for (int k = 0; k < n; k++)
		ids[k] = plan[k].id;
	scripts = CatalogGetScriptsById(ids, n, upgrade);
	per_revision = AllocSetContextCreate(CurrentMemoryContext,
										 "migrate revision",
										 ALLOCSET_DEFAULT_SIZES);
	pos.target = target;

	nest = NewGUCNestLevel();
	(void) set_config_option("lock_timeout",
							 psprintf("%d", migrate_lock_timeout),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	while (i < n)
	{
		TimestampTz start = GetCurrentTimestamp();
		ErrorData  *volatile edata = NULL;
		char	   *blockers;
		long		delay;
		long		secs;
		int			usecs;

		CHECK_FOR_INTERRUPTS();
		if (i == batch_start)
		{
			BeginInternalSubTransaction(NULL);
			MemoryContextSwitchTo(context);
			batch_began = start;
		}
		MemoryContextReset(per_revision);	/* of the revision before */
		MemoryContextSwitchTo(per_revision);
		PG_TRY();
		{
			char	   *allowances;
			char	   *effects;

			RunnerEffectsReset();
			steps[i].statements = run_script(plan[i].id, scripts[i],
											 upgrade, &pos, &allowances);
			steps[i].allowances = allowances ?
				MemoryContextStrdup(context, allowances) : NULL;
			effects = RunnerEffectsJson();
			steps[i].effects = effects ?
				MemoryContextStrdup(context, effects) : NULL;
			MemoryContextSwitchTo(context);
		}
		PG_CATCH();
		{
			/* no jump out of here: PG_END_TRY must restore the stack */
			MemoryContextSwitchTo(context);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(context);
			CurrentResourceOwner = owner;
		}
		PG_END_TRY();

		if (edata == NULL)
		{
			TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
			steps[i].id = plan[i].id;
			steps[i].message = plan[i].message;
			steps[i].upgrade = upgrade;
			steps[i].started_at = start;
			steps[i].duration_us = (int64) secs * 1000000 + usecs;
			i++;
			if (i == n ||
				i - batch_start >= MIGRATE_BATCH_REVISIONS ||
				TimestampDifferenceExceeds(batch_began, GetCurrentTimestamp(),
										   MIGRATE_BATCH_MS))
			{
				CatalogRecordMigrationXids();	/* rows the batch wrote */
				ReleaseCurrentSubTransaction();
				MemoryContextSwitchTo(context);
				CurrentResourceOwner = owner;
				batch_start = i;
				attempt = 0;
			}
			continue;
		}

		/* a lock not granted in time: the batch again, later */
		blockers = edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE &&
			pos.parsetree ? describe_blockers(pos.parsetree) : NULL;
		if (edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE &&
			attempt < migrate_lock_retries)
		{
			delay = (long) migrate_lock_retry_delay << Min(attempt, 10);
			ereport(NOTICE,
					(errmsg("statement %d of revision \"%s\" could not get a lock; retry %d of %d in %ld ms",
							pos.number, plan[i].id, attempt + 1,
							migrate_lock_retries, delay),
					 blockers ? errdetail("Blocking: %s", blockers) : 0));
			CatalogRecordRetry(plan[i].id, upgrade, pos.number, blockers);
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 delay, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			attempt++;
			i = batch_start;
			continue;
		}
		if (edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE)
		{
			edata->detail = psprintf("%s%sThe lock was not granted in %d attempts of %d ms.%s%s",
									 edata->detail ? edata->detail : "",
									 edata->detail ? "  " : "",
									 attempt + 1, migrate_lock_timeout,
									 blockers ? "  Blocking: " : "",
									 blockers ? blockers : "");
			edata->hint = pstrdup("Retry once the blocking sessions are done, or raise migrate.lock_timeout or migrate.lock_retries.");
		}
		record_failure(plan[i].id, upgrade, start, &pos, edata);
		ReThrowError(edata);
	}
	MemoryContextReset(per_revision);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	AtEOXact_GUC(true, nest);
	MemoryContextDelete(per_revision);
	CatalogRecordSteps(steps, n);
	CatalogRecordEffects(steps, n);
	return steps;
}

/*
 * Run the upgrade (or downgrade) SQL of one revision in the current
 * (sub)transaction, statement by statement and checked by the rules as
 * ExecuteRevisions runs it, under migrate.lock_timeout, but recording
 * nothing: for migrate_verify, which rolls everything back.  Returns the
 * number of statements.  On error, *number and *text (in the caller's
 * memory context) name the statement, then the error goes on; the
 * caller's subtransaction rollback undoes the SPI connection and the GUC
 * nest level.
 */
int
ExecuteRevisionUnrecorded(const char *id, bool upgrade, int *number,
						  char **text)
{
	MemoryContext context = CurrentMemoryContext;
	char	  **script = CatalogGetScriptsById(&id, 1, upgrade);
	StatementPosition pos = {0};
	char	   *allowances;
	int			nest;
	int			n;

	*number = 0;
	*text = NULL;
	nest = NewGUCNestLevel();
	(void) set_config_option("lock_timeout",
							 psprintf("%d", migrate_lock_timeout),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		n = run_script(id, script[0], upgrade, &pos, &allowances);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(context);
		*number = pos.number;
		*text = pos.text ? pstrdup(pos.text) : NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	AtEOXact_GUC(true, nest);
	MemoryContextSwitchTo(context);
	return n;
}

/*
 * The statements of a non-transactional revision, read and split in the
 * current memory context, to be run by ExecuteNonTransactional after a
 * commit; *sql gets the script they come from.
 */
List *
NonTransactionalStatements(PlannedRevision *rev, bool upgrade, char **sql)
{
	char	  **script = CatalogGetScriptsById((const char **) &rev->id, 1,
											   upgrade);

	*sql = script[0];
	return SqlSplit(script[0], psprintf("%s SQL of revision \"%s\"",
										upgrade ? "upgrade" : "downgrade",
										rev->id));
}

/*
 * Check a statement of a non-transactional revision with the rules that
 * depend on the database's state, in a subtransaction, so that a statement
 * the rules stop is recorded in migrate.log before the error goes on.
 */
typedef struct LintCall
{
	LintRun    *lint;
	SqlStatement *st;
} LintCall;

/* SubxactRun callback of lint_before_worker. */
static void
lint_call(void *arg)
{
	LintCall   *call = arg;

	LintRunStatement(call->lint, call->st);
}

static void
lint_before_worker(LintRun *lint, PlannedRevision *rev, SqlStatement *st,
				   bool upgrade, TimestampTz start, StatementPosition *pos)
{
	LintCall	call = {lint, st};
	ErrorData  *edata;
	ErrorContextCallback callback;

	if (lint == NULL)
		return;
	callback.callback = statement_error_callback;
	callback.arg = pos;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	edata = SubxactRun(lint_call, &call, true);
	if (edata != NULL)
	{
		record_failure(rev->id, upgrade, start, pos, edata);
		ReThrowError(edata);
	}
	error_context_stack = callback.previous;
}

/*
 * Run a non-transactional revision, stretch by stretch (SqlStretches: each
 * statement on its own, or the runs between COMMITs), each at top level in
 * a background worker, as the calling role, then record it.  Right before
 * each statement, the rules that depend on the database's state check it
 * against the catalogs of that moment, as for a transactional revision
 * (the data-change row count is only estimated: the worker commits what
 * it ran); a stretch of several statements is checked before it starts.
 * The caller must be in a procedure's transaction that it may commit: the
 * lint's snapshot and locks are committed away before the worker starts,
 * since a CONCURRENTLY build waits for both.  A failed CONCURRENTLY build
 * leaves no invalid index behind.
 *
 * Each stretch that commits is recorded in migrate.progress (with a stretch
 * of several statements, in its own transaction), so that after a failure
 * or a crash the same call resumes at the first stretch that did not
 * commit; the progress goes when the revision's step is recorded.
 */
CatalogStep *
ExecuteNonTransactional(PlannedRevision *rev, List *statements,
						const char *sql, bool upgrade)
{
	CatalogStep *step = palloc0(sizeof(CatalogStep));
	const char *direction = upgrade ? "upgrade" : "downgrade";
	TimestampTz start = GetCurrentTimestamp();
	StatementPosition pos = {direction, rev->id, 0, 0, NULL, NULL};
	Oid			role = GetUserId();
	MemoryContext context = CurrentMemoryContext;
	MemoryContext lint_context;
	char	   *allowances = NULL;
	char	   *checksum = SqlChecksum(sql, "");
	List	   *stretches = SqlStretches(statements);
	int			done = CatalogProgress(rev->id, upgrade, checksum);
	long		secs;
	int			usecs;

	if (done == 0)
		PreconditionsCheck(rev->id, sql, upgrade);

	if (done > 0)
		ereport(NOTICE,
				(errmsg("resuming the %s of revision %s at stretch %d of %d",
						direction, rev->id, Min(done + 1, list_length(stretches)),
						list_length(stretches)),
				 errdetail("An earlier run committed stretches 1 to %d.", done)));

	/* the lint run outlives the commits between statements */
	lint_context = AllocSetContextCreate(TopMemoryContext, "migrate lint run",
										 ALLOCSET_DEFAULT_SIZES);
	PG_TRY();
	{
		LintRun    *lint;
		ListCell   *lc;

		MemoryContextSwitchTo(lint_context);
		lint = LintRunBegin(rev->id, statements, sql, upgrade, false);
		MemoryContextSwitchTo(context);
		foreach(lc, stretches)
		{
			SqlStretch *stretch = lfirst(lc);
			WorkerRequest req = {0};
			WorkerResult result;
			ListCell   *ls;
			int			i = 0;

			if (stretch->number <= done)
				continue;
			foreach(ls, stretch->statements)
			{
				SqlStatement *st = lfirst(ls);

				position_at(&pos, st);
				MemoryContextSwitchTo(lint_context);
				lint_before_worker(lint, rev, st, upgrade, start, &pos);
				if (i < 64 && LintApproved("protected-object-change"))
					req.approved |= UINT64CONST(1) << i;
				MemoryContextSwitchTo(context);
				i++;
			}
			SPI_commit();		/* no snapshot, no lock while the worker runs */
			InvalidateCatalogSnapshot();
			req.sql = SqlStretchText(stretch);
			req.role = role;
			req.lock_timeout = migrate_lock_timeout;
			req.statement_timeout = migrate_statement_timeout;
			req.flags = WORKER_DROP_INVALID_INDEXES | WORKER_RECORD_PROGRESS |
				(list_length(stretch->statements) > 1 ? WORKER_ONE_TRANSACTION : 0);
			req.revision = rev->id;
			req.upgrade = upgrade;
			req.checksum = checksum;
			req.stretch = stretch->number;
			req.statements = list_length(stretch->statements);
			if (!WorkerRunRequest(&req, &result))
			{
				ErrorData	edata = {0};
				ErrorContextCallback callback;
				SqlStatement *st = list_nth(stretch->statements,
											result.failed_statement >= 0 &&
											result.failed_statement < list_length(stretch->statements) ?
											result.failed_statement : 0);

				position_at(&pos, st);
				edata.sqlerrcode = result.sqlerrcode;
				edata.message = result.message;
				edata.detail = result.detail;
				record_failure(rev->id, upgrade, start, &pos, &edata);
				callback.callback = statement_error_callback;
				callback.arg = &pos;
				callback.previous = error_context_stack;
				error_context_stack = &callback;
				WorkerRethrow(&result);
			}
		}
		allowances = LintRunEnd(lint);
		if (allowances)
			allowances = MemoryContextStrdup(context, allowances);
	}
	PG_FINALLY();
	{
		MemoryContextSwitchTo(context);
		MemoryContextDelete(lint_context);
	}
	PG_END_TRY();
	TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
	step->id = rev->id;
	step->message = rev->message;
	step->upgrade = upgrade;
	step->started_at = start;
	step->duration_us = (int64) secs * 1000000 + usecs;
	step->statements = 0;
	{
		ListCell   *lc;

		foreach(lc, stretches)
			step->statements += list_length(((SqlStretch *) lfirst(lc))->statements);
	}
	step->allowances = allowances;
	CatalogRecordSteps(step, 1);
	CatalogClearProgress(rev->id);
	return step;
}

/*
 * Before a downgrade runs: refuse it, naming every table, column and
 * schema it would drop data of and how many rows, unless the caller
 * consented (migrate.drop_data) or the revisions export first.  The check
 * right before each statement stays the final word; this one names all
 * the losses at once, before anything ran.
 */
void
ExecuteRefuseDataLoss(PlannedRevision *plan, int n)
{
	const char **ids = palloc(sizeof(char *) * Max(n, 1));
	bool	   *transactional = palloc(sizeof(bool) * Max(n, 1));
	List	   *losses;
	ListCell   *lc;
	StringInfoData detail;

	if (n == 0 || migrate_drop_data)
		return;
	for (int i = 0; i < n; i++)
	{
		ids[i] = plan[i].id;
		transactional[i] = plan[i].transactional;
	}
	losses = LintPlan(ids, transactional, n, false, true);
	if (losses == NIL)
		return;
	initStringInfo(&detail);
	foreach(lc, losses)
	{
		LintPlanFinding *pf = lfirst(lc);

		appendStringInfo(&detail, "%sRevision \"%s\", statement %d (line %d): %s.",
						 detail.len > 0 ? "\n" : "", pf->revision,
						 pf->finding->statement, pf->finding->line,
						 pf->finding->message);
	}
	ereport(ERROR,
			(errcode(ERRCODE_MIGRATE_LINT_STOPPED),
			 errmsg_plural("downgrade would drop data in %d place",
						   "downgrade would drop data in %d places",
						   list_length(losses), list_length(losses)),
			 errdetail("%s", detail.data),
			 errhint("Export the data first in the downgrade, or, if it may go, consent to the loss: migrate_downgrade(target, drop_data => true), SET migrate.drop_data = on, or pg_migrate downgrade --force.")));
}

/*
 * migrate_upgrade and migrate_downgrade: plan, run, record, in the
 * caller's transaction.
 */
CatalogStep *
ExecuteMove(const char *target, bool upgrade, int *n)
{
	PlannedRevision *plan = ExecutePlan(target, upgrade, false, n);
	CatalogStep *steps;

	if (!upgrade)
		ExecuteRefuseDataLoss(plan, *n);
	steps = ExecuteRevisions(plan, *n, upgrade, target);

	if (*n > 0)
		CatalogStoreFingerprint();
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
	if (*n > 0)
		CatalogStoreFingerprint();
	return steps;
}
