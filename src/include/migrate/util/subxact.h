/*-------------------------------------------------------------------------
 *
 * subxact.h
 *	  Work in an internal subtransaction (subxact.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SUBXACT_H
#define MIGRATE_SUBXACT_H

extern ErrorData *SubxactRun(void (*fn) (void *arg), void *arg, bool keep);

#endif							/* MIGRATE_SUBXACT_H */
