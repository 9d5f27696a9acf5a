/*-------------------------------------------------------------------------
 *
 * prepare.c
 *	  Building a migration plan (model/plan.h) up front: the revisions a
 *	  call runs, their scripts read in one catalog query, what each
 *	  downgrade undoes, and the rule severities read once.  The executor
 *	  and the linter then only read the plan.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "migrate/analysis/lint.h"
#include "migrate/catalog/catalog.h"
#include "migrate/exec/executor.h"
#include "migrate/model/commit_point.h"
#include "migrate/model/sqltext.h"
#include "migrate/model/target.h"
#include "migrate/util/errcodes.h"

/*
 * The plan that runs the given nodes of g in this order, upgrading or
 * downgrading, in the current memory context.  target is the call's (for
 * hints) or NULL.
 */
MigrationPlan *
PlanPrepare(RevisionGraph *g, const int *nodes, int n, bool upgrade,
			const char *target)
{
	MigrationPlan *plan = palloc0(sizeof(MigrationPlan));
	const char **ids = palloc(sizeof(char *) * Max(n, 1));
	char	  **scripts = palloc0(sizeof(char *) * Max(n, 1));
	char	  **upgrades = upgrade ? NULL : palloc0(sizeof(char *) * Max(n, 1));
	int		   *lines = palloc0(sizeof(int) * Max(n, 1));

	plan->upgrade = upgrade;
	plan->target = target ? pstrdup(target) : NULL;
	plan->nsteps = n;
	plan->steps = palloc0(sizeof(PlanStep) * Max(n, 1));
	plan->lint = LintSettingsLoad();
	if (n == 0)
		return plan;

	for (int i = 0; i < n; i++)
		ids[i] = g->nodes[nodes[i]].id;
	if (upgrade)
		CatalogGetScripts(ids, n, scripts, NULL, lines, true);
	else
		CatalogGetScripts(ids, n, upgrades, scripts, lines, false);

	for (int i = 0; i < n; i++)
	{
		RevisionNode *r = &g->nodes[nodes[i]];
		PlanStep   *step = &plan->steps[i];

		step->id = pstrdup(r->id);
		step->message = pstrdup(r->message);
		step->transactional = r->transactional;
		step->sql = scripts[i];
		step->undone_sql = upgrade ? NULL : upgrades[i];
		step->line = lines[i];
	}
	return plan;
}

/*
 * Mark the steps before which a run that can commit between revisions
 * commits (migrate_plan gives them; pg_migrate commits there), so that a
 * dry run judges the plan as such a run runs it.
 */
void
PlanMarkCommitPoints(MigrationPlan *plan)
{
	const char **ids = palloc(sizeof(char *) * Max(plan->nsteps, 1));
	char	  **scripts = palloc(sizeof(char *) * Max(plan->nsteps, 1));
	bool	   *transactional = palloc(sizeof(bool) * Max(plan->nsteps, 1));
	char	  **why;

	for (int i = 0; i < plan->nsteps; i++)
	{
		ids[i] = plan->steps[i].id;
		scripts[i] = plan->steps[i].sql;
		transactional[i] = plan->steps[i].transactional;
	}
	why = CommitPoints(plan->nsteps, ids, scripts, transactional);
	for (int i = 0; i < plan->nsteps; i++)
		plan->steps[i].commit_before = why[i];
}

/* The plan of exactly one revision, by id (for migrate_verify). */
MigrationPlan *
PlanPrepareRevision(const char *id, bool upgrade)
{
	RevisionGraph *g = CatalogLoadGraph(false);
	int			node = GraphFind(g, id);

	if (node < 0)
		elog(ERROR, "revision \"%s\" vanished", id);
	return PlanPrepare(g, &node, 1, upgrade, NULL);
}

/* A function cannot run what needs its own transaction: refuse up front. */
static void
refuse_non_transactional(const MigrationPlan *plan)
{
	for (int i = 0; i < plan->nsteps; i++)
		if (!plan->steps[i].transactional)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_NON_TRANSACTIONAL),
					 errmsg("revision \"%s\" is not transactional",
							plan->steps[i].id),
					 errdetail("migrate_%s runs in a single transaction, and the %s SQL of this revision cannot run inside one.",
							   plan->upgrade ? "upgrade" : "downgrade",
							   plan->upgrade ? "upgrade" : "downgrade"),
					 errhint("CALL migrate_%s(...) runs it, committing after each revision.",
							 plan->upgrade ? "apply" : "unapply")));
}

/*
 * After a no-op upgrade or plan to head or heads: if every revision of g
 * is applied, note it (CatalogSettle), so that the next no-op upgrade or
 * plan, on any connection, need not read the graph (ExecuteSettled).  The
 * caller holds migrate's lock and read g under it.
 */
void
PlanNoteSettled(RevisionGraph *g)
{
	int			heads = 0;

	for (int i = 0; i < g->nnodes; i++)
	{
		if (!g->nodes[i].applied)
			return;
		heads += GraphIsHead(g, i);
	}
	if (heads > 0)
		CatalogSettle(heads);
}

/*
 * The plan of an upgrade (or downgrade) to target, taken under the
 * advisory lock, in the current memory context.  Unless
 * allow_non_transactional, a plan with a non-transactional revision is
 * refused.
 */
MigrationPlan *
ExecutePlan(const char *target, bool upgrade, bool allow_non_transactional)
{
	RevisionGraph *g;
	Target	   *t;
	int		   *nodes;
	int			n;
	MigrationPlan *plan;

	CatalogLock();
	g = CatalogLoadGraph(false);
	t = TargetResolve(g, target);
	nodes = upgrade ? PlanUpgrade(g, t, &n) : PlanDowngrade(g, t, false, &n);
	if (upgrade && n == 0 && TargetNamesHeads(target))
		PlanNoteSettled(g);
	plan = PlanPrepare(g, nodes, n, upgrade, target);
	if (!allow_non_transactional)
		refuse_non_transactional(plan);
	return plan;
}
