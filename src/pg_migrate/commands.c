/*-------------------------------------------------------------------------
 *
 * commands.c
 *	  The commands of pg_migrate that write revision files (init,
 *	  revision, merge) and those that read the database (current, heads,
 *	  branches, history, show, check, sql, lint).
 *
 * Reading commands call the extension's functions, which live in
 * pg_catalog; --json output is built by the server with json_agg, so that
 * arrays, booleans and timestamps keep their types.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "common/logging.h"

/* Options of "revision" and "merge". */
typedef struct RevisionArgs
{
	const char *message;
	const char *id;
	char	  **parents;
	int			nparents;
	bool		parents_given;
	char	  **deps;
	int			ndeps;
	char	  **labels;
	int			nlabels;
	bool		non_transactional;
	char	  **rest;			/* positional arguments */
	int			nrest;
} RevisionArgs;

static int	parse_revision_args(int argc, char **argv, RevisionArgs *a,
								bool merge);
static bool resolve_in_dir(const RevDir *d, char **refs, int n,
						   const char *what);

int
cmd_init(void)
{
	int			n;
	char	  **names;

	if (dir_exists(opts.dir))
	{
		names = list_dir(opts.dir, NULL, &n);
		if (names == NULL)
			return EXIT_FAILED;
		if (n > 0)
		{
			pg_log_error("directory \"%s\" exists and is not empty", opts.dir);
			return EXIT_FAILED;
		}
	}
	else if (!make_dir(opts.dir))
		return EXIT_FAILED;
	if (opts.json)
	{
		PQExpBufferData buf;

		initPQExpBuffer(&buf);
		appendPQExpBufferStr(&buf, "{\"directory\": ");
		json_string(&buf, opts.dir);
		appendPQExpBufferStr(&buf, "}");
		printf("%s\n", buf.data);
		termPQExpBuffer(&buf);
	}
	else if (opts.verbosity >= 0)
		printf("created directory \"%s\"\n", opts.dir);
	return EXIT_OK;
}

/* Collect the values after a multi-value option: up to the next "-x". */
static char **
take_values(int argc, char **argv, int *i, int *n)
{
	char	  **values = pg_malloc(sizeof(char *) * (argc + 1));

	*n = 0;
	while (*i + 1 < argc && argv[*i + 1][0] != '-')
	{
		int			nw;
		char	  **words = split_words(argv[++(*i)], &nw);

		for (int k = 0; k < nw; k++)
		{
			values = pg_realloc(values, sizeof(char *) * (*n + argc + nw + 1));
			values[(*n)++] = words[k];
		}
	}
	return values;
}

/*
 * Parse "revision" or "merge" arguments (argv[0] is the command).
 * Returns EXIT_OK or EXIT_USAGE.
 */
