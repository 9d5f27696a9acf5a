/*-------------------------------------------------------------------------
 *
 * graph.c
 *	  The revision graph in memory: nodes, edges, topological order, and
 *	  the closures that planning is made of.
 *
 * Pure in-memory logic: nothing here touches SPI or the catalog.  A graph
 * lives in the memory context that was current when GraphCreate ran.
 *
 * Invariants after GraphFinish: the graph has no cycle through parent or
 * depends_on edges; topo lists every node after its parents and
 * dependencies, ties broken by creation order (the order of GraphAddNode);
 * nodes[i].rank is i's position in topo.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "migrate/model/graph.h"
#include "migrate/util/errcodes.h"

typedef struct IdEntry
{
	char		id[65];			/* hash key: ids are at most 64 bytes */
	int			node;
} IdEntry;

static void append_edge(int **edges, int *n, int target);
static void report_cycle(RevisionGraph *g, const int *indegree);

/* Create an empty graph with room for about "expected" nodes. */
RevisionGraph *
GraphCreate(int expected)
{
	RevisionGraph *g = palloc0(sizeof(RevisionGraph));
	HASHCTL		ctl;

	g->capacity = Max(expected, 16);
	g->nodes = palloc0(sizeof(RevisionNode) * g->capacity);
	ctl.keysize = sizeof(((IdEntry *) NULL)->id);
	ctl.entrysize = sizeof(IdEntry);
	ctl.hcxt = CurrentMemoryContext;
	g->by_id = hash_create("migrate revision ids", g->capacity, &ctl,
						   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	return g;
}

/* Add a node; returns its index.  Duplicate ids are refused. */
int
GraphAddNode(RevisionGraph *g, const char *id, const char *message,
			 bool transactional, char **labels, int nlabels)
{
	IdEntry    *entry;
	RevisionNode *node;
	bool		found;

	GraphCheckId(id);
	entry = hash_search(g->by_id, id, HASH_ENTER, &found);
	if (found)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_DUPLICATE_REVISION),
				 errmsg("revision \"%s\" already exists", id)));
	if (g->nnodes == g->capacity)
	{
		g->capacity *= 2;
		g->nodes = repalloc(g->nodes, sizeof(RevisionNode) * g->capacity);
	}
	entry->node = g->nnodes;
	node = &g->nodes[g->nnodes];
	memset(node, 0, sizeof(RevisionNode));
	node->id = pstrdup(id);
	node->message = pstrdup(message ? message : "");
	node->transactional = transactional;
	node->labels = labels;
	node->nlabels = nlabels;
	return g->nnodes++;
}

static void
append_edge(int **edges, int *n, int target)
{
	if (*n == 0)
		*edges = palloc(sizeof(int) * 2);
	else if ((*n & (*n - 1)) == 0 && *n >= 2)
		*edges = repalloc(*edges, sizeof(int) * (*n) * 2);
	(*edges)[(*n)++] = target;
}

/* Record that "child" lists "parent" as a parent. */
void
GraphAddParent(RevisionGraph *g, int child, const char *parent)
{
	int			p = GraphFind(g, parent);

	if (p < 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_UNDEFINED_PARENT),
				 errmsg("parent revision \"%s\" of revision \"%s\" does not exist",
						parent, g->nodes[child].id)));
	append_edge(&g->nodes[child].parents, &g->nodes[child].nparents, p);
	append_edge(&g->nodes[p].children, &g->nodes[p].nchildren, child);
}

/* Record that "node" depends on "dep". */
void
GraphAddDependency(RevisionGraph *g, int node, const char *dep)
{
	int			d = GraphFind(g, dep);

	if (d < 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_UNDEFINED_PARENT),
				 errmsg("dependency \"%s\" of revision \"%s\" does not exist",
						dep, g->nodes[node].id)));
	append_edge(&g->nodes[node].deps, &g->nodes[node].ndeps, d);
	append_edge(&g->nodes[d].dependents, &g->nodes[d].ndependents, node);
}

/*
 * Report a cycle among the nodes that Kahn's algorithm left over (those
 * with indegree > 0).  Each of them has a left-over parent or dependency,
 * so walking those edges from any of them must come back to a node seen
 * before: the path from there is the cycle.
 */
