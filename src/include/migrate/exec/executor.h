/*-------------------------------------------------------------------------
 *
 * executor.h
 *	  Running upgrades, downgrades and stamps (executor.c) from a plan
 *	  prepared up front (prepare.c), and writing them as offline scripts
 *	  (offline.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_EXECUTOR_H
#define MIGRATE_EXECUTOR_H

#include "migrate/catalog/catalog.h"
#include "migrate/model/plan.h"

extern MigrationPlan *PlanPrepare(RevisionGraph *g, const int *nodes, int n,
								  bool upgrade, const char *target);
extern MigrationPlan *PlanPrepareRevision(const char *id, bool upgrade);
extern void PlanMarkCommitPoints(MigrationPlan *plan);
extern void PlanNoteSettled(RevisionGraph *g);
extern MigrationPlan *ExecutePlan(const char *target, bool upgrade,
								  bool allow_non_transactional);
extern void ExecuteRefuseDataLoss(const MigrationPlan *plan);
extern CatalogStep *ExecuteRevisions(const MigrationPlan *plan, int first,
									 int count);
extern CatalogStep *ExecuteNonTransactional(const MigrationPlan *plan,
											const PlanStep *step);
extern bool ExecuteSettled(const char *target);
/*
 * How ExecuteRevisionUnrecorded runs a revision, for migrate_verify: the
 * statements of a non-transactional revision through their transactional
 * equivalents (SqlTransactionalEquivalent; COMMIT and BEGIN skipped), and
 * a call right before and right after each statement's own execution
 * (after the rules judged it), so that the caller can tell what the
 * statement itself did.
 */
typedef struct UnrecordedRun
{
	bool		equivalents;
	void		(*before_statement) (void *arg);
	void		(*after_statement) (void *arg);
	void	   *arg;
	List	   *notes;			/* out, of char *: "statement N: CREATE
								 * INDEX CONCURRENTLY as CREATE INDEX" */
	MemoryContext context;		/* set: the caller's, where the notes are,
								 * current in the callbacks */
} UnrecordedRun;

extern int	ExecuteRevisionUnrecorded(const char *id, bool upgrade,
									  UnrecordedRun *run,
									  int *number, char **text);
extern CatalogStep *ExecuteMove(const char *target, bool upgrade, int *n);
extern CatalogStep *ExecuteStamp(const char **targets, int ntargets, int *n);
extern char *OfflineScript(const char *target, const char *from_state);

#endif							/* MIGRATE_EXECUTOR_H */
