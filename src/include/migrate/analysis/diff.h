/*-------------------------------------------------------------------------
 *
 * diff.h
 *	  The changes that take one schema snapshot to another, as upgrade and
 *	  downgrade SQL, checked by the linter (diff.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_DIFF_H
#define MIGRATE_DIFF_H

#include "nodes/pg_list.h"

#include "migrate/catalog/snapshot.h"

/*
 * The revisions a diff is split into, in the order they run: enum values
 * added before anything uses them; the main transactional change; then a
 * non-transactional revision, whose statements each run in a transaction
 * of their own: the validations (and the SET NOT NULL they allow), then
 * the index builds CONCURRENTLY (and the keys attached to them).
 */
typedef enum DiffPhase
{
	DIFF_PHASE_ENUM = 1,
	DIFF_PHASE_MAIN,
	DIFF_PHASE_ONLINE
} DiffPhase;

#define DIFF_PHASES 3

/* One change: its upgrade statement(s) and what undoes them. */
typedef struct DiffChange
{
	DiffPhase	phase;
	int			step;			/* order within the phase */
	int64		ord;			/* order within the step */
	int			seq;			/* order of emission: ties */
	const char *kind;
	char	   *object;			/* the object, qualified, for people */
	char	   *upgrade;		/* SQL, statements separated by ";\n" */
	char	   *downgrade;		/* SQL, or NULL: nothing to undo */
	char	   *finding;		/* what the linter or the diff found */
	char	   *hint;
} DiffChange;

/* A "-- migrate:renamed old new" line of a desired script. */
typedef struct DiffRename
{
	char	   *schema;
	char	   *table;
	char	   *column;			/* NULL: the table is renamed */
	char	   *newname;
} DiffRename;

extern List *DiffRenames(const char *desired);
extern char *DiffRenameSql(DiffRename *r, bool reverse);
extern List *DiffCompare(SchemaSnapshot *from, SchemaSnapshot *to,
						 List *renames);
extern void DiffLint(List *changes, const char *desired);
extern const char *DiffPhaseName(DiffPhase phase);

#endif							/* MIGRATE_DIFF_H */
