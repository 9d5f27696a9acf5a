/*-------------------------------------------------------------------------
 *
 * target.c
 *	  The target language of upgrade, downgrade, stamp and history, and the
 *	  plans made from a resolved target.
 *
 *	  target := [ label '@' ] [ symbol ] [ ('+' | '-') N ]
 *	  symbol := 'head' | 'heads' | 'base' | 'current' | id | id prefix | label
 *
 * A label may also be a revision id ("ae10@head").  An empty symbol with a
 * step walks from the current revision ("+1", "billing@-1").  Prefixes need
 * four characters and must be unique.
 *
 * Pure in-memory logic over a RevisionGraph whose nodes carry the applied
 * flags of the state to plan from.  Every refusal is an ereport with a
 * specific SQLSTATE (errcodes.h), the facts in errdetail, the next step in
 * errhint.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "lib/stringinfo.h"

#include "migrate/model/target.h"
#include "migrate/util/errcodes.h"

static int	lookup_revision(RevisionGraph *g, const char *sym, bool labels);
static bool *lineage_of(RevisionGraph *g, int node);
static int *filter(RevisionGraph *g, int *nodes, int n, const bool *within,
				   int *nout);
static int *applied_tips(RevisionGraph *g, const bool *within, int *nout);
static int	walk(RevisionGraph *g, Target *t, int from, int steps,
				 const bool *within);
static bool *strict_descendants_applied(RevisionGraph *g, int node,
										const bool *state);

/*
 * Find a revision by exact id, branch label (when labels), or unique prefix
 * of at least four characters.
 */
static int
lookup_revision(RevisionGraph *g, const char *sym, bool labels)
{
	int			found = GraphFind(g, sym);
	size_t		len = strlen(sym);

	if (found >= 0)
		return found;
	if (labels && (found = GraphFindLabel(g, sym)) >= 0)
		return found;
	if (len >= 4)
	{
		int		   *matches = palloc(sizeof(int) * Max(g->nnodes, 1));
		int			nmatches = 0;

		for (int i = 0; i < g->nnodes; i++)
			if (strncmp(g->nodes[g->topo[i]].id, sym, len) == 0)
				matches[nmatches++] = g->topo[i];
		if (nmatches == 1)
			return matches[0];
		if (nmatches > 1)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_AMBIGUOUS_REVISION),
					 errmsg("revision prefix \"%s\" is ambiguous", sym),
					 errdetail("It matches these revisions: %s.",
							   GraphListIds(g, matches, nmatches)),
					 errhint("Write more characters of the revision id.")));
	}
	ereport(ERROR,
			(errcode(ERRCODE_MIGRATE_UNDEFINED_REVISION),
			 errmsg("revision \"%s\" does not exist", sym),
			 len < 4 ? errdetail("A partial revision id must have at least four characters.") : 0,
			 errhint("migrate_history() lists the revisions.")));
	return -1;					/* not reached */
}

/* Ancestors and descendants of node through parent edges, node included. */
static bool *
lineage_of(RevisionGraph *g, int node)
{
	bool	   *set = GraphNewSet(g);
	bool	   *down = GraphNewSet(g);

	GraphAddAncestors(g, node, false, set);
	GraphAddDescendants(g, node, false, down);
	for (int i = 0; i < g->nnodes; i++)
		set[i] |= down[i];
	pfree(down);
	return set;
}

/* The members of nodes[] that are in within (all when within is NULL). */
static int *
filter(RevisionGraph *g, int *nodes, int n, const bool *within, int *nout)
{
	int		   *result = palloc(sizeof(int) * Max(n, 1));

	*nout = 0;
	for (int i = 0; i < n; i++)
		if (within == NULL || within[nodes[i]])
			result[(*nout)++] = nodes[i];
	return result;
}

/*
 * The applied revisions of a lineage that have no applied child in it.
 * When no current revision is in a branch's lineage (another branch from
 * the same branch point went further), "<label>@+N" starts from these,
 * so that it walks from the branch point into the labelled branch, as
 * Alembic does; none: from base.
 */
