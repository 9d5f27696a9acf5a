/*-------------------------------------------------------------------------
 *
 * protect.c
 *	  Protected objects: tables and columns that another system owns (an
 *	  HR sync's columns, an audit table), which only a coordinated change
 *	  may alter.
 *
 * A protected table is touched by any DDL on it.  A protected column is
 * touched by DDL that names it (ALTER COLUMN, DROP COLUMN, RENAME COLUMN,
 * COMMENT ON COLUMN) and by DDL that drops, renames or moves its table or
 * its schema.  Outside migrations the DDL guard blocks such DDL (guard.c);
 * inside a revision the rule protected-object-change does, unless the
 * statement carries "-- migrate:approve protected-object-change <reason>".
 *
 * Objects are stored by name, not OID, so that protection survives
 * pg_dump and pg_restore.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"

#include "migrate/analysis/protect.h"
#include "migrate/catalog/catalog.h"
#include "migrate/util/errcodes.h"

PG_FUNCTION_INFO_V1(migrate_protect);
PG_FUNCTION_INFO_V1(migrate_unprotect);
PG_FUNCTION_INFO_V1(migrate_protected);

/*
 * A name of one or two parts, resolved as SQL resolves it: "table" on the
 * search_path; "schema.table" when that relation exists, else
 * "table.column" with the table on the search_path.  Without must_exist
 * (unprotecting), a name that resolves to nothing is read as
 * schema.table, or as the table in the first schema of the search_path.
 */
static void
resolve_short_name(List *names, CatalogProtected *p, bool must_exist)
{
	Oid			relid;

	p->column = "";
	if (list_length(names) == 2)
	{
		Oid			nsp = get_namespace_oid(strVal(linitial(names)), true);

		if (OidIsValid(nsp) &&
			OidIsValid(get_relname_relid(strVal(lsecond(names)), nsp)))
		{
			p->schema = strVal(linitial(names));
			p->table = strVal(lsecond(names));
			return;
		}
		relid = RangeVarGetRelid(makeRangeVar(NULL, strVal(linitial(names)), -1),
								 NoLock, true);
		if (OidIsValid(relid))
		{
			p->schema = get_namespace_name(get_rel_namespace(relid));
			p->table = strVal(linitial(names));
			p->column = strVal(lsecond(names));
			return;
		}
		if (must_exist)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"%s\" does not exist",
							NameListToString(names)),
					 errdetail("It names neither a table of schema \"%s\" nor a column of a table \"%s\" on the search_path.",
							   strVal(linitial(names)), strVal(linitial(names)))));
		p->schema = strVal(linitial(names));
		p->table = strVal(lsecond(names));
		return;
	}
	relid = RangeVarGetRelid(makeRangeVar(NULL, strVal(linitial(names)), -1),
							 NoLock, !must_exist);
	p->table = strVal(linitial(names));
	if (OidIsValid(relid))
		p->schema = get_namespace_name(get_rel_namespace(relid));
	else
	{
		List	   *path = fetch_search_path(false);

		p->schema = path ? get_namespace_name(linitial_oid(path)) : "public";
	}
}

/*
 * Parse "schema.table" or "schema.table.column" (identifiers quoted as in
 * SQL) into p; with must_exist, the table and column must exist now.
 */
static void
parse_object(const char *object, CatalogProtected *p, bool must_exist)
{
	List	   *names;

	names = stringToQualifiedNameList(object);
	if (list_length(names) < 1 || list_length(names) > 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid object name \"%s\"", object),
				 errhint("Write table, table.column, schema.table or schema.table.column.")));
	if (list_length(names) == 3)
	{
		p->schema = strVal(linitial(names));
		p->table = strVal(lsecond(names));
		p->column = strVal(lthird(names));
	}
	else
		resolve_short_name(names, p, must_exist);
	if (must_exist)
	{
		Oid			relid;
		char		relkind;

		relid = RangeVarGetRelid(makeRangeVar(p->schema, p->table, -1),
								 NoLock, false);
		relkind = get_rel_relkind(relid);
		if (relkind != RELKIND_RELATION &&
			relkind != RELKIND_PARTITIONED_TABLE &&
			relkind != RELKIND_VIEW && relkind != RELKIND_MATVIEW &&
			relkind != RELKIND_FOREIGN_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s.%s\" is not a table or view",
							p->schema, p->table)));
		if (p->column[0] &&
			get_attnum(relid, p->column) == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s.%s\" does not exist",
							p->column, p->schema, p->table)));
	}
}

