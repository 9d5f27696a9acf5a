/*-------------------------------------------------------------------------
 *
 * citus.h
 *	  What Citus's metadata says about a table (citus.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_CITUS_H
#define MIGRATE_CITUS_H

/* How Citus places a table's rows. */
typedef enum CitusKind
{
	CITUS_NONE = 0,				/* not a Citus table, or no Citus */
	CITUS_DISTRIBUTED,			/* hash (or range, append) distributed, or a
								 * single-shard table of a distributed schema */
	CITUS_REFERENCE,			/* a copy on every node */
	CITUS_LOCAL					/* a Citus local table (on the coordinator) */
} CitusKind;

typedef struct CitusTable
{
	CitusKind	kind;
	AttrNumber	distcol;		/* distribution column, or 0 */
	int			shards;			/* shards in pg_dist_shard */
} CitusTable;

extern bool CitusPresent(void);
extern void CitusHideShards(void);
extern CitusKind CitusTableLookup(Oid relid, CitusTable *table);
extern double CitusCountRows(Oid relid, const char *column, double limit);
extern double CitusEstimateRows(Oid relid);
extern int64 CitusTotalSize(Oid relid);
extern char *CitusDescribe(Oid relid, const CitusTable *table);

#endif							/* MIGRATE_CITUS_H */
