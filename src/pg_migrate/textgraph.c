/*-------------------------------------------------------------------------
 *
 * textgraph.c
 *	  The revision graph drawn as text, like "git log --graph".
 *
 * Rows come newest first (children before parents).  Columns hold the
 * revision each line of the drawing waits for; a revision's row puts "*"
 * in its column, then its column is replaced by its parents: a parent
 * already waited for by another column joins it ("|/"), further parents
 * open new columns ("|\").  Each revision waits in one column at most.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

static int
find_column(char **cols, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(cols[i], id) == 0)
			return i;
	return -1;
}

/* Draw the line between two column layouts, given where each line goes. */
static void
draw_transition(FILE *out, int nold, int nnew, const int *from, const int *to,
				int nedges)
{
	int			width = 2 * Max(nold, nnew) + 2;
	char	   *buf = pg_malloc(width + 1);
	bool		straight = nold == nnew;
	int			len;

	for (int e = 0; e < nedges; e++)
		straight &= from[e] == to[e];
	if (straight)
	{
		pg_free(buf);
		return;
	}
	memset(buf, ' ', width);
	buf[width] = '\0';
	for (int e = 0; e < nedges; e++)
	{
		int			a = from[e];
		int			b = to[e];

		if (a == b)
			buf[2 * a] = '|';
		else if (b < a)
		{
			buf[2 * a - 1] = '/';
			for (int x = 2 * b + 1; x < 2 * a - 1; x++)
				if (buf[x] == ' ')
					buf[x] = '_';
		}
		else
		{
			buf[2 * a + 1] = '\\';
			for (int x = 2 * a + 2; x < 2 * b; x++)
				if (buf[x] == ' ')
					buf[x] = '_';
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
	char	  **cols = pg_malloc(sizeof(char *) * cap);
	int			ncols = 0;

	/* parents outside the rows drawn (a history range) open no column */
	for (int r = 0; r < nrows; r++)
		for (int p = 0; p < rows[r].nparents; p++)
		{
			bool		found = false;

			for (int q = r + 1; q < nrows && !found; q++)
				found = rows[q].parents != NULL && rows[r].parents[p] != NULL &&
					strcmp(rows[q].id, rows[r].parents[p]) == 0;
			if (!found)
				rows[r].parents[p] = NULL;
		}

	for (int r = 0; r < nrows; r++)
	{
		GraphRow   *row = &rows[r];
		int			idx = find_column(cols, ncols, row->id);
		char	  **next;
		int			nnext = 0;
		int		   *from;
		int		   *to;
		int			nedges = 0;

		if (ncols + row->nparents + 2 > cap)
		{
			cap = 2 * (ncols + row->nparents + 2);
			cols = pg_realloc(cols, sizeof(char *) * cap);
		}
		if (idx < 0)
		{
			cols[ncols] = row->id;
			idx = ncols++;
		}

		/* the revision's row */
		for (int k = 0; k < ncols; k++)
			fprintf(out, "%c ", k == idx ? '*' : '|');
		fprintf(out, "%s\n", row->text);

		/* the next layout: its column replaced by its new parents */
		next = pg_malloc(sizeof(char *) * (ncols + row->nparents + 1));
		for (int k = 0; k < ncols; k++)
		{
			if (k != idx)
			{
				next[nnext++] = cols[k];
				continue;
			}
			for (int p = 0; p < row->nparents; p++)
			{
				const char *parent = row->parents[p];

				if (parent == NULL || find_column(cols, ncols, parent) >= 0 ||
					find_column(next, nnext, parent) >= 0)
					continue;
				next[nnext++] = (char *) parent;
			}
		}

		/* where each line goes */
		from = pg_malloc(sizeof(int) * (ncols + row->nparents + 1));
		to = pg_malloc(sizeof(int) * (ncols + row->nparents + 1));
		for (int k = 0; k < ncols; k++)
		{
			if (k != idx)
			{
				from[nedges] = k;
				to[nedges++] = find_column(next, nnext, cols[k]);
				continue;
			}
			for (int p = 0; p < row->nparents; p++)
			{
				int			pos;

				if (row->parents[p] == NULL)
					continue;
				pos = find_column(next, nnext, row->parents[p]);
				if (pos >= 0)
				{
					from[nedges] = k;
					to[nedges++] = pos;
				}
			}
		}
		if (r < nrows - 1)
			draw_transition(out, ncols, nnext, from, to, nedges);
		memcpy(cols, next, sizeof(char *) * nnext);
		ncols = nnext;
		pg_free(next);
		pg_free(from);
		pg_free(to);
	}
	pg_free(cols);
}
