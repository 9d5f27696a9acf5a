/*-------------------------------------------------------------------------
 *
 * runner.h
 *	  Per-backend state: is the DDL this backend runs migrate's own?
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_RUNNER_H
#define MIGRATE_RUNNER_H

/* Marking DDL as migrate's own (executor.c, worker.c, catalog.c). */
extern void RunnerEnter(const char *revision);
extern void RunnerLeave(void);
extern void RunnerSession(bool on);
extern void RunnerProcess(void);
extern void RunnerProcessApprove(bool approved);
extern void RunnerSessionApprove(const char *query, struct List *approved);
extern void RunnerScratch(bool on);

/* Reading it (guard.c, client_support.c). */
extern bool RunnerActive(void);
extern bool RunnerInStatement(void);
extern bool RunnerInProcess(void);
extern bool RunnerInSession(void);
extern bool RunnerOutsideStatementApproved(struct Node *parsetree);
extern const char *RunnerRevision(void);
extern void RunnerNoteDdl(void);
extern bool RunnerSessionChanged(void);
extern void RunnerEffectsReset(void);
extern void RunnerNoteEffect(const char *action, const char *type,
							 const char *identity, bool cascade);
extern char *RunnerEffectsJson(void);
extern char *RunnerOutsideEffectsTake(void);
extern void RunnerOutsideEffectsDrop(void);
extern bool RunnerInScratch(void);

#endif							/* MIGRATE_RUNNER_H */
