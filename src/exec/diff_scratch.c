/*-------------------------------------------------------------------------
 *
 * diff_scratch.c
 *	  Running a desired schema script where it creates the compared schemas
 *	  under their own names, and snapshotting both sides, in an internal
 *	  subtransaction that is always rolled back.
 *
 * Inside the subtransaction: the rename hints are applied to the live
 * tables, the live schemas are snapshotted, each compared schema is
 * renamed aside (ALTER SCHEMA ... RENAME: it updates the schema's
 * pg_namespace row and takes no lock on any table in it) and an empty
 * schema of the same name is created, with the live one's owner,
 * privileges and comment; the desired script then runs as the caller,
 * statement by statement (a CREATE EXTENSION of an extension the database
 * has moves it instead), and the schemas it built are snapshotted.  The rollback undoes all of it, releasing every lock taken
 * inside (the ACCESS SHARE of the deparsers on views, the ACCESS EXCLUSIVE
 * of a renamed table); other sessions never see the renamed schemas (the
 * changes never commit), though an ALTER or DROP of a compared schema by
 * another session waits for the call to end.  The DDL guard ignores the
 * scratch work (RunnerScratch): nothing of it is recorded as drift.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"

#include "migrate/analysis/diff.h"
#include "migrate/exec/diff_scratch.h"
#include "migrate/model/sqltext.h"
#include "migrate/util/runner.h"
#include "migrate/util/subxact.h"

typedef struct ScratchArg
{
	const char *desired;
	List	   *schemas;
	List	   *renames;
	List	   *applied;		/* the renames made */
	MemoryContext result;
	SchemaSnapshot *live;
	SchemaSnapshot *want;
	SqlStatement *failed;		/* the desired script's statement that failed */
} ScratchArg;

static void
exec_sql(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc < 0)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
}

/* Is the statement CREATE SCHEMA of a compared schema (created already)? */
static bool
creates_compared_schema(SqlStatement *st, List *schemas)
{
	CreateSchemaStmt *cs;
	ListCell   *lc;

	if (st->parsetree == NULL || !IsA(st->parsetree, CreateSchemaStmt))
		return false;
	cs = (CreateSchemaStmt *) st->parsetree;
	if (cs->schemaname == NULL || cs->schemaElts != NIL)
		return false;
	foreach(lc, schemas)
		if (strcmp(lfirst(lc), cs->schemaname) == 0)
		return true;
	return false;
}

/* Does the table (or column) a rename hint names exist? */
static bool
rename_source_exists(DiffRename *r)
{
	static const char *const sql =
	"SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
	" ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
	" WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2"
	" AND ($3 IS NULL OR EXISTS (SELECT FROM pg_catalog.pg_attribute a"
	"  WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attname OPERATOR(pg_catalog.=) $3"
	"  AND NOT a.attisdropped))";
	Oid			types[3] = {NAMEOID, NAMEOID, NAMEOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', r->column ? ' ' : 'n'};

	values[0] = CStringGetDatum(r->schema);
	values[1] = CStringGetDatum(r->table);
	values[2] = CStringGetDatum(r->column ? r->column : "");
	values[0] = DirectFunctionCall1(namein, values[0]);
	values[1] = DirectFunctionCall1(namein, values[1]);
	values[2] = DirectFunctionCall1(namein, values[2]);
	if (SPI_execute_with_args(sql, 3, types, values, nulls, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "rename hint lookup failed");
	return SPI_processed > 0;
}

/*
 * The script without psql meta-commands (pg_dump writes \restrict and
 * \unrestrict lines): each line that starts with a backslash is blanked,
 * so that line numbers stay.
 */
static char *
without_meta_commands(const char *sql)
{
	char	   *s = pstrdup(sql);
	char	   *line = s;

	while (*line)
	{
		char	   *end = strchr(line, '\n');
		char	   *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\\')
			memset(p, ' ', end ? end - p : strlen(p));
		if (end == NULL)
			break;
		line = end + 1;
	}
	return s;
}

/*
 * The statement, a CREATE or DROP INDEX CONCURRENTLY without the word
 * (the script runs in a transaction block, and builds empty tables).
 */
static char *
without_concurrently(SqlStatement *st)
{
	bool		concurrent = false;
	char	   *s;
	char	   *p;

	if (st->parsetree && IsA(st->parsetree, IndexStmt))
		concurrent = ((IndexStmt *) st->parsetree)->concurrent;
	else if (st->parsetree && IsA(st->parsetree, DropStmt))
		concurrent = ((DropStmt *) st->parsetree)->concurrent;
	if (!concurrent)
		return st->text;
	s = pstrdup(st->text);
	for (p = s; *p; p++)
		if (pg_strncasecmp(p, "concurrently", 12) == 0 &&
			(p == s || isspace((unsigned char) p[-1])) &&
			(p[12] == '\0' || isspace((unsigned char) p[12])))
		{
			memset(p, ' ', 12);
			break;
		}
	return s;
}

/*
 * A CREATE EXTENSION of an extension the database has: the statement
 * cannot run again.  When the extension lives in a compared schema (now
 * renamed aside), it is moved into the schema of that name the script
 * builds (or the one the statement names), so that the script finds its
 * types and functions and the snapshot sees it there; when it lives
 * elsewhere, the statement is skipped.  Returns false for any other
 * statement.
 */
static bool
existing_extension(SqlStatement *st, List *schemas)
{
	CreateExtensionStmt *ce;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char	   *nspname;
	char	   *target = NULL;
	ListCell   *lc;
	int			i = 0;

	if (st->parsetree == NULL || !IsA(st->parsetree, CreateExtensionStmt))
		return false;
	ce = (CreateExtensionStmt *) st->parsetree;
	values[0] = CStringGetTextDatum(ce->extname);
	if (SPI_execute_with_args("SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_extension x"
							  " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) x.extnamespace"
							  " WHERE x.extname OPERATOR(pg_catalog.=) $1::pg_catalog.name",
							  1, types, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "extension lookup failed");
	if (SPI_processed == 0)
		return false;
	nspname = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	foreach(lc, schemas)
		if (strcmp(nspname, psprintf("migrate_diff_%d_%d", MyProcPid, i++)) == 0)
		target = lfirst(lc);
	if (target == NULL)
		return true;
	foreach(lc, ce->options)
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, "schema") == 0)
			target = defGetString(d);
	}
	exec_sql(psprintf("ALTER EXTENSION %s SET SCHEMA %s", quote_identifier(ce->extname),
					  quote_identifier(target)));
	return true;
}

