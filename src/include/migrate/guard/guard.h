/*-------------------------------------------------------------------------
 *
 * guard.h
 *	  The DDL guard: event triggers on DDL run outside migrations (guard.c),
 *	  what a statement touches (guard_targets.c) and protected objects
 *	  (protect.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_GUARD_H
#define MIGRATE_GUARD_H

#include "nodes/parsenodes.h"

#include "migrate/catalog/catalog.h"

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

/* guard_targets.c */
extern List *GuardStatementTargets(Node *stmt);

/* protect.c */
extern CatalogProtected *ProtectedMatch(GuardScope *scope, GuardTarget *t);
extern bool ProtectedTouched(Node *stmt, const char **what);
extern char *ProtectedObjectName(CatalogProtected *p);

#endif							/* MIGRATE_GUARD_H */
