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

#include "catalog.h"

extern CatalogStep *ExecuteMove(const char *target, bool upgrade, int *n);
extern CatalogStep *ExecuteStamp(const char **targets, int ntargets, int *n);
extern char *OfflineScript(const char *target, const char *from_state);

#endif							/* MIGRATE_EXECUTOR_H */