static int
parse_revision_args(int argc, char **argv, RevisionArgs *a, bool merge)
{
	memset(a, 0, sizeof(*a));
	a->rest = pg_malloc(sizeof(char *) * (argc + 1));
	for (int i = 1; i < argc; i++)
	{
		const char *arg = argv[i];
		const char *eq = strchr(arg, '=');
		char	   *name = (arg[0] == '-' && arg[1] == '-' && eq) ?
			pg_strdup_range(arg, eq) : pg_strdup(arg);
		const char *inline_value = (arg[0] == '-' && arg[1] == '-' && eq) ? eq + 1 : NULL;

		if (strcmp(name, "-m") == 0 || strcmp(name, "--message") == 0)
		{
			if (inline_value)
				a->message = inline_value;
			else if (i + 1 < argc)
				a->message = argv[++i];
			else
				goto missing;
		}
		else if (strcmp(name, "--id") == 0)
		{
			if (inline_value)
				a->id = inline_value;
			else if (i + 1 < argc)
				a->id = argv[++i];
			else
				goto missing;
		}
		else if (!merge && strcmp(name, "--parents") == 0)
		{
			a->parents_given = true;
			if (inline_value)
				a->parents = split_words(inline_value, &a->nparents);
			else
				a->parents = take_values(argc, argv, &i, &a->nparents);
		}
		else if (!merge && strcmp(name, "--depends-on") == 0)
		{
			if (inline_value)
				a->deps = split_words(inline_value, &a->ndeps);
			else
				a->deps = take_values(argc, argv, &i, &a->ndeps);
			if (a->ndeps == 0)
				goto missing;
		}
		else if (!merge && strcmp(name, "--branch-label") == 0)
		{
			if (inline_value)
				a->labels = split_words(inline_value, &a->nlabels);
			else
				a->labels = take_values(argc, argv, &i, &a->nlabels);
			if (a->nlabels == 0)
				goto missing;
		}
		else if (!merge && strcmp(name, "--non-transactional") == 0)
			a->non_transactional = true;
		else if (arg[0] == '-' && arg[1] != '\0')
		{
			pg_log_error("unrecognized option \"%s\" for command \"%s\"", arg, argv[0]);
			pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
			return EXIT_USAGE;
		}
		else
			a->rest[a->nrest++] = argv[i];
		continue;
missing:
		pg_log_error("option \"%s\" of command \"%s\" needs a value", name, argv[0]);
		pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
		return EXIT_USAGE;
	}
	if (a->message == NULL)
	{
		pg_log_error("command \"%s\" needs a message (-m)", argv[0]);
		pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
		return EXIT_USAGE;
	}
	if (!merge && a->nrest > 0)
	{
		pg_log_error("too many arguments for command \"%s\"", argv[0]);
		pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
		return EXIT_USAGE;
	}
	if (a->id && !valid_id(a->id))
	{
		pg_log_error("invalid revision id \"%s\"", a->id);
		pg_log_error_detail("A revision id is 1 to 64 letters, digits, underscores or dots, and not \"head\", \"heads\", \"base\" or \"current\".");
		return EXIT_USAGE;
	}
	for (int k = 0; k < a->nlabels; k++)
		if (!valid_id(a->labels[k]))
		{
			pg_log_error("invalid branch label \"%s\"", a->labels[k]);
			pg_log_error_detail("A branch label is 1 to 64 letters, digits, underscores or dots, and not \"head\", \"heads\", \"base\" or \"current\".");
			return EXIT_USAGE;
		}
	return EXIT_OK;
}

/*
 * Replace each reference by the full id of the folder's file it names,
 * when there is one; references must be valid ids.  False after an error.
 */
static bool
resolve_in_dir(const RevDir *d, char **refs, int n, const char *what)
{
	for (int i = 0; i < n; i++)
	{
		int			f;

		if (!valid_id(refs[i]))
		{
			pg_log_error("invalid %s \"%s\"", what, refs[i]);
			return false;
		}
		f = revdir_find(d, refs[i]);
		if (f >= 0)
		{
			const char *id = d->files[f].id ? d->files[f].id : d->files[f].load_id;

			if (strcmp(what, "dependency") != 0 || strcmp(refs[i], id) == 0 ||
				strncmp(id, refs[i], strlen(refs[i])) == 0)
				refs[i] = pg_strdup(id);
		}
	}
	return true;
}

/* Print the path of a written file, or its JSON. */
static void
report_written(const char *path, const char *id)
{
	if (opts.json)
	{
		PQExpBufferData buf;

		initPQExpBuffer(&buf);
		appendPQExpBufferStr(&buf, "{\"file\": ");
		json_string(&buf, path);
		appendPQExpBufferStr(&buf, ", \"revision\": ");
		json_string(&buf, id);
		appendPQExpBufferStr(&buf, "}");
		printf("%s\n", buf.data);
		termPQExpBuffer(&buf);
	}
	else if (opts.verbosity >= 0)
		printf("%s\n", path);
}

/*
 * revision -m MSG [--id ID] [--parents ID...] [--depends-on ID...]
 *			[--branch-label L] [--non-transactional]
 */
