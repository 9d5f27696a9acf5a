/*-------------------------------------------------------------------------
 *
 * cmd_baseline.c
 *	  The command of pg_migrate that adopts a live database no tool
 *	  managed: baseline.
 *
 * The database's schema, as pg_dump --schema-only writes it, becomes the
 * upgrade of a root revision file in an empty DIR; the file is loaded and
 * stamped as applied, so that later revisions build on it.  pg_dump's
 * session settings and psql meta-commands, which a revision does not need
 * (and which the load would refuse), are left out, as is the migrate
 * extension itself.  The downgrade is empty: going below the baseline
 * would drop the application's whole schema, which no downgrade should do
 * by accident; "downgrade base" only unrecords the baseline.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "common/logging.h"
#include "connection.h"
#include "fe_utils/string_utils.h"
#include "revdir.h"
#include "util.h"

static char *find_pg_dump(void);
static char *dump_conninfo(PGconn *conn);
static char *run_pg_dump(PGconn *conn, char **schemas, int nschemas);
static char *revision_sql_of_dump(const char *dump);

/*
 * pg_dump of the client's own installation (its bindir), else the one on
 * PATH.
 */
static char *
find_pg_dump(void)
{
	char		self[MAXPGPATH];

	if (opts.argv0 && find_my_exec(opts.argv0, self) == 0)
	{
		struct stat st;

		get_parent_directory(self);
		join_path_components(self, self, "pg_dump");
		if (stat(self, &st) == 0 && S_ISREG(st.st_mode) &&
			access(self, X_OK) == 0)
			return pg_strdup(self);
	}
	return pg_strdup("pg_dump");
}

/* The connection's parameters as a connection string, without password. */
static char *
dump_conninfo(PGconn *conn)
{
	PQconninfoOption *options = PQconninfo(conn);
	PQExpBufferData buf;

	initPQExpBuffer(&buf);
	for (PQconninfoOption *o = options; o && o->keyword; o++)
	{
		if (o->val == NULL || o->val[0] == '\0' ||
			strcmp(o->keyword, "password") == 0)
			continue;
		if (buf.len > 0)
			appendPQExpBufferChar(&buf, ' ');
		appendPQExpBuffer(&buf, "%s=", o->keyword);
		appendConnStrVal(&buf, o->val);
	}
	PQconninfoFree(options);
	return buf.data;
}

/*
 * Run pg_dump --schema-only on the database of conn; returns its output,
 * or NULL after an error.
 */
static char *
run_pg_dump(PGconn *conn, char **schemas, int nschemas)
{
	PQExpBufferData cmd;
	PQExpBufferData out;
	char	   *pg_dump = find_pg_dump();
	char		chunk[8192];
	size_t		n;
	FILE	   *pipe;
	int			status;

	initPQExpBuffer(&cmd);
	appendShellString(&cmd, pg_dump);
	appendPQExpBufferStr(&cmd, " --schema-only --no-owner");
	for (int i = 0; i < nschemas; i++)
	{
		appendPQExpBufferStr(&cmd, " --schema=");
		appendShellString(&cmd, schemas[i]);
	}
	appendPQExpBufferStr(&cmd, " --dbname=");
	appendShellString(&cmd, dump_conninfo(conn));
	if (PQconnectionUsedPassword(conn) && PQpass(conn))
		setenv("PGPASSWORD", PQpass(conn), 1);
	if (opts.verbosity > 0)
		pg_log_info("running %s", pg_dump);

	fflush(NULL);
	if ((pipe = popen(cmd.data, "r")) == NULL)
	{
		pg_log_error("could not run \"%s\": %m", pg_dump);
		termPQExpBuffer(&cmd);
		return NULL;
	}
	initPQExpBuffer(&out);
	while ((n = fread(chunk, 1, sizeof(chunk), pipe)) > 0)
		appendBinaryPQExpBuffer(&out, chunk, n);
	status = pclose(pipe);
	termPQExpBuffer(&cmd);
	if (status != 0)
	{
		pg_log_error("\"%s\" failed: %s", pg_dump, wait_result_to_str(status));
		pg_log_error_hint("pg_dump is looked for next to pg_migrate, then on PATH.");
		termPQExpBuffer(&out);
		return NULL;
	}
	return out.data;
}

