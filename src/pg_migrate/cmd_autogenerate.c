/*-------------------------------------------------------------------------
 *
 * cmd_autogenerate.c
 *	  The commands of pg_migrate that compare the database with a desired
 *	  schema (migrate_diff): "revision --autogenerate" and
 *	  "check --schema".
 *
 * A desired schema is a .sql file, or a folder whose .sql files are read
 * in name order as one script: pg_dump -s output or a hand-kept schema.
 * The server runs it in a subtransaction that it rolls back, compares by
 * name and definition, and returns the changes in phases; each phase
 * becomes a revision file, on the folder's head and chained in order
 * (enum values, the main change, then a non-transactional one for the
 * validations and the indexes built concurrently).
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <sys/stat.h>

#include "commands.h"
#include "common/logging.h"
#include "connection.h"
#include "output.h"
#include "pqexpbuffer.h"
#include "revdir.h"
#include "util.h"

/* The text of a desired schema: a file, or a folder's .sql files in order. */
static char *
read_schema(const char *path)
{
	struct stat st;
	PQExpBufferData buf;
	char	  **names;
	int			n;

	if (stat(path, &st) != 0)
	{
		pg_log_error("could not read the desired schema \"%s\": %m", path);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode))
		return read_file(path, NULL);
	if ((names = list_dir(path, ".sql", &n)) == NULL)
		return NULL;
	if (n == 0)
	{
		pg_log_error("folder \"%s\" has no .sql file", path);
		return NULL;
	}
	initPQExpBuffer(&buf);
	for (int i = 0; i < n; i++)
	{
		char	   *text = read_file(join_path(path, names[i]), NULL);

		if (text == NULL)
			return NULL;
		appendPQExpBuffer(&buf, "%s\n", text);
	}
	return buf.data;
}

/* The schemas to compare as a text[] literal, or NULL: the managed ones. */
static char *
schemas_param(char **schemas, int nschemas)
{
	PQExpBufferData buf;

	if (nschemas == 0)
		return NULL;
	initPQExpBuffer(&buf);
	appendPQExpBufferChar(&buf, '{');
	for (int i = 0; i < nschemas; i++)
	{
		appendPQExpBufferStr(&buf, i ? ",\"" : "\"");
		for (const char *p = schemas[i]; *p; p++)
		{
			if (*p == '"' || *p == '\\')
				appendPQExpBufferChar(&buf, '\\');
			appendPQExpBufferChar(&buf, *p);
		}
		appendPQExpBufferChar(&buf, '"');
	}
	appendPQExpBufferChar(&buf, '}');
	return buf.data;
}

/* Options of both commands. */
typedef struct DiffArgs
{
	const char *message;
	const char *schema;
	char	  **schemas;		/* -n: the schemas to compare */
	int			nschemas;
} DiffArgs;