int
cmd_revision(int argc, char **argv)
{
	RevisionArgs a;
	RevDir		d;
	NewRevision rev = {0};
	char	   *path;
	int			rc;

	if ((rc = parse_revision_args(argc, argv, &a, false)) != EXIT_OK)
		return rc;
	if (revdir_read(opts.dir, &d, false) != 0)
		return EXIT_FAILED;
	if (a.id && revdir_find(&d, a.id) >= 0 &&
		strcmp(d.files[revdir_find(&d, a.id)].id ? d.files[revdir_find(&d, a.id)].id : "", a.id) == 0)
	{
		pg_log_error("revision \"%s\" already exists in \"%s\"", a.id,
					 d.files[revdir_find(&d, a.id)].path);
		return EXIT_FAILED;
	}
	if (!a.parents_given)
	{
		int		   *heads;
		int			nheads = revdir_heads(&d, &heads);

		if (nheads > 1)
		{
			PQExpBufferData buf;

			initPQExpBuffer(&buf);
			for (int i = 0; i < nheads; i++)
			{
				RevFile    *f = &d.files[heads[i]];

				appendPQExpBuffer(&buf, "%s%s (%s)", i ? ", " : "",
								  f->id ? f->id : f->load_id ? f->load_id : "?",
								  f->name);
			}
			pg_log_error("cannot choose a parent: the revision files have %d heads",
						 nheads);
			pg_log_error_detail("The heads are %s.", buf.data);
			pg_log_error_hint("Name the parents with --parents, or join the heads with \"pg_migrate merge\" first.");
			termPQExpBuffer(&buf);
			return EXIT_FAILED;
		}
		if (nheads == 1)
		{
			RevFile    *f = &d.files[heads[0]];
			const char *id = f->id ? f->id : f->load_id;

			if (id == NULL)
			{
				pg_log_error("cannot choose a parent: the head file \"%s\" has no revision id",
							 f->path);
				pg_log_error_hint("Name the parents with --parents.");
				return EXIT_FAILED;
			}
			a.parents = pg_malloc(sizeof(char *));
			a.parents[0] = pg_strdup(id);
			a.nparents = 1;
		}
	}
	if (!resolve_in_dir(&d, a.parents, a.nparents, "parent") ||
		!resolve_in_dir(&d, a.deps, a.ndeps, "dependency"))
		return EXIT_FAILED;
	for (int i = 0; i < a.nparents; i++)
		for (int j = i + 1; j < a.nparents; j++)
			if (strcmp(a.parents[i], a.parents[j]) == 0)
			{
				pg_log_error("parent \"%s\" is given twice", a.parents[i]);
				return EXIT_USAGE;
			}

	rev.id = a.id ? a.id : generate_id();
	rev.message = a.message;
	rev.parents = (const char *const *) a.parents;
	rev.nparents = a.nparents;
	rev.deps = (const char *const *) a.deps;
	rev.ndeps = a.ndeps;
	rev.labels = (const char *const *) a.labels;
	rev.nlabels = a.nlabels;
	rev.transactional = !a.non_transactional;
	rev.upgrade = a.non_transactional ?
		"-- statements that cannot run in a transaction block, such as\n"
		"-- CREATE INDEX CONCURRENTLY; pg_migrate runs them one by one\n" :
		"-- the upgrade SQL\n";
	rev.downgrade = "-- the downgrade SQL\n";
	if ((path = revision_write(opts.dir, &rev)) == NULL)
		return EXIT_FAILED;
	report_written(path, rev.id);
	return EXIT_OK;
}

/*
 * merge -m MSG [--id ID] ID...
 */
int
cmd_merge(int argc, char **argv)
{
	RevisionArgs a;
	RevDir		d;
	NewRevision rev = {0};
	char	   *path;
	int			rc;
	int		   *heads;
	int			nheads;

	if ((rc = parse_revision_args(argc, argv, &a, true)) != EXIT_OK)
		return rc;
	if (a.nrest < 2)
	{
		pg_log_error("a merge needs at least two revisions");
		pg_log_error_hint("Give the heads to merge; \"pg_migrate heads\" lists them.");
		return EXIT_USAGE;
	}
	if (revdir_read(opts.dir, &d, false) != 0)
		return EXIT_FAILED;
	nheads = revdir_heads(&d, &heads);
	for (int i = 0; i < a.nrest; i++)
	{
		int			f;
		bool		is_head = false;

		if (!valid_id(a.rest[i]))
		{
			pg_log_error("invalid revision id \"%s\"", a.rest[i]);
			return EXIT_USAGE;
		}
		f = revdir_find(&d, a.rest[i]);
		if (f < 0)
		{
			pg_log_error("revision \"%s\" is not in \"%s\"", a.rest[i], opts.dir);
			pg_log_error_hint("Merge revisions whose files are in the folder.");
			return EXIT_FAILED;
		}
		for (int k = 0; k < nheads; k++)
			is_head |= heads[k] == f;
		if (!is_head)
		{
			pg_log_error("revision \"%s\" is not a head", a.rest[i]);
			pg_log_error_detail("File \"%s\" is the parent of another file.", d.files[f].path);
			return EXIT_FAILED;
		}
		a.rest[i] = d.files[f].id ? d.files[f].id : d.files[f].load_id;
		for (int k = 0; k < i; k++)
			if (strcmp(a.rest[k], a.rest[i]) == 0)
			{
				pg_log_error("revision \"%s\" is given twice", a.rest[i]);
				return EXIT_USAGE;
			}
	}
	rev.id = a.id ? a.id : generate_id();
	rev.message = a.message;
	rev.parents = (const char *const *) a.rest;
	rev.nparents = a.nrest;
	rev.transactional = true;
	if ((path = revision_write(opts.dir, &rev)) == NULL)
		return EXIT_FAILED;
	report_written(path, rev.id);
	return EXIT_OK;
}

