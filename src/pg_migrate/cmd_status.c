/*-------------------------------------------------------------------------
 *
 * cmd_status.c
 *	  The commands of pg_migrate that read the database: current, heads,
 *	  branches, history, show, check, sql, verify.
 *
 * They call the extension's functions, which live in pg_catalog; --json
 * output is built by the server with json_agg, so that arrays, booleans
 * and timestamps keep their types.
 *
 * heads and branches show the folder with the database: the folder is
 * loaded in a transaction that is rolled back, so a new branch in the
 * folder shows before it is loaded, and nothing changes.  check compares
 * the folder with the database (migrate_file_state) before the
 * database's own problems (migrate_check).  verify loads the folder the
 * same way and runs migrate_verify, which rolls back what it runs: nothing
 * of either is kept.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "commands.h"
#include "common/logging.h"
#include "connection.h"
#include "output.h"
#include "revdir.h"
#include "textgraph.h"
#include "util.h"

/*
 * The markers column of a row r of the reading functions ("root head
 * current") as a JSON array, for --json.
 */
#define MARKERS_JSON(r) \
	"pg_catalog.to_json(pg_catalog.string_to_array(" r ".markers, ' '))"

int
cmd_current(PGconn *conn)
{
	PGresult   *res;

	if (opts.json)
		return print_json_query(conn,
								"SELECT COALESCE(pg_catalog.json_agg(pg_catalog.json_build_object("
								" 'revision', c.revision, 'message', c.message,"
								" 'markers', " MARKERS_JSON("c") ","
								" 'applied_at', c.applied_at, 'applied_by', c.applied_by)), '[]')"
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

/* End the transaction of load_folder_uncommitted; rc stays. */
static int
rollback(PGconn *conn, int rc)
{
	if (!db_command(conn, "ROLLBACK", 0, NULL, "could not roll back"))
		return EXIT_FAILED;
	return rc;
}

int
cmd_heads(PGconn *conn)
{
	PGresult   *res;

	if (!load_folder_uncommitted(conn))
		return EXIT_FAILED;
	if (opts.json)
		return rollback(conn,
						print_json_query(conn,
										 "SELECT COALESCE(pg_catalog.json_agg(h), '[]')"
										 " FROM pg_catalog.migrate_heads() h",
										 0, NULL, "could not read the heads"));
	res = db_query(conn,
				   "SELECT revision, message,"
				   " pg_catalog.array_to_string(branch_labels, ', '), applied"
				   " FROM pg_catalog.migrate_heads()",
				   0, NULL, "could not read the heads");
	if (res == NULL)
		return rollback(conn, EXIT_FAILED);
	for (int r = 0; r < PQntuples(res); r++)
	{
		const char *labels = PQgetvalue(res, r, 2);

		printf("%s%s%s%s (head%s)%s%s\n", PQgetvalue(res, r, 0),
			   labels[0] ? " (" : "", labels, labels[0] ? ")" : "",
			   strcmp(PQgetvalue(res, r, 3), "t") == 0 ? ", applied" : "",
			   PQgetvalue(res, r, 1)[0] ? ", " : "", PQgetvalue(res, r, 1));
	}
	PQclear(res);
	return rollback(conn, EXIT_OK);
}

int
cmd_branches(PGconn *conn)
{
	PGresult   *res;

	if (!load_folder_uncommitted(conn))
		return EXIT_FAILED;
	if (opts.json)
		return rollback(conn,
						print_json_query(conn,
										 "SELECT COALESCE(pg_catalog.json_agg(b), '[]')"
										 " FROM pg_catalog.migrate_branches() b",
										 0, NULL, "could not read the branch points"));
	res = db_query(conn,
				   "SELECT revision, message,"
				   " pg_catalog.array_to_string(children, ', ')"
				   " FROM pg_catalog.migrate_branches()",
				   0, NULL, "could not read the branch points");
	if (res == NULL)
		return rollback(conn, EXIT_FAILED);
	for (int r = 0; r < PQntuples(res); r++)
		printf("%s (branchpoint)%s%s\n    -> %s\n", PQgetvalue(res, r, 0),
			   PQgetvalue(res, r, 1)[0] ? ", " : "", PQgetvalue(res, r, 1),
			   PQgetvalue(res, r, 2));
	PQclear(res);
	return rollback(conn, EXIT_OK);
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
								"SELECT COALESCE(pg_catalog.json_agg(pg_catalog.json_build_object("
								" 'revision', h.revision, 'parents', h.parents,"
								" 'depends_on', h.depends_on, 'branch_labels', h.branch_labels,"
								" 'message', h.message, 'applied', h.applied,"
								" 'markers', " MARKERS_JSON("h") ")), '[]')"
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
		rows[r].parents = db_text_array(res, r, 1, &rows[r].nparents);
		if (rows[r].parents == NULL)
		{
			PQclear(res);
			return EXIT_FAILED;
		}
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
								"SELECT pg_catalog.json_build_object("
								" 'revision', s.revision, 'parents', s.parents,"
								" 'depends_on', s.depends_on, 'branch_labels', s.branch_labels,"
								" 'message', s.message, 'transactional', s.transactional,"
								" 'checksum', s.checksum, 'created_at', s.created_at,"
								" 'created_by', s.created_by, 'applied', s.applied,"
								" 'applied_at', s.applied_at, 'markers', " MARKERS_JSON("s") ","
								" 'upgrade', s.upgrade, 'downgrade', s.downgrade)"
								" FROM pg_catalog.migrate_show($1) s",
								1, params, "could not show the revision");
	res = db_query(conn,
				   "SELECT revision, pg_catalog.array_to_string(parents, ' '),"
				   " pg_catalog.array_to_string(depends_on, ' '),"
				   " pg_catalog.array_to_string(branch_labels, ' '),"
				   " message, transactional, checksum, created_at::pg_catalog.text,"
				   " created_by, applied, applied_at::pg_catalog.text, markers,"
				   " upgrade, downgrade,"
				   " effects OPERATOR(pg_catalog.->>) 'direction',"
				   " (SELECT pg_catalog.string_agg(pg_catalog.concat('  ',"
				   "   e OPERATOR(pg_catalog.->>) 'action', ' ', e OPERATOR(pg_catalog.->>) 'type', ' ',"
				   "   e OPERATOR(pg_catalog.->>) 'object',"
				   "   CASE WHEN e OPERATOR(pg_catalog.?) 'cascade' THEN ' (by cascade)' END), E'\\n')"
				   "  FROM pg_catalog.jsonb_array_elements(effects OPERATOR(pg_catalog.->) 'effects') e)"
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
	if (!PQgetisnull(res, 0, 14))
		printf("Last run:      %s%s%s\n", PQgetvalue(res, 0, 14),
			   PQgetisnull(res, 0, 15) ? ", no DDL" : "\n",
			   PQgetisnull(res, 0, 15) ? "" : PQgetvalue(res, 0, 15));
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
/* One difference or problem found by check. */
typedef struct Problem
{
	const char *problem;
	const char *revision;
	const char *detail;
} Problem;

/* qsort and bsearch order of revision ids (char * elements). */
static int
compare_ids(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * The differences between the folder and the database: files whose
 * revision changed ("file_changed": its SQL, parents or flag; "file_edited":
 * its message, labels, comments or markers), files not loaded
 * ("file_not_loaded"), and revisions of the database without a file
 * ("missing_file").  Appends to *problems; false after a failure.
 */
static bool
folder_problems(PGconn *conn, Problem **problems, int *n, int *size)
{
	RevDir		d;
	PGresult   *states;
	PGresult   *revs;
	const char **ids;

	if (revdir_read(opts.dir, &d, true) != 0)
		return false;
	if (d.nfiles == 0)
		return true;			/* no folder: nothing to compare */
	if ((states = folder_states(conn, &d)) == NULL)
		return false;
	revs = db_query(conn,
					"SELECT r.revision, r.applied FROM pg_catalog.migrate_history() r",
					0, NULL, "could not read the revisions");
	if (revs == NULL)
	{
		PQclear(states);
		return false;
	}
	*size += d.nfiles + PQntuples(revs);
	*problems = pg_realloc(*problems, sizeof(Problem) * (*size));
	for (int i = 0; i < d.nfiles; i++)
	{
		const char *state = PQgetvalue(states, i, 2);
		bool		applied = strcmp(PQgetvalue(states, i, 3), "t") == 0;
		Problem    *p = &(*problems)[*n];

		p->revision = pg_strdup(PQgetvalue(states, i, 1));
		if (strcmp(state, "changed") == 0)
		{
			p->problem = "file_changed";
			p->detail = applied ?
				psprintf("File \"%s\" differs from the applied revision (its SQL, parents, dependencies or transactional flag): load, upgrade and downgrade refuse it. Restore the file, or put the change in a new revision.",
						 d.files[i].path) :
				psprintf("File \"%s\" differs from the stored revision, which is not applied: the next load takes it.",
						 d.files[i].path);
		}
		else if (strcmp(state, "edited") == 0)
		{
			p->problem = "file_edited";
			p->detail = psprintf("File \"%s\" changes the message, labels, comments or markers of the stored revision: the next load takes them.",
								 d.files[i].path);
		}
		else if (strcmp(state, "absent") == 0)
		{
			p->problem = "file_not_loaded";
			p->detail = psprintf("File \"%s\" is not loaded: the next load adds it.",
								 d.files[i].path);
		}
		else
			continue;
		(*n)++;
	}
	/* the files' revisions, sorted, so that each look is a binary search */
	ids = pg_malloc(sizeof(char *) * (d.nfiles + 1));
	for (int i = 0; i < d.nfiles; i++)
		ids[i] = PQgetvalue(states, i, 1);
	qsort(ids, d.nfiles, sizeof(char *), compare_ids);
	for (int r = 0; r < PQntuples(revs); r++)
	{
		const char *id = PQgetvalue(revs, r, 0);
		Problem    *p = &(*problems)[*n];

		if (bsearch(&id, ids, d.nfiles, sizeof(char *), compare_ids) != NULL)
			continue;
		p->problem = "missing_file";
		p->revision = pg_strdup(id);
		p->detail = strcmp(PQgetvalue(revs, r, 1), "t") == 0 ?
			psprintf("Revision %s is applied, but no file in \"%s\" has it; its downgrade SQL is stored in the database.",
					 id, opts.dir) :
			psprintf("Revision %s is loaded but not applied, and no file in \"%s\" has it: upgrade would still run it. \"pg_migrate forget %s\" removes it.",
					 id, opts.dir, id);
		(*n)++;
	}
	pg_free(ids);
	PQclear(states);
	PQclear(revs);
	return true;
}

/*
 * check: the differences between the folder and the database, then the
 * database's problems (migrate_check); exit status 3 if any.
 */
int
cmd_check(PGconn *conn)
{
	PGresult   *res;
	Problem    *problems = NULL;
	int			n = 0;
	int			size = 0;

	if (!folder_problems(conn, &problems, &n, &size))
		return EXIT_FAILED;
	res = db_query(conn,
				   "SELECT problem, revision, detail FROM pg_catalog.migrate_check()",
				   0, NULL, "could not check the database");
	if (res == NULL)
		return EXIT_FAILED;
	size += PQntuples(res);
	problems = pg_realloc(problems, sizeof(Problem) * Max(size, 1));
	for (int r = 0; r < PQntuples(res); r++)
	{
		problems[n].problem = pg_strdup(PQgetvalue(res, r, 0));
		problems[n].revision = PQgetisnull(res, r, 1) ? NULL :
			pg_strdup(PQgetvalue(res, r, 1));
		problems[n].detail = pg_strdup(PQgetvalue(res, r, 2));
		n++;
	}
	PQclear(res);
	if (opts.json)
	{
		PQExpBufferData out;

		initPQExpBuffer(&out);
		appendPQExpBufferChar(&out, '[');
		for (int i = 0; i < n; i++)
		{
			appendPQExpBuffer(&out, "%s{\"problem\": ", i > 0 ? ", " : "");
			json_string(&out, problems[i].problem);
			appendPQExpBufferStr(&out, ", \"revision\": ");
			json_string(&out, problems[i].revision);
			appendPQExpBufferStr(&out, ", \"detail\": ");
			json_string(&out, problems[i].detail);
			appendPQExpBufferChar(&out, '}');
		}
		appendPQExpBufferChar(&out, ']');
		printf("%s\n", out.data);
		termPQExpBuffer(&out);
	}
	else if (n == 0)
	{
		if (opts.verbosity >= 0)
			printf("no problems\n");
	}
	else
		for (int i = 0; i < n; i++)
			printf("%s%s%s: %s\n", problems[i].problem,
				   problems[i].revision ? " " : "",
				   problems[i].revision ? problems[i].revision : "",
				   problems[i].detail);
	return n > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/* Print the elements of a text[] column, "label: a, b", when there are. */
static void
print_array(PGresult *res, int r, int col, const char *label)
{
	if (!PQgetisnull(res, r, col))
		printf("    %s: %s\n", label, PQgetvalue(res, r, col));
}

/*
 * verify [TARGET]: the stairway test of the folder's unapplied revisions
 * up to TARGET (default: heads), one paragraph per revision, with its note
 * when it was verified through transactional equivalents.  Exit status 3
 * when any revision is not "ok".
 */
int
cmd_verify(PGconn *conn, const char *target)
{
	const char *params[1] = {target};
	PGresult   *res;
	int			problems = 0;

	if (!load_folder_uncommitted(conn))
		return EXIT_FAILED;
	res = db_query(conn,
				   "SELECT v.revision, v.status,"
				   " pg_catalog.array_to_string(v.left_behind, ', '),"
				   " pg_catalog.array_to_string(v.removed, ', '),"
				   " pg_catalog.array_to_string(v.data, '; '),"
				   " pg_catalog.array_to_string(v.upgrade_locks, ', '),"
				   " pg_catalog.array_to_string(v.downgrade_locks, ', '),"
				   " pg_catalog.array_to_string(v.rewritten, ', '),"
				   " v.sqlstate, v.statement, v.message,"
				   " pg_catalog.row_to_json(v)::pg_catalog.text, v.note"
				   " FROM pg_catalog.migrate_verify($1) v",
				   1, params, "could not verify the revisions");
	if (res == NULL)
		return rollback(conn, EXIT_FAILED);
	if (opts.json)
		printf("[");
	for (int r = 0; r < PQntuples(res); r++)
	{
		bool		ok = strcmp(PQgetvalue(res, r, 1), "ok") == 0;

		problems += !ok;
		if (opts.json)
		{
			printf("%s%s", r > 0 ? ", " : "", PQgetvalue(res, r, 11));
			continue;
		}
		if (ok && opts.verbosity < 0)
			continue;
		printf("%s %s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
		if (!PQgetisnull(res, r, 12))
			printf("    note: %s\n", PQgetvalue(res, r, 12));
		print_array(res, r, 2, "left behind by the downgrade");
		print_array(res, r, 3, "removed by the downgrade");
		print_array(res, r, 4, "rows changed");
		if (!PQgetisnull(res, r, 10))
			printf("    %s%s%s\n", PQgetisnull(res, r, 8) ? "" : PQgetvalue(res, r, 8),
				   PQgetisnull(res, r, 8) ? "" : ": ", PQgetvalue(res, r, 10));
		if (!PQgetisnull(res, r, 9))
			printf("    statement: %s\n", PQgetvalue(res, r, 9));
		if (opts.verbosity > 0 || !ok)
		{
			print_array(res, r, 5, "upgrade locks");
			print_array(res, r, 6, "downgrade locks");
			print_array(res, r, 7, "rewritten");
		}
	}
	if (opts.json)
		printf("]\n");
	else if (PQntuples(res) == 0 && opts.verbosity >= 0)
		printf("nothing to verify: every revision up to %s is applied\n", target);
	else if (opts.verbosity >= 0)
		printf("%d revision%s verified, %d with problems\n", PQntuples(res),
			   PQntuples(res) == 1 ? "" : "s", problems);
	PQclear(res);
	return rollback(conn, problems > 0 ? EXIT_PROBLEMS : EXIT_OK);
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
 * log [ID] [-n N]: the run log (migrate_log), newest first, a line each:
 * "<started at> <direction> <revision> by <role>, N statements, T ms:
 * <outcome>", a failure with its statement, SQLSTATE and message.
 */
int
cmd_log(PGconn *conn, const char *id, const char *count)
{
	const char *params[2] = {id, count};
	PGresult   *res;

	if (opts.json)
		return print_json_query(conn,
								"SELECT COALESCE(pg_catalog.json_agg(l), '[]')"
								" FROM pg_catalog.migrate_log($1, $2::pg_catalog.int4) l",
								2, params, "could not read the log");
	res = db_query(conn,
				   "SELECT pg_catalog.to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'),"
				   " direction, revision, role::pg_catalog.text, stamped, statements,"
				   " pg_catalog.round((pg_catalog.date_part('epoch', duration)"
				   "   OPERATOR(pg_catalog.*) 1000)::pg_catalog.numeric, 1)::pg_catalog.text,"
				   " outcome, COALESCE(failed_statement::pg_catalog.text, ''),"
				   " COALESCE(sqlstate, ''), COALESCE(error, '')"
				   " FROM pg_catalog.migrate_log($1, $2::pg_catalog.int4)",
				   2, params, "could not read the log");
	if (res == NULL)
		return EXIT_FAILED;
	for (int r = 0; r < PQntuples(res); r++)
	{
		const char *outcome = PQgetvalue(res, r, 7);

		printf("%s %s%s %s by %s, %s statement%s, %s ms: %s",
			   PQgetvalue(res, r, 0),
			   strcmp(PQgetvalue(res, r, 4), "t") == 0 ? "stamp " : "",
			   PQgetvalue(res, r, 1), PQgetvalue(res, r, 2),
			   PQgetvalue(res, r, 3), PQgetvalue(res, r, 5),
			   strcmp(PQgetvalue(res, r, 5), "1") == 0 ? "" : "s",
			   PQgetvalue(res, r, 6), outcome);
		if (strcmp(outcome, "success") != 0)
			printf(" at statement %s: %s %s", PQgetvalue(res, r, 8),
				   PQgetvalue(res, r, 9), PQgetvalue(res, r, 10));
		printf("\n");
	}
	if (PQntuples(res) == 0 && opts.verbosity >= 0)
		printf("the log is empty\n");
	PQclear(res);
	return EXIT_OK;
}