static int *
applied_tips(RevisionGraph *g, const bool *within, int *nout)
{
	int		   *result = palloc(sizeof(int) * Max(g->nnodes, 1));

	*nout = 0;
	for (int i = 0; i < g->nnodes; i++)
	{
		int			node = g->topo[i];
		RevisionNode *r = &g->nodes[node];
		bool		tip = r->applied && within[node];

		for (int c = 0; tip && c < r->nchildren; c++)
			if (g->nodes[r->children[c]].applied && within[r->children[c]])
				tip = false;
		if (tip)
			result[(*nout)++] = node;
	}
	return result;
}

/*
 * Walk "steps" (> 0) steps up from "from" (-1: base) through children
 * within the lineage.  Returns the node reached.  Down: walk_down.
 */
static int
walk(RevisionGraph *g, Target *t, int from, int steps, const bool *within)
{
	int			cur = from;

	for (int s = 0; s < steps; s++)
	{
		int		   *cand;
		int			ncand;

		if (cur < 0)
		{
			cand = palloc(sizeof(int) * Max(g->nnodes, 1));
			ncand = 0;
			for (int i = 0; i < g->nnodes; i++)
				if (g->nodes[g->topo[i]].nparents == 0 &&
					(within == NULL || within[g->topo[i]]))
					cand[ncand++] = g->topo[i];
		}
		else
			cand = filter(g, g->nodes[cur].children,
						  g->nodes[cur].nchildren, within, &ncand);
		if (ncand == 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_WALKED_TOO_FAR),
					 errmsg("relative target \"%s\" goes beyond the last revision",
							t->text),
					 cur < 0 ? errdetail("There is no revision to walk to.") :
					 s == 0 ? errdetail("Revision %s has no child.", g->nodes[cur].id) :
					 errdetail("Revision %s, reached after %d step(s), has no child.",
							   g->nodes[cur].id, s),
					 errhint("migrate_heads() lists the heads.")));
		if (ncand > 1)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_AMBIGUOUS_WALK),
					 errmsg("relative target \"%s\" is ambiguous", t->text),
					 cur < 0 ? errdetail("There are several root revisions: %s.",
										 GraphListIds(g, cand, ncand)) :
					 errdetail("Revision %s is a branch point; its children are %s.",
							   g->nodes[cur].id,
							   GraphListIds(g, cand, ncand)),
					 errhint("Name the branch to follow, as in \"<label>@+1\", or the revision itself.")));
		cur = cand[0];
	}
	return cur;
}

/*
 * Walk "steps" (< 0) steps down from the set "from" (the current
 * revisions, or one revision): each step takes the parents of all of them.
 * From a merge point that is the set of its parents, the state right before
 * the merge; from several revisions it must come to one revision (or
 * base), their common parent, else the target is ambiguous and the error
 * says what each could step down to.  Returns the set reached (empty:
 * base).
 */
