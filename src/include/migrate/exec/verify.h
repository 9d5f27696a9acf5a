/*-------------------------------------------------------------------------
 *
 * verify.h
 *	  The stairway test of unapplied revisions (verify.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_VERIFY_H
#define MIGRATE_VERIFY_H

#include "nodes/pg_list.h"

/* What migrate_verify found for one revision. */
typedef struct VerifyResult
{
	const char *revision;
	const char *status;			/* ok, downgrade_incomplete,
								 * downgrade_too_much, not_rerunnable,
								 * data_changed, failed, skipped */
	List	   *left;			/* objects the downgrade left (char *) */
	List	   *removed;		/* objects it removed that were there */
	List	   *data;			/* tables whose rows differ */
	List	   *upgrade_locks;	/* "relation mode" */
	List	   *downgrade_locks;
	List	   *rewritten;		/* "relation (direction)" */
	char	   *sqlstate;		/* failed, not_rerunnable: the error */
	char	   *statement;
	char	   *message;
	char	   *note;			/* how it was verified, when not as it is:
								 * through transactional equivalents */
} VerifyResult;

extern VerifyResult *VerifyPlan(const char *target, int *n);

#endif							/* MIGRATE_VERIFY_H */
