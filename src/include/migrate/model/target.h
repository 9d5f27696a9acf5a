/*-------------------------------------------------------------------------
 *
 * target.h
 *	  The target language and the plans made from it (see target.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_TARGET_H
#define MIGRATE_TARGET_H

#include "migrate/model/graph.h"

/* A resolved target: a set of revisions, or base, possibly in a lineage. */
typedef struct Target
{
	const char *text;			/* as written */
	int		   *nodes;			/* the revisions; none for base */
	int			nnodes;
	int			lineage;		/* node of the label of "label@...", or -1 */
	int			walked;			/* N of a relative "+N"/"-N" from current */
} Target;

extern Target *TargetResolve(RevisionGraph *g, const char *text);
extern int	TargetResolveOne(RevisionGraph *g, const char *text);

extern int *PlanUpgrade(RevisionGraph *g, Target *t, int *n);
extern int *PlanDowngrade(RevisionGraph *g, Target *t, bool missing_ok,
						  int *n);
extern bool *PlanStamp(RevisionGraph *g, Target **targets, int ntargets);
extern bool *PlanRange(RevisionGraph *g, const char *range);
extern bool TargetNamesHeads(const char *text);

#endif							/* MIGRATE_TARGET_H */
