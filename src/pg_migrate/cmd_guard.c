/*-------------------------------------------------------------------------
 *
 * cmd_guard.c
 *	  The DDL guard from the command line: drift [--all], drift ack
 *	  [ID...], protect OBJECT REASON, unprotect OBJECT, impact OBJECT.
 *
 * Thin wrappers over migrate_drift, migrate_drift_ack, migrate_protect,
 * migrate_unprotect and migrate_impact; they load nothing from DIR.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "commands.h"
#include "common/logging.h"
#include "connection.h"
#include "fe_utils/string_utils.h"
#include "output.h"

/*
 * drift [--all]: the DDL recorded outside migrations, oldest first, one
 * line each (acknowledged ones too with --all).  Exit status 3 when a
 * record is not acknowledged, so that a deploy can stop on drift.
 */
int
cmd_drift(PGconn *conn, bool all)
{
	const char *params[1] = {all ? "true" : "false"};
	PGresult   *res;
	int			open = 0;

	if (opts.json)
		return print_json_query(conn,
								"SELECT COALESCE(pg_catalog.json_agg(d), '[]')"
								" FROM pg_catalog.migrate_drift($1::pg_catalog.bool) d",
								1, params, "could not read the drift records");
	res = db_query(conn,
				   "SELECT id::pg_catalog.text, at::pg_catalog.text, role::pg_catalog.text,"
				   " command_tag, COALESCE(object_identity, ''), blocked, COALESCE(rule, ''),"
				   " acknowledged"
				   " FROM pg_catalog.migrate_drift($1::pg_catalog.bool)",
				   1, params, "could not read the drift records");
	if (res == NULL)
		return EXIT_FAILED;
	for (int r = 0; r < PQntuples(res); r++)
	{
		bool		blocked = strcmp(PQgetvalue(res, r, 5), "t") == 0;
		bool		acked = strcmp(PQgetvalue(res, r, 7), "t") == 0;

		open += !acked;
		printf("%s %s %s %s%s%s%s%s (%s)\n", PQgetvalue(res, r, 1),
			   PQgetvalue(res, r, 2), PQgetvalue(res, r, 3),
			   PQgetvalue(res, r, 4),
			   blocked ? " blocked" : "",
			   PQgetvalue(res, r, 6)[0] ? (blocked ? " by rule " : " breaking rule ") : "",
			   PQgetvalue(res, r, 6),
			   acked ? ", acknowledged" : "",
			   PQgetvalue(res, r, 0));
	}
	if (PQntuples(res) == 0 && opts.verbosity >= 0)
		printf("no drift recorded\n");
	PQclear(res);
	return open > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/* drift ack [ID...] [--note NOTE]: acknowledge these records, or all. */
int
cmd_drift_ack(PGconn *conn, int nids, char **ids, const char *note)
{
	PQExpBufferData arr;
	const char *params[2];
	PGresult   *res;

	initPQExpBuffer(&arr);
	appendPQExpBufferChar(&arr, '{');
	for (int i = 0; i < nids; i++)
		appendPGArray(&arr, ids[i]);
	appendPQExpBufferChar(&arr, '}');
	params[0] = nids > 0 ? arr.data : NULL;
	params[1] = note;
	res = db_query(conn,
				   "SELECT pg_catalog.migrate_drift_ack($1::pg_catalog.uuid[], $2)",
				   2, params, "could not acknowledge the drift records");
	termPQExpBuffer(&arr);
	if (res == NULL)
		return EXIT_FAILED;
	if (opts.verbosity >= 0)
		printf("acknowledged %s drift record%s\n", PQgetvalue(res, 0, 0),
			   strcmp(PQgetvalue(res, 0, 0), "1") == 0 ? "" : "s");
	PQclear(res);
	return EXIT_OK;
}

/* protect OBJECT REASON, unprotect OBJECT */
int
cmd_protect(PGconn *conn, const char *object, const char *reason)
{
	const char *params[2] = {object, reason};

	if (reason != NULL)
	{
		if (!db_command(conn, "SELECT pg_catalog.migrate_protect($1, $2)", 2,
						params, psprintf("could not protect \"%s\"", object)))
			return EXIT_FAILED;
	}
	else if (!db_command(conn, "SELECT pg_catalog.migrate_unprotect($1)", 1,
						 params, psprintf("could not unprotect \"%s\"", object)))
		return EXIT_FAILED;
	if (opts.verbosity >= 0)
		printf("%s %s\n", reason ? "protected" : "unprotected", object);
	return EXIT_OK;
}

/*
 * impact OBJECT: what depends on a schema, table or column, one line per
 * dependent, indented by its depth, with the path when it is indirect.
 */
int
cmd_impact(PGconn *conn, const char *object)
{
	const char *params[1] = {object};
	PGresult   *res;

	if (opts.json)
		return print_json_query(conn,
								"SELECT COALESCE(pg_catalog.json_agg(i), '[]')"
								" FROM pg_catalog.migrate_impact($1) i",
								1, params, "could not analyse the impact");
	res = db_query(conn,
				   "SELECT depth, kind, object, path, COALESCE(detail, ''),"
				   " COALESCE(rows::pg_catalog.text, ''),"
				   " COALESCE(pg_catalog.pg_size_pretty(size), ''),"
				   " COALESCE(protected_reason, ''),"
				   " COALESCE(pg_catalog.array_to_string(revisions, ', '), '')"
				   " FROM pg_catalog.migrate_impact($1)",
				   1, params, "could not analyse the impact");
	if (res == NULL)
		return EXIT_FAILED;
	for (int r = 0; r < PQntuples(res); r++)
	{
		int			depth = atoi(PQgetvalue(res, r, 0));
		const char *rows = PQgetvalue(res, r, 5);
		const char *size = PQgetvalue(res, r, 6);
		const char *reason = PQgetvalue(res, r, 7);
		const char *revisions = PQgetvalue(res, r, 8);

		printf("%*s%s %s", depth * 2, "", PQgetvalue(res, r, 1),
			   PQgetvalue(res, r, 2));
		if (rows[0] || size[0])
			printf(" (%s%s%s%s%s)", rows[0] ? "~" : "", rows,
				   rows[0] ? " rows" : "", rows[0] && size[0] ? ", " : "", size);
		printf("\n");
		if (PQgetvalue(res, r, 4)[0])
			printf("%*s  %s\n", depth * 2, "", PQgetvalue(res, r, 4));
		if (reason[0])
			printf("%*s  PROTECTED: %s\n", depth * 2, "", reason);
		if (revisions[0])
			printf("%*s  revisions: %s\n", depth * 2, "", revisions);
		if (depth > 1)
			printf("%*s  via: %s\n", depth * 2, "", PQgetvalue(res, r, 3));
	}
	if (PQntuples(res) <= 1 && opts.verbosity >= 0)
		printf("nothing depends on %s\n", object);
	PQclear(res);
	return EXIT_OK;
}
