/*-------------------------------------------------------------------------
 *
 * precondition.h
 *	  "-- migrate:require <query>" lines of a revision's SQL
 *	  (precondition.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_MODEL_PRECONDITION_H
#define MIGRATE_MODEL_PRECONDITION_H

#include "nodes/pg_list.h"

/* One precondition: the query and its line in the SQL section. */
typedef struct Precondition
{
	char	   *query;
	int			line;
} Precondition;

extern List *PreconditionList(const char *sql);
extern void RequireCheckSyntax(const char *query, int line);

#endif							/* MIGRATE_MODEL_PRECONDITION_H */
