/*-------------------------------------------------------------------------
 *
 * graph.h
 *	  The revision graph in memory (see graph.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_GRAPH_H
#define MIGRATE_GRAPH_H

#include "datatype/timestamp.h"
#include "utils/hsearch.h"

/* One revision; edges are indexes into RevisionGraph.nodes. */
typedef struct RevisionNode
{
	char	   *id;
	char	   *message;
	bool		transactional;
	bool		applied;		/* in the applied set */
	TimestampTz applied_at;		/* when applied, if applied */
	char	   *applied_by;		/* who applied it, if applied */
	char	  **labels;			/* branch labels */
	int			nlabels;
	int		   *parents;
	int			nparents;
	int		   *deps;			/* depends_on */
	int			ndeps;
	int		   *children;		/* revisions that list this one as parent */
	int			nchildren;
	int		   *dependents;		/* revisions that depend on this one */
	int			ndependents;
	int			rank;			/* position in RevisionGraph.topo */
} RevisionNode;

/*
 * The whole graph.  Nodes are in creation order; topo lists them parents
 * and dependencies first, ties broken by creation order.
 */
typedef struct RevisionGraph
{
	RevisionNode *nodes;
	int			nnodes;
	int			capacity;
	int		   *topo;
	int		   *heads;			/* the heads, in topological order */
	int			nheads;
	HTAB	   *by_id;			/* id -> node index */
} RevisionGraph;

/* Building: add nodes in creation order, then edges, then finish. */
extern RevisionGraph *GraphCreate(int expected);
extern int	GraphAddNode(RevisionGraph *g, const char *id, const char *message,
						 bool transactional, char **labels, int nlabels);
extern void GraphAddParent(RevisionGraph *g, int child, const char *parent);
extern void GraphAddDependency(RevisionGraph *g, int node, const char *dep);
extern void GraphFinish(RevisionGraph *g);

/* Lookup and shape */
extern int	GraphFind(RevisionGraph *g, const char *id);
extern int	GraphFindLabel(RevisionGraph *g, const char *label);
extern bool GraphIsHead(RevisionGraph *g, int node);
extern int *GraphHeads(RevisionGraph *g, int *n);
extern int *GraphCurrent(RevisionGraph *g, int *n);
extern char *GraphMarkers(RevisionGraph *g, int node);

/* Sets of nodes are bool arrays of nnodes entries. */
extern bool *GraphNewSet(RevisionGraph *g);
extern void GraphAddAncestors(RevisionGraph *g, int node, bool with_deps,
							  bool *set);
extern void GraphAddDescendants(RevisionGraph *g, int node, bool with_deps,
								bool *set);
extern void GraphCloseOverDependents(RevisionGraph *g, bool *set,
									 const bool *within);
extern int *GraphOrder(RevisionGraph *g, const bool *set, bool reverse,
					   int *n);
extern int *GraphMissingAncestry(RevisionGraph *g, const int *targets,
								 int ntargets, int *n);
extern char *GraphListIds(RevisionGraph *g, const int *nodes, int n);

/* Validation of ids */
extern bool GraphValidId(const char *id);
extern void GraphCheckId(const char *id);

#endif							/* MIGRATE_GRAPH_H */
