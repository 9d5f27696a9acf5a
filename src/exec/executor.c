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
#include "parser/parser.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
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
	int			line;			/* in the revision file */
	int			line_base;		/* file line of the section's line 1, less 1 */
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
static int	run_script(const MigrationPlan *plan, const PlanStep *step,
					   StatementPosition *pos, char **allowances,
					   UnrecordedRun *run);
static void run_statement_once(const char *revision, const char *sql,
							   RawStmt *equivalent);
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

/*
 * Around running revision SQL: lock_timeout is migrate.lock_timeout (a GUC
 * nest level, undone by revision_sql_end or by the abort of an error) and
 * SPI is connected.  Returns the nest level.
 */
static int
revision_sql_begin(void)
{
	int			nest = NewGUCNestLevel();

	(void) set_config_option("lock_timeout",
							 psprintf("%d", migrate_lock_timeout),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	return nest;
}

static void
revision_sql_end(int nest)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	AtEOXact_GUC(true, nest);
}

/*
 * The executor is at statement st now (for errors and failure records).
 * Its line is the line in the revision file: pos->line_base counts the
 * file's lines before the section (position_in_revision).
 */
static void
position_at(StatementPosition *pos, SqlStatement *st)
{
	pos->number = st->number;
	pos->line = st->line + pos->line_base;
	pos->text = st->text;
	pos->parsetree = st->parsetree;
}

/* The executor starts the upgrade (downgrade) SQL of a step. */
static void
position_in_revision(StatementPosition *pos, const PlanStep *step, bool upgrade)
{
	pos->direction = upgrade ? "upgrade" : "downgrade";
	pos->revision = step->id;
	pos->number = 0;
	pos->line = 0;
	pos->line_base = (step->line > 0 ? step->line :
					  CatalogSectionLine(step->id, upgrade)) - 1;
	pos->text = NULL;
}

/*
 * With migrate.report_progress: say that a revision ran, while the call goes on
 * (INFO reaches the client whatever client_min_messages says).
 */
static void
report_progress(CatalogStep *step)
{
	if (migrate_report_progress)
		ereport(INFO,
				(errcode(ERRCODE_MIGRATE_PROGRESS),
				 errmsg("%s revision \"%s\"",
						step->upgrade ? "upgraded" : "downgraded", step->id),
				 errdetail_internal("%d statements, %.3f ms", step->statements,
									step->duration_us / 1000.0)));
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

/*
 * Run a statement's transactional equivalent (a raw parse tree of sql) as
 * SPI runs a utility statement: analyzed, with a snapshot, then a command
 * counter increment.
 */
static void
run_equivalent(RawStmt *raw, const char *sql)
{
	List	   *plantrees;
	ListCell   *lc;

	PushActiveSnapshot(GetTransactionSnapshot());
	plantrees = pg_plan_queries(pg_analyze_and_rewrite_fixedparams(raw, sql,
																   NULL, 0, NULL),
								sql, CURSOR_OPT_PARALLEL_OK, NULL);
	foreach(lc, plantrees)
	{
		PlannedStmt *pstmt = lfirst_node(PlannedStmt, lc);

		if (pstmt->utilityStmt == NULL)
			elog(ERROR, "transactional equivalent is not a utility statement");
		ProcessUtility(pstmt, sql, false, PROCESS_UTILITY_QUERY, NULL, NULL,
					   None_Receiver, NULL);
		CommandCounterIncrement();
	}
	PopActiveSnapshot();
	SPI_processed = 0;
}

/*
 * Run one statement through SPI (or its transactional equivalent, when
 * given), under migrate.statement_timeout.
 */
static void
run_statement_once(const char *revision, const char *sql, RawStmt *equivalent)
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
		if (equivalent)
			run_equivalent(equivalent, sql);
		rc = equivalent ? SPI_OK_UTILITY : SPI_execute(sql, false, 0);
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
 * Before a non-transactional revision runs through its transactional
 * equivalents (migrate_verify): refuse it, naming the first statement
 * that has none (VACUUM, CREATE DATABASE, ...), before anything ran.
 */
static void
refuse_without_equivalent(const MigrationPlan *plan, const PlanStep *step,
						  List *statements)
{
	ListCell   *lc;

	foreach(lc, statements)
	{
		SqlStatement *st = lfirst(lc);
		const char *what;

		if (SqlIsBoundary(st->parsetree))
			continue;
		if (SqlTransactionalEquivalent(st->parsetree, &what) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_NON_TRANSACTIONAL),
					 errmsg("%s at statement %d (line %d) has no transactional equivalent",
							what, st->number,
							st->line + CatalogSectionLine(step->id, plan->upgrade) - 1),
					 errdetail("The %s SQL of revision \"%s\" cannot run inside a transaction block.",
							   plan->upgrade ? "upgrade" : "downgrade", step->id)));
	}
}

