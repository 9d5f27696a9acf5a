/*-------------------------------------------------------------------------
 *
 * register.h
 *	  Adding and updating revisions (see register.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_REGISTER_H
#define MIGRATE_REGISTER_H

#include "nodes/pg_list.h"

#include "migrate/model/revfile.h"

extern char *RegisterRevision(RevisionSpec *spec, bool update);
extern void RegisterMapReplaced(RevisionSpec *spec);
extern char *RegisterMerge(List *parents, const char *message, const char *id);

#endif							/* MIGRATE_REGISTER_H */
