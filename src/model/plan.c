/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  The statements of a plan's steps (model/plan.h), split from the
 *	  scripts where they are used: the plan keeps only text, and each user
 *	  splits a step's script in its own memory context, so that a run of
 *	  10,000 revisions holds one revision's parse trees at a time.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "migrate/model/plan.h"
#include "migrate/model/sqltext.h"

/* The statements of the script a step runs, split in the current context. */
List *
PlanStepStatements(const MigrationPlan *plan, const PlanStep *step)
{
	return SqlSplit(step->sql,
					psprintf("%s SQL of revision \"%s\"",
							 plan->upgrade ? "upgrade" : "downgrade", step->id));
}

/*
 * For a downgrade step, the statements of the upgrade it undoes, split in
 * the current context; NIL for an upgrade step.
 */
List *
PlanStepUndoes(const PlanStep *step)
{
	if (step->undone_sql == NULL)
		return NIL;
	return SqlSplit(step->undone_sql,
					psprintf("upgrade SQL of revision \"%s\"", step->id));
}
