/*-------------------------------------------------------------------------
 *
 * connection.h
 *	  The connection of pg_migrate, its queries, their cancellation and
 *	  how the server's errors and notices are shown (see connection.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_CONNECTION_H
#define PG_MIGRATE_CONNECTION_H

#include "pg_migrate.h"

#include "fe_utils/cancel.h"

extern PGconn *db_connect(void);
extern void db_disconnect(PGconn *conn);
extern PGresult *db_query(PGconn *conn, const char *sql, int nparams,
						  const char *const *params, const char *what);
extern bool db_command(PGconn *conn, const char *sql, int nparams,
					   const char *const *params, const char *what);
extern char **db_text_array(const PGresult *res, int row, int col, int *n);
extern void report_result_error(const PGresult *res, const char *what);
extern void (*progress_hook) (const char *message, const char *detail);

#endif							/* PG_MIGRATE_CONNECTION_H */
