/*-------------------------------------------------------------------------
 *
 * textgraph.h
 *	  The revision graph drawn as text (see textgraph.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_TEXTGRAPH_H
#define PG_MIGRATE_TEXTGRAPH_H

#include "pg_migrate.h"

/* One revision to draw, newest first. */
typedef struct GraphRow
{
	char	   *id;
	char	  **parents;
	int			nparents;
	char	  **deps;			/* depends-on */
	int			ndeps;
	char	   *text;			/* what to print after the graph */
} GraphRow;

extern void draw_graph(FILE *out, GraphRow *rows, int nrows);

#endif							/* PG_MIGRATE_TEXTGRAPH_H */
