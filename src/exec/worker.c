/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  Runs one SQL string at top level in a dynamic background worker, and
 *	  waits for it.
 *
 * Two things need a session of their own: statements that cannot run
 * inside a function or a transaction block (CREATE INDEX CONCURRENTLY,
 * VACUUM, ...), which the worker runs the way a client's simple query
 * would run; and rows that must survive the caller's rollback (the record
 * of a failed revision), which the worker commits in its own transaction.
 *
 * The caller passes the SQL, the database, the role and the timeouts in a
 * dynamic shared memory segment; the worker writes back whether it failed
 * and, if so, the error's SQLSTATE, message, detail and hint.  While the
 * caller waits it holds no snapshot of its own, so that a CONCURRENTLY
 * build in the worker, which waits for older snapshots, never waits for
 * its caller.
 *
 * The worker logs in as the role the caller authenticated as, takes the
 * caller's session user, and becomes the role to run as (SET ROLE, without
 * a check: the caller was that role), so that a caller that SET ROLE to a
 * role that cannot log in still gets a worker.  Bookkeeping SQL logs in
 * and runs as the owner of schema migrate, with search_path pinned to
 * pg_catalog, pg_temp whatever the role's and the database's settings
 * say.
 *
 * The worker's DDL is migrate's own (the guard does not record it), but
 * the guard still stops a statement that touches a protected object unless
 * the caller passed the statement's approval (WORKER_APPROVE_PROTECTED).
 *
 * When asked to, after a failure the worker drops the invalid indexes that
 * a failed CONCURRENTLY build leaves behind (those that were not invalid
 * before it ran), with DROP INDEX CONCURRENTLY; and before a CREATE INDEX
 * CONCURRENTLY, it drops an invalid index of the same name on the same
 * table, left by a build that a crash interrupted.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"

#include "migrate/catalog/catalog.h"
#include "migrate/exec/worker.h"
#include "migrate/util/runner.h"
#include "migrate/util/subxact.h"

#define WORKER_TEXT_MAX 2048

/* The shared memory between caller and worker. */
typedef struct WorkerSlot
{
	/* set by the caller */
	Oid			database;
	Oid			login_role;		/* the caller's authenticated role */
	Oid			session_role;	/* the caller's session user */
	Oid			role;			/* the role to run as */
	int			lock_timeout;	/* ms; 0: none */
	int			statement_timeout;	/* ms; 0: none */
	int			flags;			/* WORKER_* */
	uint64		approved;		/* bit i: statement i may change protected
								 * objects */
	/* WORKER_RECORD_PROGRESS: the stretch of a revision this SQL is */
	char		revision[NAMEDATALEN * 2];
	bool		upgrade;
	char		checksum[65];
	int			stretch;
	int			statements;
	/* set by the worker */
	bool		done;
	bool		failed;
	int			failed_statement;	/* 0-based, of the SQL's statements */
	int			sqlerrcode;
	char		message[WORKER_TEXT_MAX];
	char		detail[WORKER_TEXT_MAX];
	char		hint[WORKER_TEXT_MAX];
	/* the SQL, NUL-terminated */
	char		sql[FLEXIBLE_ARRAY_MEMBER];
} WorkerSlot;

PGDLLEXPORT void migrate_worker_main(Datum main_arg);

static void run_toplevel(const char *sql, WorkerSlot *slot);
static List *invalid_indexes(void);
static void drop_new_invalid_indexes(List *before);
static void drop_leftover_index(const char *sql);
static void become_role(WorkerSlot *slot);

/*
 * Run sql at top level in a background worker connected to this database
 * as "role", with the given timeouts and WORKER_* flags.  Returns false,
 * with the error in *result, if the SQL failed; errors of the machinery
 * itself are raised.  The caller must not be inside a transaction block it
 * wants to keep a snapshot in: see the file header.
 */
