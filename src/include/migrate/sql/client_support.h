/*-------------------------------------------------------------------------
 *
 * client_support.h
 *	  Server side of the pg_migrate client (see client_support.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_CLIENT_SUPPORT_H
#define MIGRATE_CLIENT_SUPPORT_H

#include "migrate/model/graph.h"

extern char *GraphToDot(RevisionGraph *g);

#endif							/* MIGRATE_CLIENT_SUPPORT_H */
