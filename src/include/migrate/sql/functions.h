/*
 * functions.h
 *	  What the SQL-callable wrappers share (see functions.c).
 */
#ifndef MIGRATE_FUNCTIONS_H
#define MIGRATE_FUNCTIONS_H

#include "fmgr.h"

#include "migrate/catalog/catalog.h"

extern void ReturnStepRows(FunctionCallInfo fcinfo, CatalogStep *steps, int n);

#endif							/* MIGRATE_FUNCTIONS_H */