bool
WorkerRun(const char *sql, Oid role, int lock_timeout, int statement_timeout,
		  int flags, WorkerResult *result)
{
	WorkerRequest req = {0};

	req.sql = sql;
	req.role = role;
	req.lock_timeout = lock_timeout;
	req.statement_timeout = statement_timeout;
	req.flags = flags;
	req.approved = (flags & WORKER_APPROVE_PROTECTED) ? ~UINT64CONST(0) : 0;
	return WorkerRunRequest(&req, result);
}

/*
 * WorkerRun with everything a stretch of a non-transactional revision
 * needs: the statements run in one transaction (WORKER_ONE_TRANSACTION),
 * each with its own approval, and the stretch is recorded as committed
 * (WORKER_RECORD_PROGRESS), in its transaction when it has several
 * statements, right after it otherwise.
 */
bool
WorkerRunRequest(const WorkerRequest *req, WorkerResult *result)
{
	const char *sql = req->sql;
	Oid			role = req->role;
	int			flags = req->flags;
	Size		len = strlen(sql);
	dsm_segment *seg;
	WorkerSlot *slot;
	BackgroundWorker worker = {0};
	BackgroundWorkerHandle *handle;
	BgwHandleStatus status;
	pid_t		pid;

	seg = dsm_create(offsetof(WorkerSlot, sql) + len + 1, 0);
	slot = dsm_segment_address(seg);
	memset(slot, 0, offsetof(WorkerSlot, sql));
	slot->database = MyDatabaseId;
	/* bookkeeping logs in as the owner, as before any caller existed */
	slot->login_role = (flags & WORKER_BOOKKEEPING) ? role :
		GetAuthenticatedUserId();
	slot->session_role = (flags & WORKER_BOOKKEEPING) ? role :
		GetSessionUserId();
	slot->role = role;
	slot->lock_timeout = req->lock_timeout;
	slot->statement_timeout = req->statement_timeout;
	slot->flags = flags;
	slot->approved = req->approved;
	if (flags & WORKER_RECORD_PROGRESS)
	{
		strlcpy(slot->revision, req->revision, sizeof(slot->revision));
		slot->upgrade = req->upgrade;
		strlcpy(slot->checksum, req->checksum, sizeof(slot->checksum));
		slot->stretch = req->stretch;
		slot->statements = req->statements;
	}
	slot->failed_statement = -1;
	memcpy(slot->sql, sql, len + 1);

	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "migrate");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "migrate_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "migrate worker for PID %d",
			 MyProcPid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "migrate worker");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not start a background worker to run a statement"),
				 errhint("Raise max_worker_processes; migrate needs one worker at a time.")));

	PG_TRY();
	{
		status = WaitForBackgroundWorkerStartup(handle, &pid);
		if (status != BGWH_STARTED && status != BGWH_STOPPED)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
					 errmsg("could not start a background worker to run a statement"),
					 errhint("Check the server log.")));
		status = WaitForBackgroundWorkerShutdown(handle);
		if (status == BGWH_POSTMASTER_DIED)
			ereport(FATAL,
					(errcode(ERRCODE_ADMIN_SHUTDOWN),
					 errmsg("postmaster exited while a migrate worker ran")));
	}
	PG_CATCH();
	{
		/* interrupted: do not leave the worker running on its own */
		TerminateBackgroundWorker(handle);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (!slot->done)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("migrate worker exited before finishing"),
				 errhint("Check the server log.")));
	result->failed = slot->failed;
	result->failed_statement = slot->failed_statement;
	result->sqlerrcode = slot->sqlerrcode;
	result->message = pstrdup(slot->message);
	result->detail = slot->detail[0] ? pstrdup(slot->detail) : NULL;
	result->hint = slot->hint[0] ? pstrdup(slot->hint) : NULL;
	dsm_detach(seg);
	return !result->failed;
}

/*
 * Run bookkeeping SQL (a failure or drift record) in a worker's transaction
 * of its own, as role, so that it survives the caller's rollback.  Any
 * error, of the SQL or of the machinery, is returned as a message (NULL:
 * done), for the caller to report as a WARNING: the caller's own error is
 * the one that matters.
 */
