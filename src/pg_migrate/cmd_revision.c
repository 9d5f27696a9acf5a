/*-------------------------------------------------------------------------
 *
 * cmd_revision.c
 *	  The commands of pg_migrate that write revision files and need no
 *	  database: init, revision, merge, squash.
 *
 * A new file's parents are the folder's single head unless given; a
 * merge joins heads of the folder.  References to revisions in the folder
 * are written as their full ids.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <unistd.h>

#include "commands.h"
#include "common/logging.h"
#include "output.h"
#include "revdir.h"
#include "util.h"

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
static void report_written(const char *path, const char *id);

int
cmd_init(void)
{
	int			n;
	char	  **names;
	bool		existed = dir_exists(opts.dir);

	if (existed)
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
		printf(existed ? "directory \"%s\" exists and is empty: ready\n" :
			   "created directory \"%s\"\n", opts.dir);
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
	if (a.nrest == 1 && strcmp(a.rest[0], "heads") == 0)
	{
		/* "heads": every head of the folder */
		if (revdir_read(opts.dir, &d, false) != 0)
			return EXIT_FAILED;
		nheads = revdir_heads(&d, &heads);
		if (nheads < 2)
		{
			pg_log_error("\"%s\" has %d head, nothing to merge", opts.dir, nheads);
			return EXIT_FAILED;
		}
		a.rest = pg_malloc(sizeof(char *) * nheads);
		for (int k = 0; k < nheads; k++)
			a.rest[k] = d.files[heads[k]].id ? d.files[heads[k]].id :
				d.files[heads[k]].load_id;
		a.nrest = nheads;
	}
	if (a.nrest < 2)
	{
		pg_log_error("a merge needs at least two revisions");
		pg_log_error_hint("Give the heads to merge, or \"heads\" for all of them; \"pg_migrate heads\" lists them.");
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

/*
 * Append one section of a squashed revision: a comment naming where it
 * comes from, then the SQL, ended by a semicolon when its last line is a
 * comment or lacks one, so that it cannot run on into the next section.
 */
static void
append_section(PQExpBuffer buf, const RevFile *f, const char *sql)
{
	const char *end = sql + strlen(sql);
	const char *last;

	while (end > sql && (end[-1] == '\n' || end[-1] == '\r' ||
						 end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == sql)
		return;
	for (last = end; last > sql && last[-1] != '\n'; last--)
		;
	while (*last == ' ' || *last == '\t')
		last++;
	appendPQExpBuffer(buf, "-- revision %s: %s\n", f->id ? f->id : f->load_id,
					  f->message);
	appendBinaryPQExpBuffer(buf, sql, end - sql);
	if (end[-1] != ';' || strncmp(last, "--", 2) == 0)
		appendPQExpBufferStr(buf, "\n;");
	appendPQExpBufferStr(buf, "\n\n");
}

/*
 * squash -m MSG [--id ID] TARGET
 *
 * Replace TARGET and everything before it (its ancestors and
 * dependencies, as an upgrade from base to TARGET runs them) with one
 * root revision that says which ids it replaces: their upgrade SQL in load
 * order, their downgrade SQL in reverse.  Their files are removed.
 * Databases that applied all of them take the squash as applied when it
 * is loaded; new databases run it.
 */
int
cmd_squash(int argc, char **argv)
{
	RevisionArgs a;
	RevDir		d;
	NewRevision rev = {0};
	PQExpBufferData up,
				down;
	bool	   *in;
	int		   *edges;
	const char **replaces;
	const char **labels;
	int			nreplaces = 0;
	int			nlabels = 0;
	int			nfiles = 0;
	int			target;
	char	   *path;
	int			rc;

	if ((rc = parse_revision_args(argc, argv, &a, true)) != EXIT_OK)
		return rc;
	if (a.nrest != 1)
	{
		pg_log_error("command \"squash\" needs one target revision");
		pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
		return EXIT_USAGE;
	}
	if (revdir_read(opts.dir, &d, false) != 0 || revdir_order(&d) != 0)
		return EXIT_FAILED;
	if ((target = revdir_find(&d, a.rest[0])) < 0)
	{
		pg_log_error("revision \"%s\" is not in \"%s\"", a.rest[0], opts.dir);
		return EXIT_FAILED;
	}

	/* the target and what comes before it: files in load order */
	in = pg_malloc0(sizeof(bool) * (d.nfiles + 1));
	edges = pg_malloc(sizeof(int) * (d.nfiles + 1));
	in[target] = true;
	for (int i = d.nfiles - 1; i >= 0; i--)
		if (in[i])
		{
			int			ne = revdir_edges(&d, i, edges);

			for (int k = 0; k < ne; k++)
				in[edges[k]] = true;
		}

	replaces = pg_malloc(sizeof(char *) * (d.nfiles + 1));
	labels = NULL;
	initPQExpBuffer(&up);
	initPQExpBuffer(&down);
	for (int i = 0; i < d.nfiles; i++)
	{
		const RevFile *f = &d.files[i];
		const char *id = f->id ? f->id : f->load_id;

		if (!in[i])
			continue;
		if (id == NULL)
		{
			pg_log_error("file \"%s\" has no revision id", f->path);
			pg_log_error_hint("Give it a \"-- migrate:revision\" line first.");
			return EXIT_FAILED;
		}
		if (!f->transactional)
		{
			pg_log_error("revision %s is not transactional, so it cannot be squashed",
						 id);
			pg_log_error_detail("File \"%s\" runs statements that cannot run in a transaction block; a squash runs in one.",
								f->path);
			pg_log_error_hint("Squash up to a revision before it.");
			return EXIT_FAILED;
		}
		nfiles++;
		replaces = pg_realloc(replaces, sizeof(char *) * (nreplaces + f->nreplaces + 1));
		for (int k = 0; k < f->nreplaces; k++)
			replaces[nreplaces++] = f->replaces[k];	/* a squash squashed again */
		replaces[nreplaces++] = id;
		if (f->nlabels > 0)
		{
			labels = pg_realloc(labels, sizeof(char *) * (nlabels + f->nlabels));
			for (int k = 0; k < f->nlabels; k++)
				labels[nlabels++] = f->labels[k];
		}
	}
	for (int i = 0; i < d.nfiles; i++)
		if (in[i])
		{
			char	   *u,
					   *w;
			int			ul,
						wl;

			revdir_sections(&d.files[i], &u, &ul, &w, &wl);
			append_section(&up, &d.files[i], u);
		}
	for (int i = d.nfiles - 1; i >= 0; i--)
		if (in[i])
		{
			char	   *u,
					   *w;
			int			ul,
						wl;

			revdir_sections(&d.files[i], &u, &ul, &w, &wl);
			if (w)
				append_section(&down, &d.files[i], w);
		}

	rev.id = a.id ? a.id : generate_id();
	rev.message = a.message;
	rev.transactional = true;
	rev.replaces = replaces;
	rev.nreplaces = nreplaces;
	rev.labels = labels;
	rev.nlabels = nlabels;
	rev.upgrade = up.data;
	rev.downgrade = down.data;
	if ((target = revdir_find(&d, rev.id)) >= 0 &&
		strcmp(d.files[target].id ? d.files[target].id : "", rev.id) == 0)
	{
		pg_log_error("revision \"%s\" already exists", rev.id);
		return EXIT_FAILED;
	}
	if ((path = revision_write(opts.dir, &rev)) == NULL)
		return EXIT_FAILED;
	for (int i = 0; i < d.nfiles; i++)
		if (in[i])
		{
			if (unlink(d.files[i].path) != 0)
			{
				pg_log_error("could not remove file \"%s\": %m", d.files[i].path);
				return EXIT_FAILED;
			}
			pg_log_debug("removed \"%s\"", d.files[i].path);
		}
	if (opts.verbosity >= 0 && !opts.json)
		pg_log_info("%d revision files squashed into one; a database that applied them takes it as applied when it is loaded",
					nfiles);
	report_written(path, rev.id);
	termPQExpBuffer(&up);
	termPQExpBuffer(&down);
	return EXIT_OK;
}
