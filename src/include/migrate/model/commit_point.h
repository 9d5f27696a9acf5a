/*-------------------------------------------------------------------------
 *
 * commit_point.h
 *	  Where a run of several revisions must commit before a revision
 *	  (commit_point.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_COMMIT_POINT_H
#define MIGRATE_COMMIT_POINT_H

extern char **CommitPoints(int n, const char *const *ids,
						   char *const *scripts, const bool *transactional);

#endif							/* MIGRATE_COMMIT_POINT_H */