typedef struct AutonomousCall
{
	const char *sql;
	Oid			role;
	char	   *error;			/* out: the SQL's error, if it failed */
} AutonomousCall;

/* SubxactRun callback of WorkerRunAutonomous. */
static void
autonomous_call(void *arg)
{
	AutonomousCall *call = arg;
	WorkerResult result;

	if (!WorkerRun(call->sql, call->role, 0, 0, WORKER_BOOKKEEPING, &result))
		call->error = result.message;
}

char *
WorkerRunAutonomous(const char *sql, Oid role)
{
	AutonomousCall call = {sql, role, NULL};
	ErrorData  *edata = SubxactRun(autonomous_call, &call, true);

	return edata ? edata->message : call.error;
}

/* Raise the error a worker reported, as if it had happened here. */
void
WorkerRethrow(WorkerResult *result)
{
	ereport(ERROR,
			(errcode(result->sqlerrcode),
			 errmsg_internal("%s", result->message),
			 result->detail ? errdetail_internal("%s", result->detail) : 0,
			 result->hint ? errhint("%s", result->hint) : 0));
}

/*
 * Run a query string as a client's simple query would: each statement at
 * top level, in a transaction of its own; with WORKER_ONE_TRANSACTION all
 * in one, as between BEGIN and COMMIT, and with WORKER_RECORD_PROGRESS
 * the stretch recorded before it commits.  slot->failed_statement follows
 * the statement that runs.
 */
static void
run_toplevel(const char *sql, WorkerSlot *slot)
{
	bool		one = slot != NULL && (slot->flags & WORKER_ONE_TRANSACTION);
	int			index = 0;

	List	   *parsetrees;
	ListCell   *lc;

	MemoryContext parse_context = AllocSetContextCreate(TopMemoryContext,
														"migrate worker query",
														ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(parse_context);

	debug_query_string = sql;
	pgstat_report_activity(STATE_RUNNING, sql);
	parsetrees = pg_parse_query(sql);	/* raw parsing needs no transaction */
	MemoryContextSwitchTo(old);

	if (one)
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
	}
	foreach(lc, parsetrees)
	{
		RawStmt    *parsetree = lfirst_node(RawStmt, lc);
		CommandTag	tag = CreateCommandTag(parsetree->stmt);
		List	   *querytrees;
		List	   *plantrees;
		Portal		portal;
		DestReceiver *receiver;
		QueryCompletion qc;
		bool		snapshot_set = false;
		int16		format = 0;

		if (slot != NULL)
		{
			slot->failed_statement = index;
			RunnerProcessApprove(index < 64 &&
							   (slot->approved & (UINT64CONST(1) << index)) != 0);
		}
		index++;
		if (!one)
		{
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
		}
		else
			CommandCounterIncrement();
		if (analyze_requires_snapshot(parsetree))
		{
			PushActiveSnapshot(GetTransactionSnapshot());
			snapshot_set = true;
		}
		querytrees = pg_analyze_and_rewrite_fixedparams(parsetree, sql,
														NULL, 0, NULL);
		plantrees = pg_plan_queries(querytrees, sql, CURSOR_OPT_PARALLEL_OK,
									NULL);
		if (snapshot_set)
			PopActiveSnapshot();

		portal = CreatePortal("", true, true);
		portal->visible = false;
		PortalDefineQuery(portal, NULL, sql, tag, plantrees, NULL);
		PortalStart(portal, NULL, 0, InvalidSnapshot);
		PortalSetResultFormat(portal, 1, &format);
		receiver = CreateDestReceiver(DestNone);
		(void) PortalRun(portal, FETCH_ALL, true, true, receiver, receiver,
						 &qc);
		receiver->rDestroy(receiver);
		PortalDrop(portal, false);
		if (!one)
		{
			/* the rows a revision's statement wrote are the history's */
			if (slot != NULL && (slot->flags & WORKER_RECORD_PROGRESS) &&
				IsTransactionState() &&
				TransactionIdIsValid(GetTopTransactionIdIfAny()))
			{
				PushActiveSnapshot(GetTransactionSnapshot());
				CatalogRecordMigrationXids();
				PopActiveSnapshot();
			}
			CommitTransactionCommand();
		}
	}
	if (slot != NULL && (slot->flags & WORKER_RECORD_PROGRESS))
	{
		/* in the stretch's transaction, or one right after the statement */
		if (!one)
			StartTransactionCommand();
		slot->failed_statement = -1;
		PushActiveSnapshot(GetTransactionSnapshot());
		if (one)
			CatalogRecordMigrationXids();
		CatalogRecordProgress(slot->revision, slot->upgrade, slot->checksum,
							  slot->stretch, slot->statements,
							  RunnerOutsideEffectsTake());
		PopActiveSnapshot();
		if (!one)
			CommitTransactionCommand();
	}
	if (one)
		CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	debug_query_string = NULL;
	MemoryContextDelete(parse_context);
}

