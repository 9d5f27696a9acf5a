/*-------------------------------------------------------------------------
 *
 * impact.c
 *	  What depends on a schema, a table or a column: migrate_impact(object).
 *
 * The name is resolved the way SQL resolves it (the search_path for an
 * unqualified name); a name that could mean two things ("a.b": table b of
 * schema a, or column b of table a) is refused as ambiguous rather than
 * guessed.  Dependents come from pg_depend, walked transitively (a view on
 * a view on the column), with the catalog noise a user never names taken
 * out (row types, array types, TOAST tables, the triggers that implement
 * foreign keys, a view's own rewrite rule); functions whose body names the
 * object come from their source text, publications FOR ALL TABLES from
 * pg_publication.  Each dependent is one row, with its shortest path.
 *
 * Protection comes from migrate.protected (through catalog.c); the
 * revisions that created or changed an object come from migrate.log (the
 * effects the event triggers logged with each revision's last upgrade,
 * matched by identity) and, for relations and columns, from the upgrade
 * SQL of the applied revisions, parsed again and matched by what each
 * statement creates or touches (statement_targets.c): that covers the
 * revisions run before effects were logged, as far as the names they use
 * still resolve.
 *
 * Nothing here takes a lock on a user table or reads its rows: row counts
 * are the planner's estimates (pg_class.reltuples).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"

#include "migrate/analysis/impact.h"
#include "migrate/catalog/citus.h"
#include "migrate/analysis/protect.h"
#include "migrate/analysis/statement_targets.h"
#include "migrate/catalog/catalog.h"
#include "migrate/model/sqltext.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/subxact.h"
#include "migrate/util/textarray.h"

PG_FUNCTION_INFO_V1(migrate_impact);

/* What a revision's upgrade did to a relation, column or schema. */
typedef struct ImpactTouch
{
	const char *revision;
	Oid			relid;			/* or InvalidOid: a schema */
	Oid			nsp;			/* schema, when relid is invalid */
	char	   *column;			/* NULL: the whole relation */
	char	   *identity;		/* from the logged effects: the object's
								 * identity; relid and nsp then invalid */
	bool		created;
} ImpactTouch;

/*
 * The dependency walk.  $1..$3 the start object (classid, objid,
 * objsubid), $4 its relation (0 for a schema), $5 a regular expression
 * that a function body naming the object matches (NULL: none), $6 a
 * second one it must match too (a column's name; NULL: none).
 *
 * Output: depth, kind, object, path, detail, relation for rows and size,
 * rows, size, owner schema, owner table, owner columns (for protection).
 */
