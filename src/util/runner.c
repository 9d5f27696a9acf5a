/*-------------------------------------------------------------------------
 *
 * runner.c
 *	  Per-backend state: is the DDL this backend runs migrate's own?
 *
 * The DDL guard (guard.c) exempts migrate's own DDL and checks a
 * revision's statements against their approvals; three writers tell it
 * when that DDL runs: the executor around each statement of a revision
 * (RunnerEnter/RunnerLeave, paired in a PG_FINALLY, so a depth rather
 * than a flag), a client session holding migrate's session lock
 * (RunnerSession, from CatalogSessionLock), and a background worker for
 * its whole life (RunnerProcess).  The state lives here, below all of
 * them, so that none of the writers depends on the guard.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "migrate/util/runner.h"

/* Is this backend running migrate's own DDL?  See RunnerEnter. */
static int	runner_depth = 0;
static bool runner_session = false;
static bool runner_process = false;
static char runner_revision[NAMEDATALEN * 2];
static bool runner_session_ddl = false;	/* DDL ran in the runner session */

/*
 * Mark the DDL this backend runs from now on as migrate's own, for one
 * revision's statement (executor.c; paired with RunnerLeave in a
 * PG_FINALLY), for a client session holding migrate's session lock, or
 * for a whole worker process.
 */
void
RunnerEnter(const char *revision)
{
	runner_depth++;
	strlcpy(runner_revision, revision ? revision : "", sizeof(runner_revision));
}

void
RunnerLeave(void)
{
	if (runner_depth > 0)
		runner_depth--;
}

void
RunnerSession(bool on)
{
	runner_session = on;
	runner_revision[0] = '\0';
	if (on)
		runner_session_ddl = false;
}

void
RunnerProcess(void)
{
	runner_process = true;
}

/* Is the DDL running now migrate's own, by any of the three ways? */
bool
RunnerActive(void)
{
	return runner_depth > 0 || runner_session || runner_process;
}

/* Is a statement of a revision running now, from the executor? */
bool
RunnerInStatement(void)
{
	return runner_depth > 0;
}

/* The revision of the statement running now, or "" if none is known. */
const char *
RunnerRevision(void)
{
	return runner_revision;
}

/* DDL ran (ddl_command_end): remember it for the runner session. */
void
RunnerNoteDdl(void)
{
	if (runner_session)
		runner_session_ddl = true;
}

/* Did DDL run since RunnerSession(true)? */
bool
RunnerSessionChanged(void)
{
	return runner_session_ddl;
}