static int *
walk_down(RevisionGraph *g, Target *t, int *from, int nfrom, int steps,
		  int *nresult)
{
	int		   *cur = from;
	int			ncur = nfrom;

	for (int s = 0; s < -steps; s++)
	{
		int		   *next = palloc(sizeof(int) * Max(g->nnodes, 1));
		bool	   *seen = GraphNewSet(g);
		int			nnext = 0;
		bool		base = false;

		if (ncur == 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_WALKED_TOO_FAR),
					 errmsg("relative target \"%s\" goes below base", t->text),
					 s == 0 ? errdetail("Nothing is applied.") :
					 errdetail("Base was reached after %d step(s).", s),
					 errhint("migrate_current() shows the applied revisions.")));
		for (int k = 0; k < ncur; k++)
		{
			RevisionNode *r = &g->nodes[cur[k]];

			if (r->nparents == 0)
				base = true;
			for (int j = 0; j < r->nparents; j++)
				if (!seen[r->parents[j]])
				{
					seen[r->parents[j]] = true;
					next[nnext++] = r->parents[j];
				}
		}
		if (ncur > 1 && nnext + (base ? 1 : 0) > 1)
		{
			StringInfoData could;

			initStringInfo(&could);
			for (int k = 0; k < ncur; k++)
			{
				RevisionNode *r = &g->nodes[cur[k]];

				appendStringInfo(&could, "%s%s to %s", k > 0 ? "; " : "",
								 r->id, r->nparents == 0 ? "base" :
								 GraphListIds(g, r->parents, r->nparents));
			}
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_AMBIGUOUS_WALK),
					 errmsg("relative target \"%s\" is ambiguous", t->text),
					 errdetail("It steps down from several revisions that have no common parent: %s.",
							   could.data),
					 errhint("Name the revision to move to, or the branch, as in \"<label>@%d\".",
							 steps)));
		}
		cur = next;
		ncur = base && nnext == 0 ? 0 : nnext;
	}
	*nresult = ncur;
	return cur;
}

/*
 * Resolve a target against the graph and its applied flags.
 */
Target *
TargetResolve(RevisionGraph *g, const char *text)
{
	Target	   *t = palloc0(sizeof(Target));
	const char *at = strchr(text, '@');
	const char *rest = text;
	const char *p;
	char	   *sym;
	bool	   *within = NULL;
	int			steps = 0;
	bool		has_step = false;
	int		   *from;
	int			nfrom = 0;

	t->text = text;
	t->lineage = -1;

	if (at != NULL)
	{
		char	   *label = pnstrdup(text, at - text);

		if (label[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_INVALID_TARGET),
					 errmsg("invalid target \"%s\"", text),
					 errdetail("A branch label must come before \"@\".")));
		t->lineage = GraphFindLabel(g, label);
		if (t->lineage < 0 && GraphValidId(label))
		{
			t->lineage = GraphFind(g, label);
			if (t->lineage < 0 && strlen(label) >= 4)
			{
				for (int i = 0; i < g->nnodes; i++)
					if (strncmp(g->nodes[i].id, label, strlen(label)) == 0)
						t->lineage = (t->lineage == -1) ? i : -2;
				if (t->lineage == -2)
					(void) lookup_revision(g, label, false);	/* reports it */
			}
		}
		if (t->lineage < 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_UNDEFINED_BRANCH),
					 errmsg("branch \"%s\" does not exist", label),
					 errhint("Before \"@\" write a branch label or a revision id; migrate_heads() shows the labels.")));
		within = lineage_of(g, t->lineage);
		rest = at + 1;
	}

	/* split rest into symbol and step */
	for (p = rest; *p && *p != '+' && *p != '-'; p++)
		;
	sym = pnstrdup(rest, p - rest);
	if (*p)
	{
		long		n = 0;
		const char *d = p + 1;

		has_step = true;
		if (*d == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_INVALID_TARGET),
					 errmsg("invalid target \"%s\"", text),
					 errdetail("A number must follow \"%c\".", *p)));
		for (; *d; d++)
		{
			if (*d < '0' || *d > '9')
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_INVALID_TARGET),
						 errmsg("invalid target \"%s\"", text),
						 errdetail("A relative step is \"+\" or \"-\" followed by digits only.")));
			n = n * 10 + (*d - '0');
			if (n > INT_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_INVALID_TARGET),
						 errmsg("invalid target \"%s\"", text),
						 errdetail("The relative step is too large.")));
		}
		steps = (*p == '+') ? (int) n : -(int) n;
	}
	if (sym[0] == '\0' && !has_step)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_TARGET),
				 errmsg("invalid target \"%s\"", text),
				 errhint("Write \"head\", \"heads\", \"base\", a revision id, \"<label>@head\", \"+1\" or \"-1\".")));
	if (sym[0] != '\0' && !GraphValidId(sym))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_TARGET),
				 errmsg("invalid target \"%s\"", text),
				 errdetail("\"%s\" is neither a keyword nor a valid revision id.", sym)));

	/* the starting set */
	if (sym[0] == '\0' || strcmp(sym, "current") == 0)
	{
		int			ncur;
		int		   *cur = GraphCurrent(g, &ncur);

		from = filter(g, cur, ncur, within, &nfrom);
		if (has_step && t->lineage >= 0 && nfrom == 0 && steps > 0)
			from = applied_tips(g, within, &nfrom);
		if (has_step)
			t->walked = steps;
		if (has_step && t->lineage >= 0 && nfrom == 0 && steps < 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_WALKED_TOO_FAR),
					 errmsg("relative target \"%s\" goes below base", text),
					 errdetail("No revision of branch \"%s\" is applied.",
							   pnstrdup(text, at - text)),
					 errhint("migrate_current() shows the applied revisions.")));
	}
	else if (strcmp(sym, "head") == 0 || strcmp(sym, "heads") == 0)
	{
		from = filter(g, g->heads, g->nheads, within, &nfrom);
		if (strcmp(sym, "head") == 0 && nfrom > 1)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_MULTIPLE_HEADS),
					 errmsg("target \"%s\" is ambiguous: there are %d heads",
							text, nfrom),
					 errdetail("The heads are %s.", GraphListIds(g, from, nfrom)),
					 errhint("Name one head, narrow with \"<label>@head\", use \"heads\" for all of them, or join them with migrate_merge().")));
	}
	else if (strcmp(sym, "base") == 0)
		from = NULL;
	else
	{
		from = palloc(sizeof(int));
		from[0] = lookup_revision(g, sym, true);
		nfrom = 1;
		if (within && !within[from[0]])
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_NOT_IN_BRANCH),
					 errmsg("revision \"%s\" is not a member of branch \"%s\"",
							g->nodes[from[0]].id, pnstrdup(text, at - text)),
					 errhint("migrate_history() shows which revisions descend from which.")));
	}

	if (has_step && steps < 0)
		from = walk_down(g, t, from, nfrom, steps, &nfrom);
	else if (has_step && steps != 0)
	{
		int			reached;

		if (nfrom > 1)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_AMBIGUOUS_WALK),
					 errmsg("relative target \"%s\" is ambiguous", text),
					 errdetail("It starts from several revisions: %s.",
							   GraphListIds(g, from, nfrom)),
					 errhint("Start from one revision, as in \"<id>%+d\", or one branch, as in \"<label>@%+d\".",
							 steps, steps)));
		reached = walk(g, t, nfrom == 1 ? from[0] : -1, steps, within);
		if (reached < 0)
			nfrom = 0;
		else
		{
			from = palloc(sizeof(int));
			from[0] = reached;
			nfrom = 1;
		}
	}
	t->nodes = from;
	t->nnodes = nfrom;
	return t;
}