int
cmd_current(PGconn *conn)
{
	PGresult   *res;

	if (opts.json)
		return print_json_query(conn,
								"SELECT COALESCE(pg_catalog.json_agg(c), '[]')"
								" FROM pg_catalog.migrate_current() c",
								0, NULL, "could not read the current revisions");
	res = db_query(conn,
				   "SELECT revision, message, markers, applied_at::pg_catalog.text, applied_by"
				   " FROM pg_catalog.migrate_current()",
				   0, NULL, "could not read the current revisions");
	if (res == NULL)
		return EXIT_FAILED;
	if (PQntuples(res) == 0)
	{
		if (opts.verbosity >= 0)
			printf("base (no revision is applied)\n");
	}
	else
		for (int r = 0; r < PQntuples(res); r++)
		{
			const char *markers = PQgetvalue(res, r, 2);

			printf("%s%s%s%s%s%s\n", PQgetvalue(res, r, 0),
				   markers[0] ? " (" : "", markers, markers[0] ? ")" : "",
				   PQgetvalue(res, r, 1)[0] ? ", " : "", PQgetvalue(res, r, 1));
			if (opts.verbosity > 0)
				printf("    applied at %s by %s\n", PQgetvalue(res, r, 3),
					   PQgetvalue(res, r, 4));
		}
	PQclear(res);
	return EXIT_OK;
}

int
cmd_heads(PGconn *conn)
{
	PGresult   *res;

	if (opts.json)
		return print_json_query(conn,
								"SELECT COALESCE(pg_catalog.json_agg(h), '[]')"
								" FROM pg_catalog.migrate_heads() h",
								0, NULL, "could not read the heads");
	res = db_query(conn,
				   "SELECT revision, message,"
				   " pg_catalog.array_to_string(branch_labels, ', '), applied"
				   " FROM pg_catalog.migrate_heads()",
				   0, NULL, "could not read the heads");
	if (res == NULL)
		return EXIT_FAILED;
	for (int r = 0; r < PQntuples(res); r++)
	{
		const char *labels = PQgetvalue(res, r, 2);

		printf("%s%s%s%s (head%s)%s%s\n", PQgetvalue(res, r, 0),
			   labels[0] ? " (" : "", labels, labels[0] ? ")" : "",
			   strcmp(PQgetvalue(res, r, 3), "t") == 0 ? ", applied" : "",
			   PQgetvalue(res, r, 1)[0] ? ", " : "", PQgetvalue(res, r, 1));
	}
	PQclear(res);
	return EXIT_OK;
}

int
cmd_branches(PGconn *conn)
{
	PGresult   *res;

	if (opts.json)
		return print_json_query(conn,
								"SELECT COALESCE(pg_catalog.json_agg(b), '[]')"
								" FROM pg_catalog.migrate_branches() b",
								0, NULL, "could not read the branch points");
	res = db_query(conn,
				   "SELECT revision, message,"
				   " pg_catalog.array_to_string(children, ', ')"
				   " FROM pg_catalog.migrate_branches()",
				   0, NULL, "could not read the branch points");
	if (res == NULL)
		return EXIT_FAILED;
	for (int r = 0; r < PQntuples(res); r++)
		printf("%s (branchpoint)%s%s\n    -> %s\n", PQgetvalue(res, r, 0),
			   PQgetvalue(res, r, 1)[0] ? ", " : "", PQgetvalue(res, r, 1),
			   PQgetvalue(res, r, 2));
	PQclear(res);
	return EXIT_OK;
}

