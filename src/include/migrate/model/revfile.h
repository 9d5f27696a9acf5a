/*-------------------------------------------------------------------------
 *
 * revfile.h
 *	  A revision as written by the user, and the revision file format
 *	  (see revfile.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_REVFILE_H
#define MIGRATE_REVFILE_H

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
	List	   *replaces;		/* of char *: the ids this squashed revision
								 * stands for (see register.c) */
	int			upgrade_line;	/* file line of the upgrade SQL's first line;
								 * 0: not from a file (line 1) */
	int			downgrade_line; /* the same for the downgrade SQL */
} RevisionSpec;

extern RevisionSpec *RevisionFileParse(const char *script);

#endif							/* MIGRATE_REVFILE_H */