/* Does line (up to its end) start with prefix? */
static bool
line_starts(const char *line, const char *prefix)
{
	return strncmp(line, prefix, strlen(prefix)) == 0;
}

/*
 * Follow the dollar quotes of a line: *tag is the open quote's tag
 * ("$body$", "$$"), or NULL outside of one.
 */
static void
follow_dollar_quotes(const char *line, char **tag)
{
	const char *c = line;

	while (*c)
	{
		if (*tag)
		{
			const char *close = strstr(c, *tag);

			if (close == NULL)
				return;
			c = close + strlen(*tag);
			pg_free(*tag);
			*tag = NULL;
		}
		else if (*c == '$' && (c == line || !(isalnum((unsigned char) c[-1]) ||
											  c[-1] == '_')) &&
				 !isdigit((unsigned char) c[1]))
		{
			const char *e = c + 1;

			while (isalnum((unsigned char) *e) || *e == '_')
				e++;
			if (*e != '$')
			{
				c = e;
				continue;
			}
			*tag = pnstrdup(c, e + 1 - c);
			c = e + 1;
		}
		else
			c++;
	}
}

/*
 * The upgrade SQL of a dump: without psql meta-commands (\restrict,
 * \unrestrict, \connect), pg_dump's session settings (SET, the
 * search_path set_config; every name it writes is schema-qualified), the
 * migrate extension and its comment, and runs of blank lines; what is
 * inside a dollar quote (a function's body) is kept as it is.  Function
 * bodies are not checked before the objects they use exist, as in a
 * restore: check_function_bodies is turned off for the transaction.
 */
