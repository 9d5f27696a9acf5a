/*-------------------------------------------------------------------------
 *
 * pg_migrate.h
 *	  Shared declarations of pg_migrate, the command-line client of the
 *	  migrate extension.
 *
 * The client talks to the database only through the extension's SQL
 * functions, always with parameters.  Every command returns an exit code:
 * EXIT_OK, EXIT_FAILURE_ (anything went wrong), EXIT_USAGE (bad command
 * line), EXIT_PROBLEMS (check or lint found problems).
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
	const char *host;
	const char *port;
	const char *user;
	enum trivalue prompt_password;	/* -w: TRI_NO, -W: TRI_YES */
	const char *dir;			/* folder of revision files */
	bool		json;			/* machine-readable output */
	int			verbosity;		/* -1 quiet, 0 normal, 1 verbose */
} Options;

extern Options opts;

/* One revision file of the folder, as its header says. */
typedef struct RevFile
{
	char	   *path;			/* as opened */
	char	   *name;			/* base name */
	char	   *text;			/* contents */
	char	   *id;				/* "-- migrate:revision", or NULL (dbmate) */
	char	   *load_id;		/* id argument of migrate_load, or NULL */
	char	  **parents;
	int			nparents;
	bool		parents_given;
	char	  **deps;
	int			ndeps;
	char	  **labels;
	int			nlabels;
	bool		transactional;
	char	   *message;
} RevFile;

/* The folder: its files in load order (parents and dependencies first). */
typedef struct RevDir
{
	RevFile    *files;
	int			nfiles;
} RevDir;

/* A new revision file to write. */
typedef struct NewRevision
{
	const char *id;				/* NULL: generate one */
	const char *message;
	const char *const *parents;
	int			nparents;
	bool		root;			/* parents given as none */
	const char *const *deps;
	int			ndeps;
	const char *const *labels;
	int			nlabels;
	bool		transactional;
	const char *upgrade;		/* NULL: a placeholder comment */
	const char *downgrade;
	const char *prefix;			/* file name prefix; NULL: a timestamp */
} NewRevision;

/* revdir.c */
extern int	revdir_read(const char *dir, RevDir *out, bool missing_ok);
extern int	revdir_parse(RevFile *f);
extern int	revdir_order(RevDir *d);
extern void revdir_sections(const RevFile *f, char **upgrade, int *up_line,
							char **downgrade, int *down_line);
extern int	revdir_heads(const RevDir *d, int **heads);
extern int	revdir_find(const RevDir *d, const char *ref);
extern char *revision_write(const char *dir, const NewRevision *rev);
extern char *revision_text(const char *id, const NewRevision *rev);
extern bool valid_id(const char *id);
extern char *generate_id(void);
extern char *slugify(const char *message, int maxlen);

/* pg_migrate.c: connection, queries, errors, output */
extern PGconn *db_connect(void);
extern PGresult *db_query(PGconn *conn, const char *sql, int nparams,
						  const char *const *params, const char *what);
extern bool db_command(PGconn *conn, const char *sql, int nparams,
					   const char *const *params, const char *what);
extern void report_result_error(const PGresult *res, const char *what);
extern void print_table(const PGresult *res);
extern int	print_json_query(PGconn *conn, const char *sql, int nparams,
							 const char *const *params, const char *what);

/* util.c */
extern char *read_file(const char *path, size_t *len);
extern bool write_file(const char *path, const char *text, bool exclusive);
extern bool dir_exists(const char *path);
extern bool make_dir(const char *path);
extern char **list_dir(const char *path, const char *suffix, int *n);
extern char *join_path(const char *dir, const char *name);
extern void json_string(PQExpBuffer buf, const char *s);
extern char **split_words(const char *s, int *n);
extern char **parse_pg_array(const char *s, int *n);
extern double now_ms(void);
extern char *pg_strdup_range(const char *start, const char *end);
extern bool is_non_transactional_sql(const char *sql);

/* commands.c */
extern int	cmd_init(void);
extern int	cmd_revision(int argc, char **argv);
extern int	cmd_merge(int argc, char **argv);
extern int	cmd_current(PGconn *conn);
extern int	cmd_heads(PGconn *conn);
extern int	cmd_branches(PGconn *conn);
extern int	cmd_history(PGconn *conn, const char *range, bool graph);
extern int	cmd_show(PGconn *conn, const char *id);
extern int	cmd_check(PGconn *conn);
extern int	cmd_sql(PGconn *conn, const char *target);
extern int	cmd_lint(PGconn *conn, int nfiles, char **files);

/* run.c */
extern int	cmd_load(PGconn *conn);
extern int	cmd_move(PGconn *conn, const char *target, bool upgrade);
extern int	cmd_stamp(PGconn *conn, int ntargets, char **targets);
extern int	load_dir(PGconn *conn, int *nloaded);

/* import.c */
extern int	cmd_import(const char *format, const char *src);

/* textgraph.c */
typedef struct GraphRow
{
	char	   *id;
	char	  **parents;
	int			nparents;
	char	  **deps;			/* depends-on */
	int			ndeps;
	char	   *text;			/* what to print after the graph */
} GraphRow;
extern void draw_graph(FILE *out, GraphRow *rows, int nrows);

#endif							/* PG_MIGRATE_H */
