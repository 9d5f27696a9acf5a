/*-------------------------------------------------------------------------
 *
 * connection.c
 *	  The connection of pg_migrate, its queries, their cancellation, and
 *	  how the server's errors and notices are shown.
 *
 * The connection is made by PostgreSQL's connectDatabase (fe_utils), as
 * the programs of src/bin/scripts make it: options and PG* variables,
 * a password prompt with -W or when the server asks for one (unless -w).
 * Every query goes through db_query with its arguments as parameters
 * (PQexecParams): nothing from the command line or a file is pasted into
 * SQL, and every name in this client's SQL is schema-qualified.
 *
 * Once connected, Ctrl-C no longer ends the program: it cancels the
 * running query (fe_utils/cancel.c) and sets CancelRequested, which the
 * commands check between steps, so that they stop where they are, clean
 * up (drop an invalid index left by a canceled build, release migrate's
 * lock) and say what was done.
 *
 * Server errors are shown as "pg_migrate: error: <message>" with the
 * server's detail, hint and context on the lines after it; notices and
 * warnings (lint findings, for one) as "pg_migrate: notice: ...".
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "common/logging.h"
#include "connection.h"
#include "fe_utils/string_utils.h"

static void notice_receiver(void *arg, const PGresult *res);

/* Called with a revision's progress message (MG000), when set. */
void		(*progress_hook) (const char *message, const char *detail) = NULL;

/*
 * Show the server's notices and warnings (lint findings, for one) as
 * "pg_migrate: notice: ..." with their detail and hint; -q hides notices,
 * not warnings.
 */
static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	bool		warning = severity && strcmp(severity, "WARNING") == 0;
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	char		level[16];
	int			i;

	/* migrate.report_progress: a revision ran */
	if (sqlstate && strcmp(sqlstate, "MG000") == 0 && msg)
	{
		if (progress_hook)
			progress_hook(msg, detail);
		return;
	}
	if (msg == NULL || (!warning && opts.verbosity < 0))
		return;
	for (i = 0; severity && severity[i] && i < (int) sizeof(level) - 1; i++)
		level[i] = pg_ascii_tolower((unsigned char) severity[i]);
	level[i] = '\0';
	fprintf(stderr, "pg_migrate: %s: %s\n", i ? level : "notice", msg);
	if (detail)
		fprintf(stderr, "pg_migrate: detail: %s\n", detail);
	if (hint)
		fprintf(stderr, "pg_migrate: hint: %s\n", hint);
}

/*
 * Connect with the options and PG* variables, or exit after reporting the
 * failure (connectDatabase).  The migrate extension must be installed:
 * NULL after reporting that it is not.
 */
PGconn *
db_connect(void)
{
	ConnParams	cparams = {0};
	PGconn	   *conn;
	PGresult   *res;

	/* an empty dbname is none: libpq takes PGDATABASE, then the user */
	cparams.dbname = opts.dbname ? opts.dbname : "";
	cparams.pghost = opts.host;
	cparams.pgport = opts.port;
	cparams.pguser = opts.user;
	cparams.prompt_password = opts.prompt_password;
	/* connectDatabase reports a failure itself, then exits: for --json */
	error_note(0, "could not connect to the database");
	conn = connectDatabase(&cparams, "pg_migrate", false, false, false);
	run_error.set = false;
	pg_free(run_error.message);
	run_error.message = NULL;

	/*
	 * connectDatabase empties search_path, as PostgreSQL's tools do.  This
	 * client's own SQL does not need one, but the revisions' SQL is the
	 * user's and runs in this session: give it back the search_path the
	 * session began with (role and database settings, PGOPTIONS).
	 */
	res = PQexec(conn, "RESET search_path");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		report_result_error(res, "could not reset search_path");
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);

	PQsetNoticeReceiver(conn, notice_receiver, NULL);
	if (opts.verbosity > 0)
		pg_log_info("connected to database \"%s\" as user \"%s\" on %s port %s",
					PQdb(conn), PQuser(conn),
					PQhost(conn) ? PQhost(conn) : "local socket", PQport(conn));

	res = PQexecParams(conn,
					   "SELECT e.extversion FROM pg_catalog.pg_extension e"
					   " WHERE e.extname OPERATOR(pg_catalog.=) $1",
					   1, NULL, (const char *[]) {"migrate"}, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		report_result_error(res, "could not check for the migrate extension");
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	if (PQntuples(res) == 0)
	{
		pg_log_error("extension \"migrate\" is not installed in database \"%s\"",
					 PQdb(conn));
		pg_log_error_hint("Run CREATE EXTENSION migrate in that database first.");
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);

	/* from now on, Ctrl-C cancels the running query */
	setup_cancel_handler(NULL);
	SetCancelConn(conn);
	return conn;
}

/* Close the connection, canceling a query that may still run. */
void
db_disconnect(PGconn *conn)
{
	ResetCancelConn();
	disconnectDatabase(conn);
}

/*
 * Report a failed result as an error: what, the server's message, then
 * its detail, hint and context.
 */
void
report_result_error(const PGresult *res, const char *what)
{
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	error_note_server(res, what);
	if (msg == NULL)
	{
		const char *whole = PQresultErrorMessage(res);

		msg = (whole && whole[0]) ? whole : "unexpected result from the server";
	}
	if (what)
		pg_log_error("%s: %s", what, msg);
	else
		pg_log_error("%s", msg);
	if (detail)
		pg_log_error_detail("%s", detail);
	if (hint)
		pg_log_error_hint("%s", hint);
	/* the context lines, but the echo of the statement unless verbose */
	for (const char *p = context; p && *p && opts.verbosity >= 0;)
	{
		const char *eol = strchr(p, '\n');
		int			len = eol ? eol - p : (int) strlen(p);

		if (opts.verbosity > 0 || strncmp(p, "SQL statement", 13) != 0)
			pg_log_error_detail("%.*s", len, p);
		p = eol ? eol + 1 : p + len;
	}
	if (sqlstate && opts.verbosity > 0)
		pg_log_error_detail("SQLSTATE: %s", sqlstate);
}

/*
 * Run sql with text parameters; the result if it returned rows or
 * completed, else NULL after reporting the error (prefixed by what).
 */
PGresult *
db_query(PGconn *conn, const char *sql, int nparams,
		 const char *const *params, const char *what)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL,
								   NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	if (PQstatus(conn) == CONNECTION_BAD)
		pg_log_error("connection to the server was lost: %s",
					 PQerrorMessage(conn));
	else
		report_result_error(res, what);
	PQclear(res);
	return NULL;
}

/* db_query for statements whose result does not matter. */
bool
db_command(PGconn *conn, const char *sql, int nparams,
		   const char *const *params, const char *what)
{
	PGresult   *res = db_query(conn, sql, nparams, params, what);

	if (res == NULL)
		return false;
	PQclear(res);
	return true;
}

/*
 * The elements of a one-dimensional text[] value of a result, in one
 * allocation (free with pg_free), none for NULL; NULL after reporting a
 * value that is not an array.  Use only for arrays without NULL elements.
 */
char	  **
db_text_array(const PGresult *res, int row, int col, int *n)
{
	char	  **items;

	if (PQgetisnull(res, row, col))
	{
		*n = 0;
		return pg_malloc0(sizeof(char *));
	}
	if (!parsePGArray(PQgetvalue(res, row, col), &items, n))
	{
		pg_log_error("unexpected value from the server for column \"%s\": not an array",
					 PQfname(res, col));
		return NULL;
	}
	return items;
}
