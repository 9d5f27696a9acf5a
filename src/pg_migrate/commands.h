/*-------------------------------------------------------------------------
 *
 * commands.h
 *	  The commands of pg_migrate, one file per group, called by main.c.
 *	  Each returns an exit code (pg_migrate.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_COMMANDS_H
#define PG_MIGRATE_COMMANDS_H

#include "pg_migrate.h"

struct RevDir;

/* cmd_revision.c: write revision files, no database */
extern int	cmd_init(void);
extern int	cmd_revision(int argc, char **argv);
extern int	cmd_merge(int argc, char **argv);
extern int	cmd_squash(int argc, char **argv);

/* cmd_status.c: read the database */
extern int	cmd_current(PGconn *conn);
extern int	cmd_heads(PGconn *conn);
extern int	cmd_branches(PGconn *conn);
extern int	cmd_history(PGconn *conn, const char *range, bool graph);
extern int	cmd_show(PGconn *conn, const char *id);
extern int	cmd_check(PGconn *conn);
extern int	cmd_sql(PGconn *conn, const char *target);
extern int	cmd_log(PGconn *conn, const char *id, const char *count);

/* cmd_offline.c: sql TARGET --from REV from the folder alone */
extern int	cmd_sql_offline(const char *target, const char *from);

/* cmd_autogenerate.c: compare with a desired schema (migrate_diff) */
extern bool autogenerate_requested(int argc, char **argv);
extern bool schema_check_requested(int argc, char **argv);
extern int	cmd_autogenerate(PGconn *conn, int argc, char **argv);
extern int	cmd_check_schema(PGconn *conn, int argc, char **argv);

/* cmd_lint.c */
extern int	cmd_lint(PGconn *conn, int nfiles, char **files, bool pending);

/* cmd_run.c: load, then change the database */
extern int	cmd_load(PGconn *conn);
#define MOVE_DRY_RUN	0x01	/* print the plan and what would stop it */
#define MOVE_FORCE		0x02	/* a downgrade may drop data */
extern int	cmd_move(PGconn *conn, const char *target, bool upgrade,
					 int flags);
extern int	cmd_stamp(PGconn *conn, int ntargets, char **targets);
extern bool load_folder_uncommitted(PGconn *conn);
extern PGresult *folder_states(PGconn *conn, const struct RevDir *d);
extern int	cmd_forget(PGconn *conn, const char *id);

/* cmd_guard.c */
extern int	cmd_drift(PGconn *conn, bool all);
extern int	cmd_drift_ack(PGconn *conn, int nids, char **ids, const char *note);
extern int	cmd_protect(PGconn *conn, const char *object, const char *reason);
extern int	cmd_impact(PGconn *conn, const char *object);
extern int	cmd_verify(PGconn *conn, const char *target);

/* cmd_baseline.c: dump the database into a root revision, then stamp it */
extern int	cmd_baseline(PGconn *conn, int argc, char **argv);

/* cmd_import.c: another tool's folder into revision files, no database */
extern int	cmd_import(const char *format, const char *src);

/* cmd_import.c: load, then stamp what another tool applied */
extern int	cmd_adopt(PGconn *conn, const char *format, const char *table);

/* cmd_fleet.c: one command on many databases */
extern int	fleet_take_options(const char *command, int nargs, char **args);
extern bool fleet_wanted(const char *command);
extern int	cmd_fleet(const char *command, int nargs, char **args,
					  int move_flags);
extern int	cmd_fleet_command(int nargs, char **args);

#endif							/* PG_MIGRATE_COMMANDS_H */
