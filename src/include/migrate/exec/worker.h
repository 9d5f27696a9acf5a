/*
 * worker.h
 *	  Running SQL at top level in a background worker (see worker.c).
 */
#ifndef MIGRATE_WORKER_H
#define MIGRATE_WORKER_H

/* How a worker's SQL ended. */
typedef struct WorkerResult
{
	bool		failed;
	int			failed_statement;	/* 0-based; -1: none or unknown */
	int			sqlerrcode;
	char	   *message;
	char	   *detail;
	char	   *hint;
} WorkerResult;

/* WorkerRun flags */
#define WORKER_DROP_INVALID_INDEXES	0x01	/* clean up a failed CONCURRENTLY */
#define WORKER_APPROVE_PROTECTED	0x02	/* the statement may change
											 * protected objects */
#define WORKER_BOOKKEEPING			0x04	/* migrate's own SQL, as the owner */
#define WORKER_ONE_TRANSACTION		0x08	/* all statements in one */
#define WORKER_RECORD_PROGRESS		0x10	/* record the stretch as done */

/* What WorkerRunRequest runs. */
typedef struct WorkerRequest
{
	const char *sql;
	Oid			role;
	int			lock_timeout;
	int			statement_timeout;
	int			flags;
	uint64		approved;		/* bit i: statement i may change protected
								 * objects */
	/* WORKER_RECORD_PROGRESS: which stretch of which revision this is */
	const char *revision;
	bool		upgrade;
	const char *checksum;
	int			stretch;
	int			statements;
} WorkerRequest;

extern bool WorkerRun(const char *sql, Oid role, int lock_timeout,
					  int statement_timeout, int flags,
					  WorkerResult *result);
extern bool WorkerRunRequest(const WorkerRequest *req, WorkerResult *result);
extern char *WorkerRunAutonomous(const char *sql, Oid role);
extern void WorkerRethrow(WorkerResult *result) pg_attribute_noreturn();
extern char *LeftoverInvalidIndex(const char *sql);

#endif							/* MIGRATE_WORKER_H */
