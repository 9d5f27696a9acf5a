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

/* A revision as written by the user, before validation. */
typedef struct RevisionSpec
{
	char	   *id;				/* NULL: generate one */
	char	   *message;
	char	   *upgrade;
	char	   *downgrade;
	List	   *parents;		/* of char *; ids or unique prefixes */
	bool		parents_given;	/* false: the graph's single head */
	List	   *depends_on;		/* of char *; ids, prefixes or labels */
	List	   *labels;			/* of char * */
	bool		transactional;
} RevisionSpec;

extern char *RegisterRevision(RevisionSpec *spec, bool update);
extern char *RegisterMerge(List *parents, const char *message, const char *id);

#endif							/* MIGRATE_REGISTER_H */