/* Resolve a target that must name exactly one revision; -1 for base. */
int
TargetResolveOne(RevisionGraph *g, const char *text)
{
	Target	   *t = TargetResolve(g, text);

	if (t->nnodes > 1)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_MULTIPLE_HEADS),
				 errmsg("target \"%s\" names %d revisions", text, t->nnodes),
				 errdetail("It names %s.", GraphListIds(g, t->nodes, t->nnodes)),
				 errhint("Name a single revision.")));
	return t->nnodes == 1 ? t->nodes[0] : -1;
}

/*
 * Upgrade plan: every unapplied revision in the target's ancestry (parents
 * and depends_on), in topological order.
 */
int *
PlanUpgrade(RevisionGraph *g, Target *t, int *n)
{
	if (t->walked < 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_UPGRADE),
				 errmsg("upgrade target \"%s\" is below the current revision",
						t->text),
				 errhint("Use migrate_downgrade() to move down.")));
	return GraphMissingAncestry(g, t->nodes, t->nnodes, n);
}

/* Applied revisions strictly above node along parent edges. */
static bool *
strict_descendants_applied(RevisionGraph *g, int node, const bool *state)
{
	bool	   *set = GraphNewSet(g);

	GraphAddDescendants(g, node, false, set);
	set[node] = false;
	for (int i = 0; i < g->nnodes; i++)
		set[i] &= state[i];
	return set;
}

