/*-------------------------------------------------------------------------
 *
 * diff_scratch.h
 *	  The live and the desired schemas, snapshotted in a subtransaction
 *	  that is always rolled back (diff_scratch.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_DIFF_SCRATCH_H
#define MIGRATE_DIFF_SCRATCH_H

#include "migrate/catalog/snapshot.h"

extern void DiffScratch(const char *desired, List *schemas, List *renames,
						SchemaSnapshot **live, SchemaSnapshot **want,
						List **renamed);

#endif							/* MIGRATE_DIFF_SCRATCH_H */