static const char *const impact_sql =
"WITH RECURSIVE walk AS ("
" SELECT $1::pg_catalog.oid AS classid, $2::pg_catalog.oid AS objid,"
"  $3::pg_catalog.int4 AS objsubid, 0 AS depth,"
"  (SELECT pg_catalog.concat_ws(' ', i.type, i.identity)"
"     FROM pg_catalog.pg_identify_object($1, $2, $3) i) AS path,"
"  ARRAY[pg_catalog.concat_ws('/', $1, $2, $3)] AS seen"
" UNION ALL"
" SELECT n.classid, n.objid, n.objsubid, w.depth OPERATOR(pg_catalog.+) 1,"
"  w.path OPERATOR(pg_catalog.||) ' <- ' OPERATOR(pg_catalog.||)"
"   (SELECT pg_catalog.concat_ws(' ', i.type, i.identity)"
"      FROM pg_catalog.pg_identify_object(n.classid, n.objid, n.objsubid) i),"
"  w.seen OPERATOR(pg_catalog.||) pg_catalog.concat_ws('/', n.classid, n.objid, n.objsubid)"
" FROM walk w CROSS JOIN LATERAL ("
"  SELECT DISTINCT"
"   CASE WHEN r.oid IS NOT NULL THEN 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid"
"        ELSE d.classid END AS classid,"
"   CASE WHEN r.oid IS NOT NULL THEN r.ev_class ELSE d.objid END AS objid,"
"   CASE WHEN r.oid IS NOT NULL THEN 0 ELSE d.objsubid END AS objsubid"
"  FROM pg_catalog.pg_depend d"
"  LEFT JOIN pg_catalog.pg_rewrite r"
"   ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
"   AND r.oid OPERATOR(pg_catalog.=) d.objid"
"  LEFT JOIN pg_catalog.pg_type t"
"   ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass"
"   AND t.oid OPERATOR(pg_catalog.=) d.objid"
"  LEFT JOIN pg_catalog.pg_class c"
"   ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"   AND c.oid OPERATOR(pg_catalog.=) d.objid"
"  LEFT JOIN pg_catalog.pg_trigger g"
"   ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass"
"   AND g.oid OPERATOR(pg_catalog.=) d.objid"
"  LEFT JOIN pg_catalog.pg_attrdef ad"
"   ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
"   AND ad.oid OPERATOR(pg_catalog.=) d.objid"
"  WHERE d.refclassid OPERATOR(pg_catalog.=) w.classid"
"   AND d.refobjid OPERATOR(pg_catalog.=) w.objid"
"   AND (w.objsubid OPERATOR(pg_catalog.=) 0"
"        OR d.refobjsubid OPERATOR(pg_catalog.=) w.objsubid)"
"   AND d.deptype OPERATOR(pg_catalog.=) ANY ('{n,a,i}'::pg_catalog.\"char\"[])"
"   AND w.depth OPERATOR(pg_catalog.<) 8"
"   AND (t.oid IS NULL OR (t.typrelid OPERATOR(pg_catalog.=) 0"
"        AND d.deptype OPERATOR(pg_catalog.<>) 'i'::pg_catalog.\"char\"))"
"   AND (c.oid IS NULL OR c.relkind OPERATOR(pg_catalog.<>) 't'::pg_catalog.\"char\")"
"   AND (g.oid IS NULL OR NOT g.tgisinternal)"
"   AND (ad.oid IS NULL OR ad.adrelid OPERATOR(pg_catalog.<>) $4)"
"   AND (r.oid IS NULL OR r.ev_class OPERATOR(pg_catalog.<>) w.objid)"
"   AND NOT (c.oid IS NOT NULL AND d.objid OPERATOR(pg_catalog.=) $4"
"            AND $3 OPERATOR(pg_catalog.=) 0)"
" ) n"
" WHERE NOT pg_catalog.concat_ws('/', n.classid, n.objid, n.objsubid)"
"   OPERATOR(pg_catalog.=) ANY (w.seen)"
"),"
" extra(classid, objid, objsubid, depth, path) AS ("
"  SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, p.oid, 0, 1,"
"   (SELECT path FROM walk WHERE depth OPERATOR(pg_catalog.=) 0)"
"    OPERATOR(pg_catalog.||) ' <- ' OPERATOR(pg_catalog.||)"
"    (SELECT pg_catalog.concat_ws(' ', i.type, i.identity) FROM pg_catalog.pg_identify_object("
"     'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, 0) i)"
"    OPERATOR(pg_catalog.||) ' (its body names it)'"
"  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn"
"   ON pn.oid OPERATOR(pg_catalog.=) p.pronamespace"
"  JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang"
"  WHERE $5::pg_catalog.text IS NOT NULL"
"   AND l.lanname OPERATOR(pg_catalog.<>) ALL ('{c,internal}'::pg_catalog.name[])"
"   AND pn.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::pg_catalog.name[])"
"   AND p.prosrc OPERATOR(pg_catalog.~*) $5"
"   AND ($6::pg_catalog.text IS NULL OR p.prosrc OPERATOR(pg_catalog.~*) $6)"
"   AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend e"
"    WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass"
"     AND e.objid OPERATOR(pg_catalog.=) p.oid"
"     AND e.deptype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\")"
"  UNION ALL"
"  SELECT 'pg_catalog.pg_publication'::pg_catalog.regclass::pg_catalog.oid, b.oid, 0, 1,"
"   (SELECT path FROM walk WHERE depth OPERATOR(pg_catalog.=) 0)"
"    OPERATOR(pg_catalog.||) ' <- publication ' OPERATOR(pg_catalog.||)"
"    pg_catalog.quote_ident(b.pubname) OPERATOR(pg_catalog.||) ' (FOR ALL TABLES)'"
"  FROM pg_catalog.pg_publication b"
"  WHERE b.puballtables AND $4 OPERATOR(pg_catalog.<>) 0"
"   AND EXISTS (SELECT FROM pg_catalog.pg_class x WHERE x.oid OPERATOR(pg_catalog.=) $4"
"    AND x.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[]))"
"),"
" found AS ("
"  SELECT DISTINCT ON (classid, objid, objsubid) classid, objid, objsubid, depth, path"
"  FROM (SELECT classid, objid, objsubid, depth, path FROM walk"
"        UNION ALL SELECT * FROM extra) u"
"  ORDER BY classid, objid, objsubid, depth, path)"
" SELECT f.depth,"
"  CASE"
"   WHEN f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"    AND f.objsubid OPERATOR(pg_catalog.<>) 0 THEN"
"    CASE WHEN a.attgenerated OPERATOR(pg_catalog.<>) '' THEN 'generated column' ELSE 'column' END"
"   WHEN f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass THEN"
"    CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table'"
"     WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index'"
"     WHEN 'I' THEN 'partitioned index' WHEN 'S' THEN"
"      CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_depend o"
"        WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"         AND o.objid OPERATOR(pg_catalog.=) c.oid"
"         AND o.refobjsubid OPERATOR(pg_catalog.<>) 0"
"         AND o.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog.\"char\"[]))"
"       THEN 'owned sequence' ELSE 'sequence' END"
"     WHEN 'f' THEN 'foreign table' ELSE 'relation' END"
"   WHEN f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN"
"    CASE k.contype"
"     WHEN 'f' THEN CASE"
"      WHEN k.confrelid OPERATOR(pg_catalog.=) $4 AND k.conrelid OPERATOR(pg_catalog.<>) $4"
"       THEN 'foreign key (incoming)'"
"      WHEN k.conrelid OPERATOR(pg_catalog.=) $4 THEN 'foreign key (outgoing)'"
"      ELSE 'foreign key' END"
"     WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint'"
"     WHEN 'c' THEN 'check constraint' WHEN 'x' THEN 'exclusion constraint'"
"     ELSE 'constraint' END"
"   WHEN f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN 'schema'"
"   WHEN f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN 'column default'"
"   WHEN f.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_publication'::pg_catalog.regclass,"
"     'pg_catalog.pg_publication_rel'::pg_catalog.regclass,"
"     'pg_catalog.pg_publication_namespace'::pg_catalog.regclass]::pg_catalog.oid[]) THEN 'publication'"
"   ELSE COALESCE((SELECT i.type FROM pg_catalog.pg_identify_object(f.classid, f.objid, f.objsubid) i))"
"  END,"
"  (SELECT i.identity FROM pg_catalog.pg_identify_object(f.classid, f.objid, f.objsubid) i),"
"  f.path,"
"  CASE"
"   WHEN k.oid IS NOT NULL THEN pg_catalog.pg_get_constraintdef(k.oid)"
"   WHEN a.attname IS NOT NULL THEN pg_catalog.format_type(a.atttypid, a.atttypmod)"
"     OPERATOR(pg_catalog.||) CASE WHEN a.attgenerated OPERATOR(pg_catalog.<>) ''"
"      THEN ' GENERATED ALWAYS AS (' OPERATOR(pg_catalog.||)"
"       pg_catalog.pg_get_expr(gd.adbin, gd.adrelid) OPERATOR(pg_catalog.||) ') STORED' ELSE '' END"
"   WHEN c.relkind OPERATOR(pg_catalog.=) ANY ('{i,I}'::pg_catalog.\"char\"[])"
"    THEN pg_catalog.pg_get_indexdef(c.oid)"
"   WHEN g.oid IS NOT NULL THEN pg_catalog.pg_get_triggerdef(g.oid)"
"   WHEN po.oid IS NOT NULL THEN pg_catalog.concat_ws(' ', 'FOR',"
"     CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'"
"      WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,"
"     'USING (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(po.polqual, po.polrelid) OPERATOR(pg_catalog.||) ')')"
"   WHEN ad.oid IS NOT NULL THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)"
"  END,"
"  CASE WHEN rel.reltuples OPERATOR(pg_catalog.>=) 0::pg_catalog.float4 THEN rel.reltuples::pg_catalog.int8 END,"
"  CASE WHEN c.oid IS NOT NULL AND f.objsubid OPERATOR(pg_catalog.=) 0"
"    AND c.relkind OPERATOR(pg_catalog.<>) ALL ('{v,c,f}'::pg_catalog.\"char\"[])"
"   THEN pg_catalog.pg_total_relation_size(c.oid) END,"
"  own_n.nspname::pg_catalog.text, own.relname::pg_catalog.text,"
"  (SELECT pg_catalog.array_agg(oa.attname::pg_catalog.text ORDER BY oa.attnum)"
"    FROM pg_catalog.pg_attribute oa"
"    WHERE oa.attrelid OPERATOR(pg_catalog.=) own.oid"
"     AND oa.attnum OPERATOR(pg_catalog.=) ANY (CASE"
"      WHEN a.attnum IS NOT NULL THEN ARRAY[a.attnum]"
"      WHEN x.indexrelid IS NOT NULL THEN x.indkey::pg_catalog.int2[]"
"      WHEN k.oid IS NOT NULL THEN k.conkey"
"      WHEN ad.oid IS NOT NULL THEN ARRAY[ad.adnum] END)),"
"  f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"   AND c.relkind OPERATOR(pg_catalog.<>) ALL ('{i,I}'::pg_catalog.\"char\"[]),"
"  c.oid, a.attname::pg_catalog.text,"
"  CASE WHEN k.contype OPERATOR(pg_catalog.=) 'f'::pg_catalog.\"char\" AND NOT k.convalidated"
"   THEN k.oid END"
" FROM found f"
" LEFT JOIN pg_catalog.pg_class c"
"  ON f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"  AND c.oid OPERATOR(pg_catalog.=) f.objid"
" LEFT JOIN pg_catalog.pg_attribute a"
"  ON c.oid IS NOT NULL AND f.objsubid OPERATOR(pg_catalog.<>) 0"
"  AND a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.=) f.objsubid"
" LEFT JOIN pg_catalog.pg_attrdef gd"
"  ON a.attgenerated OPERATOR(pg_catalog.<>) '' AND gd.adrelid OPERATOR(pg_catalog.=) a.attrelid"
"  AND gd.adnum OPERATOR(pg_catalog.=) a.attnum"
" LEFT JOIN pg_catalog.pg_index x ON x.indexrelid OPERATOR(pg_catalog.=) c.oid"
" LEFT JOIN pg_catalog.pg_constraint k"
"  ON f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass"
"  AND k.oid OPERATOR(pg_catalog.=) f.objid"
" LEFT JOIN pg_catalog.pg_trigger g"
"  ON f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass"
"  AND g.oid OPERATOR(pg_catalog.=) f.objid"
" LEFT JOIN pg_catalog.pg_policy po"
"  ON f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass"
"  AND po.oid OPERATOR(pg_catalog.=) f.objid"
" LEFT JOIN pg_catalog.pg_attrdef ad"
"  ON f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
"  AND ad.oid OPERATOR(pg_catalog.=) f.objid"
" LEFT JOIN pg_catalog.pg_publication_rel pr"
"  ON f.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_publication_rel'::pg_catalog.regclass"
"  AND pr.oid OPERATOR(pg_catalog.=) f.objid"
" LEFT JOIN pg_catalog.pg_class rel ON rel.oid OPERATOR(pg_catalog.=) COALESCE(c.oid,"
"  k.conrelid, g.tgrelid, po.polrelid, ad.adrelid, pr.prrelid)"
" LEFT JOIN pg_catalog.pg_class own ON own.oid OPERATOR(pg_catalog.=) COALESCE(x.indrelid,"
"  c.oid, k.conrelid, g.tgrelid, po.polrelid, ad.adrelid)"
" LEFT JOIN pg_catalog.pg_namespace own_n ON own_n.oid OPERATOR(pg_catalog.=) own.relnamespace"
" ORDER BY f.depth, f.path";

/* Output columns of migrate_impact, and of the query's extra columns. */
#define Natts_impact			10
#define Q_OWNER_SCHEMA			8
#define Q_OWNER_TABLE			9
#define Q_OWNER_COLUMNS			10
#define Q_IS_RELATION			11
#define Q_RELID					12
#define Q_COLUMN				13
#define Q_UNVALIDATED_FK		14

/* A regular expression matching name as a whole word, case-insensitively. */
static char *
word_regex(const char *name, bool qualifier)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "\\m");
	for (const char *p = name; *p; p++)
	{
		if (!isalnum((unsigned char) *p) && *p != '_' &&
			!IS_HIGHBIT_SET(*p))
			appendStringInfoChar(&buf, '\\');
		appendStringInfoChar(&buf, *p);
	}
	appendStringInfoString(&buf, qualifier ? "\"?\\s*\\." : "\\M");
	return buf.data;
}

