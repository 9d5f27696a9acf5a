/*-------------------------------------------------------------------------
 *
 * subxact.c
 *	  Running a piece of work in an internal subtransaction, keeping or
 *	  discarding what it did, and catching its error.
 *
 * The boilerplate that PostgreSQL asks for around BeginInternalSubTransaction
 * (the caller's memory context and resource owner restored after both the
 * release and the rollback, the error copied out before the error state is
 * flushed) lives here once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "migrate/util/subxact.h"

/*
 * Run fn(arg) in an internal subtransaction.  With "keep", the
 * subtransaction is released when fn returns, so its work stays; without,
 * it is always rolled back, so that fn's locks and writes do not outlive
 * it.  Returns NULL, or the error fn raised, copied into the caller's
 * memory context (the subtransaction then rolled back, the error state
 * flushed): the caller decides whether to raise it again.
 */
ErrorData *
SubxactRun(void (*fn) (void *arg), void *arg, bool keep)
{
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		fn(arg);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(context);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	if (edata == NULL && keep)
		ReleaseCurrentSubTransaction();
	else
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(context);
	CurrentResourceOwner = owner;
	return edata;
}
