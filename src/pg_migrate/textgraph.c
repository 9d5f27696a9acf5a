/*-------------------------------------------------------------------------
 *
 * textgraph.c
 *	  The revision graph drawn as text, like "git log --graph", with the
 *	  depends-on edges drawn too, dotted.
 *
 * Rows come newest first (children before parents).  Columns hold the
 * revision each line of the drawing waits for, and the kind of edge the
 * line is: a parent edge, drawn "|", "/", "\" and "_" like git's, or a
 * depends-on edge, drawn ":" where it goes straight down and "/", "\" and
 * "." where it moves across.  A revision's row puts "*" in its column, then
 * its column is replaced by its parents, and columns for its dependencies
 * open after them: an edge whose revision is already waited for by a
 * column of its kind joins that column ("|/"), others open new columns
 * ("|\").  So each revision is waited for by one parent column at most and
 * one depends-on column at most; right before its row, its depends-on
 * column joins its parent column (or becomes its column, if no child
 * waits for it as a parent).
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "textgraph.h"

/* A line of the drawing: the revision it goes to, and its kind. */
typedef struct Column
{
	const char *id;
	bool		dep;			/* a depends-on edge */
} Column;

/* One line between two layouts: from column, to column, kind. */
typedef struct Edge
{
	int			from;
	int			to;
	bool		dep;
} Edge;

/* The column that waits for id with edges of this kind, or -1. */
static int
find_column(const Column *cols, int n, const char *id, bool dep)
{
	for (int i = 0; i < n; i++)
		if (cols[i].dep == dep && strcmp(cols[i].id, id) == 0)
			return i;
	return -1;
}

/* Is id one of the revisions of rows[from..nrows-1]? */
static bool
drawn_below(const GraphRow *rows, int nrows, int from, const char *id)
{
	for (int q = from; q < nrows; q++)
		if (strcmp(rows[q].id, id) == 0)
			return true;
	return false;
}

/*
 * Draw the line between two column layouts, given where each line goes;
 * nothing when every line goes straight down, unless force.
 */
static void
draw_transition(FILE *out, int nold, int nnew, const Edge *edges, int nedges,
				bool force)
{
	int			width = 2 * Max(nold, nnew) + 2;
	char	   *buf;
	bool		straight = nold == nnew && !force;
	int			len;

	for (int e = 0; e < nedges; e++)
		straight &= edges[e].from == edges[e].to;
	if (straight)
		return;
	buf = pg_malloc(width + 1);
	memset(buf, ' ', width);
	buf[width] = '\0';
	for (int e = 0; e < nedges; e++)
	{
		int			a = edges[e].from;
		int			b = edges[e].to;
		char		run = edges[e].dep ? '.' : '_';

		if (a == b)
			buf[2 * a] = edges[e].dep ? ':' : '|';
		else if (b < a)
		{
			buf[2 * a - 1] = '/';
			for (int x = 2 * b + 1; x < 2 * a - 1; x++)
				if (buf[x] == ' ')
					buf[x] = run;
		}
		else
		{
			buf[2 * a + 1] = '\\';
			for (int x = 2 * a + 2; x < 2 * b; x++)
				if (buf[x] == ' ')
					buf[x] = run;
		}
	}
	len = width;
	while (len > 0 && buf[len - 1] == ' ')
		len--;
	buf[len] = '\0';
	fprintf(out, "%s\n", buf);
	pg_free(buf);
}

void
draw_graph(FILE *out, GraphRow *rows, int nrows)
{
	int			cap = 16;
	Column	   *cols = pg_malloc(sizeof(Column) * cap);
	int			ncols = 0;

	for (int r = 0; r < nrows; r++)
	{
		GraphRow   *row = &rows[r];
		int			idx;
		int			dep_idx;
		int			nout = row->nparents + row->ndeps;
		Column	   *next;
		int			nnext = 0;
		Edge	   *edges;
		int			nedges = 0;
		bool		force;

		if (ncols + nout + 2 > cap)
		{
			cap = 2 * (ncols + nout + 2);
			cols = pg_realloc(cols, sizeof(Column) * cap);
		}
		edges = pg_malloc(sizeof(Edge) * (ncols + nout + 1));
		next = pg_malloc(sizeof(Column) * (ncols + nout + 1));

		/*
		 * Before the row: the depends-on column that waits for it joins its
		 * parent column, or becomes its column.
		 */
		idx = find_column(cols, ncols, row->id, false);
		dep_idx = find_column(cols, ncols, row->id, true);
		if (dep_idx >= 0 && idx < 0)
		{
			cols[dep_idx].dep = false;
			idx = dep_idx;
		}
		else if (dep_idx >= 0)
		{
			for (int k = 0; k < ncols; k++)
			{
				if (k == dep_idx)
					continue;
				next[nnext++] = cols[k];
			}
			for (int k = 0; k < ncols; k++)
			{
				edges[nedges].from = k;
				edges[nedges].dep = cols[k].dep;
				edges[nedges++].to = k == dep_idx ?
					idx - (idx > dep_idx) : k - (k > dep_idx);
			}
			draw_transition(out, ncols, nnext, edges, nedges, false);
			memcpy(cols, next, sizeof(Column) * nnext);
			ncols = nnext;
			idx = find_column(cols, ncols, row->id, false);
			nnext = nedges = 0;
		}
		if (idx < 0)
		{
			cols[ncols].id = row->id;
			cols[ncols].dep = false;
			idx = ncols++;
		}

		/* the revision's row */
		for (int k = 0; k < ncols; k++)
			fprintf(out, "%c ", k == idx ? '*' : cols[k].dep ? ':' : '|');
		fprintf(out, "%s\n", row->text);

		/*
		 * The next layout: its column replaced by the parents and then the
		 * dependencies that no column waits for yet.  Those outside the
		 * rows drawn (a history range) open no column.
		 */
		for (int k = 0; k < ncols; k++)
		{
			if (k != idx)
			{
				next[nnext++] = cols[k];
				continue;
			}
			for (int p = 0; p < nout; p++)
			{
				bool		dep = p >= row->nparents;
				const char *id = dep ? row->deps[p - row->nparents] :
				row->parents[p];

				if (!drawn_below(rows, nrows, r + 1, id) ||
					find_column(cols, ncols, id, dep) >= 0 ||
					find_column(next, nnext, id, dep) >= 0)
					continue;
				next[nnext].id = id;
				next[nnext++].dep = dep;
			}
		}

		/*
		 * Where each line goes.  A depends-on edge that leaves the row
		 * straight down is drawn (":"), so that it is not taken for a parent
		 * edge where it joins.
		 */
		nedges = 0;
		force = false;
		for (int k = 0; k < ncols; k++)
		{
			if (k != idx)
			{
				edges[nedges].from = k;
				edges[nedges].dep = cols[k].dep;
				edges[nedges++].to = find_column(next, nnext, cols[k].id,
												 cols[k].dep);
				continue;
			}
			for (int p = 0; p < nout; p++)
			{
				bool		dep = p >= row->nparents;
				const char *id = dep ? row->deps[p - row->nparents] :
				row->parents[p];
				int			pos = find_column(next, nnext, id, dep);

				if (pos >= 0)
				{
					edges[nedges].from = k;
					edges[nedges].dep = dep;
					edges[nedges++].to = pos;
					force |= dep;
				}
			}
		}
		if (r < nrows - 1)
			draw_transition(out, ncols, nnext, edges, nedges, force);
		memcpy(cols, next, sizeof(Column) * nnext);
		ncols = nnext;
		pg_free(next);
		pg_free(edges);
	}
	pg_free(cols);
}