/* schema.relation, quoted as needed. */
static char *
qualified_relname(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/*
 * Resolve object as SQL would: "name" a schema or a relation on the
 * search_path, "a.b" relation b of schema a or column b of relation a on
 * the search_path, "a.b.c" column c of relation a.b.  Sets *nsp, *relid
 * and *attnum (0: the whole relation); for a schema relid is invalid.
 */
static void
resolve_object(const char *object, Oid *nsp, Oid *relid, AttrNumber *attnum)
{
	List	   *names = stringToQualifiedNameList(object);
	Oid			as_schema = InvalidOid;
	Oid			as_relation = InvalidOid;
	Oid			col_rel = InvalidOid;
	AttrNumber	col_att = InvalidAttrNumber;
	int			n = list_length(names);

	*nsp = InvalidOid;
	*relid = InvalidOid;
	*attnum = 0;
	if (n < 1 || n > 3)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("improper object name \"%s\"", object),
				 errhint("Name a schema, a table (schema.table) or a column (table.column or schema.table.column).")));
	if (n == 1)
	{
		as_schema = get_namespace_oid(strVal(linitial(names)), true);
		as_relation = RelnameGetRelid(strVal(linitial(names)));
	}
	else if (n == 2)
	{
		Oid			s = get_namespace_oid(strVal(linitial(names)), true);

		if (OidIsValid(s))
			as_relation = get_relname_relid(strVal(lsecond(names)), s);
		col_rel = RelnameGetRelid(strVal(linitial(names)));
		if (OidIsValid(col_rel))
		{
			col_att = get_attnum(col_rel, strVal(lsecond(names)));
			if (col_att <= 0)
				col_rel = InvalidOid;
		}
	}
	else
	{
		Oid			s = get_namespace_oid(strVal(linitial(names)), true);

		if (OidIsValid(s))
			col_rel = get_relname_relid(strVal(lsecond(names)), s);
		if (OidIsValid(col_rel))
		{
			col_att = get_attnum(col_rel, strVal(lthird(names)));
			if (col_att <= 0)
				col_rel = InvalidOid;
		}
	}

	if (OidIsValid(as_schema) && OidIsValid(as_relation))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_AMBIGUOUS_OBJECT),
				 errmsg("object name \"%s\" is ambiguous", object),
				 errdetail("It names schema \"%s\" and relation %s.",
						   strVal(linitial(names)), qualified_relname(as_relation)),
				 errhint("Qualify the name: schema.table for a table, schema.table.column for a column.")));
	if (OidIsValid(as_relation) && OidIsValid(col_rel))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_AMBIGUOUS_OBJECT),
				 errmsg("object name \"%s\" is ambiguous", object),
				 errdetail("It names relation %s and column \"%s\" of relation %s.",
						   qualified_relname(as_relation), strVal(lsecond(names)),
						   qualified_relname(col_rel)),
				 errhint("Qualify the name: schema.table for a table, schema.table.column for a column.")));
	if (OidIsValid(as_schema))
	{
		*nsp = as_schema;
		return;
	}
	if (OidIsValid(as_relation))
	{
		*relid = as_relation;
		*nsp = get_rel_namespace(as_relation);
		return;
	}
	if (OidIsValid(col_rel))
	{
		*relid = col_rel;
		*nsp = get_rel_namespace(col_rel);
		*attnum = col_att;
		return;
	}
	if (n == 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("object \"%s\" does not exist", object),
				 errdetail("It names no schema and no relation on the search_path."),
				 errhint("Name a schema, a table (schema.table) or a column (table.column or schema.table.column).")));
	if (n == 2)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("object \"%s\" does not exist", object),
				 errdetail("It names no relation of a schema \"%s\" and no column of a relation \"%s\" on the search_path.",
						   strVal(linitial(names)), strVal(linitial(names))),
				 errhint("Name a schema, a table (schema.table) or a column (table.column or schema.table.column).")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("object \"%s\" does not exist", object),
			 errdetail("It names no column of a relation \"%s.%s\".",
					   strVal(linitial(names)), strVal(lsecond(names))),
			 errhint("Name a schema, a table (schema.table) or a column (table.column or schema.table.column).")));
}