static void
report_cycle(RevisionGraph *g, const int *indegree)
{
	int		   *seen_at = palloc(sizeof(int) * g->nnodes);
	int		   *path = palloc(sizeof(int) * (g->nnodes + 1));
	int			len = 0;
	int			cur = -1;
	StringInfoData buf;

	for (int i = 0; i < g->nnodes; i++)
	{
		seen_at[i] = -1;
		if (cur < 0 && indegree[i] > 0)
			cur = i;
	}
	while (seen_at[cur] < 0)
	{
		RevisionNode *r = &g->nodes[cur];
		int			next = -1;

		seen_at[cur] = len;
		path[len++] = cur;
		for (int j = 0; j < r->nparents && next < 0; j++)
			if (indegree[r->parents[j]] > 0)
				next = r->parents[j];
		for (int j = 0; j < r->ndeps && next < 0; j++)
			if (indegree[r->deps[j]] > 0)
				next = r->deps[j];
		Assert(next >= 0);
		cur = next;
	}

	/* path[seen_at[cur]..len-1] is the cycle, children first: print it parents first */
	initStringInfo(&buf);
	appendStringInfoString(&buf, g->nodes[cur].id);
	for (int k = len - 1; k >= seen_at[cur]; k--)
		appendStringInfo(&buf, " -> %s", g->nodes[path[k]].id);
	ereport(ERROR,
			(errcode(ERRCODE_MIGRATE_CYCLE),
			 errmsg("revision graph has a cycle"),
			 errdetail("Following parents and depends_on: %s.", buf.data),
			 errhint("Change the parents or depends_on of one of these revisions.")));
}

/*
 * Compute the topological order, refusing cycles.  Kahn's algorithm with a
 * binary min-heap on the creation index, so the order is deterministic.
 */
void
GraphFinish(RevisionGraph *g)
{
	int			n = g->nnodes;
	int		   *indegree = palloc0(sizeof(int) * Max(n, 1));
	int		   *heap = palloc(sizeof(int) * Max(n, 1));
	int			nheap = 0;
	int			done = 0;

	g->topo = palloc(sizeof(int) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		RevisionNode *node = &g->nodes[i];

		for (int j = 0; j < node->nparents; j++)
			if (node->parents[j] == i)
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_CYCLE),
						 errmsg("revision \"%s\" lists itself as a parent",
								node->id),
						 errhint("A revision comes after its parents; name another parent.")));
		for (int j = 0; j < node->ndeps; j++)
			if (node->deps[j] == i)
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_CYCLE),
						 errmsg("revision \"%s\" depends on itself",
								node->id),
						 errhint("A revision comes after its dependencies; name another dependency.")));
		indegree[i] = node->nparents + node->ndeps;
		if (indegree[i] == 0)
			heap[nheap++] = i;	/* ascending i keeps the heap property */
	}

	while (nheap > 0)
	{
		int			top = heap[0];
		RevisionNode *node = &g->nodes[top];
		int			k;

		/* pop the smallest index */
		heap[0] = heap[--nheap];
		k = 0;
		for (;;)
		{
			int			l = 2 * k + 1,
						r = l + 1,
						m = k;

			if (l < nheap && heap[l] < heap[m])
				m = l;
			if (r < nheap && heap[r] < heap[m])
				m = r;
			if (m == k)
				break;
			{
				int			t = heap[k];

				heap[k] = heap[m];
				heap[m] = t;
			}
			k = m;
		}

		node->rank = done;
		g->topo[done++] = top;

		for (int pass = 0; pass < 2; pass++)
		{
			int		   *out = pass == 0 ? node->children : node->dependents;
			int			nout = pass == 0 ? node->nchildren : node->ndependents;

			for (int j = 0; j < nout; j++)
			{
				int			c = out[j];

				if (--indegree[c] == 0)
				{
					/* push and sift up */
					k = nheap++;
					heap[k] = c;
					while (k > 0 && heap[(k - 1) / 2] > heap[k])
					{
						int			t = heap[k];

						heap[k] = heap[(k - 1) / 2];
						heap[(k - 1) / 2] = t;
						k = (k - 1) / 2;
					}
				}
			}
		}
	}

	if (done < n)
		report_cycle(g, indegree);

	g->heads = palloc(sizeof(int) * Max(n, 1));
	g->nheads = 0;
	for (int i = 0; i < n; i++)
		if (g->nodes[g->topo[i]].nchildren == 0)
			g->heads[g->nheads++] = g->topo[i];
	pfree(indegree);
	pfree(heap);
}

