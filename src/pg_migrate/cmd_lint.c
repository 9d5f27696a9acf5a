/*-------------------------------------------------------------------------
 *
 * cmd_lint.c
 *	  lint [FILE...]: revision files checked by the server's linter
 *	  without loading them.
 *
 * Each file (default: every file of DIR) goes through
 * migrate_lint_revision, its upgrade and its downgrade section apart, and
 * each finding is reported as "FILE:LINE: severity: rule: message", the
 * line counted in the file, as compilers do.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "commands.h"
#include "common/logging.h"
#include "fe_utils/string_utils.h"
#include "connection.h"
#include "output.h"
#include "revdir.h"
#include "util.h"

/* Is id one of the n ids? */
static bool
id_in(char **ids, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

/*
 * lint [FILE...]: each file (default: every file of DIR) through
 * migrate_lint_revision, its upgrade and its downgrade section apart (so
 * that the downgrade is linted as one, knowing what the upgrade creates),
 * each finding with its section and its line in the file.  Exit status 3
 * when a finding has severity "error" or "escalate".  With "pending", only
 * the files of revisions this database has not applied.
 */
int
cmd_lint(PGconn *conn, int nfiles, char **files, bool pending)
{
	PGresult   *res;
	RevDir		d;
	int			errors = 0;
	int			findings = 0;
	PQExpBufferData json;
	PQExpBufferData earlier;	/* text[] of earlier files' upgrades */
	char	  **applied;
	int			napplied;

	/* lint only reads: safe against production (the server never waits) */
	res = db_query(conn, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
				   0, NULL, "could not make the session read-only");
	if (res == NULL)
		return EXIT_FAILED;
	PQclear(res);
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

	/*
	 * What the files before each one create, unless this database applied
	 * them already, counts as new when it is linted: the folder is linted as
	 * it will run here.
	 */
	res = db_query(conn,
				   "SELECT pg_catalog.array_agg(revision) FROM pg_catalog.migrate_history()"
				   " WHERE applied",
				   0, NULL, "could not read the applied revisions");
	if (res == NULL)
		return EXIT_FAILED;
	applied = db_text_array(res, 0, 0, &napplied);
	PQclear(res);
	if (applied == NULL)
		return EXIT_FAILED;
	initPQExpBuffer(&earlier);
	appendPQExpBufferChar(&earlier, '{');

	initPQExpBuffer(&json);
	appendPQExpBufferChar(&json, '[');
	for (int i = 0; i < d.nfiles; i++)
	{
		RevFile    *f = &d.files[i];
		char	   *upgrade;
		char	   *downgrade;
		int			up_line;
		int			down_line;
		const char *params[4];

		revdir_sections(f, &upgrade, &up_line, &downgrade, &down_line);
		if (pending && f->id != NULL && id_in(applied, napplied, f->id))
			continue;			/* applied here already: not linted */
		params[0] = upgrade;
		params[1] = downgrade;
		params[2] = f->transactional ? "true" : "false";
		appendPQExpBufferChar(&earlier, '}');
		params[3] = earlier.data;
		res = db_query(conn,
					   "SELECT section, rule, severity, statement, line, message, hint"
					   " FROM pg_catalog.migrate_lint_revision($1, $2,"
					   " $3::pg_catalog.bool, earlier => $4::pg_catalog.text[])",
					   4, params, psprintf("could not lint file \"%s\"", f->path));
		earlier.len--;			/* the closing brace again */
		earlier.data[earlier.len] = '\0';
		if (f->id == NULL || !id_in(applied, napplied, f->id))
			appendPGArray(&earlier, upgrade);	/* with its comma */
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
			if (strcmp(sev, "error") == 0 || strcmp(sev, "escalate") == 0)
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
