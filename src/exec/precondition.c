/*-------------------------------------------------------------------------
 *
 * precondition.c
 *	  Evaluate the "-- migrate:require <query>" lines of a revision's SQL
 *	  right before that SQL runs.
 *
 * Each query runs through SPI (the caller is connected) as the calling
 * role, in the transaction of the run, so that it sees what the revisions
 * before it did.  It must return one row of one boolean; false, NULL or no
 * row stops the run with MG502, naming the revision and the condition, as
 * any failing statement does (the executor records the failure).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"

#include "migrate/exec/precondition.h"
#include "migrate/model/precondition.h"
#include "migrate/util/errcodes.h"

/* Stop unless every precondition of the upgrade (downgrade) SQL holds. */
void
PreconditionsCheck(const char *id, const char *sql, bool upgrade)
{
	const char *direction = upgrade ? "upgrade" : "downgrade";
	ListCell   *lc;

	foreach(lc, PreconditionList(sql))
	{
		Precondition *pc = lfirst(lc);
		int			rc = SPI_execute(pc->query, false, 2);
		const char *got;
		bool		isnull = true;
		bool		value = false;

		if (rc != SPI_OK_SELECT || SPI_tuptable == NULL ||
			SPI_tuptable->tupdesc->natts != 1 ||
			SPI_gettypeid(SPI_tuptable->tupdesc, 1) != BOOLOID ||
			SPI_processed > 1)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("precondition of revision \"%s\" does not return one boolean",
							id),
					 errdetail("The %s requires (line %d): %s", direction,
							   pc->line, pc->query),
					 errhint("Write a query that returns one row of one boolean column.")));
		if (SPI_processed == 1)
			value = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1,
											   &isnull));
		if (!isnull && value)
			continue;
		got = SPI_processed == 0 ? "no row" : isnull ? "NULL" : "false";
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_PRECONDITION_FAILED),
				 errmsg("precondition of revision \"%s\" is not met", id),
				 errdetail("The %s requires (line %d): %s; it returned %s.",
						   direction, pc->line, pc->query, got),
				 errhint("Make the condition hold (for example, fix the rows it looks for), or change the revision before it is applied.")));
	}
}
