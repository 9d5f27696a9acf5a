/*-------------------------------------------------------------------------
 *
 * statement_targets.h
 *	  The existing objects a DDL statement touches (statement_targets.c),
 *	  for protected-object matching and the DDL guard.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_STATEMENT_TARGETS_H
#define MIGRATE_STATEMENT_TARGETS_H

#include "nodes/parsenodes.h"

/* An object a DDL statement touches: a relation, a column, or a schema. */
typedef struct GuardTarget
{
	char	   *schema;
	char	   *table;			/* NULL: the schema itself or an object in it */
	char	   *column;			/* NULL: the whole table */
	Oid			relid;			/* the table */
	bool		schema_itself;	/* no table: the schema as a whole */
	bool		identity;		/* the table is dropped, renamed or moved */
} GuardTarget;

extern List *GuardStatementTargets(Node *stmt);

#endif							/* MIGRATE_STATEMENT_TARGETS_H */