/*
 * history [RANGE] [--graph]: newest first, as
 * "<parents> -> <id> (<markers>), <message>"; with --graph, drawn.
 */
int
cmd_history(PGconn *conn, const char *range, bool graph)
{
	PGresult   *res;
	const char *params[1] = {range};
	GraphRow   *rows;
	int			n;

	if (opts.json && !graph)
		return print_json_query(conn,
								"SELECT COALESCE(pg_catalog.json_agg(h), '[]')"
								" FROM pg_catalog.migrate_history($1) h",
								1, params, "could not read the history");
	if (opts.json)
		return print_json_query(conn,
								"SELECT pg_catalog.to_json(pg_catalog.migrate_graph())",
								0, NULL, "could not read the graph");
	res = db_query(conn,
				   "SELECT revision, parents, message, markers,"
				   " pg_catalog.array_to_string(depends_on, ' '),"
				   " pg_catalog.array_to_string(branch_labels, ' '), applied"
				   " FROM pg_catalog.migrate_history($1)",
				   1, params, "could not read the history");
	if (res == NULL)
		return EXIT_FAILED;
	n = PQntuples(res);
	rows = pg_malloc0(sizeof(GraphRow) * (n + 1));
	for (int r = 0; r < n; r++)
	{
		const char *id = PQgetvalue(res, r, 0);
		const char *message = PQgetvalue(res, r, 2);
		const char *markers = PQgetvalue(res, r, 3);
		const char *deps = PQgetvalue(res, r, 4);
		const char *labels = PQgetvalue(res, r, 5);
		bool		applied = strcmp(PQgetvalue(res, r, 6), "t") == 0;
		PQExpBufferData line;

		rows[r].id = pg_strdup(id);
		rows[r].parents = parse_pg_array(PQgetvalue(res, r, 1), &rows[r].nparents);
		rows[r].deps = split_words(deps, &rows[r].ndeps);
		initPQExpBuffer(&line);
		if (!graph)
		{
			if (rows[r].nparents == 0)
				appendPQExpBufferStr(&line, "<base>");
			for (int k = 0; k < rows[r].nparents; k++)
				appendPQExpBuffer(&line, "%s%s", k ? ", " : "", rows[r].parents[k]);
			appendPQExpBufferStr(&line, " -> ");
		}
		appendPQExpBufferStr(&line, id);
		if (labels[0] || markers[0])
			appendPQExpBuffer(&line, " (%s%s%s)", labels, labels[0] && markers[0] ? ", " : "",
							  markers);
		if (message[0])
			appendPQExpBuffer(&line, ", %s", message);
		if (deps[0] && (graph || opts.verbosity > 0))
			appendPQExpBuffer(&line, " [depends on %s]", deps);
		if (opts.verbosity > 0)
			appendPQExpBufferStr(&line, applied ? " [applied]" : " [pending]");
		rows[r].text = line.data;
	}
	PQclear(res);
	if (graph)
		draw_graph(stdout, rows, n);
	else
		for (int r = 0; r < n; r++)
			printf("%s\n", rows[r].text);
	return EXIT_OK;
}