/*
 * Downgrade plan: every applied revision above the target along its
 * lineage, with every applied revision that depends on one of them;
 * children before parents.  Nothing to remove is an error unless missing_ok.
 */
int *
PlanDowngrade(RevisionGraph *g, Target *t, bool missing_ok, int *n)
{
	bool	   *applied = GraphNewSet(g);
	bool	   *remove = GraphNewSet(g);
	int		   *order;

	if (t->walked > 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_DOWNGRADE),
				 errmsg("downgrade target \"%s\" is above the current revision",
						t->text),
				 errhint("Use migrate_upgrade() to move up.")));
	for (int i = 0; i < g->nnodes; i++)
		applied[i] = g->nodes[i].applied;

	if (t->nnodes == 0)
	{
		bool	   *lineage = t->lineage >= 0 ? lineage_of(g, t->lineage) : NULL;

		for (int i = 0; i < g->nnodes; i++)
			remove[i] = applied[i] && (lineage == NULL || lineage[i]);
		GraphCloseOverDependents(g, remove, applied);
	}
	else
	{
		/* "label@<id>" or "label@-1": only that branch's revisions go */
		bool	   *lineage = t->lineage >= 0 ? lineage_of(g, t->lineage) : NULL;

		for (int k = 0; k < t->nnodes; k++)
		{
			int			node = t->nodes[k];
			bool	   *above;

			if (!applied[node])
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_INVALID_DOWNGRADE),
						 errmsg("\"%s\" is not a valid downgrade target",
								t->text),
						 errdetail("Revision %s is not applied.",
								   g->nodes[node].id),
						 errhint("migrate_current() shows the applied revisions.")));
			above = strict_descendants_applied(g, node, applied);
			for (int i = 0; i < g->nnodes; i++)
				remove[i] |= above[i] && (lineage == NULL || lineage[i]);
		}
		GraphCloseOverDependents(g, remove, applied);
	}

	order = GraphOrder(g, remove, true, n);
	if (*n == 0 && !missing_ok)
	{
		if (t->nnodes == 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_INVALID_DOWNGRADE),
					 errmsg("\"%s\" is not a valid downgrade target", t->text),
					 errdetail("Nothing is applied there."),
					 errhint("migrate_current() shows the applied revisions.")));
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_DOWNGRADE),
				 errmsg("\"%s\" is not a valid downgrade target", t->text),
				 errdetail("No applied revision lies above %s.",
						   GraphListIds(g, t->nodes, t->nnodes)),
				 errhint("To remove a revision, downgrade to its parent, as in \"%s-1\".",
						 g->nodes[t->nodes[0]].id)));
	}
	return order;
}

/*
 * Stamp plan: the applied set after stamping each target in turn.  For a
 * revision, the applied state of its lineage becomes its ancestry; other
 * branches keep theirs.  Targets may not overlap.
 */
