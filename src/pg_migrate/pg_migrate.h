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
 *	  revdir.c, textgraph.c		the folder of revision files; the graph
 *								drawn as text
 *	  util.c					files, folders, strings
 *	  pg_migrate.h				options, exit codes
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

#endif							/* PG_MIGRATE_H */
