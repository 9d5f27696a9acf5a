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
 * The approvals of protected-object-change that the guard checks while
 * migrate's own DDL runs live here too: the executor's come from the lint
 * run of the statement (LintApproved); a worker's from its caller, per
 * statement (RunnerProcessApprove); a client session's from the plan it
 * asked for (RunnerSessionApprove: the approved statements' texts, which
 * the guard compares with the query the session runs).
 *
 * The effects of the revision running now (RunnerNoteEffect, from the
 * guard's event triggers: objects created, altered and dropped, cascade
 * victims marked) are collected here too, for the executor to log with
 * the revision (RunnerEffectsReset before it, RunnerEffectsJson after).
 * The effects of migrate's own DDL that runs outside the executor (a
 * worker running a stretch of a non-transactional revision, a client
 * session holding the session lock) are collected apart, until taken
 * (RunnerOutsideEffectsTake) to be recorded with the stretch's progress;
 * those of a transaction that aborts are dropped with it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "nodes/nodes.h"
#include "nodes/pg_list.h"
#include "lib/stringinfo.h"
#include "tcop/tcopprot.h"
#include "utils/json.h"
#include "utils/memutils.h"

#include "migrate/util/runner.h"

/* Is this backend running migrate's own DDL?  See RunnerEnter. */
static int	runner_depth = 0;
static bool runner_session = false;
static bool runner_process = false;
static bool runner_process_approved = false;	/* RunnerProcessApprove */
static char runner_revision[NAMEDATALEN * 2];
static bool runner_session_ddl = false;	/* DDL ran in the runner session */
static int	runner_scratch = 0;	/* RunnerScratch */

static void outside_effects_clear(void);
static void note_outside_effect(const char *action, const char *type,
								const char *identity, bool cascade);

/*
 * What a runner session may run on protected objects: the query strings of
 * the non-transactional revisions' stretches it planned, each with the
 * statements of it that carry the approval (raw parse trees; NIL: the
 * whole string, a stretch of one statement).  In TopMemoryContext; emptied
 * whenever the session lock is taken or let go.
 */
typedef struct SessionApproval
{
	char	   *query;
	List	   *statements;
} SessionApproval;

static List *session_approved = NIL;
static MemoryContext session_context = NULL;

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
	outside_effects_clear();
	if (on)
		runner_session_ddl = false;
	session_approved = NIL;
	if (session_context != NULL)
		MemoryContextReset(session_context);
}

void
RunnerProcess(void)
{
	runner_process = true;
}

/* The worker's statement that runs next does (not) carry the approval. */
void
RunnerProcessApprove(bool approved)
{
	runner_process_approved = approved;
}

/*
 * A runner session planned a query string (a stretch of a non-transactional
 * revision) whose statements "approved" (raw parse trees; NIL: all of it)
 * carry the approval of protected-object-change: while the session runs
 * exactly that string, those statements may change protected objects.
 */