/* Index of the revision with exactly this id, or -1. */
int
GraphFind(RevisionGraph *g, const char *id)
{
	IdEntry    *entry;

	if (strlen(id) > 64)
		return -1;
	entry = hash_search(g->by_id, id, HASH_FIND, NULL);
	return entry ? entry->node : -1;
}

/* Index of the revision carrying this branch label, or -1. */
int
GraphFindLabel(RevisionGraph *g, const char *label)
{
	for (int i = 0; i < g->nnodes; i++)
		for (int j = 0; j < g->nodes[i].nlabels; j++)
			if (strcmp(g->nodes[i].labels[j], label) == 0)
				return i;
	return -1;
}

/* A head is a revision that no revision lists as parent. */
bool
GraphIsHead(RevisionGraph *g, int node)
{
	return g->nodes[node].nchildren == 0;
}

/* Every head, in topological order (a copy the caller may keep). */
int *
GraphHeads(RevisionGraph *g, int *n)
{
	int		   *result = palloc(sizeof(int) * Max(g->nheads, 1));

	memcpy(result, g->heads, sizeof(int) * g->nheads);
	*n = g->nheads;
	return result;
}

/* The current revisions: applied ones that have no applied child. */
int *
GraphCurrent(RevisionGraph *g, int *n)
{
	int		   *result = palloc(sizeof(int) * Max(g->nnodes, 1));

	*n = 0;
	for (int i = 0; i < g->nnodes; i++)
	{
		RevisionNode *node = &g->nodes[g->topo[i]];
		bool		has_applied_child = false;

		if (!node->applied)
			continue;
		for (int j = 0; j < node->nchildren; j++)
			if (g->nodes[node->children[j]].applied)
				has_applied_child = true;
		if (!has_applied_child)
			result[(*n)++] = g->topo[i];
	}
	return result;
}

/* "head", "mergepoint", "branchpoint", "root", space separated. */
char *
GraphMarkers(RevisionGraph *g, int node)
{
	RevisionNode *r = &g->nodes[node];
	StringInfoData buf;

	initStringInfo(&buf);
	if (r->nparents == 0)
		appendStringInfoString(&buf, "root ");
	if (r->nparents > 1)
		appendStringInfoString(&buf, "mergepoint ");
	if (r->nchildren > 1)
		appendStringInfoString(&buf, "branchpoint ");
	if (r->nchildren == 0)
		appendStringInfoString(&buf, "head ");
	if (buf.len > 0)
		buf.data[--buf.len] = '\0';
	return buf.data;
}

bool *
GraphNewSet(RevisionGraph *g)
{
	return palloc0(sizeof(bool) * Max(g->nnodes, 1));
}

/*
 * Add "node" and everything reachable from it to set: through parents (and
 * depends_on, when with_deps) going down, through children (and
 * dependents) going up.  Iterative, so deep histories cannot overflow the
 * stack.
 */
static void
add_reachable(RevisionGraph *g, int node, bool down, bool with_deps,
			  bool *set)
{
	int		   *stack;
	int			top = 0;

	if (set[node])
		return;
	stack = palloc(sizeof(int) * g->nnodes);
	set[node] = true;
	stack[top++] = node;
	while (top > 0)
	{
		RevisionNode *r = &g->nodes[stack[--top]];

		for (int pass = 0; pass < (with_deps ? 2 : 1); pass++)
		{
			int		   *edges;
			int			nedges;

			if (down)
			{
				edges = pass == 0 ? r->parents : r->deps;
				nedges = pass == 0 ? r->nparents : r->ndeps;
			}
			else
			{
				edges = pass == 0 ? r->children : r->dependents;
				nedges = pass == 0 ? r->nchildren : r->ndependents;
			}
			for (int j = 0; j < nedges; j++)
				if (!set[edges[j]])
				{
					set[edges[j]] = true;
					stack[top++] = edges[j];
				}
		}
	}
	pfree(stack);
}