static int
parse_diff_args(int argc, char **argv, DiffArgs *a, const char *command)
{
	memset(a, 0, sizeof(*a));
	a->schemas = pg_malloc(sizeof(char *) * (argc + 1));
	for (int i = 0; i < argc; i++)
	{
		const char *arg = argv[i];

		if (strcmp(arg, "--autogenerate") == 0)
			continue;
		if (i + 1 < argc && (strcmp(arg, "-m") == 0 || strcmp(arg, "--message") == 0))
			a->message = argv[++i];
		else if (i + 1 < argc && strcmp(arg, "--schema") == 0)
			a->schema = argv[++i];
		else if (i + 1 < argc && (strcmp(arg, "-n") == 0 || strcmp(arg, "--compare") == 0))
			a->schemas[a->nschemas++] = argv[++i];
		else
		{
			pg_log_error("unrecognized argument \"%s\" for command \"%s\"", arg, command);
			pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
			return EXIT_USAGE;
		}
	}
	if (a->schema == NULL)
	{
		pg_log_error("command \"%s\" needs the desired schema (--schema FILE|DIR)", command);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Does "revision" ask for --autogenerate? */
bool
autogenerate_requested(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--autogenerate") == 0)
			return true;
	return false;
}

/* Does "check" ask for --schema? */
bool
schema_check_requested(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--schema") == 0)
			return true;
	return false;
}

static const char *const phase_sql =
"SELECT phase, bool_and(transactional),"
" pg_catalog.string_agg(upgrade, E';\\n\\n' ORDER BY ordinal) OPERATOR(pg_catalog.||) E';\\n',"
" COALESCE(pg_catalog.string_agg(downgrade, E';\\n\\n' ORDER BY ordinal DESC)"
"  OPERATOR(pg_catalog.||) E';\\n', ''),"
" pg_catalog.count(*)"
" FROM pg_catalog.migrate_diff($1, $2) GROUP BY phase ORDER BY pg_catalog.min(ordinal)";

/*
 * revision --autogenerate -m MSG --schema FILE|DIR [-n SCHEMA]...: one
 * revision file per phase of the difference, the first on the folder's
 * single head, each next on the one before.
 */
int
cmd_autogenerate(PGconn *conn, int argc, char **argv)
{
	DiffArgs	a;
	RevDir		d;
	char	   *desired;
	const char *params[2];
	PGresult   *res;
	int		   *heads;
	int			nheads;
	const char *parent = NULL;
	int			rc;

	if ((rc = parse_diff_args(argc, argv, &a, "revision --autogenerate")) != EXIT_OK)
		return rc;
	if (a.message == NULL)
	{
		pg_log_error("command \"revision\" needs a message (-m)");
		return EXIT_USAGE;
	}
	if ((desired = read_schema(a.schema)) == NULL)
		return EXIT_FAILED;
	if (revdir_read(opts.dir, &d, false) != 0)
		return EXIT_FAILED;
	nheads = revdir_heads(&d, &heads);
	if (nheads > 1)
	{
		pg_log_error("cannot choose a parent: the revision files have %d heads", nheads);
		pg_log_error_hint("Join the heads with \"pg_migrate merge\" first.");
		return EXIT_FAILED;
	}
	if (nheads == 1)
	{
		RevFile    *f = &d.files[heads[0]];

		parent = f->id ? f->id : f->load_id;
		if (parent == NULL)
		{
			pg_log_error("cannot choose a parent: the head file \"%s\" has no revision id", f->path);
			return EXIT_FAILED;
		}
	}

	params[0] = desired;
	params[1] = schemas_param(a.schemas, a.nschemas);
	res = db_query(conn, phase_sql, 2, params, "could not compare with the desired schema");
	if (res == NULL)
		return EXIT_FAILED;
	if (PQntuples(res) == 0)
	{
		if (opts.verbosity >= 0)
			printf("no difference: no revision written\n");
		PQclear(res);
		return EXIT_OK;
	}
	for (int r = 0; r < PQntuples(res); r++)
	{
		const char *phase = PQgetvalue(res, r, 0);
		NewRevision rev = {0};
		char	   *path;
		const char *parents[1];

		rev.id = generate_id();
		rev.message = strcmp(phase, "main") == 0 ? a.message :
			psprintf("%s (%s)", a.message,
					 strcmp(phase, "enum") == 0 ? "enum values" :
					 "validations and concurrent index builds");
		if (parent)
		{
			parents[0] = parent;
			rev.parents = parents;
			rev.nparents = 1;
		}
		rev.transactional = strcmp(PQgetvalue(res, r, 1), "t") == 0;
		rev.upgrade = PQgetvalue(res, r, 2);
		rev.downgrade = PQgetvalue(res, r, 3);
		if ((path = revision_write(opts.dir, &rev)) == NULL)
		{
			PQclear(res);
			return EXIT_FAILED;
		}
		if (opts.verbosity >= 0)
			printf("%s (%s, %s change%s%s)\n", path, phase, PQgetvalue(res, r, 4),
				   strcmp(PQgetvalue(res, r, 4), "1") == 0 ? "" : "s",
				   rev.transactional ? "" : ", non-transactional");
		parent = rev.id;
	}
	PQclear(res);
	return EXIT_OK;
}

/*
 * check --schema FILE|DIR [-n SCHEMA]...: the differences between the
 * database and the desired schema, a line each; exit status 3 when there
 * is one.
 */
int
cmd_check_schema(PGconn *conn, int argc, char **argv)
{
	DiffArgs	a;
	char	   *desired;
	const char *params[2];
	PGresult   *res;
	int			rc;
	int			n;

	if ((rc = parse_diff_args(argc, argv, &a, "check")) != EXIT_OK)
		return rc;
	if ((desired = read_schema(a.schema)) == NULL)
		return EXIT_FAILED;
	params[0] = desired;
	params[1] = schemas_param(a.schemas, a.nschemas);
	if (opts.json)
	{
		res = db_query(conn,
					   "SELECT COALESCE(pg_catalog.json_agg(d ORDER BY d.ordinal), '[]'),"
					   " pg_catalog.count(*) FROM pg_catalog.migrate_diff($1, $2) d",
					   2, params, "could not compare with the desired schema");
		if (res == NULL)
			return EXIT_FAILED;
		printf("%s\n", PQgetvalue(res, 0, 0));
		n = atoi(PQgetvalue(res, 0, 1));
		PQclear(res);
		return n > 0 ? EXIT_PROBLEMS : EXIT_OK;
	}
	res = db_query(conn,
				   "SELECT phase, kind, object, upgrade FROM pg_catalog.migrate_diff($1, $2)"
				   " ORDER BY ordinal",
				   2, params, "could not compare with the desired schema");
	if (res == NULL)
		return EXIT_FAILED;
	n = PQntuples(res);
	if (n == 0 && opts.verbosity >= 0)
		printf("the database matches the desired schema\n");
	for (int r = 0; r < n; r++)
	{
		const char *sql = PQgetvalue(res, r, 3);
		const char *end;

		/* the statement's first line, after the comments */
		while (strncmp(sql, "--", 2) == 0 && strchr(sql, '\n'))
			sql = strchr(sql, '\n') + 1;
		end = strchr(sql, '\n');
		printf("%s %s %s: %.*s%s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
			   PQgetvalue(res, r, 2), end ? (int) (end - sql) : (int) strlen(sql), sql,
			   end ? " ..." : "");
	}
	if (n > 0 && opts.verbosity >= 0)
		printf("%d difference%s between the database and the desired schema\n",
			   n, n == 1 ? "" : "s");
	PQclear(res);
	return n > 0 ? EXIT_PROBLEMS : EXIT_OK;
}
