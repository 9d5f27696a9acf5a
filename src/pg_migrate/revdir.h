/*-------------------------------------------------------------------------
 *
 * revdir.h
 *	  The folder of revision files (see revdir.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_REVDIR_H
#define PG_MIGRATE_REVDIR_H

#include "pg_migrate.h"

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
	char	  **replaces;		/* a squash: the ids it stands for */
	int			nreplaces;
} RevFile;

/* The folder: its files in load order (parents and dependencies first). */
typedef struct RevDir
{
	RevFile    *files;
	int			nfiles;
	struct RevDirIndex *index;	/* finds files by id (revdir.c) */
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
	const char *const *replaces;	/* a squash: the ids it stands for */
	int			nreplaces;
	const char *upgrade;		/* NULL: a placeholder comment */
	const char *downgrade;
	const char *prefix;			/* file name prefix; NULL: a timestamp */
} NewRevision;

extern int	revdir_read(const char *dir, RevDir *out, bool missing_ok);
extern int	revdir_parse(RevFile *f);
extern int	revdir_order(RevDir *d);
extern char *revdir_digest(const RevDir *d);
extern void revdir_sections(const RevFile *f, char **upgrade, int *up_line,
							char **downgrade, int *down_line);
extern int	revdir_heads(const RevDir *d, int **heads);
extern int	revdir_find(const RevDir *d, const char *ref);
extern int	revdir_edges(const RevDir *d, int i, int *edges);
extern char *revision_write(const char *dir, const NewRevision *rev);
extern char *revision_text(const char *id, const NewRevision *rev);
extern bool valid_id(const char *id);
extern char *generate_id(void);
extern char *slugify(const char *message, int maxlen);

#endif							/* PG_MIGRATE_REVDIR_H */