/*
 * The transactional equivalent of a statement, parsed again from its own
 * text (so that error positions point into it), or NULL when the statement
 * runs as it is; noted in run->notes.
 */
static RawStmt *
equivalent_of(SqlStatement *st, UnrecordedRun *run)
{
	const char *what;
	RawStmt    *raw;
	Node	   *equivalent;
	MemoryContext old;

	if (SqlTransactionalEquivalent(st->parsetree, &what) == st->parsetree)
		return NULL;
	raw = linitial_node(RawStmt, raw_parser(st->text, RAW_PARSE_DEFAULT));
	equivalent = SqlTransactionalEquivalent(raw->stmt, &what);
	if (equivalent == NULL)		/* refuse_without_equivalent saw to it */
		elog(ERROR, "statement %d has no transactional equivalent", st->number);
	raw->stmt = equivalent;
	old = MemoryContextSwitchTo(run->context);
	run->notes = lappend(run->notes,
						 psprintf("statement %d: %s as %s", st->number, what,
								  GetCommandTagName(CreateCommandTag(equivalent))));
	MemoryContextSwitchTo(old);
	return raw;
}

/*
 * Run the statements of one step of the plan; returns their number, and in
 * allowances the allow/approve markers that silenced findings (JSON, or
 * NULL), for the log.
 */
static int
run_script(const MigrationPlan *plan, const PlanStep *step,
		   StatementPosition *pos, char **allowances, UnrecordedRun *run)
{
	ListCell   *lc;
	ErrorContextCallback callback;
	LintRun    *lint;
	List	   *statements = PlanStepStatements(plan, step);
	bool		equivalents = run != NULL && run->equivalents && !step->transactional;

	position_in_revision(pos, step, plan->upgrade);
	if (equivalents)
		refuse_without_equivalent(plan, step, statements);
	PreconditionsCheck(step->id, step->sql, plan->upgrade);
	/* through equivalents, the rules judge the statements as a worker runs them */
	lint = LintRunBegin(plan, step, !equivalents);

	callback.callback = statement_error_callback;
	callback.arg = pos;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	foreach(lc, statements)
	{
		SqlStatement *st = lfirst(lc);
		RawStmt    *equivalent = NULL;

		position_at(pos, st);
		if (fail_here(step->id, st->number))
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_INJECTED_FAILURE),
					 errmsg("injected failure at statement %d of revision \"%s\"",
							st->number, step->id),
					 errdetail("migrate.debug_fail_at is \"%s\".",
							   migrate_debug_fail_at),
					 errhint("migrate.debug_fail_at is for tests only; RESET it.")));
		if (equivalents && SqlIsBoundary(st->parsetree))
			continue;			/* the stretches run on in one transaction */
		LintRunStatement(lint, st);
		if (equivalents)
			equivalent = equivalent_of(st, run);
		if (run && run->before_statement)
		{
			MemoryContext old = MemoryContextSwitchTo(run->context);

			run->before_statement(run->arg);
			MemoryContextSwitchTo(old);
		}
		run_statement_once(step->id, st->text, equivalent);
		if (run && run->after_statement)
		{
			MemoryContext old = MemoryContextSwitchTo(run->context);

			run->after_statement(run->arg);
			MemoryContextSwitchTo(old);
		}
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