/* Add what one statement of an applied revision created or touched. */
static void
collect_touches(List **touches, const char *revision, Node *stmt)
{
	ListCell   *lc;
	RangeVar   *created = NULL;

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			created = ((CreateStmt *) stmt)->relation;
			break;
		case T_CreateTableAsStmt:
			created = ((CreateTableAsStmt *) stmt)->into->rel;
			break;
		case T_ViewStmt:
			created = ((ViewStmt *) stmt)->view;
			break;
		case T_CreateSeqStmt:
			created = ((CreateSeqStmt *) stmt)->sequence;
			break;
		case T_IndexStmt:
			{
				IndexStmt  *ix = (IndexStmt *) stmt;
				Oid			table = RangeVarGetRelid(ix->relation, NoLock, true);

				if (ix->idxname && OidIsValid(table))
				{
					ImpactTouch *t = palloc0(sizeof(ImpactTouch));

					t->revision = revision;
					t->relid = get_relname_relid(ix->idxname,
												 get_rel_namespace(table));
					t->created = true;
					if (OidIsValid(t->relid))
						*touches = lappend(*touches, t);
				}
				if (OidIsValid(table))
				{
					ImpactTouch *t = palloc0(sizeof(ImpactTouch));

					t->revision = revision;
					t->relid = table;
					*touches = lappend(*touches, t);
				}
			}
			break;
		case T_CreateSchemaStmt:
			{
				ImpactTouch *t = palloc0(sizeof(ImpactTouch));

				t->revision = revision;
				t->nsp = get_namespace_oid(((CreateSchemaStmt *) stmt)->schemaname
										   ? ((CreateSchemaStmt *) stmt)->schemaname
										   : "", true);
				t->created = true;
				if (OidIsValid(t->nsp))
					*touches = lappend(*touches, t);
			}
			break;
		case T_AlterTableStmt:
			{
				AlterTableStmt *at = (AlterTableStmt *) stmt;
				Oid			table = RangeVarGetRelid(at->relation, NoLock, true);

				foreach(lc, at->cmds)
				{
					AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

					if (cmd->subtype == AT_AddColumn && OidIsValid(table))
					{
						ImpactTouch *t = palloc0(sizeof(ImpactTouch));

						t->revision = revision;
						t->relid = table;
						t->column = pstrdup(castNode(ColumnDef, cmd->def)->colname);
						t->created = true;
						*touches = lappend(*touches, t);
					}
				}
			}
			break;
		default:
			break;
	}
	if (created)
	{
		ImpactTouch *t = palloc0(sizeof(ImpactTouch));

		t->revision = revision;
		t->relid = RangeVarGetRelid(created, NoLock, true);
		t->created = true;
		if (OidIsValid(t->relid))
			*touches = lappend(*touches, t);
		return;
	}
	foreach(lc, GuardStatementTargets(stmt))
	{
		GuardTarget *g = lfirst(lc);
		ImpactTouch *t = palloc0(sizeof(ImpactTouch));

		t->revision = revision;
		t->relid = g->table ? g->relid : InvalidOid;
		t->nsp = g->schema_itself ? get_namespace_oid(g->schema, true) : InvalidOid;
		t->column = g->column;
		if (OidIsValid(t->relid) || OidIsValid(t->nsp))
			*touches = lappend(*touches, t);
	}
}