bool *
PlanStamp(RevisionGraph *g, Target **targets, int ntargets)
{
	bool	   *state = GraphNewSet(g);

	for (int i = 0; i < g->nnodes; i++)
		state[i] = g->nodes[i].applied;

	/* refuse overlapping targets */
	for (int a = 0; a < ntargets; a++)
	{
		bool	   *anc;

		if (targets[a]->nnodes == 0 && ntargets > 1)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_OVERLAPPING_TARGETS),
					 errmsg("target \"%s\" cannot be stamped together with other targets",
							targets[a]->text),
					 errdetail("It stands for base.")));
		anc = GraphNewSet(g);
		for (int k = 0; k < targets[a]->nnodes; k++)
			GraphAddAncestors(g, targets[a]->nodes[k], true, anc);
		for (int b = 0; b < ntargets; b++)
			for (int k = 0; k < targets[b]->nnodes && a != b; k++)
			{
				int			node = targets[b]->nodes[k];

				if (anc[node])
					ereport(ERROR,
							(errcode(ERRCODE_MIGRATE_OVERLAPPING_TARGETS),
							 errmsg("target \"%s\" overlaps with target \"%s\"",
									targets[b]->text, targets[a]->text),
							 errdetail("Revision %s is also stamped by \"%s\", as an ancestor or the same revision.",
									   g->nodes[node].id, targets[a]->text),
							 errhint("Stamp only the later revision; its ancestors are stamped with it.")));
			}
	}

	for (int a = 0; a < ntargets; a++)
	{
		Target	   *t = targets[a];

		if (t->nnodes == 0)
		{
			bool	   *remove = GraphNewSet(g);
			bool	   *lineage = t->lineage >= 0 ? lineage_of(g, t->lineage) : NULL;

			for (int i = 0; i < g->nnodes; i++)
				remove[i] = state[i] && (lineage == NULL || lineage[i]);
			GraphCloseOverDependents(g, remove, state);
			for (int i = 0; i < g->nnodes; i++)
				if (remove[i])
					state[i] = false;
			continue;
		}
		for (int k = 0; k < t->nnodes; k++)
		{
			bool	   *remove = strict_descendants_applied(g, t->nodes[k], state);
			bool	   *add = GraphNewSet(g);

			GraphCloseOverDependents(g, remove, state);
			GraphAddAncestors(g, t->nodes[k], true, add);
			for (int i = 0; i < g->nnodes; i++)
				state[i] = (state[i] && !remove[i]) || add[i];
		}
	}
	return state;
}

/*
 * The revisions of a history range "[start]:[end]": descendants of start
 * that are ancestors of end, both ends included.  NULL means everything.
 */
bool *
PlanRange(RevisionGraph *g, const char *range)
{
	bool	   *set = GraphNewSet(g);
	const char *colon;
	Target	   *start = NULL;
	Target	   *end = NULL;
	bool	   *from;
	bool	   *to;

	if (range == NULL)
	{
		for (int i = 0; i < g->nnodes; i++)
			set[i] = true;
		return set;
	}
	colon = strchr(range, ':');
	if (colon == NULL || strchr(colon + 1, ':') != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_RANGE),
				 errmsg("invalid history range \"%s\"", range),
				 errhint("Write \"start:end\", \"start:\" or \":end\", where start and end are targets.")));
	if (colon > range)
		start = TargetResolve(g, pnstrdup(range, colon - range));
	if (colon[1] != '\0')
		end = TargetResolve(g, colon + 1);

	from = GraphNewSet(g);
	to = GraphNewSet(g);
	if (start == NULL || start->nnodes == 0)
		memset(from, true, sizeof(bool) * g->nnodes);
	else
		for (int k = 0; k < start->nnodes; k++)
			GraphAddDescendants(g, start->nodes[k], true, from);
	if (end == NULL)
		memset(to, true, sizeof(bool) * g->nnodes);
	else
		for (int k = 0; k < end->nnodes; k++)
			GraphAddAncestors(g, end->nodes[k], true, to);

	if (start && end && start->nnodes > 0)
	{
		for (int k = 0; k < start->nnodes; k++)
			if (!to[start->nodes[k]])
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_INVALID_RANGE),
						 errmsg("history range \"%s\" does not go from an ancestor to a descendant",
								range),
						 errdetail("Revision %s is not an ancestor of \"%s\".",
								   g->nodes[start->nodes[k]].id, end->text)));
	}
	for (int i = 0; i < g->nnodes; i++)
		set[i] = from[i] && to[i];
	return set;
}

/*
 * Is the target text "head" or "heads" (the targets after which a no-op
 * upgrade knows that every revision is applied)?
 */
bool
TargetNamesHeads(const char *text)
{
	return strcmp(text, "head") == 0 || strcmp(text, "heads") == 0;
}