/* A batch of revisions under one savepoint: see ExecuteRevisions. */
typedef struct Batch
{
	const MigrationPlan *plan;
	int			end;			/* the revision after the last to run */
	int			next;			/* the revision running, or the next to run */
	int			first;			/* the first of the batch */
	int			offset;			/* the revision of steps[0] */
	TimestampTz started;		/* when revision "next" started */
	CatalogStep *steps;
	StatementPosition pos;
	MemoryContext context;		/* of the call: steps live here */
	MemoryContext per_revision; /* reset before each revision */
} Batch;

/*
 * SubxactRun callback of ExecuteRevisions: run the revisions of a batch,
 * from b->first, until the plan ends, the batch is full or its time is
 * up.  On error, b->next is the revision that failed.
 */
static void
run_batch(void *arg)
{
	Batch	   *b = arg;
	TimestampTz began = GetCurrentTimestamp();

	do
	{
		const PlanStep *step = &b->plan->steps[b->next];
		CatalogStep *done = &b->steps[b->next - b->offset];
		char	   *allowances;
		char	   *effects;
		long		secs;
		int			usecs;

		CHECK_FOR_INTERRUPTS();
		b->started = GetCurrentTimestamp();
		MemoryContextReset(b->per_revision);	/* of the revision before */
		MemoryContextSwitchTo(b->per_revision);
		RunnerEffectsReset();
		done->statements = run_script(b->plan, step, &b->pos, &allowances,
									   NULL);
		effects = RunnerEffectsJson();
		MemoryContextSwitchTo(b->context);
		done->allowances = allowances ? pstrdup(allowances) : NULL;
		done->effects = effects ? pstrdup(effects) : NULL;
		TimestampDifference(b->started, GetCurrentTimestamp(), &secs, &usecs);
		done->id = step->id;
		done->message = step->message;
		done->upgrade = b->plan->upgrade;
		done->started_at = b->started;
		done->duration_us = (int64) secs * 1000000 + usecs;
		report_progress(done);
		b->next++;
	} while (b->next < b->end &&
			 b->next - b->first < MIGRATE_BATCH_REVISIONS &&
			 !TimestampDifferenceExceeds(began, GetCurrentTimestamp(),
										 MIGRATE_BATCH_MS));
	CatalogRecordMigrationXids();	/* rows the batch wrote */
}

/*
 * The bookkeeping of a batch that ran: applied set, log rows and effects.
 * What only the log needs is freed then, so that a long upgrade does not
 * hold every revision's effects to its end.  It runs once the batch's
 * subtransaction is released: the statement trigger of migrate.applied
 * allocates in the current subtransaction's memory, which PostgreSQL then
 * keeps to the end of the transaction (8 kB per batch: 110 batches held
 * 0.9 MB at the end of a 3,000-revision upgrade), while in the transaction
 * itself that memory is reused.
 */
static void
record_batch(Batch *b)
{
	CatalogStep *steps = &b->steps[b->first - b->offset];
	int			n = b->next - b->first;

	MemoryContextReset(b->per_revision);
	MemoryContextSwitchTo(b->per_revision);
	CatalogRecordSteps(steps, n);
	MemoryContextSwitchTo(b->context);
	for (int i = 0; i < n; i++)
	{
		if (steps[i].allowances)
			pfree(unconstify(char *, steps[i].allowances));
		if (steps[i].effects)
			pfree(unconstify(char *, steps[i].effects));
		steps[i].allowances = steps[i].effects = NULL;
	}
}

/*
 * Drop the backend's copies of catalog rows (the catalog caches) once
 * MIGRATE_FORGET_REVISIONS revisions have run since the last time.
 * PostgreSQL keeps a copy of every catalog row a statement looked up until
 * the row changes; the DDL of a long upgrade, its event triggers and
 * migrate's checks look up each new table, column, index, sequence and
 * type, so the copies grew by about 4 kB per revision (the peak memory of
 * a 10,000-revision upgrade fell from 298 to 254 MB without them), longer
 * than anything needs them: a later revision rarely touches the same
 * objects, and a copy dropped is read again when it is.  Nothing changes
 * in the catalogs, so nothing built on the copies needs telling; copies in
 * use are dropped when released.  Counted across calls, so that CALL
 * migrate_apply, a revision per call, pays for it as rarely.
 */