/*
 * What the upgrade of each applied revision created or touched: the
 * effects its last upgrade logged (any object, by identity), then its
 * upgrade SQL parsed again (relations, columns and schemas, by the names
 * as they resolve now), in the order the revisions were added.  A
 * revision whose SQL no longer parses (it cannot, once stored) is
 * skipped.
 */
static List *
applied_touches(void)
{
	List	   *touches = NIL;
	ListCell   *lc;

	/* what the event triggers saw, for the revisions run since 0.2.0 */
	foreach(lc, CatalogAppliedEffects())
	{
		CatalogEffect *e = lfirst(lc);
		ImpactTouch *t = palloc0(sizeof(ImpactTouch));

		t->revision = e->revision;
		t->identity = e->object;
		t->created = strcmp(e->action, "created") == 0;
		touches = lappend(touches, t);
	}

	foreach(lc, CatalogAllRevisions())
	{
		CatalogRevision *rev = lfirst(lc);
		ListCell   *ls;

		if (!rev->applied)
			continue;
		foreach(ls, SqlSplit(rev->upgrade, rev->id))
		{
			SqlStatement *st = lfirst(ls);

			if (st->parsetree)
				collect_touches(&touches, rev->id, st->parsetree);
		}
	}
	return touches;
}

/* Does touch t concern the relation (column) or schema? */
static bool
touch_matches(ImpactTouch *t, Oid relid, Oid nsp, const char *column,
			  const char *identity)
{
	if (t->identity)
		return identity != NULL && strcmp(t->identity, identity) == 0;
	if (OidIsValid(relid))
		return t->relid == relid &&
			(column == NULL || t->column == NULL || strcmp(column, t->column) == 0);
	return OidIsValid(nsp) && t->nsp == nsp;
}

