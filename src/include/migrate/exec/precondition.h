/*-------------------------------------------------------------------------
 *
 * precondition.h
 *	  Evaluating a revision's preconditions before it runs
 *	  (exec/precondition.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_EXEC_PRECONDITION_H
#define MIGRATE_EXEC_PRECONDITION_H

extern void PreconditionsCheck(const char *id, const char *sql, bool upgrade);

#endif							/* MIGRATE_EXEC_PRECONDITION_H */
