/*-------------------------------------------------------------------------
 *
 * output.h
 *	  What pg_migrate prints on stdout: JSON (see output.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_OUTPUT_H
#define PG_MIGRATE_OUTPUT_H

#include "pg_migrate.h"

extern int	print_json_query(PGconn *conn, const char *sql, int nparams,
							 const char *const *params, const char *what);

#endif							/* PG_MIGRATE_OUTPUT_H */