/*
 * "id (created)" / "id (changed)" for each revision that created or
 * touched the relation, column or schema, or (Datum) 0.  A column is
 * created by its ADD COLUMN or its table's CREATE; a revision that
 * created the object is not listed again as changing it.
 */
static Datum
revisions_of(List *touches, Oid relid, Oid nsp, const char *column,
			 const char *identity)
{
	List	   *created = NIL;
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, touches)
	{
		ImpactTouch *t = lfirst(lc);

		if (touch_matches(t, relid, nsp, column, identity) && t->created &&
			(!OidIsValid(relid) || column != NULL || t->column == NULL))
			created = list_append_unique(created, makeString((char *) t->revision));
	}
	foreach(lc, touches)
	{
		ImpactTouch *t = lfirst(lc);
		String	   *rev = makeString((char *) t->revision);
		char	   *entry;

		if (!touch_matches(t, relid, nsp, column, identity))
			continue;
		entry = psprintf("%s (%s)", t->revision,
						 list_member(created, rev) ? "created" : "changed");
		out = list_append_unique(out, makeString(entry));
	}
	if (out == NIL)
		return (Datum) 0;
	{
		List	   *strings = NIL;

		foreach(lc, out)
			strings = lappend(strings, strVal(lfirst(lc)));
		return TextArrayFromList(strings);
	}
}

/*
 * The rows of a foreign key that is not validated yet that have no
 * referenced row ("orphans"), counted as the caller; -1 when the caller
 * may not read the tables.  Reads both tables in full.
 */
typedef struct OrphanCount
{
	Oid			constraint;
	int64		count;
} OrphanCount;