/* "schema.table" or "schema.table.column", quoted where needed. */
char *
ProtectedObjectName(CatalogProtected *p)
{
	if (p->column[0])
		return psprintf("%s.%s.%s", quote_identifier(p->schema),
						quote_identifier(p->table), quote_identifier(p->column));
	return psprintf("%s.%s", quote_identifier(p->schema),
					quote_identifier(p->table));
}

/*
 * migrate_protect(object text, reason text): protect a table or column;
 * protecting it again changes the reason.
 */
Datum
migrate_protect(PG_FUNCTION_ARGS)
{
	CatalogProtected p;
	char	   *reason;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("object cannot be NULL")));
	reason = PG_ARGISNULL(1) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (reason[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a protected object needs a reason"),
				 errhint("Say who owns it, e.g. 'written by the HR sync'.")));
	parse_object(text_to_cstring(PG_GETARG_TEXT_PP(0)), &p, true);
	p.reason = reason;
	if (CatalogProtect(&p))
		ereport(NOTICE,
				(errmsg("%s was already protected; its reason is now \"%s\"",
						ProtectedObjectName(&p), reason)));
	PG_RETURN_VOID();
}

/* migrate_unprotect(object text) */
Datum
migrate_unprotect(PG_FUNCTION_ARGS)
{
	CatalogProtected p;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("object cannot be NULL")));
	parse_object(text_to_cstring(PG_GETARG_TEXT_PP(0)), &p, false);
	if (!CatalogUnprotect(&p))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_NOT_PROTECTED),
				 errmsg("%s is not protected", ProtectedObjectName(&p)),
				 errhint("migrate_protected() lists the protected objects.")));
	PG_RETURN_VOID();
}

/* migrate_protected(): the protected objects */
Datum
migrate_protected(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, CatalogProtectedList())
	{
		CatalogProtected *p = lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(ProtectedObjectName(p));
		values[1] = CStringGetTextDatum(p->reason);
		values[2] = TimestampTzGetDatum(p->at);
		values[3] = DirectFunctionCall1(namein, CStringGetDatum(p->by));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* The protected object a statement target touches, or NULL. */
CatalogProtected *
ProtectedMatch(GuardScope *scope, GuardTarget *t)
{
	ListCell   *lc;

	foreach(lc, scope->protected)
	{
		CatalogProtected *p = lfirst(lc);

		if (strcmp(p->schema, t->schema) != 0)
			continue;
		if (t->schema_itself)
			return p;
		if (t->table == NULL || strcmp(p->table, t->table) != 0)
			continue;
		if (p->column[0] == '\0' || t->identity ||
			(t->column && strcmp(p->column, t->column) == 0))
			return p;
	}
	return NULL;
}

/*
 * Does stmt touch a protected object?  If so, *what describes it (for the
 * linter's protected-object-change rule).
 */
bool
ProtectedTouched(Node *stmt, const char **what)
{
	GuardScope *scope = CatalogGuardScope();
	ListCell   *lc;

	if (scope->protected == NIL)
		return false;
	foreach(lc, GuardStatementTargets(stmt))
	{
		CatalogProtected *p = ProtectedMatch(scope, lfirst(lc));

		if (p)
		{
			*what = psprintf("%s (%s)", ProtectedObjectName(p), p->reason);
			return true;
		}
	}
	return false;
}
