/*-------------------------------------------------------------------------
 *
 * drift.c
 *	  Reading and acknowledging drift: the DDL that ran outside migrations
 *	  (recorded by guard.c) and differences between the managed schemas
 *	  and the fingerprint the last migration stored.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "migrate/catalog/catalog.h"
#include "migrate/guard/drift.h"

PG_FUNCTION_INFO_V1(migrate_drift);
PG_FUNCTION_INFO_V1(migrate_drift_ack);
PG_FUNCTION_INFO_V1(migrate_managed_schemas);

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/*
 * migrate_drift(include_acknowledged boolean DEFAULT false) RETURNS SETOF
 *	 (id, at, role, application, command_tag, object_type, object_identity,
 *	  statement, blocked, rule, acknowledged)
 */
Datum
migrate_drift(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		all = !PG_ARGISNULL(0) && PG_GETARG_BOOL(0);
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, CatalogDriftList(all))
	{
		CatalogDrift *d = lfirst(lc);
		Datum		values[11];
		bool		nulls[11] = {0};

		values[0] = DirectFunctionCall1(uuid_in, CStringGetDatum(d->id));
		values[1] = TimestampTzGetDatum(d->at);
		values[2] = DirectFunctionCall1(namein, CStringGetDatum(d->role));
		values[3] = text_or_null(d->application, &nulls[3]);
		values[4] = text_or_null(d->command_tag, &nulls[4]);
		values[5] = text_or_null(d->object_type, &nulls[5]);
		values[6] = text_or_null(d->object_identity, &nulls[6]);
		values[7] = text_or_null(d->statement, &nulls[7]);
		values[8] = BoolGetDatum(d->blocked);
		values[9] = text_or_null(d->rule, &nulls[9]);
		values[10] = BoolGetDatum(d->acknowledged);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate_drift_ack(ids uuid[] DEFAULT NULL, note text DEFAULT NULL)
 * RETURNS integer
 *
 * Acknowledges the drift records with these ids, or all of them; returns
 * how many it marked.  Acknowledging all of them also accepts the managed
 * schemas as they are now: their fingerprint is stored again, so that
 * migrate_check() compares with this state from now on.
 */
Datum
migrate_drift_ack(PG_FUNCTION_ARGS)
{
	Datum		ids = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
	const char *note = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	int			n;

	n = CatalogAckDrift(ids, note);
	if (PG_ARGISNULL(0))
		CatalogStoreFingerprint();
	PG_RETURN_INT32(n);
}

/* migrate_managed_schemas() RETURNS SETOF (schema_name, since, revision) */
Datum
migrate_managed_schemas(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, CatalogManagedSchemaList())
	{
		char	  **row = lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {0};

		values[0] = CStringGetTextDatum(row[0]);
		values[1] = DirectFunctionCall3(timestamptz_in, CStringGetDatum(row[1]),
										ObjectIdGetDatum(InvalidOid),
										Int32GetDatum(-1));
		values[2] = text_or_null(row[2], &nulls[2]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * Drift problems for migrate_check(): unacknowledged drift records (one
 * row in all), and a fingerprint that no longer matches.
 */
void
DriftProblems(void (*problem) (void *arg, const char *what,
							   const char *detail), void *arg)
{
	List	   *drift = CatalogDriftList(false);
	char	   *stored;

	if (drift != NIL)
	{
		CatalogDrift *first = linitial(drift);

		problem(arg, "drift",
				psprintf("%d DDL statement%s ran outside migrations and %s not acknowledged, the first by %s: %s%s%s.  See migrate_drift(); migrate_drift_ack() acknowledges them.",
						 list_length(drift), list_length(drift) == 1 ? "" : "s",
						 list_length(drift) == 1 ? "is" : "are",
						 first->role, first->command_tag,
						 first->object_identity ? " " : "",
						 first->object_identity ? first->object_identity : ""));
	}
	stored = CatalogStoredFingerprint();
	if (stored && strcmp(stored, CatalogFingerprint()) != 0)
		problem(arg, "schema_drift",
				"The managed schemas differ from the fingerprint the last migration stored: they were changed by DDL the guard did not see (enforcement off, triggers disabled) or that is recorded as drift.  migrate_drift_ack() accepts the schemas as they are.");
}
