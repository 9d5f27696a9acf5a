/*-------------------------------------------------------------------------
 *
 * executor.h
 *	  Running upgrades, downgrades and stamps (executor.c), and writing
 *	  them as offline scripts (offline.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_EXECUTOR_H
#define MIGRATE_EXECUTOR_H

#include "migrate/catalog/catalog.h"

/* A revision of a plan. */
typedef struct PlannedRevision
{
	char	   *id;
	char	   *message;
	bool		transactional;
} PlannedRevision;

extern PlannedRevision *ExecutePlan(const char *target, bool upgrade,
									bool allow_non_transactional, int *n);
extern void ExecuteRefuseDataLoss(PlannedRevision *plan, int n);
extern CatalogStep *ExecuteRevisions(PlannedRevision *plan, int n,
									 bool upgrade, const char *target);
extern int	ExecuteRevisionUnrecorded(const char *id, bool upgrade,
									  int *number, char **text);
extern List *NonTransactionalStatements(PlannedRevision *rev, bool upgrade,
										char **sql);
extern CatalogStep *ExecuteNonTransactional(PlannedRevision *rev,
											List *statements,
											const char *sql, bool upgrade);
extern CatalogStep *ExecuteMove(const char *target, bool upgrade, int *n);
extern CatalogStep *ExecuteStamp(const char **targets, int ntargets, int *n);
extern char *OfflineScript(const char *target, const char *from_state);

#endif							/* MIGRATE_EXECUTOR_H */
