/*-------------------------------------------------------------------------
 *
 * cmd_offline.c
 *	  sql TARGET --from REV: the script of an upgrade or downgrade from
 *	  the folder alone, without a database, for review.
 *
 * The server's generator (migrate_sql, src/exec/offline.c) needs the
 * server: its graph, its target grammar, the raw parser that splits the
 * SQL and the scanner that sums it.  This is the same script built from
 * the revision files: the graph from their parents and dependencies, the
 * revisions in load order (the order migrate_sql follows for a database
 * loaded from the folder), each statement cut at the semicolons outside
 * quotes, dollar quotes, comments and parentheses, as the parser cuts it.
 * Two differences, by necessity: the checksum that the script records in
 * migrate.applied is read from migrate.revision where the script runs
 * (the client cannot compute the server's checksum; a revision not loaded
 * there makes the INSERT fail), and lock_timeout is the default of
 * migrate.lock_timeout.  Targets: head, heads, base, an id, a prefix of
 * four or more characters, or a branch label; REV: base or a revision,
 * taken as applied with its ancestry.  A function body written with BEGIN
 * ATOMIC (semicolons outside quotes) is not split as the parser would.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "commands.h"
#include "revdir.h"
#include "util.h"

#define OFFLINE_LOCK_SQL \
	"SELECT pg_catalog.pg_advisory_xact_lock(1835624306, 1635017984);\n"
#define OFFLINE_LOCK_TIMEOUT_MS 5000	/* migrate.lock_timeout's default */

/* A statement of a section: its text, as the server's SqlSplit cuts it. */
typedef struct OfflineStatement
{
	char	   *text;
	bool		boundary;		/* BEGIN, START TRANSACTION, COMMIT, END */
} OfflineStatement;

/* The folder as a graph: file indexes in load order. */
typedef struct OfflineGraph
{
	RevDir		d;
	int			n;
	const char **ids;
	int		  **parents;		/* file indexes */
	int		   *nparents;
	int		  **deps;
	int		   *ndeps;
} OfflineGraph;

/* Length of the whitespace and comments at s. */
static int
skip_blank(const char *s)
{
	const char *p = s;

	for (;;)
	{
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
			p++;
		else if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
		}
		else if (p[0] == '/' && p[1] == '*')
		{
			int			depth = 1;

			p += 2;
			while (*p && depth > 0)
			{
				if (p[0] == '/' && p[1] == '*')
					depth++, p += 2;
				else if (p[0] == '*' && p[1] == '/')
					depth--, p += 2;
				else
					p++;
			}
		}
		else
			return p - s;
	}
}

/* Does the statement text start with keyword kw (case-insensitive)? */
static bool
starts_with_word(const char *text, const char *kw)
{
	size_t		len = strlen(kw);

	return pg_strncasecmp(text, kw, len) == 0 &&
		!isalnum((unsigned char) text[len]) && text[len] != '_';
}

/*
 * Split sql at the semicolons outside quotes, dollar quotes, comments and
 * parentheses; each statement starts at its first token and ends before
 * its semicolon, trailing whitespace removed; empty ones are none.
 */