static void
count_orphans_in(void *arg)
{
	static const char *const def_sql =
	"SELECT pg_catalog.quote_ident(cn.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||)"
	"  pg_catalog.quote_ident(c.relname),"
	" pg_catalog.quote_ident(fn.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||)"
	"  pg_catalog.quote_ident(f.relname),"
	" (SELECT pg_catalog.string_agg(pg_catalog.format("
	"   'r.%I OPERATOR(pg_catalog.=) t.%I', fa.attname, ca.attname), ' AND ' ORDER BY u.n)"
	"  FROM ROWS FROM (pg_catalog.unnest(k.conkey), pg_catalog.unnest(k.confkey))"
	"  WITH ORDINALITY AS u(ck, fk, n)"
	"  JOIN pg_catalog.pg_attribute ca ON ca.attrelid OPERATOR(pg_catalog.=) k.conrelid"
	"   AND ca.attnum OPERATOR(pg_catalog.=) u.ck"
	"  JOIN pg_catalog.pg_attribute fa ON fa.attrelid OPERATOR(pg_catalog.=) k.confrelid"
	"   AND fa.attnum OPERATOR(pg_catalog.=) u.fk),"
	" (SELECT pg_catalog.string_agg(pg_catalog.format('t.%I IS NOT NULL', ca.attname), ' AND ')"
	"  FROM pg_catalog.pg_attribute ca WHERE ca.attrelid OPERATOR(pg_catalog.=) k.conrelid"
	"   AND ca.attnum OPERATOR(pg_catalog.=) ANY (k.conkey))"
	" FROM pg_catalog.pg_constraint k"
	" JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.conrelid"
	" JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) c.relnamespace"
	" JOIN pg_catalog.pg_class f ON f.oid OPERATOR(pg_catalog.=) k.confrelid"
	" JOIN pg_catalog.pg_namespace fn ON fn.oid OPERATOR(pg_catalog.=) f.relnamespace"
	" WHERE k.oid OPERATOR(pg_catalog.=) $1";
	OrphanCount *oc = arg;
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(oc->constraint)};
	char	   *sql;
	bool		isnull;

	if (SPI_execute_with_args(def_sql, 1, types, values, NULL, true, 1) !=
		SPI_OK_SELECT || SPI_processed != 1)
		return;
	sql = psprintf("SELECT pg_catalog.count(*) FROM ONLY %s t WHERE %s"
				   " AND NOT EXISTS (SELECT FROM ONLY %s r WHERE %s)",
				   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
				   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4),
				   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
				   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3));
	if (SPI_execute(sql, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		oc->count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 1,
												&isnull));
}

static int64
count_orphans(Oid constraint)
{
	OrphanCount oc = {constraint, -1};
	ErrorData  *edata;

	edata = SubxactRun(count_orphans_in, &oc, false);
	if (edata)
	{
		if (edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE)
			ReThrowError(edata);
		FreeErrorData(edata);
		return -1;
	}
	return oc.count;
}

/*
 * The protection of a relation or of some of its columns, or NULL; with
 * whole_table, of the relation or any of its columns (a table dropped
 * takes its protected columns with it).
 */
static CatalogProtected *
protection_of(List *protected, const char *schema, const char *table,
			  List *columns, bool whole_table)
{
	ListCell   *lc;

	if (schema == NULL || table == NULL)
		return NULL;
	foreach(lc, protected)
	{
		CatalogProtected *p = lfirst(lc);
		ListCell   *lcol;

		if (strcmp(p->schema, schema) != 0 || strcmp(p->table, table) != 0)
			continue;
		if (p->column[0] == '\0' || whole_table)
			return p;
		foreach(lcol, columns)
			if (strcmp(p->column, (char *) lfirst(lcol)) == 0)
				return p;
	}
	return NULL;
}

/*
 * A Citus table is one table: its rows and bytes are in its shards on the
 * workers (the shards' statistics summed, and citus_total_relation_size),
 * not in the empty table the coordinator holds, and the detail says how
 * Citus places it.  The shards themselves never appear: they are not
 * dependents of the table in pg_depend, and Citus hides them from the
 * catalog queries of ordinary sessions.
 */
static void
citus_table_row(Oid relid, Datum *out, bool *outnull)
{
	CitusTable	table;
	double		rows;
	int64		size;

	if (CitusTableLookup(relid, &table) == CITUS_NONE)
		return;
	out[4] = CStringGetTextDatum(CitusDescribe(relid, &table));
	outnull[4] = false;
	if (table.kind == CITUS_LOCAL)
		return;
	rows = CitusEstimateRows(relid);
	out[5] = Int64GetDatum((int64) rows);
	outnull[5] = rows < 0;
	size = CitusTotalSize(relid);
	out[6] = Int64GetDatum(size);
	outnull[6] = size < 0;
}

/*
 * migrate_impact(object text): one row per dependent of a schema, a table
 * or a column, the object itself first (depth 0).  Takes no lock on user
 * tables.
 */