void
RunnerSessionApprove(const char *query, List *approved)
{
	MemoryContext old;
	SessionApproval *a;

	if (session_context == NULL)
		session_context = AllocSetContextCreate(TopMemoryContext,
												"migrate session approvals",
												ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(session_context);
	a = palloc(sizeof(SessionApproval));
	a->query = pstrdup(query);
	a->statements = copyObject(approved);
	session_approved = lappend(session_approved, a);
	MemoryContextSwitchTo(old);
}

/* Is the DDL running now migrate's own, by any of the three ways? */
bool
RunnerActive(void)
{
	return runner_depth > 0 || runner_session || runner_process;
}

/* Is this backend a worker process running migrate's SQL? */
bool
RunnerInProcess(void)
{
	return runner_process;
}

/* Does this session hold migrate's session lock, as a client runner? */
bool
RunnerInSession(void)
{
	return runner_session;
}

/*
 * Does the statement "parsetree" running now outside the executor (in a
 * worker, or in a runner session) carry the approval of
 * protected-object-change?
 */
bool
RunnerOutsideStatementApproved(Node *parsetree)
{
	ListCell   *lc;

	if (runner_process)
		return runner_process_approved;
	if (debug_query_string == NULL)
		return false;
	foreach(lc, session_approved)
	{
		SessionApproval *a = lfirst(lc);
		ListCell   *ls;

		if (strcmp(a->query, debug_query_string) != 0)
			continue;
		if (a->statements == NIL)
			return true;
		foreach(ls, a->statements)
			if (equal(lfirst(ls), parsetree))
				return true;
	}
	return false;
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

/*
 * The effects of the revision running now, as the elements of a JSON
 * array, in a context of their own (emptied by RunnerEffectsReset, so an
 * aborted revision's are dropped at the next one).
 */
static MemoryContext effects_context = NULL;
static StringInfo effects = NULL;
static int	effects_count = 0;

/* Start collecting the effects of a revision. */
void
RunnerEffectsReset(void)
{
	MemoryContext old;

	if (effects_context == NULL)
		effects_context = AllocSetContextCreate(TopMemoryContext,
												"migrate revision effects",
												ALLOCSET_SMALL_SIZES);
	MemoryContextReset(effects_context);
	old = MemoryContextSwitchTo(effects_context);
	effects = makeStringInfo();
	effects_count = 0;
	MemoryContextSwitchTo(old);
}

/* One effect as a JSON object, appended to buf. */
static void
append_effect(StringInfo buf, const char *action, const char *type,
			  const char *identity, bool cascade)
{
	appendStringInfoString(buf, buf->len > 0 ? ", {\"action\": " : "{\"action\": ");
	escape_json(buf, action);
	appendStringInfoString(buf, ", \"type\": ");
	escape_json(buf, type ? type : "");
	appendStringInfoString(buf, ", \"object\": ");
	escape_json(buf, identity ? identity : "");
	if (cascade)
		appendStringInfoString(buf, ", \"cascade\": true");
	appendStringInfoChar(buf, '}');
}

/*
 * The effects of migrate's own DDL outside the executor (a worker, a
 * runner session), as the elements of a JSON array, in TopMemoryContext;
 * emptied when taken and when a transaction aborts.
 */
static StringInfo outside_effects = NULL;
static bool outside_callback = false;

static void
outside_effects_clear(void)
{
	if (outside_effects != NULL)
		resetStringInfo(outside_effects);
}

/* XactCallback: what an aborted transaction did is not an effect. */
static void
outside_effects_xact(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		outside_effects_clear();
}

static void
note_outside_effect(const char *action, const char *type,
					const char *identity, bool cascade)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	if (!outside_callback)
	{
		RegisterXactCallback(outside_effects_xact, NULL);
		outside_callback = true;
	}
	if (outside_effects == NULL)
		outside_effects = makeStringInfo();
	append_effect(outside_effects, action, type, identity, cascade);
	MemoryContextSwitchTo(old);
}

/*
 * The effects of migrate's own DDL that ran outside the executor since
 * they were last taken (or dropped), as a JSON array in the current memory
 * context, or NULL when there were none; collecting starts afresh.
 */
char *
RunnerOutsideEffectsTake(void)
{
	char	   *result = NULL;

	if (outside_effects != NULL && outside_effects->len > 0)
		result = psprintf("[%s]", outside_effects->data);
	outside_effects_clear();
	return result;
}

/* Drop the effects collected outside the executor so far. */
void
RunnerOutsideEffectsDrop(void)
{
	outside_effects_clear();
}

/*
 * An object the revision running now created, altered or dropped
 * (action), by its type and identity as pg_identify_object gives them;
 * cascade: dropped by CASCADE although the statement did not name it.
 * Nothing is collected outside RunnerEffectsReset ... RunnerEffectsJson.
 */
void
RunnerNoteEffect(const char *action, const char *type, const char *identity,
				 bool cascade)
{
	MemoryContext old;

	if (runner_depth == 0 && (runner_process || runner_session))
	{
		note_outside_effect(action, type, identity, cascade);
		return;
	}
	if (effects == NULL || runner_depth == 0)
		return;
	old = MemoryContextSwitchTo(effects_context);
	appendStringInfoString(effects, effects_count > 0 ? ", {\"action\": " : "{\"action\": ");
	escape_json(effects, action);
	appendStringInfoString(effects, ", \"type\": ");
	escape_json(effects, type ? type : "");
	appendStringInfoString(effects, ", \"object\": ");
	escape_json(effects, identity ? identity : "");
	if (cascade)
		appendStringInfoString(effects, ", \"cascade\": true");
	appendStringInfoChar(effects, '}');
	effects_count++;
	MemoryContextSwitchTo(old);
}

/*
 * The effects collected since RunnerEffectsReset as a JSON array, in the
 * current memory context, or NULL when there were none; collecting stops.
 */
char *
RunnerEffectsJson(void)
{
	char	   *result = NULL;

	if (effects != NULL && effects_count > 0)
		result = psprintf("[%s]", effects->data);
	effects = NULL;
	effects_count = 0;
	return result;
}

/*
 * Scratch work that is always rolled back (the schema diff runs the
 * desired script and renames schemas aside in a subtransaction that never
 * commits): the guard neither checks nor records it.  A depth, paired in a
 * PG_FINALLY like RunnerEnter.
 */
void
RunnerScratch(bool on)
{
	if (on)
		runner_scratch++;
	else if (runner_scratch > 0)
		runner_scratch--;
}

bool
RunnerInScratch(void)
{
	return runner_scratch > 0;
}