#define MIGRATE_FORGET_REVISIONS 256

static void
forget_catalog_copies(int revisions)
{
	static int	since = 0;

	since += revisions;
	if (since < MIGRATE_FORGET_REVISIONS)
		return;
	ResetCatalogCaches();
	since = 0;
}

/*
 * Run count transactional revisions of the plan from first, in order, in
 * the current transaction, under savepoints (subtransactions) that each
 * cover a batch of consecutive revisions; then record what was done.  A
 * failure rolls back to the batch's savepoint and is recorded before the
 * error goes on; a lock not granted in time rolls back to it and runs the
 * batch again, later.
 *
 * A batch ends after MIGRATE_BATCH_REVISIONS revisions or once it has run
 * MIGRATE_BATCH_MS: releasing a subtransaction costs time linear in what
 * the whole transaction holds (locks, relations created, the relation
 * cache), so one per revision made a long upgrade quadratic, while a lock
 * retry runs again at most a batch's worth of work.
 */
CatalogStep *
ExecuteRevisions(const MigrationPlan *plan, int first, int count)
{
	Batch		b = {0};
	int			nest;
	int			attempt = 0;	/* lock retries of this batch */

	b.plan = plan;
	b.next = first;
	b.end = first + count;
	b.offset = first;
	b.context = CurrentMemoryContext;
	b.steps = palloc0(sizeof(CatalogStep) * Max(count, 1));
	b.pos.target = plan->target;
	if (count == 0)
		return b.steps;
	b.per_revision = AllocSetContextCreate(CurrentMemoryContext,
										   "migrate revision",
										   ALLOCSET_DEFAULT_SIZES);

	nest = revision_sql_begin();
	while (b.next < b.end)
	{
		ErrorData  *edata;
		const char *id;
		char	   *blockers;
		long		delay;

		b.first = b.next;
		edata = SubxactRun(run_batch, &b, true);
		if (edata == NULL)
		{
			record_batch(&b);
			forget_catalog_copies(b.next - b.first);
			attempt = 0;
			continue;
		}

		/* a lock not granted in time: the batch again, later */
		id = plan->steps[b.next].id;
		blockers = edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE &&
			b.pos.parsetree ? describe_blockers(b.pos.parsetree) : NULL;
		if (edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE &&
			attempt < migrate_lock_retries)
		{
			delay = (long) migrate_lock_retry_delay << Min(attempt, 10);
			ereport(NOTICE,
					(errmsg("statement %d of revision \"%s\" could not get a lock; retry %d of %d in %ld ms",
							b.pos.number, id, attempt + 1,
							migrate_lock_retries, delay),
					 blockers ? errdetail("Blocking: %s", blockers) : 0));
			CatalogRecordRetry(id, plan->upgrade, b.pos.number, blockers);
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 delay, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			attempt++;
			b.next = b.first;
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
		record_failure(id, plan->upgrade, b.started, &b.pos, edata);
		ReThrowError(edata);
	}
	revision_sql_end(nest);
	MemoryContextDelete(b.per_revision);
	return b.steps;
}

/*
 * Run the upgrade (or downgrade) SQL of one revision in the current
 * (sub)transaction, statement by statement and checked by the rules as
 * ExecuteRevisions runs it, under migrate.lock_timeout, but recording
 * nothing: for migrate_verify, which rolls everything back; run says how
 * (NULL: as it is written).  Returns the number of statements.  On error,
 * *number and *text (in the caller's memory context) name the statement,
 * then the error goes on; the caller's subtransaction rollback undoes the
 * SPI connection and the GUC nest level.
 */
int
ExecuteRevisionUnrecorded(const char *id, bool upgrade, UnrecordedRun *run,
						  int *number, char **text)
{
	MemoryContext context = CurrentMemoryContext;
	MigrationPlan *plan = PlanPrepareRevision(id, upgrade);
	StatementPosition pos = {0};
	char	   *allowances;
	int			nest;
	int			n;

	*number = 0;
	*text = NULL;
	if (run)
		run->context = context;
	nest = revision_sql_begin();
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		n = run_script(plan, &plan->steps[0], &pos, &allowances, run);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(context);
		*number = pos.number;
		*text = pos.text ? pstrdup(pos.text) : NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();
	revision_sql_end(nest);
	MemoryContextSwitchTo(context);
	return n;
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
lint_before_worker(LintRun *lint, const PlanStep *rev, SqlStatement *st,
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
 * commit; the progress goes when the revision's step is recorded, and the
 * effects the worker saw, recorded with each stretch, go to the log with
 * it, as a transactional revision's do.
 */
CatalogStep *
ExecuteNonTransactional(const MigrationPlan *plan, const PlanStep *rev)
{
	bool		upgrade = plan->upgrade;
	CatalogStep *step = palloc0(sizeof(CatalogStep));
	const char *direction = upgrade ? "upgrade" : "downgrade";
	TimestampTz start = GetCurrentTimestamp();
	StatementPosition pos = {0};
	Oid			role = GetUserId();
	MemoryContext context = CurrentMemoryContext;
	MemoryContext lint_context;
	char	   *allowances = NULL;
	char	   *checksum = SqlChecksum(rev->sql, "");
	List	   *stretches = SqlStretches(PlanStepStatements(plan, rev));
	int			done = CatalogProgress(rev->id, upgrade, checksum);
	long		secs;
	int			usecs;

	position_in_revision(&pos, rev, upgrade);
	if (done == 0)
		PreconditionsCheck(rev->id, rev->sql, upgrade);
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
		lint = LintRunBegin(plan, rev, false);
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
	step->effects = CatalogProgressEffects(rev->id, upgrade, checksum, NULL);
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
ExecuteRefuseDataLoss(const MigrationPlan *plan)
{
	List	   *losses;
	ListCell   *lc;
	StringInfoData detail;
	MemoryContext context;
	MemoryContext caller = CurrentMemoryContext;

	if (plan->nsteps == 0 || migrate_drop_data)
		return;
	/* the whole plan's parse trees, for this check only */
	context = AllocSetContextCreate(caller, "migrate data-loss check",
									ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(context);
	losses = LintPlan(plan, true);
	MemoryContextSwitchTo(caller);
	if (losses == NIL)
	{
		MemoryContextDelete(context);
		return;
	}
	initStringInfo(&detail);
	foreach(lc, losses)
	{
		LintPlanFinding *pf = lfirst(lc);

		appendStringInfo(&detail, "%sRevision \"%s\", statement %d (line %d): %s.",
						 detail.len > 0 ? "\n" : "", pf->revision,
						 pf->finding->statement,
						 pf->finding->line + CatalogSectionLine(pf->revision, false) - 1,
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
 * Is an upgrade to target a no-op that migrate.settled answers (every
 * revision applied, nothing changed since the last no-op upgrade saw it)?
 * Then the caller need not read the graph: on a fresh connection that is
 * most of the cost of a no-op deploy.  Takes the lock, as the full path
 * would, so that it waits for a migration under way.
 */
bool
ExecuteSettled(const char *target)
{
	int			heads;

	if (!TargetNamesHeads(target))
		return false;
	CatalogLock();
	heads = CatalogSettledHeads();
	return heads == 1 || (heads > 1 && strcmp(target, "heads") == 0);
}

/*
 * migrate_upgrade and migrate_downgrade: plan, run, record, in the
 * caller's transaction.
 */
CatalogStep *
ExecuteMove(const char *target, bool upgrade, int *n)
{
	MigrationPlan *plan;
	CatalogStep *steps;

	if (upgrade && ExecuteSettled(target))
	{
		*n = 0;
		return palloc0(sizeof(CatalogStep));
	}
	plan = ExecutePlan(target, upgrade, false);

	if (!upgrade)
		ExecuteRefuseDataLoss(plan);
	steps = ExecuteRevisions(plan, 0, plan->nsteps);
	*n = plan->nsteps;
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
