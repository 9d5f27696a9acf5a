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
	int			sqlerrcode;
	char	   *message;
	char	   *detail;
	char	   *hint;
} WorkerResult;

extern bool WorkerRun(const char *sql, Oid role, int lock_timeout,
					  int statement_timeout, bool drop_invalid_indexes,
					  WorkerResult *result);
extern char *WorkerRunAutonomous(const char *sql, Oid role);
extern void WorkerRethrow(WorkerResult *result) pg_attribute_noreturn();
extern char *LeftoverInvalidIndex(const char *sql);

#endif							/* MIGRATE_WORKER_H */
