/*-------------------------------------------------------------------------
 *
 * apply.c
 *	  CALL migrate_apply(target) and CALL migrate_unapply(target): upgrade
 *	  or downgrade committing after each revision.
 *
 * For histories too long for one transaction (every table a revision
 * creates stays locked until the transaction ends, and lock memory runs
 * out near 1,800 tables with the default max_locks_per_transaction), and
 * for revisions that cannot run in a transaction block at all: their
 * statements go to a background worker that runs them at top level
 * (worker.c), right after a commit, so that this session holds no snapshot
 * that a CONCURRENTLY build would wait for.
 *
 * Each revision stays atomic, and is recorded in the same transaction that
 * ran it, so a run stopped anywhere (an error, a cancel, a crash) leaves a
 * consistent applied set, and the same CALL resumes where it stopped.  The
 * advisory lock is held at session level for the whole run, so no other
 * migrate call interleaves.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "migrate/catalog/catalog.h"
#include "migrate/exec/executor.h"

PG_FUNCTION_INFO_V1(migrate_apply);
PG_FUNCTION_INFO_V1(migrate_unapply);

/* Run the plan to target, one revision per transaction. */
static void
apply(FunctionCallInfo fcinfo, bool upgrade)
{
	const char *name = upgrade ? "migrate_apply" : "migrate_unapply";
	CallContext *call = (CallContext *) fcinfo->context;
	MemoryContext run_context;
	MemoryContext old;
	char	   *target;
	volatile bool locked = false;

	if (call == NULL || !IsA(call, CallContext) || call->atomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("%s must be called with CALL outside a transaction block",
						name),
				 errdetail("It commits after each revision."),
				 errhint("Run CALL %s(...) on its own, not inside BEGIN ... COMMIT or a function; migrate_%s() runs in the caller's transaction.",
						 name, upgrade ? "upgrade" : "downgrade")));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target cannot be NULL"),
				 errhint("Write \"head\" to upgrade to the head, \"base\" to downgrade everything.")));

	/* what must survive the commits */
	run_context = AllocSetContextCreate(TopMemoryContext, "migrate apply",
										ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(run_context);
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	MemoryContextSwitchTo(old);

	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PG_TRY();
	{
		MigrationPlan *plan;
		int			n;

		(void) CatalogSessionLock(true);
		locked = true;
		old = MemoryContextSwitchTo(run_context);
		plan = ExecutePlan(target, upgrade, true);
		MemoryContextSwitchTo(old);
		n = plan->nsteps;
		if (!upgrade)
			ExecuteRefuseDataLoss(plan);
		SPI_commit();

		for (int i = 0; i < n; i++)
		{
			CatalogStep *step;

			CHECK_FOR_INTERRUPTS();
			if (plan->steps[i].transactional)
				step = ExecuteRevisions(plan, i, 1);
			else
			{
				SPI_commit();	/* no snapshot, no lock while the worker runs */
				step = ExecuteNonTransactional(plan, &plan->steps[i]);
			}
			ereport(NOTICE,
					(errmsg_plural("%s %d of %d: revision %s%s%s (%d statement)",
								   "%s %d of %d: revision %s%s%s (%d statements)",
								   step->statements,
								   upgrade ? "applied" : "unapplied", i + 1, n,
								   plan->steps[i].id,
								   plan->steps[i].message[0] ? ", " : "",
								   plan->steps[i].message, step->statements)));
			SPI_commit();
		}
		if (n == 0)
			ereport(NOTICE,
					(errmsg("nothing to %s", upgrade ? "apply" : "unapply")));
		else
		{
			CatalogStoreFingerprint();
			SPI_commit();
		}
	}
	PG_FINALLY();
	{
		if (locked)
			(void) CatalogSessionLock(false);
		MemoryContextDelete(run_context);
	}
	PG_END_TRY();
	SPI_finish();
}

/*
 * CALL migrate_apply(target text DEFAULT 'head')
 *
 * Takes the advisory lock at session level; commits after each revision.
 */
Datum
migrate_apply(PG_FUNCTION_ARGS)
{
	apply(fcinfo, true);
	PG_RETURN_VOID();
}

/*
 * CALL migrate_unapply(target text)
 */
Datum
migrate_unapply(PG_FUNCTION_ARGS)
{
	apply(fcinfo, false);
	PG_RETURN_VOID();
}
