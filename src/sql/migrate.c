/*-------------------------------------------------------------------------
 *
 * migrate.c
 *	  Module entry point of the migrate extension.
 *
 * _PG_init only calls the init function of each subsystem that has one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "migrate/analysis/lint.h"
#include "migrate/util/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	LintInit();
	GucInit();
}