/* Add "node" and its ancestors (parents, and depends_on) to set. */
void
GraphAddAncestors(RevisionGraph *g, int node, bool with_deps, bool *set)
{
	add_reachable(g, node, true, with_deps, set);
}

/* Add "node" and its descendants (children, and dependents) to set. */
void
GraphAddDescendants(RevisionGraph *g, int node, bool with_deps, bool *set)
{
	add_reachable(g, node, false, with_deps, set);
}

/*
 * Extend set with every node of "within" that has a parent or dependency
 * in set, transitively.  One pass in topological order suffices.
 */
void
GraphCloseOverDependents(RevisionGraph *g, bool *set, const bool *within)
{
	for (int i = 0; i < g->nnodes; i++)
	{
		int			n = g->topo[i];
		RevisionNode *r = &g->nodes[n];

		if (set[n] || !within[n])
			continue;
		for (int j = 0; j < r->nparents && !set[n]; j++)
			if (set[r->parents[j]])
				set[n] = true;
		for (int j = 0; j < r->ndeps && !set[n]; j++)
			if (set[r->deps[j]])
				set[n] = true;
	}
}

/* The members of set in topological order (or its reverse). */
int *
GraphOrder(RevisionGraph *g, const bool *set, bool reverse, int *n)
{
	int		   *result = palloc(sizeof(int) * Max(g->nnodes, 1));

	*n = 0;
	for (int i = 0; i < g->nnodes; i++)
	{
		int			node = g->topo[reverse ? g->nnodes - 1 - i : i];

		if (set[node])
			result[(*n)++] = node;
	}
	return result;
}

static int
compare_rank(const void *a, const void *b, void *arg)
{
	RevisionGraph *g = arg;
	int			ra = g->nodes[*(const int *) a].rank;
	int			rb = g->nodes[*(const int *) b].rank;

	return (ra > rb) - (ra < rb);
}

/*
 * The unapplied revisions in the ancestry (parents and depends_on) of the
 * targets, in topological order.  The walk stops at applied revisions:
 * migrate keeps the applied set closed under ancestry (migrate_check reports
 * a state that is not), so the cost is that of what is missing, and a no-op
 * costs nothing whatever the size of the history.
 */
int *
GraphMissingAncestry(RevisionGraph *g, const int *targets, int ntargets,
					 int *n)
{
	bool	   *seen = GraphNewSet(g);
	int		   *stack = palloc(sizeof(int) * Max(g->nnodes, 1));
	int		   *result = palloc(sizeof(int) * Max(g->nnodes, 1));
	int			top = 0;

	*n = 0;
	for (int i = 0; i < ntargets; i++)
		if (!seen[targets[i]] && !g->nodes[targets[i]].applied)
		{
			seen[targets[i]] = true;
			stack[top++] = targets[i];
		}
	while (top > 0)
	{
		int			node = stack[--top];
		RevisionNode *r = &g->nodes[node];

		result[(*n)++] = node;
		for (int pass = 0; pass < 2; pass++)
		{
			int		   *edges = pass == 0 ? r->parents : r->deps;
			int			nedges = pass == 0 ? r->nparents : r->ndeps;

			for (int j = 0; j < nedges; j++)
				if (!seen[edges[j]] && !g->nodes[edges[j]].applied)
				{
					seen[edges[j]] = true;
					stack[top++] = edges[j];
				}
		}
	}
	qsort_arg(result, *n, sizeof(int), compare_rank, g);
	pfree(seen);
	pfree(stack);
	return result;
}

/* "a, b, c" for messages. */
char *
GraphListIds(RevisionGraph *g, const int *nodes, int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, g->nodes[nodes[i]].id);
	}
	return buf.data;
}

/* Ids are 1 to 64 characters of [A-Za-z0-9_.]. */
bool
GraphValidId(const char *id)
{
	size_t		len = strlen(id);

	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		char		c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return false;
	}
	return true;
}

void
GraphCheckId(const char *id)
{
	if (!GraphValidId(id))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_ID),
				 errmsg("invalid revision id \"%s\"", id),
				 errdetail("A revision id is 1 to 64 letters, digits, underscores or dots; \"-\", \"+\" and \"@\" belong to the target syntax.")));
}
