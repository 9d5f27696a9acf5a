/*-------------------------------------------------------------------------
 *
 * protect.h
 *	  Protected objects (protect.c): does a statement touch one?
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_PROTECT_H
#define MIGRATE_PROTECT_H

#include "nodes/parsenodes.h"

#include "migrate/analysis/statement_targets.h"
#include "migrate/catalog/catalog.h"

extern CatalogProtected *ProtectedMatch(GuardScope *scope, GuardTarget *t);
extern bool ProtectedTouched(Node *stmt, const char **what);
extern char *ProtectedObjectName(CatalogProtected *p);

#endif							/* MIGRATE_PROTECT_H */
