/*-------------------------------------------------------------------------
 *
 * pg_migrate.h
 *	  What every file of pg_migrate, the command-line client of the
 *	  migrate extension, shares: the options and the exit codes.
 *
 * The files form layers, each including only the layers below it:
 *
 *	  main.c					the command line; calls one command
 *	  cmd_*.c (commands.h)		one file per group of commands
 *	  output.c					results on stdout: JSON, text
 *	  connection.c				the connection, queries, cancel, server
 *								messages
 *	  revdir.c, digest_cache.c,	the folder of revision files, its digest
 *	  textgraph.c				kept by its signature; the graph
 *								drawn as text
 *	  util.c					files, folders, strings
 *	  errors.c					the first error of the run, for --json
 *	  pg_migrate.h				options, exit codes, the error record
 *
 * Every command returns an exit code: EXIT_OK, EXIT_FAILED (anything went
 * wrong), EXIT_USAGE (bad command line), EXIT_PROBLEMS (check or lint
 * found problems).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_H
#define PG_MIGRATE_H

#include "postgres_fe.h"

#include "fe_utils/connect_utils.h"
#include "libpq-fe.h"
#include "pqexpbuffer.h"

#define EXIT_OK			0
#define EXIT_FAILED		1
#define EXIT_USAGE		2
#define EXIT_PROBLEMS	3

/* Options that every command sees. */
typedef struct Options
{
	const char *dbname;			/* connection string, URI or name */
	const char **dbnames;		/* every -d, in order (fleets, cmd_fleet.c) */
	int			ndbnames;
	const char *host;
	const char *port;
	const char *user;
	enum trivalue prompt_password;	/* -w: TRI_NO, -W: TRI_YES */
	const char *dir;			/* folder of revision files */
	bool		json;			/* machine-readable output */
	int			verbosity;		/* -1 quiet, 0 normal, 1 verbose */
	const char *argv0;			/* how pg_migrate was called */
} Options;

extern Options opts;

/*
 * The first error of the run, for --json (errors.c): every pg_log_error
 * notes its message (and the pg_log_error_detail and _hint after it); a
 * server error (report_result_error) fills in its fields; a load names
 * the file.  At exit, a run that failed and printed no JSON prints
 * {"ok": false, "error": {...}}.
 */
typedef struct RunError
{
	bool		set;
	bool		from_server;
	char	   *sqlstate;
	char	   *message;
	char	   *detail;
	char	   *hint;
	char	   *context;
	char	   *revision;		/* the revision, statement and line of the */
	int			statement;		/* error context, or 0 */
	int			line;
	char	   *file;			/* the file a load refused, or NULL */
} RunError;

extern RunError run_error;
extern bool json_printed;		/* the command printed its JSON result */

extern void error_note(int part, const char *fmt,...) pg_attribute_printf(2, 3);
extern void error_note_server(const PGresult *res, const char *what);
extern void error_note_position(const char *revision, int statement, int line);
extern void error_print_json(PQExpBuffer buf);
extern void json_string(PQExpBuffer buf, const char *s);
extern void error_json_at_exit(void);

/* Each error message is noted for --json as well as printed. */
#include "common/logging.h"
#undef pg_log_error
#undef pg_log_error_detail
#undef pg_log_error_hint
#define pg_log_error(...) \
	do { error_note(0, __VA_ARGS__); \
		pg_log_generic(PG_LOG_ERROR, PG_LOG_PRIMARY, __VA_ARGS__); } while (0)
#define pg_log_error_detail(...) \
	do { error_note(1, __VA_ARGS__); \
		pg_log_generic(PG_LOG_ERROR, PG_LOG_DETAIL, __VA_ARGS__); } while (0)
#define pg_log_error_hint(...) \
	do { error_note(2, __VA_ARGS__); \
		pg_log_generic(PG_LOG_ERROR, PG_LOG_HINT, __VA_ARGS__); } while (0)

#endif							/* PG_MIGRATE_H */