static OfflineStatement *
split_sql(const char *sql, int *n)
{
	OfflineStatement *result = pg_malloc0(sizeof(OfflineStatement));
	const char *start = NULL;
	const char *p = sql;
	int			depth = 0;

	*n = 0;
	for (;;)
	{
		int			blank = skip_blank(p);

		if (blank > 0)
		{
			p += blank;
			continue;
		}
		if (start == NULL && *p && *p != ';')
			start = p;
		if (*p == '\0' || (*p == ';' && depth == 0))
		{
			if (start != NULL)
			{
				const char *end = p;

				while (end > start && (end[-1] == ' ' || end[-1] == '\n' ||
									   end[-1] == '\t' || end[-1] == '\r'))
					end--;
				result = pg_realloc(result, sizeof(OfflineStatement) * (*n + 1));
				result[*n].text = pg_strdup_range(start, end);
				result[*n].boundary =
					(starts_with_word(start, "BEGIN") &&
					 !starts_with_word(start + skip_blank(start + 5) + 5, "ATOMIC")) ||
					starts_with_word(start, "START") ||
					(starts_with_word(start, "COMMIT") &&
					 !starts_with_word(start + 6 + skip_blank(start + 6), "PREPARED")) ||
					starts_with_word(start, "END");
				(*n)++;
			}
			if (*p == '\0')
				break;
			start = NULL;
			p++;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		if (*p == '\'' || *p == '"')
		{
			char		q = *p;
			bool		escapes = q == '\'' && p > sql &&
				(p[-1] == 'E' || p[-1] == 'e') &&
				(p - 1 == sql || !isalnum((unsigned char) p[-2]));

			for (p++; *p; p++)
			{
				if (escapes && *p == '\\' && p[1])
					p++;
				else if (*p == q && p[1] == q)
					p++;
				else if (*p == q)
					break;
			}
			if (*p)
				p++;
			continue;
		}
		if (*p == '$' && (p == sql || !(isalnum((unsigned char) p[-1]) || p[-1] == '_')))
		{
			const char *tag_end = p + 1;

			while (isalnum((unsigned char) *tag_end) || *tag_end == '_')
				tag_end++;
			if (*tag_end == '$' && !isdigit((unsigned char) p[1]))
			{
				size_t		taglen = tag_end - p + 1;
				const char *close = tag_end + 1;

				while (*close && strncmp(close, p, taglen) != 0)
					close++;
				p = *close ? close + taglen : close;
				continue;
			}
		}
		/* a word or any other character */
		if (isalnum((unsigned char) *p) || *p == '_')
			while (isalnum((unsigned char) *p) || *p == '_' || *p == '$')
				p++;
		else
			p++;
	}
	return result;
}

/* Append text to a "--" comment: control characters become spaces. */
static void
append_comment_text(PQExpBuffer buf, const char *text)
{
	for (const char *p = text; *p; p++)
		appendPQExpBufferChar(buf, ((unsigned char) *p < 0x20 || *p == 0x7f) ?
							  ' ' : *p);
}

/* text as an SQL string literal, as quote_literal writes it. */
static void
append_literal(PQExpBuffer buf, const char *text)
{
	bool		backslash = strchr(text, '\\') != NULL;

	if (backslash)
		appendPQExpBufferChar(buf, 'E');
	appendPQExpBufferChar(buf, '\'');
	for (const char *p = text; *p; p++)
	{
		if (*p == '\'' || *p == '\\')
			appendPQExpBufferChar(buf, *p);
		appendPQExpBufferChar(buf, *p);
	}
	appendPQExpBufferChar(buf, '\'');
}

/* Build the graph of the folder; false after reporting a problem. */
static bool
offline_graph(OfflineGraph *g)
{
	if (revdir_read(opts.dir, &g->d, false) != 0 || revdir_order(&g->d) != 0)
		return false;
	g->n = g->d.nfiles;
	g->ids = pg_malloc0(sizeof(char *) * (g->n + 1));
	g->parents = pg_malloc0(sizeof(int *) * (g->n + 1));
	g->nparents = pg_malloc0(sizeof(int) * (g->n + 1));
	g->deps = pg_malloc0(sizeof(int *) * (g->n + 1));
	g->ndeps = pg_malloc0(sizeof(int) * (g->n + 1));
	for (int i = 0; i < g->n; i++)
	{
		RevFile    *f = &g->d.files[i];

		g->ids[i] = f->id ? f->id : f->load_id;
		if (g->ids[i] == NULL)
		{
			pg_log_error("file \"%s\" has no revision id, which an offline script needs",
						 f->path);
			pg_log_error_hint("Give it a \"-- migrate:revision\" line, or run \"pg_migrate sql\" against a database.");
			return false;
		}
		g->parents[i] = pg_malloc(sizeof(int) * (f->nparents + 1));
		g->deps[i] = pg_malloc(sizeof(int) * (f->ndeps + 1));
		for (int k = 0; k < f->nparents; k++)
			if ((g->parents[i][g->nparents[i]++] = revdir_find(&g->d, f->parents[k])) < 0)
			{
				pg_log_error("parent \"%s\" of file \"%s\" is not in \"%s\"",
							 f->parents[k], f->path, opts.dir);
				return false;
			}
		if (f->id == NULL && !f->parents_given && i > 0)
			g->parents[i][g->nparents[i]++] = i - 1;
		for (int k = 0; k < f->ndeps; k++)
			if ((g->deps[i][g->ndeps[i]++] = revdir_find(&g->d, f->deps[k])) < 0)
			{
				pg_log_error("dependency \"%s\" of file \"%s\" is not in \"%s\"",
							 f->deps[k], f->path, opts.dir);
				return false;
			}
	}
	return true;
}

/* Add node and its ancestry (parents and dependencies) to set. */
static void
add_ancestry(OfflineGraph *g, int node, bool *set)
{
	if (set[node])
		return;
	set[node] = true;
	for (int k = 0; k < g->nparents[node]; k++)
		add_ancestry(g, g->parents[node][k], set);
	for (int k = 0; k < g->ndeps[node]; k++)
		add_ancestry(g, g->deps[node][k], set);
}

/*
 * The nodes a target names (head, heads, base, an id, a prefix or a
 * label); -1 after reporting a target this client cannot resolve.
 */
static int
offline_target(OfflineGraph *g, const char *target, int **nodes)
{
	int			n = 0;
	int			node;

	*nodes = pg_malloc(sizeof(int) * (g->n + 1));
	if (strcmp(target, "base") == 0)
		return 0;
	if (strcmp(target, "head") == 0 || strcmp(target, "heads") == 0)
	{
		pg_free(*nodes);
		n = revdir_heads(&g->d, nodes);
		if (strcmp(target, "head") == 0 && n > 1)
		{
			pg_log_error("target \"head\" is ambiguous: the folder has %d heads", n);
			pg_log_error_hint("Name one head, or use \"heads\" for all of them.");
			return -1;
		}
		return n;
	}
	if ((node = revdir_find(&g->d, target)) < 0)
	{
		pg_log_error("target \"%s\" is not a revision of \"%s\"", target, opts.dir);
		pg_log_error_hint("Offline, a target is head, heads, base, an id, a prefix of 4 or more characters or a branch label; relative targets need the database.");
		return -1;
	}
	(*nodes)[0] = node;
	return 1;
}

/* Append one revision's SQL and bookkeeping, as migrate_sql does. */
static void
append_step(PQExpBuffer buf, OfflineGraph *g, int node, bool upgrade,
			bool *in_transaction)
{
	RevFile    *f = &g->d.files[node];
	char	   *up;
	char	   *down;
	int			up_line;
	int			down_line;
	OfflineStatement *st;
	int			nst;
	int			count = 0;

	revdir_sections(f, &up, &up_line, &down, &down_line);
	st = split_sql(upgrade ? up : (down ? down : ""), &nst);
	appendPQExpBuffer(buf, "\n-- Running %s ", upgrade ? "upgrade" : "downgrade");
	if (!upgrade)
		appendPQExpBuffer(buf, "%s -> ", g->ids[node]);
	if (g->nparents[node] == 0)
		appendPQExpBufferStr(buf, "<base>");
	for (int k = 0; k < g->nparents[node]; k++)
		appendPQExpBuffer(buf, "%s%s", k > 0 ? ", " : "", g->ids[g->parents[node][k]]);
	if (upgrade)
		appendPQExpBuffer(buf, " -> %s", g->ids[node]);
	if (f->message && f->message[0])
	{
		appendPQExpBufferStr(buf, ", ");
		append_comment_text(buf, f->message);
	}
	appendPQExpBufferChar(buf, '\n');

	if (!f->transactional && *in_transaction)
	{
		appendPQExpBufferStr(buf, "-- not transactional: run outside a transaction block\nCOMMIT;\n");
		*in_transaction = false;
	}
	else if (f->transactional && !*in_transaction)
	{
		appendPQExpBufferStr(buf, "BEGIN;\n" OFFLINE_LOCK_SQL);
		*in_transaction = true;
	}
	if (f->transactional)
		for (int i = 0; i < nst; i++)
			appendPQExpBuffer(buf, "%s;\n", st[i].text);
	else
	{
		bool		bounded = false;

		for (int i = 0; i < nst; i++)
			bounded |= st[i].boundary;
		/* each stretch in a transaction of its own, as migrate_sql writes */
		for (int i = 0; i < nst;)
		{
			int			j = i;

			if (st[i].boundary)
			{
				i++;
				continue;
			}
			while (j < nst && !st[j].boundary && (bounded || j == i))
				j++;
			if (j - i > 1)
				appendPQExpBufferStr(buf, "BEGIN;\n");
			for (int k = i; k < j; k++)
				appendPQExpBuffer(buf, "%s;\n", st[k].text);
			if (j - i > 1)
				appendPQExpBufferStr(buf, "COMMIT;\n");
			i = j;
		}
	}
	for (int i = 0; i < nst; i++)
		count += !st[i].boundary;

	if (upgrade)
	{
		appendPQExpBufferStr(buf, "INSERT INTO migrate.applied (revision, checksum) VALUES (");
		append_literal(buf, g->ids[node]);
		appendPQExpBufferStr(buf, ", (SELECT r.checksum FROM migrate.revision r WHERE r.id OPERATOR(pg_catalog.=) ");
		append_literal(buf, g->ids[node]);
		appendPQExpBufferStr(buf, "));\n");
	}
	else
	{
		appendPQExpBufferStr(buf, "DELETE FROM migrate.applied WHERE revision OPERATOR(pg_catalog.=) ");
		append_literal(buf, g->ids[node]);
		appendPQExpBufferStr(buf, ";\n");
	}
	appendPQExpBufferStr(buf, "INSERT INTO migrate.log (revision, direction, stamped, started_at, duration, statements, outcome) VALUES (");
	append_literal(buf, g->ids[node]);
	appendPQExpBuffer(buf, ", '%s', false, pg_catalog.clock_timestamp(), '0', %d, 'success');\n",
					  upgrade ? "upgrade" : "downgrade", count);
}

/*
 * sql TARGET --from REV, without a database: print the script that takes
 * a database at REV (base, or a revision with its ancestry applied) to
 * TARGET, built from DIR.
 */
int
cmd_sql_offline(const char *target, const char *from)
{
	OfflineGraph g;
	bool	   *applied;
	bool	   *want;
	int		   *nodes;
	int		   *from_nodes;
	int			nt;
	int			nfrom;
	int		   *plan;
	int			n = 0;
	bool		upgrade = true;
	bool		in_transaction = true;
	PQExpBufferData buf;

	memset(&g, 0, sizeof(g));
	if (!offline_graph(&g))
		return EXIT_FAILED;
	if ((nfrom = offline_target(&g, from, &from_nodes)) < 0 ||
		(nt = offline_target(&g, target, &nodes)) < 0)
		return EXIT_FAILED;
	applied = pg_malloc0(sizeof(bool) * (g.n + 1));
	want = pg_malloc0(sizeof(bool) * (g.n + 1));
	plan = pg_malloc(sizeof(int) * (g.n + 1));
	for (int i = 0; i < nfrom; i++)
		add_ancestry(&g, from_nodes[i], applied);

	/* upgrade: the target's missing ancestry, in load order */
	for (int i = 0; i < nt; i++)
		add_ancestry(&g, nodes[i], want);
	for (int i = 0; i < g.n; i++)
		if (want[i] && !applied[i])
			plan[n++] = i;

	/*
	 * else a downgrade: the applied revisions above the target along parent
	 * edges (all of them for base), with the applied revisions that depend
	 * on one of them, children first
	 */
	if (n == 0)
	{
		bool	   *remove = pg_malloc0(sizeof(bool) * (g.n + 1));

		upgrade = false;
		for (int i = 0; i < g.n; i++)
		{
			if (!applied[i])
				continue;
			if (nt == 0)
				remove[i] = true;
			for (int k = 0; k < g.nparents[i]; k++)
				if (remove[g.parents[i][k]])
					remove[i] = true;
			for (int t = 0; t < nt; t++)
				for (int k = 0; k < g.nparents[i]; k++)
					if (g.parents[i][k] == nodes[t])
						remove[i] = true;
			for (int k = 0; k < g.ndeps[i]; k++)
				if (remove[g.deps[i][k]])
					remove[i] = true;
		}
		for (int i = g.n - 1; i >= 0; i--)
			if (remove[i])
				plan[n++] = i;
	}

	initPQExpBuffer(&buf);
	appendPQExpBuffer(&buf, "-- migrate: %s to ",
					  n == 0 ? "move" : upgrade ? "upgrade" : "downgrade");
	append_literal(&buf, target);
	appendPQExpBufferStr(&buf, " from ");
	append_literal(&buf, from);
	appendPQExpBufferChar(&buf, '\n');
	if (n == 0)
		appendPQExpBufferStr(&buf, "-- nothing to do\n");
	else
	{
		appendPQExpBufferStr(&buf, "SELECT pg_catalog.migrate_lock_session();\n");
		appendPQExpBuffer(&buf, "BEGIN;\n" OFFLINE_LOCK_SQL
						  "SET LOCAL lock_timeout = '%dms';\n", OFFLINE_LOCK_TIMEOUT_MS);
		for (int i = 0; i < n; i++)
			append_step(&buf, &g, plan[i], upgrade, &in_transaction);
		appendPQExpBufferStr(&buf, in_transaction ? "\nCOMMIT;\n" : "\n");
		appendPQExpBufferStr(&buf, "SELECT pg_catalog.migrate_unlock_session();\n");
	}
	if (opts.json)
	{
		PQExpBufferData out;

		initPQExpBuffer(&out);
		json_string(&out, buf.data);
		printf("%s\n", out.data);
		termPQExpBuffer(&out);
		json_printed = true;
	}
	else
		fputs(buf.data, stdout);
	termPQExpBuffer(&buf);
	return EXIT_OK;
}
