/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  Configuration parameters of migrate.
 *
 * migrate.lock_timeout and migrate.statement_timeout are applied while the
 * SQL of a revision runs (see executor.c); outside of it the session's own
 * lock_timeout and statement_timeout stay in force.
 *
 * The variables live in util, below the executor and the guard that read
 * them; the linter's own parameters are defined by LintInit (lint.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"

#include "migrate/util/guc.h"

/* lock_timeout while revision SQL runs, in milliseconds; 0 disables it */
int			migrate_lock_timeout = 5000;

/* statement_timeout of each revision statement, in milliseconds; 0: none */
int			migrate_statement_timeout = 0;

/* retries of a statement that could not get a lock, and the first delay */
int			migrate_lock_retries = 3;
int			migrate_lock_retry_delay = 1000;

/* migrate.report_progress: an INFO message per revision as it finishes */
bool		migrate_report_progress = false;

/* test only: "<revision>:<statement>" makes that statement fail */
char	   *migrate_debug_fail_at = NULL;

/* migrate_verify: the largest table whose rows it compares (verify.c) */
int			migrate_verify_max_rows = 10000;

/* what the DDL guard does with DDL outside migrations (guard.c) */
int			migrate_enforce = GUARD_ENFORCE_ERROR;

static const struct config_enum_entry enforce_options[] = {
	{"off", GUARD_ENFORCE_OFF, false},
	{"warn", GUARD_ENFORCE_WARN, false},
	{"error", GUARD_ENFORCE_ERROR, false},
	{NULL, 0, false}
};

/* Define the parameters; called once from _PG_init. */
void
GucInit(void)
{
	DefineCustomIntVariable("migrate.lock_timeout",
							"Sets lock_timeout while the SQL of a revision runs.",
							"A statement of a revision that waits longer than this for a lock fails with SQLSTATE 55P03. Zero waits forever.",
							&migrate_lock_timeout,
							5000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.verify_max_rows",
							"Sets the largest table whose rows migrate_verify compares.",
							"migrate_verify counts and checksums the rows of each table a revision did not create, before the upgrade and after the downgrade, reading at most this many rows plus one per table; a larger table is not compared. Zero turns the data comparison off.",
							&migrate_verify_max_rows,
							10000, 0, INT_MAX - 1,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.statement_timeout",
							"Sets the time limit of each statement of a revision.",
							"A statement of a revision that runs longer than this is cancelled with SQLSTATE 57014. Zero means no limit.",
							&migrate_statement_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.lock_retries",
							"Sets how often a statement of a revision that could not get a lock is retried.",
							"Each retry waits migrate.lock_retry_delay, doubled at every retry, and is logged with the sessions that held the lock.",
							&migrate_lock_retries,
							3, 0, 1000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.lock_retry_delay",
							"Sets the wait before the first retry of a statement that could not get a lock.",
							NULL,
							&migrate_lock_retry_delay,
							1000, 0, 3600000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("migrate.report_progress",
							 "Reports each revision as it finishes.",
							 "An INFO message (SQLSTATE MG000) per revision that an upgrade or downgrade ran, sent while the call goes on, for clients that show progress.  The revisions of one call still commit together.",
							 &migrate_report_progress,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("migrate.debug_fail_at",
							   "For tests only: makes one statement of a revision fail.",
							   "\"<revision id>:<statement number>\": when the executor reaches that statement, in either direction, it raises an error instead of running it.",
							   &migrate_debug_fail_at,
							   "",
							   PGC_SUSET,
							   GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							   NULL, NULL, NULL);

	DefineCustomEnumVariable("migrate.enforce",
							 "What the DDL guard does with DDL outside migrations that breaks a safety rule.",
							 "On tables and columns in schemas managed by migrate, and on protected objects: \"error\" blocks the statement, \"warn\" lets it run with a WARNING, \"off\" only records it as drift.  Only superusers can change it.",
							 &migrate_enforce,
							 GUARD_ENFORCE_ERROR,
							 enforce_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("migrate");
}
