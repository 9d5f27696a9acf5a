/*-------------------------------------------------------------------------
 *
 * diff_functions.c
 *	  migrate_diff: the revision(s) that take the live schemas to the ones
 *	  a desired DDL script creates.  A thin wrapper over diff_scratch.c
 *	  (both snapshots, in a subtransaction that is rolled back) and diff.c
 *	  (comparison, SQL, the linter's findings).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "migrate/analysis/diff.h"
#include "migrate/catalog/catalog.h"
#include "migrate/exec/diff_scratch.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/textarray.h"

PG_FUNCTION_INFO_V1(migrate_diff);
PG_FUNCTION_INFO_V1(migrate_fingerprint);

/*
 * migrate_fingerprint() RETURNS text: the fingerprint of the managed
 * schemas as they are now (the hash migrate_check() compares with the one
 * the last migration stored).
 */
Datum
migrate_fingerprint(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(CatalogFingerprint()));
}

/*
 * migrate_diff(desired text, schemas text[] DEFAULT NULL)
 *	 RETURNS TABLE (ordinal, phase, transactional, kind, object, upgrade,
 *					downgrade, finding, hint)
 *
 * One row per change, in the order the upgrade runs them; the downgrade is
 * the rows' downgrade column in the reverse order.  schemas NULL: the
 * managed schemas.
 */
Datum
migrate_diff(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *desired;
	List	   *schemas = NIL;
	List	   *renames;
	List	   *changes;
	SchemaSnapshot *live;
	SchemaSnapshot *want;
	ListCell   *lc;
	int			ordinal = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the desired schema script cannot be NULL")));
	desired = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (!PG_ARGISNULL(1))
		schemas = TextArrayToList(PG_GETARG_ARRAYTYPE_P(1), "schemas");
	else
	{
		foreach(lc, CatalogManagedSchemaList())
			schemas = lappend(schemas, ((char **) lfirst(lc))[0]);
	}
	if (schemas == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no schema to compare"),
				 errhint("No revision has run DDL yet, so no schema is managed: name the schemas, as in migrate_diff(desired, ARRAY['public']).")));
	foreach(lc, schemas)
	{
		const char *s = lfirst(lc);

		if (strcmp(s, "migrate") == 0 || strcmp(s, "pg_catalog") == 0 ||
			strncmp(s, "pg_toast", 8) == 0 || strcmp(s, "information_schema") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("schema \"%s\" cannot be compared", s)));
	}

	renames = DiffRenames(desired);
	DiffScratch(desired, schemas, renames, &live, &want, &renames);
	changes = DiffCompare(live, want, renames);
	DiffLint(changes, desired);

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, changes)
	{
		DiffChange *c = lfirst(lc);
		Datum		values[9];
		bool		nulls[9] = {0};

		values[0] = Int32GetDatum(++ordinal);
		values[1] = CStringGetTextDatum(DiffPhaseName(c->phase));
		values[2] = BoolGetDatum(c->phase != DIFF_PHASE_ONLINE);
		values[3] = CStringGetTextDatum(c->kind);
		values[4] = CStringGetTextDatum(c->object);
		values[5] = CStringGetTextDatum(c->upgrade);
		if (c->downgrade)
			values[6] = CStringGetTextDatum(c->downgrade);
		else
			nulls[6] = true;
		if (c->finding)
			values[7] = CStringGetTextDatum(c->finding);
		else
			nulls[7] = true;
		if (c->hint)
			values[8] = CStringGetTextDatum(c->hint);
		else
			nulls[8] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
