/*-------------------------------------------------------------------------
 *
 * plan.h
 *	  A migration plan: the revisions one call runs, in order, with what the
 *	  run needs read up front (exec/prepare.c builds it): each revision's
 *	  script, what a downgrade undoes, and the rule severities that decide.
 *	  The executor and the linter read it; nothing below them goes back to
 *	  the catalog for it.  Scripts are kept as text and split into
 *	  statements where they are used (plan.c), so that a long plan does not
 *	  hold every revision's parse trees at once.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_PLAN_H
#define MIGRATE_PLAN_H

#include "nodes/pg_list.h"

/* The severities of the rules, as the linter reads them (analysis/lint.h). */
typedef struct LintSettings LintSettings;

/* One revision of a plan. */
typedef struct PlanStep
{
	char	   *id;
	char	   *message;
	bool		transactional;
	char	   *sql;			/* the script this direction runs */
	char	   *undone_sql;		/* for a downgrade, the upgrade's script
								 * (what it undoes); NULL for an upgrade */
	int			line;			/* the line of the revision's file where sql
								 * starts; 0: not known (CatalogSectionLine
								 * tells) */
	const char *commit_before;	/* why a run that can commit commits before
								 * it (model/commit_point.c), or NULL; set
								 * by PlanMarkCommitPoints only */
} PlanStep;

typedef struct MigrationPlan
{
	bool		upgrade;
	const char *target;			/* of the call, for hints; or NULL */
	int			nsteps;
	PlanStep   *steps;
	LintSettings *lint;			/* read once for the whole plan */
} MigrationPlan;

extern List *PlanStepStatements(const MigrationPlan *plan,
								const PlanStep *step);
extern List *PlanStepUndoes(const PlanStep *step);

#endif							/* MIGRATE_PLAN_H */
