/*-------------------------------------------------------------------------
 *
 * output.c
 *	  What pg_migrate prints on stdout for --json.
 *
 * Reading commands print JSON that the server builds (json_agg, to_json),
 * so that arrays, booleans and timestamps keep their types; commands that
 * report what they did build theirs here, with json_string for every
 * string.  Plain-text output is written by each command: it is one line
 * per item, made to be read and grepped, not a table.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "connection.h"
#include "output.h"

/* Run a query that returns one json value, and print it. */
int
print_json_query(PGconn *conn, const char *sql, int nparams,
				 const char *const *params, const char *what)
{
	PGresult   *res = db_query(conn, sql, nparams, params, what);

	if (res == NULL)
		return EXIT_FAILED;
	printf("%s\n", PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "null");
	json_printed = true;
	PQclear(res);
	return EXIT_OK;
}