int
cmd_show(PGconn *conn, const char *id)
{
	PGresult   *res;
	const char *params[1] = {id};

	if (opts.json)
		return print_json_query(conn,
								"SELECT pg_catalog.to_json(s)"
								" FROM pg_catalog.migrate_show($1) s",
								1, params, "could not show the revision");
	res = db_query(conn,
				   "SELECT revision, pg_catalog.array_to_string(parents, ' '),"
				   " pg_catalog.array_to_string(depends_on, ' '),"
				   " pg_catalog.array_to_string(branch_labels, ' '),"
				   " message, transactional, checksum, created_at::pg_catalog.text,"
				   " created_by, applied, applied_at::pg_catalog.text, markers,"
				   " upgrade, downgrade"
				   " FROM pg_catalog.migrate_show($1)",
				   1, params, "could not show the revision");
	if (res == NULL)
		return EXIT_FAILED;
	if (PQntuples(res) == 0)
	{
		if (opts.verbosity >= 0)
			printf("base (no revision)\n");
		PQclear(res);
		return EXIT_OK;
	}
	printf("Revision:      %s\n", PQgetvalue(res, 0, 0));
	printf("Parents:       %s\n", PQgetvalue(res, 0, 1)[0] ? PQgetvalue(res, 0, 1) : "<base>");
	if (PQgetvalue(res, 0, 2)[0])
		printf("Depends on:    %s\n", PQgetvalue(res, 0, 2));
	if (PQgetvalue(res, 0, 3)[0])
		printf("Branch labels: %s\n", PQgetvalue(res, 0, 3));
	printf("Message:       %s\n", PQgetvalue(res, 0, 4));
	printf("Transactional: %s\n", strcmp(PQgetvalue(res, 0, 5), "t") == 0 ? "yes" : "no");
	printf("Checksum:      %s\n", PQgetvalue(res, 0, 6));
	printf("Created:       %s by %s\n", PQgetvalue(res, 0, 7), PQgetvalue(res, 0, 8));
	if (strcmp(PQgetvalue(res, 0, 9), "t") == 0)
		printf("Applied:       %s\n", PQgetvalue(res, 0, 10));
	else
		printf("Applied:       no\n");
	if (PQgetvalue(res, 0, 11)[0])
		printf("Markers:       %s\n", PQgetvalue(res, 0, 11));
	printf("\n-- upgrade\n%s", PQgetvalue(res, 0, 12));
	if (PQgetlength(res, 0, 12) > 0 &&
		PQgetvalue(res, 0, 12)[PQgetlength(res, 0, 12) - 1] != '\n')
		printf("\n");
	printf("\n-- downgrade\n%s", PQgetvalue(res, 0, 13));
	if (PQgetlength(res, 0, 13) > 0 &&
		PQgetvalue(res, 0, 13)[PQgetlength(res, 0, 13) - 1] != '\n')
		printf("\n");
	PQclear(res);
	return EXIT_OK;
}