Datum
migrate_impact(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *object;
	Oid			nsp;
	Oid			relid;
	AttrNumber	attnum;
	Oid			types[6] = {OIDOID, OIDOID, INT4OID, OIDOID, TEXTOID, TEXTOID};
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	List	   *protected;
	List	   *touches;
	MemoryContext caller = CurrentMemoryContext;
	SPITupleTable *tuptable;
	int			nest;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("object cannot be NULL")));
	object = text_to_cstring(PG_GETARG_TEXT_PP(0));
	InitMaterializedSRF(fcinfo, 0);
	resolve_object(object, &nsp, &relid, &attnum);
	protected = CatalogProtectedList();
	touches = applied_touches();

	if (OidIsValid(relid))
	{
		values[0] = ObjectIdGetDatum(RelationRelationId);
		values[1] = ObjectIdGetDatum(relid);
		values[2] = Int32GetDatum(attnum);
		values[3] = ObjectIdGetDatum(relid);
		values[4] = CStringGetTextDatum(word_regex(get_rel_name(relid), false));
		if (attnum > 0)
			values[5] = CStringGetTextDatum(word_regex(get_attname(relid, attnum, false),
													   false));
		else
			nulls[5] = 'n';
	}
	else
	{
		values[0] = ObjectIdGetDatum(NamespaceRelationId);
		values[1] = ObjectIdGetDatum(nsp);
		values[2] = Int32GetDatum(0);
		values[3] = ObjectIdGetDatum(InvalidOid);
		values[4] = CStringGetTextDatum(word_regex(get_namespace_name(nsp), true));
		nulls[5] = 'n';
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nest = NewGUCNestLevel();
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	CitusHideShards();
	if (SPI_execute_with_args(impact_sql, 6, types, values, nulls, true, 0) !=
		SPI_OK_SELECT)
		elog(ERROR, "could not read the dependents of \"%s\"", object);

	AtEOXact_GUC(true, nest);
	tuptable = SPI_tuptable;	/* count_orphans runs queries too */
	for (uint64 r = 0; r < tuptable->numvals; r++)
	{
		HeapTuple	tup = tuptable->vals[r];
		TupleDesc	desc = tuptable->tupdesc;
		Datum		out[Natts_impact];
		bool		outnull[Natts_impact];
		bool		isnull;
		char	   *owner_schema = SPI_getvalue(tup, desc, Q_OWNER_SCHEMA);
		char	   *owner_table = SPI_getvalue(tup, desc, Q_OWNER_TABLE);
		Datum		cols = SPI_getbinval(tup, desc, Q_OWNER_COLUMNS, &isnull);
		List	   *columns = isnull ? NIL :
			TextArrayToList(DatumGetArrayTypeP(cols), "columns");
		CatalogProtected *p;
		bool		is_relation;
		Datum		fk;
		MemoryContext spi;

		for (int i = 0; i < 7; i++)
			out[i] = SPI_getbinval(tup, desc, i + 1, &outnull[i]);
		fk = SPI_getbinval(tup, desc, Q_UNVALIDATED_FK, &isnull);
		if (!isnull)
		{
			int64		orphans = count_orphans(DatumGetObjectId(fk));
			char	   *detail = TextDatumGetCString(out[4]);

			out[4] = CStringGetTextDatum(orphans < 0 ?
										 psprintf("%s; orphaned rows not counted: no SELECT privilege", detail) :
										 psprintf("%s; " INT64_FORMAT " orphaned row%s",
												  detail, orphans, orphans == 1 ? "" : "s"));
		}
		is_relation = DatumGetBool(SPI_getbinval(tup, desc, Q_IS_RELATION, &isnull)) && !isnull;
		if (is_relation && SPI_getvalue(tup, desc, Q_COLUMN) == NULL)
		{
			Datum		rel = SPI_getbinval(tup, desc, Q_RELID, &isnull);

			if (!isnull)
				citus_table_row(DatumGetObjectId(rel), out, outnull);
		}
		p = protection_of(protected, owner_schema, owner_table, columns,
						  is_relation && columns == NIL);
		out[7] = BoolGetDatum(p != NULL);
		outnull[7] = false;
		outnull[8] = p == NULL;
		out[8] = p ? CStringGetTextDatum(psprintf("%s: %s",
												  ProtectedObjectName(p), p->reason)) : (Datum) 0;

		{
			Oid			rel = InvalidOid;
			Oid			row_nsp = InvalidOid;
			char	   *column = NULL;

			if (r == 0 && !OidIsValid(relid))
				row_nsp = nsp;
			else if (is_relation ||
					 DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull)) == 0)
			{
				rel = DatumGetObjectId(SPI_getbinval(tup, desc, Q_RELID, &isnull));
				if (isnull)
					rel = InvalidOid;
				column = SPI_getvalue(tup, desc, Q_COLUMN);
			}
			out[9] = revisions_of(touches, rel, row_nsp, column,
								  SPI_getvalue(tup, desc, 3));
		}
		outnull[9] = out[9] == (Datum) 0;

		spi = MemoryContextSwitchTo(caller);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, outnull);
		MemoryContextSwitchTo(spi);
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	return (Datum) 0;
}