static char *
revision_sql_of_dump(const char *dump)
{
	PQExpBufferData buf;
	const char *p = dump;
	bool		skip_dashes = false;
	char	   *tag = NULL;

	initPQExpBuffer(&buf);
	appendPQExpBufferStr(&buf,
						 "-- the schema of the database as pg_dump --schema-only wrote it\n"
						 "SET LOCAL check_function_bodies = false;\n");
	while (*p)
	{
		const char *end = strchr(p, '\n');
		size_t		len = end ? (size_t) (end - p) : strlen(p);
		char	   *line = pnstrdup(p, len);
		bool		keep = true;

		if (tag)
			keep = true;		/* in a function body */
		else if (line[0] == '\\')
			keep = false;
		else if (line_starts(line, "SET ") && line[len - 1] == ';' &&
				 strchr(line + 4, ' ') != NULL &&
				 strchr(line + 4, ' ') == strstr(line, " = "))
			keep = false;		/* "SET name = value;" */
		else if (strcmp(line, "SELECT pg_catalog.set_config('search_path', '', false);") == 0)
			keep = false;
		else if (skip_dashes && strcmp(line, "--") == 0)
			keep = false;
		else if (line_starts(line, "-- Name: migrate; Type: EXTENSION;") ||
				 line_starts(line, "-- Name: EXTENSION migrate; Type: COMMENT;"))
		{
			/* the comment block above migrate's statements */
			if (buf.len >= 3 && strcmp(buf.data + buf.len - 3, "--\n") == 0)
				buf.data[buf.len -= 3] = '\0';
			keep = false;
		}
		else if (line_starts(line, "CREATE EXTENSION IF NOT EXISTS migrate WITH SCHEMA ") ||
				 line_starts(line, "COMMENT ON EXTENSION migrate IS "))
			keep = false;
		skip_dashes = line_starts(line, "-- Name: migrate; Type: EXTENSION;") ||
			line_starts(line, "-- Name: EXTENSION migrate; Type: COMMENT;");
		/* at most two blank lines in a row, outside of bodies */
		if (keep && tag == NULL && line[0] == '\0' && buf.len >= 3 &&
			strcmp(buf.data + buf.len - 3, "\n\n\n") == 0)
			keep = false;
		follow_dollar_quotes(line, &tag);
		if (keep)
		{
			appendPQExpBufferStr(&buf, line);
			appendPQExpBufferChar(&buf, '\n');
		}
		pg_free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	return buf.data;
}

/*
 * baseline [-m MSG] [--id ID] [--schema S ...]
 *
 * --schema (or -n, as in pg_dump) may be repeated.
 */
int
cmd_baseline(PGconn *conn, int argc, char **argv)
{
	const char *message = "baseline";
	const char *id = NULL;
	char	  **schemas = pg_malloc(sizeof(char *) * (argc + 1));
	int			nschemas = 0;
	char	  **names;
	int			nnames;
	PGresult   *res;
	char	   *dump;
	NewRevision rev = {0};
	char	   *path;
	char	   *stamp_args[1];
	int			rc;

	for (int i = 1; i < argc; i++)
	{
		const char *arg = argv[i];
		const char **target = NULL;
		const char *value = NULL;

		if (strcmp(arg, "-m") == 0 || strcmp(arg, "--message") == 0 ||
			strcmp(arg, "--id") == 0 || strcmp(arg, "--schema") == 0 ||
			strcmp(arg, "-n") == 0)
		{
			if (i + 1 >= argc)
			{
				pg_log_error("option \"%s\" of command \"baseline\" needs a value", arg);
				pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
				return EXIT_USAGE;
			}
			value = argv[++i];
		}
		else if (line_starts(arg, "--message=") || line_starts(arg, "--id=") ||
				 line_starts(arg, "--schema="))
			value = strchr(arg, '=') + 1;
		else
		{
			pg_log_error("unrecognized argument \"%s\" for command \"baseline\"", arg);
			pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
			return EXIT_USAGE;
		}
		if (line_starts(arg, "--id"))
			target = &id;
		else if (line_starts(arg, "--schema") || strcmp(arg, "-n") == 0)
			schemas[nschemas++] = (char *) value;
		else
			target = &message;
		if (target)
			*target = value;
	}
	if (id && !valid_id(id))
	{
		pg_log_error("invalid revision id \"%s\"", id);
		return EXIT_USAGE;
	}

	/* an empty folder */
	if (dir_exists(opts.dir))
	{
		names = list_dir(opts.dir, ".sql", &nnames);
		if (names == NULL)
			return EXIT_FAILED;
		if (nnames > 0)
		{
			pg_log_error("\"%s\" already has revision files", opts.dir);
			pg_log_error_detail("A baseline is the first revision of a folder; \"%s\" is the first of %d.",
								names[0], nnames);
			pg_log_error_hint("Baseline into a new folder with -D, or write the next change with \"pg_migrate revision\".");
			return EXIT_FAILED;
		}
	}

	/* a database that nothing migrated */
	res = db_query(conn,
				   "SELECT pg_catalog.string_agg(revision, ', ' ORDER BY revision),"
				   " pg_catalog.count(*) FROM pg_catalog.migrate_current()",
				   0, NULL, "could not read the applied revisions");
	if (res == NULL)
		return EXIT_FAILED;
	if (strcmp(PQgetvalue(res, 0, 1), "0") != 0)
	{
		pg_log_error("the database already has applied revisions");
		pg_log_error_detail("Its current revisions are %s.", PQgetvalue(res, 0, 0));
		pg_log_error_hint("A baseline adopts a database that no tool managed. This one is managed: add the next change to its folder with \"pg_migrate revision\".");
		PQclear(res);
		return EXIT_FAILED;
	}
	PQclear(res);

	if ((dump = run_pg_dump(conn, schemas, nschemas)) == NULL)
		return EXIT_FAILED;
	if (!dir_exists(opts.dir) && !make_dir(opts.dir))
		return EXIT_FAILED;

	rev.id = id ? id : generate_id();
	rev.message = message;
	rev.root = true;
	rev.transactional = true;
	rev.upgrade = revision_sql_of_dump(dump);
	rev.downgrade =
		"-- empty: below the baseline is a database without the application's\n"
		"-- schema, which a downgrade does not build; \"downgrade base\" only\n"
		"-- unrecords the baseline.  Drop the database to start over.\n";
	if ((path = revision_write(opts.dir, &rev)) == NULL)
		return EXIT_FAILED;
	if (opts.verbosity >= 0 && !opts.json)
		printf("%s\n", path);

	/* load the folder (this file) and record it as applied */
	stamp_args[0] = (char *) rev.id;
	rc = cmd_stamp(conn, 1, stamp_args);
	if (rc != EXIT_OK)
	{
		if (unlink(path) != 0)
			pg_log_warning("could not remove \"%s\": %m", path);
		else
			pg_log_info("removed \"%s\"", path);
	}
	return rc;
}
