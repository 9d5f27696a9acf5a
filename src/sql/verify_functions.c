/*-------------------------------------------------------------------------
 *
 * verify_functions.c
 *	  SQL-callable wrapper of the stairway test (exec/verify.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "migrate/exec/verify.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/textarray.h"

PG_FUNCTION_INFO_V1(migrate_verify);

#define Natts_verify 13

/* A text[] of the strings, or NULL (*isnull) when there are none. */
static Datum
list_datum(List *strings, bool *isnull)
{
	*isnull = strings == NIL;
	return strings == NIL ? (Datum) 0 : TextArrayFromList(strings);
}

/* A text datum, or NULL. */
static Datum
text_datum(const char *s, bool *isnull)
{
	*isnull = s == NULL;
	return s == NULL ? (Datum) 0 : CStringGetTextDatum(s);
}

/*
 * migrate_verify(target text DEFAULT 'heads') RETURNS SETOF
 *	 (step, revision, status, left_behind, removed, data, upgrade_locks,
 *	  downgrade_locks, rewritten, sqlstate, statement, message, note)
 *
 * Upgrade, downgrade, upgrade each unapplied revision up to target inside
 * a subtransaction that is rolled back.  Takes migrate's advisory lock,
 * and whatever locks the revisions' SQL takes, until the transaction ends.
 */
Datum
migrate_verify(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	VerifyResult *results;
	int			n;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target cannot be NULL"),
				 errhint("Write \"heads\" to verify every unapplied revision.")));
	InitMaterializedSRF(fcinfo, 0);
	results = VerifyPlan(text_to_cstring(PG_GETARG_TEXT_PP(0)), &n);
	for (int i = 0; i < n; i++)
	{
		VerifyResult *r = &results[i];
		Datum		values[Natts_verify];
		bool		nulls[Natts_verify] = {0};

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(r->revision);
		values[2] = CStringGetTextDatum(r->status);
		values[3] = list_datum(r->left, &nulls[3]);
		values[4] = list_datum(r->removed, &nulls[4]);
		values[5] = list_datum(r->data, &nulls[5]);
		values[6] = list_datum(r->upgrade_locks, &nulls[6]);
		values[7] = list_datum(r->downgrade_locks, &nulls[7]);
		values[8] = list_datum(r->rewritten, &nulls[8]);
		values[9] = text_datum(r->sqlstate, &nulls[9]);
		values[10] = text_datum(r->statement, &nulls[10]);
		values[11] = text_datum(r->message, &nulls[11]);
		values[12] = text_datum(r->note, &nulls[12]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