/* check: the problems migrate_check reports; exit status 3 if any. */
int
cmd_check(PGconn *conn)
{
	PGresult   *res;
	int			n;

	res = db_query(conn,
				   "SELECT problem, revision, detail,"
				   " (SELECT COALESCE(pg_catalog.json_agg(c), '[]')"
				   "  FROM pg_catalog.migrate_check() c)"
				   " FROM pg_catalog.migrate_check()",
				   0, NULL, "could not check the database");
	if (res == NULL)
		return EXIT_FAILED;
	n = PQntuples(res);
	if (opts.json)
		printf("%s\n", n > 0 ? PQgetvalue(res, 0, 3) : "[]");
	else if (n == 0)
	{
		if (opts.verbosity >= 0)
			printf("no problems\n");
	}
	else
		for (int r = 0; r < n; r++)
			printf("%s%s%s: %s\n", PQgetvalue(res, r, 0),
				   PQgetisnull(res, r, 1) ? "" : " ",
				   PQgetvalue(res, r, 1), PQgetvalue(res, r, 2));
	PQclear(res);
	return n > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

int
cmd_sql(PGconn *conn, const char *target)
{
	PGresult   *res;
	const char *params[1] = {target};

	if (opts.json)
		return print_json_query(conn,
								"SELECT pg_catalog.to_json(pg_catalog.migrate_sql($1))",
								1, params, "could not write the script");
	res = db_query(conn, "SELECT pg_catalog.migrate_sql($1)", 1, params,
				   "could not write the script");
	if (res == NULL)
		return EXIT_FAILED;
	fputs(PQgetvalue(res, 0, 0), stdout);
	PQclear(res);
	return EXIT_OK;
}

/*
 * lint [FILE...]: each file (default: every file of DIR) through
 * migrate_lint_revision, its upgrade and its downgrade section apart (so
 * that the downgrade is linted as one, knowing what the upgrade creates),
 * each finding with its section and its line in the file.  Exit status 3
 * when a finding has severity "error".
 */
int
cmd_lint(PGconn *conn, int nfiles, char **files)
{
	PGresult   *res;
	RevDir		d;
	int			errors = 0;
	int			findings = 0;
	PQExpBufferData json;

	res = db_query(conn,
				   "SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc"
				   " WHERE proname OPERATOR(pg_catalog.=) $1",
				   1, (const char *[]) {"migrate_lint_revision"},
				   "could not look for migrate_lint_revision");
	if (res == NULL)
		return EXIT_FAILED;
	if (strcmp(PQgetvalue(res, 0, 0), "0") == 0)
	{
		pg_log_error("this database has no function migrate_lint_revision");
		pg_log_error_detail("The installed version of the migrate extension does not lint revisions.");
		pg_log_error_hint("Update the extension with ALTER EXTENSION migrate UPDATE.");
		PQclear(res);
		return EXIT_FAILED;
	}
	PQclear(res);

	if (nfiles > 0)
	{
		d.files = pg_malloc0(sizeof(RevFile) * nfiles);
		d.nfiles = nfiles;
		for (int i = 0; i < nfiles; i++)
		{
			const char *slash = strrchr(files[i], '/');

			d.files[i].path = files[i];
			d.files[i].name = pg_strdup(slash ? slash + 1 : files[i]);
			if ((d.files[i].text = read_file(files[i], NULL)) == NULL ||
				revdir_parse(&d.files[i]) != 0)
				return EXIT_FAILED;
		}
	}
	else if (revdir_read(opts.dir, &d, false) != 0)
		return EXIT_FAILED;

	initPQExpBuffer(&json);
	appendPQExpBufferChar(&json, '[');
	for (int i = 0; i < d.nfiles; i++)
	{
		RevFile    *f = &d.files[i];
		char	   *upgrade;
		char	   *downgrade;
		int			up_line;
		int			down_line;
		const char *params[3];

		revdir_sections(f, &upgrade, &up_line, &downgrade, &down_line);
		params[0] = upgrade;
		params[1] = downgrade;
		params[2] = f->transactional ? "true" : "false";
		res = db_query(conn,
					   "SELECT section, rule, severity, statement, line, message, hint"
					   " FROM pg_catalog.migrate_lint_revision($1, $2,"
					   " $3::pg_catalog.bool)",
					   3, params, psprintf("could not lint file \"%s\"", f->path));
		if (res == NULL)
			return EXIT_FAILED;
		for (int r = 0; r < PQntuples(res); r++)
		{
			const char *section = PQgetvalue(res, r, 0);
			const char *rule = PQgetvalue(res, r, 1);
			const char *sev = PQgetvalue(res, r, 2);
			const char *statement = PQgetvalue(res, r, 3);
			int			line = atoi(PQgetvalue(res, r, 4)) +
				(strcmp(section, "downgrade") == 0 ? down_line : up_line);
			const char *message = PQgetvalue(res, r, 5);
			const char *hint = PQgetvalue(res, r, 6);

			findings++;
			if (strcmp(sev, "error") == 0)
				errors++;
			if (opts.json)
			{
				appendPQExpBufferStr(&json, findings > 1 ? ", {" : "{");
				appendPQExpBufferStr(&json, "\"file\": ");
				json_string(&json, f->path);
				appendPQExpBufferStr(&json, ", \"section\": ");
				json_string(&json, section);
				appendPQExpBufferStr(&json, ", \"rule\": ");
				json_string(&json, rule);
				appendPQExpBufferStr(&json, ", \"severity\": ");
				json_string(&json, sev);
				appendPQExpBuffer(&json, ", \"statement\": %s, \"line\": %d, \"section_line\": %s, \"message\": ",
								  statement, line, PQgetvalue(res, r, 4));
				json_string(&json, message);
				appendPQExpBufferStr(&json, ", \"hint\": ");
				json_string(&json, hint);
				appendPQExpBufferChar(&json, '}');
				continue;
			}
			printf("%s:%d: %s: %s: %s (%s, statement %s)\n", f->path, line, sev,
				   rule, message, section, statement);
			if (hint[0] && opts.verbosity >= 0)
				printf("    hint: %s\n", hint);
		}
		PQclear(res);
	}
	appendPQExpBufferChar(&json, ']');
	if (opts.json)
		printf("%s\n", json.data);
	else if (findings == 0 && opts.verbosity >= 0)
		printf("no findings in %d file%s\n", d.nfiles, d.nfiles == 1 ? "" : "s");
	termPQExpBuffer(&json);
	return errors > 0 ? EXIT_PROBLEMS : EXIT_OK;
}
