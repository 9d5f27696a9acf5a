/*-------------------------------------------------------------------------
 *
 * impact.h
 *	  What depends on a schema, table or column (impact.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_IMPACT_H
#define MIGRATE_IMPACT_H

#include "fmgr.h"

extern Datum migrate_impact(PG_FUNCTION_ARGS);

#endif							/* MIGRATE_IMPACT_H */