/* OIDs of the invalid indexes of the database, in a transaction of its own. */
static List *
invalid_indexes(void)
{
	List	   *result = NIL;

	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT indexrelid FROM pg_catalog.pg_index WHERE NOT indisvalid",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list invalid indexes");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			oid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc,
														 1, &isnull));
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		result = lappend_oid(result, oid);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return result;
}

/* Drop, concurrently, the invalid indexes that are not in "before". */
static void
drop_new_invalid_indexes(List *before)
{
	List	   *now = invalid_indexes();
	ListCell   *lc;

	foreach(lc, now)
	{
		Oid			index = lfirst_oid(lc);
		char	   *name;

		if (list_member_oid(before, index))
			continue;
		StartTransactionCommand();
		name = pstrdup(quote_qualified_identifier(get_namespace_name(get_rel_namespace(index)),
												  get_rel_name(index)));
		CommitTransactionCommand();
		ereport(LOG,
				(errmsg("migrate worker dropping invalid index %s left by a failed statement",
						name)));
		run_toplevel(psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", name), NULL);
	}
}

/*
 * The invalid index that CREATE INDEX CONCURRENTLY "sql" would collide
 * with: one of the same name on the same table, the leftover of a build
 * that was interrupted (by a crash, a terminated session), which would
 * make the statement fail forever, or be skipped by IF NOT EXISTS.  Its
 * name, schema-qualified and quoted, in the current memory context; NULL
 * when sql is not one such statement or there is none.  Needs a
 * transaction and a snapshot; takes no lock.  Used by the worker and by
 * migrate_leftover_index for the client.
 */
char *
LeftoverInvalidIndex(const char *sql)
{
	static const char *const find_sql =
	"SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname)"
	" FROM pg_catalog.pg_index i"
	" JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
	" WHERE NOT i.indisvalid AND c.relname OPERATOR(pg_catalog.=) $1"
	"   AND i.indrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($2)";
	List	   *parsetrees = pg_parse_query(sql);
	IndexStmt  *stmt;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char	   *leftover = NULL;
	MemoryContext caller = CurrentMemoryContext;

	if (list_length(parsetrees) != 1 ||
		!IsA(linitial_node(RawStmt, parsetrees)->stmt, IndexStmt))
		return NULL;
	stmt = (IndexStmt *) linitial_node(RawStmt, parsetrees)->stmt;
	if (!stmt->concurrent || stmt->idxname == NULL)
		return NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = CStringGetTextDatum(stmt->idxname);
	values[1] = CStringGetTextDatum(stmt->relation->schemaname ?
									quote_qualified_identifier(stmt->relation->schemaname,
															   stmt->relation->relname) :
									quote_identifier(stmt->relation->relname));
	if (SPI_execute_with_args(find_sql, 2, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look for a leftover invalid index");
	if (SPI_processed == 1)
	{
		char	   *name = SPI_getvalue(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1);

		leftover = MemoryContextStrdup(caller, name);
	}
	SPI_finish();
	return leftover;
}

/*
 * Before CREATE INDEX CONCURRENTLY name ...: drop the leftover of an
 * interrupted build (see LeftoverInvalidIndex).
 */
static void
drop_leftover_index(const char *sql)
{
	char	   *leftover;

	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	leftover = LeftoverInvalidIndex(sql);
	if (leftover != NULL)
		leftover = MemoryContextStrdup(TopMemoryContext, leftover);
	PopActiveSnapshot();
	CommitTransactionCommand();

	if (leftover != NULL)
	{
		ereport(LOG,
				(errmsg("migrate worker dropping invalid index %s left by an interrupted build",
						leftover)));
		run_toplevel(psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", leftover), NULL);
	}
}

/*
 * Take the caller's session user and current role (see the file header).
 * Needs a transaction for the superuser lookups.
 */
static void
become_role(WorkerSlot *slot)
{
	StartTransactionCommand();
	if (slot->session_role != slot->login_role)
		SetSessionAuthorization(slot->session_role,
								superuser_arg(slot->session_role));
	if (slot->role != slot->session_role)
		SetCurrentRoleId(slot->role, superuser_arg(slot->role));
	CommitTransactionCommand();
}

/*
 * Entry point of the worker: attach to the caller's segment, connect, run
 * the SQL, report.
 */
void
migrate_worker_main(Datum main_arg)
{
	dsm_segment *seg;
	WorkerSlot *slot;
	List	   *volatile before = NIL;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	RunnerProcess();			/* its DDL is migrate's own */

	/* a mapping for the life of the process: no resource owner */
	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migrate worker could not attach to its shared memory")));
	slot = dsm_segment_address(seg);

	/* its DDL is migrate's own, approved or not for protected objects */
	RunnerProcessApprove(false);	/* each statement: run_toplevel */

	BackgroundWorkerInitializeConnectionByOid(slot->database,
											  slot->login_role, 0);
	become_role(slot);
	if (slot->flags & WORKER_BOOKKEEPING)
		SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET,
						PGC_S_SESSION);
	if (slot->lock_timeout > 0)
		SetConfigOption("lock_timeout", psprintf("%d", slot->lock_timeout),
						PGC_USERSET, PGC_S_SESSION);
	if (slot->statement_timeout > 0)
		SetConfigOption("statement_timeout",
						psprintf("%d", slot->statement_timeout),
						PGC_USERSET, PGC_S_SESSION);
	SetConfigOption("application_name", "migrate worker", PGC_USERSET,
					PGC_S_SESSION);

	PG_TRY();
	{
		if (slot->flags & WORKER_DROP_INVALID_INDEXES)
		{
			drop_leftover_index(slot->sql);
			before = invalid_indexes();
		}
		RunnerOutsideEffectsDrop();	/* the stretch's effects from here */
		run_toplevel(slot->sql, slot);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(TopMemoryContext);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		pgstat_report_activity(STATE_IDLE, NULL);

		slot->failed = true;
		slot->sqlerrcode = edata->sqlerrcode;
		strlcpy(slot->message, edata->message ? edata->message : "", WORKER_TEXT_MAX);
		strlcpy(slot->detail, edata->detail ? edata->detail : "", WORKER_TEXT_MAX);
		strlcpy(slot->hint, edata->hint ? edata->hint : "", WORKER_TEXT_MAX);
		if (slot->flags & WORKER_DROP_INVALID_INDEXES)
		{
			PG_TRY();
			{
				drop_new_invalid_indexes(before);
			}
			PG_CATCH();
			{
				/* the first error is the one to report; log this one */
				EmitErrorReport();
				FlushErrorState();
				AbortCurrentTransaction();
			}
			PG_END_TRY();
		}
	}
	PG_END_TRY();

	slot->done = true;
	dsm_detach(seg);
	proc_exit(0);
}
