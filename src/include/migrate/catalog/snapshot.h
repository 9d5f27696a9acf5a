/*-------------------------------------------------------------------------
 *
 * snapshot.h
 *	  The objects of some schemas, read from the catalogs into memory by
 *	  name and definition (snapshot.c), for the schema diff.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SNAPSHOT_H
#define MIGRATE_SNAPSHOT_H

#include "nodes/pg_list.h"

#define SNAP_ATTRS 6

/*
 * One object.  kind is one of "table", "column", "constraint", "index",
 * "sequence", "seqowner", "view", "matview", "function", "trigger",
 * "enum", "domain", "composite", "range", "statistics", "extension",
 * "policy", "comment", "owner", "grant"; schema, tbl (the table of a
 * column, constraint, index, statistics object, trigger or policy; NULL
 * otherwise) and name identify
 * it; def is what is compared; attr[] are kind-specific parts (see the
 * query in snapshot.c).  ord orders objects by creation (the OID, never
 * compared).
 */
typedef struct SnapObject
{
	int64		ord;
	const char *kind;
	char	   *schema;
	char	   *tbl;
	char	   *name;
	char	   *def;
	char	   *attr[SNAP_ATTRS];
} SnapObject;

/* The objects of a snapshot, sorted by (kind, schema, tbl, name). */
typedef struct SchemaSnapshot
{
	int			count;
	SnapObject **objects;
} SchemaSnapshot;

extern SchemaSnapshot *SnapshotRead(List *schemas, MemoryContext result);
extern int	SnapObjectCompare(const SnapObject *a, const SnapObject *b);
extern SnapObject *SnapshotFind(SchemaSnapshot *snap, const char *kind,
								const char *schema, const char *tbl,
								const char *name);

#endif							/* MIGRATE_SNAPSHOT_H */