/*
 * Give the empty schema "name" the owner, privileges and comment of the
 * live one (renamed "aside"), when the caller may: the schema itself is
 * not what the desired script states unless it says so (ALTER SCHEMA,
 * GRANT, COMMENT ON SCHEMA), as a pg_dump of the schema leaves out what
 * is the default.
 */
static void
copy_schema_properties(const char *name, const char *aside)
{
	static const char *const sql =
	"WITH n AS (SELECT n.oid, n.nspowner, n.nspacl FROM pg_catalog.pg_namespace n"
	"  WHERE n.nspname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
	"   AND pg_catalog.pg_has_role(n.nspowner, 'USAGE'))"
	" SELECT x.s FROM ("
	" SELECT 1 AS o, pg_catalog.format('ALTER SCHEMA %I OWNER TO %I', $1, pg_catalog.pg_get_userbyid(n.nspowner)) AS s"
	"  FROM n"
	" UNION ALL SELECT 2, pg_catalog.format('GRANT %s ON SCHEMA %I TO %s%s', a.privilege_type, $1,"
	"  CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'PUBLIC'"
	"  ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END,"
	"  CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)"
	"  FROM n, pg_catalog.aclexplode(n.nspacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) n.nspowner"
	" UNION ALL SELECT 3, pg_catalog.format('COMMENT ON SCHEMA %I IS %L', $1, d.description)"
	"  FROM n JOIN pg_catalog.pg_description d ON d.objoid OPERATOR(pg_catalog.=) n.oid"
	"  AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass) x"
	" ORDER BY x.o";
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	List	   *stmts = NIL;
	ListCell   *lc;

	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(aside);
	if (SPI_execute_with_args(sql, 2, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "schema properties lookup failed");
	for (uint64 i = 0; i < SPI_processed; i++)
		stmts = lappend(stmts, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	foreach(lc, stmts)
		exec_sql(lfirst(lc));
}

static void
scratch(void *arg)
{
	ScratchArg *a = arg;
	List	   *statements = SqlSplit(without_meta_commands(a->desired), "desired schema");
	ListCell   *lc;
	int			i = 0;
	List	   *applied = NIL;

	RunnerScratch(true);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		foreach(lc, a->renames)
		{
			DiffRename *r = lfirst(lc);

			/* a hint whose old name is gone already was applied: skip it */
			if (!rename_source_exists(r))
				continue;
			exec_sql(DiffRenameSql(r, false));
			applied = lappend(applied, r);
		}
		a->applied = applied;
		a->live = SnapshotRead(a->schemas, a->result);
		foreach(lc, a->schemas)
		{
			const char *name = lfirst(lc);

			char	   *aside = psprintf("migrate_diff_%d_%d", MyProcPid, i++);

			exec_sql(psprintf("ALTER SCHEMA %s RENAME TO %s", quote_identifier(name),
							  quote_identifier(aside)));
			exec_sql(psprintf("CREATE SCHEMA %s", quote_identifier(name)));
			copy_schema_properties(name, aside);
		}
		foreach(lc, statements)
		{
			SqlStatement *st = lfirst(lc);

			if (st->parsetree && IsA(st->parsetree, TransactionStmt))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
						 errmsg("the desired schema script may not control transactions")));
			if (creates_compared_schema(st, a->schemas))
				continue;
			a->failed = st;
			if (existing_extension(st, a->schemas))
				continue;
			exec_sql(without_concurrently(st));
		}
		a->failed = NULL;
		a->want = SnapshotRead(a->schemas, a->result);
		SPI_finish();
	}
	PG_FINALLY();
	{
		RunnerScratch(false);
	}
	PG_END_TRY();
}

/*
 * Snapshot the live schemas (after the renames; *renamed: those that were
 * made, a hint whose old name no longer exists being skipped) and the
 * schemas the desired script creates, leaving nothing behind.  An error of the script
 * is raised again with its statement and line.
 */
void
DiffScratch(const char *desired, List *schemas, List *renames,
			SchemaSnapshot **live, SchemaSnapshot **want, List **renamed)
{
	ScratchArg	a;
	ErrorData  *edata;

	memset(&a, 0, sizeof(a));
	a.desired = desired;
	a.schemas = schemas;
	a.renames = renames;
	a.result = CurrentMemoryContext;
	edata = SubxactRun(scratch, &a, false);
	if (edata)
	{
		if (a.failed)
			ereport(ERROR,
					(errcode(edata->sqlerrcode),
					 errmsg("desired schema, statement %d (line %d): %s",
							a.failed->number, a.failed->line, edata->message),
					 edata->detail ? errdetail("%s", edata->detail) : 0,
					 edata->hint ? errhint("%s", edata->hint) : 0));
		ReThrowError(edata);
	}
	*live = a.live;
	*want = a.want;
	*renamed = a.applied;
}
