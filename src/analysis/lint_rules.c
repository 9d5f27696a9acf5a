/*-------------------------------------------------------------------------
 *
 * lint_rules.c
 *	  The safety rules: one check function per rule, and the rule table at
 *	  the end of the file (id, default severity, summary, why, the safe
 *	  alternative).  ../shared/RULES.md is the catalogue they come from;
 *	  rule ids are public names and never change.
 *
 * A check looks at one raw parse tree and reports through LintReport.  It
 * may ask the driver what earlier statements of the same text did
 * (LintCreated, LintObjectFlags) and, when the lint is live, what the
 * catalogs say (LintRelation and friends).  A finding is reported with
 * "state" true when the database's state could clear it (a small or empty
 * table, an existing constraint): such findings never refuse a revision at
 * load, and are decided right before the statement runs.
 *
 * Checks record nothing, except the report-once flags of the rules that
 * report once per text or per table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "parser/parse_utilcmd.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "migrate/analysis/lint_internal.h"
#include "migrate/analysis/protect.h"
#include "migrate/catalog/citus.h"

/*
 * Helpers
 */

/* The statement if it is ALTER TABLE (of a table), else NULL. */
static AlterTableStmt *
alter_table(Node *stmt)
{
	if (IsA(stmt, AlterTableStmt) &&
		((AlterTableStmt *) stmt)->objtype == OBJECT_TABLE)
		return (AlterTableStmt *) stmt;
	return NULL;
}

/* The column an ALTER TABLE ... ADD COLUMN subcommand adds, else NULL. */
static ColumnDef *
added_column(AlterTableCmd *cmd)
{
	if (cmd->subtype == AT_AddColumn && cmd->def && IsA(cmd->def, ColumnDef))
		return (ColumnDef *) cmd->def;
	return NULL;
}

/* The constraint an ADD CONSTRAINT subcommand adds, else NULL. */
static Constraint *
added_constraint(AlterTableCmd *cmd)
{
	if (cmd->subtype == AT_AddConstraint && cmd->def &&
		IsA(cmd->def, Constraint))
		return (Constraint *) cmd->def;
	return NULL;
}

static Constraint *
find_contype(List *constraints, ConstrType contype)
{
	ListCell   *lc;

	foreach(lc, constraints)
	{
		Node	   *n = lfirst(lc);

		if (IsA(n, Constraint) && ((Constraint *) n)->contype == contype)
			return (Constraint *) n;
	}
	return NULL;
}

/* Last component of a type name ("int4" for pg_catalog.int4). */
static const char *
type_name(TypeName *tn)
{
	if (tn == NULL || tn->names == NIL || !IsA(llast(tn->names), String))
		return "";
	return strVal(llast(tn->names));
}

/* Is tn the built-in type "name" (bare, or qualified with pg_catalog)? */
static bool
type_is(TypeName *tn, const char *name)
{
	if (strcmp(type_name(tn), name) != 0)
		return false;
	return list_length(tn->names) == 1 ||
		(list_length(tn->names) == 2 && IsA(linitial(tn->names), String) &&
		 strcmp(strVal(linitial(tn->names)), "pg_catalog") == 0);
}

static bool
is_serial(TypeName *tn)
{
	return tn && list_length(tn->names) == 1 && tn->arrayBounds == NIL &&
		(type_is(tn, "serial") || type_is(tn, "serial4") ||
		 type_is(tn, "bigserial") || type_is(tn, "serial8") ||
		 type_is(tn, "smallserial") || type_is(tn, "serial2"));
}

/* The type a TypeName names now, or InvalidOid; never raises an error. */
static Oid
lookup_type(TypeName *tn)
{
	Type		tup;
	Oid			oid;

	if (tn == NULL || tn->pct_type || list_length(tn->names) > 2 ||
		is_serial(tn))
		return InvalidOid;
	tup = LookupTypeName(NULL, tn, NULL, true);
	if (tup == NULL)
		return InvalidOid;
	oid = typeTypeId(tup);
	ReleaseSysCache(tup);
	return oid;
}

/* A type as the user would write it, for messages. */
static const char *
type_display(TypeName *tn)
{
	Oid			type = lookup_type(tn);
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoString(&buf, OidIsValid(type) ? format_type_be(type) :
						   LintNameList(tn->names));
	foreach(lc, tn->typmods)
	{
		Node	   *mod = lfirst(lc);

		if (!IsA(mod, A_Const) || !IsA(&((A_Const *) mod)->val, Integer))
			break;
		appendStringInfo(&buf, "%s%d", foreach_current_index(lc) == 0 ? "(" : ",",
						 intVal(&((A_Const *) mod)->val));
		if (lnext(tn->typmods, lc) == NULL)
			appendStringInfoChar(&buf, ')');
	}
	return buf.data;
}

/*
 * Should a lock or rewrite rule stay silent about this table?  Yes when an
 * earlier statement created it, or the catalogs say it is empty or small
 * (with "exact_empty": only when it really holds no row).  Otherwise *note
 * tells what is known, for the message.
 */
static bool
table_is_harmless(LintContext *cx, RangeVar *rv, bool exact_empty, char **note)
{
	double		rows;

	switch (LintRelation(cx, rv, exact_empty, &rows))
	{
		case LINT_REL_NEW:
		case LINT_REL_EMPTY:
			return true;
		case LINT_REL_SMALL:
			if (!exact_empty)
				return true;
			*note = " (it holds rows)";
			return false;
		case LINT_REL_LARGE:
			*note = psprintf(" (about %.0f rows)", rows);
			return false;
		case LINT_REL_UNKNOWN:
			break;
	}
	*note = "";
	return false;
}

/*
 * Hazards that depend on data are decided against it: a statement that
 * drops, renames, empties or rewrites what holds no row loses nothing and
 * breaks no client that reads rows.  So a history that ran in production
 * replays on an empty database without a finding, and the same statement
 * is still stopped on a populated table.  "Holds nothing" is true for an
 * object the text created (or this transaction: an earlier revision of
 * the same call), and, with the live catalogs (at load against the
 * database, and right before the statement runs), for one that holds no
 * row.  The DDL guard (LINT_MODE_DDL) looks at no row, so there only new
 * objects count.
 */

static bool relid_holds_nothing(LintContext *cx, Oid relid, int depth,
								char **note);

/* The name list of a DROP TYPE / DROP DOMAIN object. */
static List *
typename_names(Node *object)
{
	return object != NULL && IsA(object, TypeName) ?
		((TypeName *) object)->names : NIL;
}

/* Can the rows be looked at? */
static bool
rows_visible(LintContext *cx)
{
	return LintLive(cx) && cx->opts->mode != LINT_MODE_DDL;
}

/* Does the table (or view, sequence) that rv names hold nothing? */
static bool
table_holds_nothing(LintContext *cx, RangeVar *rv, char **note)
{
	Oid			relid;

	*note = "";
	if (rv == NULL)
		return false;
	if (LintCreated(cx, rv))
		return true;
	if (!LintLive(cx))
		return false;
	relid = LintRelid(cx, rv);
	if (!OidIsValid(relid))
		return cx->opts->mode != LINT_MODE_LIVE && cx->opts->mode != LINT_MODE_DDL;
	return relid_holds_nothing(cx, relid, 0, note);
}

/* The relations a view's query reads (its _RETURN rule's dependencies). */
static List *
view_relations(Oid viewid)
{
	Relation	rel = relation_open(viewid, AccessShareLock);
	List	   *result = NIL;

	if (rel->rd_rules != NULL)
	{
		for (int i = 0; i < rel->rd_rules->numLocks; i++)
		{
			Oid			rule = rel->rd_rules->rules[i]->ruleId;
			Relation	dep = table_open(DependRelationId, AccessShareLock);
			ScanKeyData key[2];
			SysScanDesc scan;
			HeapTuple	tup;

			ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber,
						F_OIDEQ, ObjectIdGetDatum(RewriteRelationId));
			ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber,
						F_OIDEQ, ObjectIdGetDatum(rule));
			scan = systable_beginscan(dep, DependDependerIndexId, true, NULL,
									  2, key);
			while (HeapTupleIsValid(tup = systable_getnext(scan)))
			{
				Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

				if (d->refclassid == RelationRelationId && d->refobjid != viewid)
					result = list_append_unique_oid(result, d->refobjid);
			}
			systable_endscan(scan);
			table_close(dep, AccessShareLock);
		}
	}
	relation_close(rel, NoLock);
	return result;
}

/* Has the sequence never handed out a value? */
static bool
sequence_unused(Oid seqid)
{
	LOCAL_FCINFO(fcinfo, 1);

	if (pg_class_aclcheck(seqid, GetUserId(), ACL_SELECT | ACL_USAGE) != ACLCHECK_OK)
		return false;
	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = ObjectIdGetDatum(seqid);
	fcinfo->args[0].isnull = false;
	(void) pg_sequence_last_value(fcinfo);
	return fcinfo->isnull;
}

/*
 * Does the relation hold nothing: a table or materialized view with no
 * row, a view all of whose relations hold nothing, a sequence never used?
 */
static bool
relid_holds_nothing(LintContext *cx, Oid relid, int depth, char **note)
{
	char		relkind = get_rel_relkind(relid);
	RangeVar   *rv;
	double		rows;

	*note = "";
	if (!rows_visible(cx))
	{
		/* the guard: only what this transaction created */
		if (cx->opts->mode == LINT_MODE_DDL &&
			CheckRelationOidLockedByMe(relid, AccessShareLock, true))
		{
			Relation	rel = relation_open(relid, NoLock);
			bool		created = rel->rd_createSubid != InvalidSubTransactionId;

			relation_close(rel, NoLock);
			return created;
		}
		return false;
	}
	if (relkind == RELKIND_SEQUENCE)
		return sequence_unused(relid);
	if (relkind == RELKIND_VIEW)
	{
		ListCell   *lc;

		if (depth > 8)
			return false;
		foreach(lc, view_relations(relid))
			if (!relid_holds_nothing(cx, lfirst_oid(lc), depth + 1, note))
				return false;
		return true;
	}
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
		relkind != RELKIND_MATVIEW)
		return false;
	rv = makeRangeVar(get_namespace_name(get_rel_namespace(relid)),
					  get_rel_name(relid), -1);
	switch (LintRelation(cx, rv, true, &rows))
	{
		case LINT_REL_NEW:
		case LINT_REL_EMPTY:
			return true;
		case LINT_REL_SMALL:
			if (LintRowsFromMigrations(cx, relid, false))
				return true;	/* the history's own rows */
			*note = " (it holds rows)";
			return false;
		case LINT_REL_LARGE:
			if (LintRowsFromMigrations(cx, relid, false))
				return true;
			*note = psprintf(" (about %.0f rows)", rows);
			return false;
		case LINT_REL_UNKNOWN:
			break;
	}
	return false;
}

/* Do the tables, views and sequences of a schema hold nothing? */
static bool
schema_holds_nothing(LintContext *cx, const char *schema, char **note)
{
	bool		created;
	Oid			nsp;
	Relation	pg_class_rel;
	TableScanDesc scan;
	HeapTuple	tup;
	bool		result = true;

	*note = "";
	(void) LintObjectFlags(cx, LINT_OBJ_SCHEMA, NULL, schema, &created);
	if (created)
		return true;
	if (!rows_visible(cx))
		return false;
	nsp = get_namespace_oid(schema, true);
	if (!OidIsValid(nsp))
		return cx->opts->mode != LINT_MODE_LIVE;
	pg_class_rel = table_open(RelationRelationId, AccessShareLock);
	scan = table_beginscan_catalog(pg_class_rel, 0, NULL);
	while (result && HeapTupleIsValid(tup = heap_getnext(scan, ForwardScanDirection)))
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);

		if (c->relnamespace != nsp ||
			!(c->relkind == RELKIND_RELATION || c->relkind == RELKIND_MATVIEW ||
			  c->relkind == RELKIND_SEQUENCE))
			continue;
		result = relid_holds_nothing(cx, c->oid, 0, note);
	}
	table_endscan(scan);
	table_close(pg_class_rel, AccessShareLock);
	return result;
}

/*
 * Does no row of any table hold a value of the type (through columns of
 * it, of its array type, or of domains over it)?
 */
static bool
type_holds_nothing(LintContext *cx, List *names, char **note)
{
	bool		created;
	Type		tup;
	List	   *types;
	Relation	dep;
	bool		result = true;

	*note = "";
	if (names == NIL)
		return false;
	(void) LintObjectFlags(cx, LINT_OBJ_TYPE, NULL, strVal(llast(names)), &created);
	if (created)
		return true;
	if (!rows_visible(cx))
		return false;
	tup = LookupTypeName(NULL, makeTypeNameFromNameList(names), NULL, true);
	if (tup == NULL)
		return cx->opts->mode != LINT_MODE_LIVE;
	types = list_make1_oid(((Form_pg_type) GETSTRUCT(tup))->oid);
	if (OidIsValid(((Form_pg_type) GETSTRUCT(tup))->typarray))
		types = lappend_oid(types, ((Form_pg_type) GETSTRUCT(tup))->typarray);
	ReleaseSysCache(tup);

	dep = table_open(DependRelationId, AccessShareLock);
	for (int i = 0; result && i < list_length(types) && i < 64; i++)
	{
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple	d;

		ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(TypeRelationId));
		ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(list_nth_oid(types, i)));
		scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL, 2, key);
		while (result && HeapTupleIsValid(d = systable_getnext(scan)))
		{
			Form_pg_depend f = (Form_pg_depend) GETSTRUCT(d);

			if (f->classid == TypeRelationId)
				types = list_append_unique_oid(types, f->objid);
			else if (f->classid == RelationRelationId && f->objsubid > 0)
				result = relid_holds_nothing(cx, f->objid, 0, note);
		}
		systable_endscan(scan);
	}
	table_close(dep, AccessShareLock);
	return result;
}

/*
 * The tables that TRUNCATE ... CASCADE reaches: the named ones and, again
 * and again, those that reference them by foreign key.
 */
static List *
truncate_closure(LintContext *cx, List *relations)
{
	List	   *oids = NIL;
	ListCell   *lc;

	foreach(lc, relations)
	{
		Oid			relid = LintRelid(cx, lfirst(lc));

		if (OidIsValid(relid))
			oids = list_append_unique_oid(oids, relid);
	}
	for (;;)
	{
		int			n = list_length(oids);

		oids = list_concat_unique_oid(oids, heap_truncate_find_FKs(oids));
		if (list_length(oids) == n)
			return oids;
	}
}

/* Was "table.column" added by an earlier statement (or the upgrade)? */
static bool
column_added(LintContext *cx, RangeVar *rv, const char *column, bool undo)
{
	char	   *key = psprintf("%s.%s", rv->relname, column);
	bool		found;

	(void) LintObjectFlags(cx, LINT_OBJ_COLUMN, NULL, key, &found);
	return found || (undo && LintCreatedByUpgrade(cx, LINT_OBJ_COLUMN, key));
}

typedef struct VolatileSearch
{
	LintContext *cx;
	const char *name;			/* first volatile function found */
} VolatileSearch;

static bool
volatile_walker(Node *node, void *context)
{
	VolatileSearch *vs = context;

	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall   *fc = (FuncCall *) node;

		if (LintFunctionVolatile(vs->cx, fc->funcname, list_length(fc->args)))
		{
			vs->name = LintNameList(fc->funcname);
			return true;
		}
	}
	return raw_expression_tree_walker(node, volatile_walker, context);
}

/* Name of a volatile function the raw expression calls, or NULL. */
static const char *
volatile_call(LintContext *cx, Node *expr)
{
	VolatileSearch vs = {cx, NULL};

	(void) volatile_walker(expr, &vs);
	return vs.name;
}

/* Is tn a domain with constraints (created earlier, or in the catalogs)? */
static bool
domain_with_constraints(LintContext *cx, TypeName *tn)
{
	bool		found;
	int			flags;
	Oid			type;

	flags = LintObjectFlags(cx, LINT_OBJ_TYPE, NULL, type_name(tn), &found);
	if (found)
		return (flags & LINT_F_DOMAIN_CHECK) != 0;
	type = lookup_type(tn);
	return OidIsValid(type) && get_typtype(type) == TYPTYPE_DOMAIN &&
		DomainHasConstraints(type);
}

/* Is tn an enum (created earlier, or in the catalogs)? */
static bool
enum_type(LintContext *cx, TypeName *tn)
{
	bool		found;
	int			flags;
	Oid			type;

	flags = LintObjectFlags(cx, LINT_OBJ_TYPE, NULL, type_name(tn), &found);
	if (found)
		return (flags & LINT_F_ENUM) != 0;
	type = lookup_type(tn);
	return OidIsValid(type) && get_typtype(type) == TYPTYPE_ENUM;
}

/* Does a column of some table have this type? */
static bool
type_in_use(Oid type)
{
	Relation	depend;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		used = false;

	if (!OidIsValid(type))
		return false;
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(TypeRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(type));
	depend = table_open(DependRelationId, AccessShareLock);
	scan = systable_beginscan(depend, DependReferenceIndexId, true, NULL, 2, key);
	while (!used && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

		used = d->classid == RelationRelationId && d->objsubid > 0;
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);
	return used;
}

/* Does a stored CHECK expression prove that column attnum is not null? */
static bool
proves_not_null(Node *expr, AttrNumber attnum)
{
	if (expr == NULL)
		return false;
	if (IsA(expr, NullTest))
	{
		NullTest   *nt = (NullTest *) expr;

		return nt->nulltesttype == IS_NOT_NULL && !nt->argisrow &&
			nt->arg && IsA(nt->arg, Var) &&
			((Var *) nt->arg)->varattno == attnum;
	}
	if (IsA(expr, BoolExpr) && ((BoolExpr *) expr)->boolop == AND_EXPR)
	{
		ListCell   *lc;

		foreach(lc, ((BoolExpr *) expr)->args)
			if (proves_not_null(lfirst(lc), attnum))
			return true;
	}
	return false;
}

/*
 * Live: is the column already NOT NULL, or does a validated CHECK prove it?
 * Then SET NOT NULL needs no scan.
 */
static bool
not_null_proven(LintContext *cx, RangeVar *rv, const char *column)
{
	Oid			relid = LintRelid(cx, rv);
	AttrNumber	attnum;
	ListCell   *lc;

	if (!OidIsValid(relid) || column == NULL ||
		(attnum = get_attnum(relid, column)) <= 0)
		return false;
	if (LintColumnNotNull(relid, attnum))
		return true;
	foreach(lc, LintRelationChecks(relid))
	{
		LintConstraint *check = lfirst(lc);

		if (check->valid && proves_not_null(check->expr, attnum))
			return true;
	}
	return false;
}

/* Do two RangeVars name the same table (a missing schema matches any)? */
static bool
same_table_name(RangeVar *a, RangeVar *b)
{
	return strcmp(a->relname, b->relname) == 0 &&
		(a->schemaname == NULL || b->schemaname == NULL ||
		 strcmp(a->schemaname, b->schemaname) == 0);
}

/* Is the raw expression "column IS NOT NULL"? */
static bool
raw_is_not_null(Node *expr, const char *column)
{
	NullTest   *nt;
	ColumnRef  *cr;
	Node	   *last;

	if (expr == NULL || !IsA(expr, NullTest))
		return false;
	nt = (NullTest *) expr;
	if (nt->nulltesttype != IS_NOT_NULL || nt->arg == NULL || !IsA(nt->arg, ColumnRef))
		return false;
	cr = (ColumnRef *) nt->arg;
	last = llast(cr->fields);
	return IsA(last, String) && strcmp(strVal(last), column) == 0;
}

/*
 * The names of the CHECK (column IS NOT NULL) constraints that these
 * statements add to the table, and (validated) whether each was added
 * valid or validated later by them.
 */
static void
scan_not_null_checks(List *statements, int before, RangeVar *rv, const char *column,
					 List **added, List **validated)
{
	ListCell   *lc;

	foreach(lc, statements)
	{
		SqlStatement *st = lfirst(lc);
		AlterTableStmt *at;
		ListCell   *lcmd;

		if (before > 0 && st->number >= before)
			break;
		if (st->parsetree == NULL || !IsA(st->parsetree, AlterTableStmt))
			continue;
		at = (AlterTableStmt *) st->parsetree;
		if (at->relation == NULL || !same_table_name(at->relation, rv))
			continue;
		foreach(lcmd, at->cmds)
		{
			AlterTableCmd *cmd = lfirst(lcmd);

			if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint))
			{
				Constraint *con = (Constraint *) cmd->def;

				if (con->contype == CONSTR_CHECK && con->conname &&
					raw_is_not_null(con->raw_expr, column))
				{
					*added = lappend(*added, con->conname);
					if (!con->skip_validation)
						*validated = lappend(*validated, con->conname);
				}
			}
			else if (cmd->subtype == AT_ValidateConstraint && cmd->name)
				*validated = lappend(*validated, cmd->name);
		}
	}
}

/*
 * Does an earlier statement of the text validate a CHECK (column IS NOT
 * NULL) that it or an earlier revision (LintOptions.earlier) added?  Then
 * the constraint proves the column when SET NOT NULL runs, as in the
 * pattern the rule asks for.
 */
static bool
not_null_validated_earlier(LintContext *cx, RangeVar *rv, const char *column)
{
	List	   *added = NIL;
	List	   *validated = NIL;
	ListCell   *lc;

	if (column == NULL || cx->st == NULL)
		return false;
	foreach(lc, cx->opts->earlier)
	{
		List	   *unused = NIL;

		scan_not_null_checks(SqlSplit(lfirst(lc), "upgrade SQL of an earlier revision"),
							 0, rv, column, &added, &unused);
	}
	scan_not_null_checks(SqlSplit(cx->sql, "linted SQL"), cx->st->number, rv, column,
						 &added, &validated);
	foreach(lc, validated)
	{
		ListCell   *la;

		foreach(la, added)
			if (strcmp(lfirst(la), lfirst(lc)) == 0)
			return true;
	}
	return false;
}

/*
 * Statement classification shared by several rules: the table a DML
 * statement writes, and the table a DDL statement changes.
 */
static RangeVar *
dml_target(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_InsertStmt:
			return ((InsertStmt *) stmt)->relation;
		case T_UpdateStmt:
			return ((UpdateStmt *) stmt)->relation;
		case T_DeleteStmt:
			return ((DeleteStmt *) stmt)->relation;
		case T_MergeStmt:
			return ((MergeStmt *) stmt)->relation;
		default:
			return NULL;
	}
}

static RangeVar *
ddl_target(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
			return ((AlterTableStmt *) stmt)->objtype == OBJECT_TABLE ?
				((AlterTableStmt *) stmt)->relation : NULL;
		case T_IndexStmt:
			return ((IndexStmt *) stmt)->concurrent ? NULL :
				((IndexStmt *) stmt)->relation;
		case T_RenameStmt:
			return ((RenameStmt *) stmt)->renameType == OBJECT_TABLE ||
				((RenameStmt *) stmt)->renameType == OBJECT_COLUMN ?
				((RenameStmt *) stmt)->relation : NULL;
		case T_CreateTrigStmt:
			return ((CreateTrigStmt *) stmt)->relation;
		default:
			return NULL;
	}
}

static bool
same_table(RangeVar *a, RangeVar *b)
{
	return strcmp(a->relname, b->relname) == 0 &&
		(a->schemaname == NULL || b->schemaname == NULL ||
		 strcmp(a->schemaname, b->schemaname) == 0);
}

/* Flags of what this transaction did to a table, and the object itself. */
static int
table_use(LintContext *cx, RangeVar *rv)
{
	return LintObjectFlags(cx, LINT_OBJ_TABLE_USE, rv->schemaname,
						   rv->relname, NULL);
}

/* Set a report-once flag on a table's use. */
static void
mark_table_use(LintContext *cx, RangeVar *rv, int flag)
{
	LintMarkObject(cx, LINT_OBJ_TABLE_USE, rv->relname, flag);
}

/* Is a DefElem list's option "name" set (VACUUM (FULL), REINDEX (...))? */
static bool
option_set(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, name) == 0)
			return opt->arg == NULL || defGetBoolean(opt);
	}
	return false;
}

/*
 * Column definitions of CREATE TABLE and ALTER TABLE ADD COLUMN / ALTER
 * COLUMN TYPE, for the type-style rules.
 */
typedef struct ColumnUse
{
	const char *name;
	TypeName   *type;
	ColumnDef  *def;			/* NULL for ALTER COLUMN TYPE */
	bool		key;			/* part of a primary or foreign key */
} ColumnUse;

static bool
name_in(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (IsA(lfirst(lc), String) && strcmp(strVal(lfirst(lc)), name) == 0)
		return true;
	return false;
}

static List *
column_uses(Node *stmt)
{
	List	   *uses = NIL;
	ListCell   *lc;

	if (IsA(stmt, CreateStmt))
	{
		CreateStmt *cs = (CreateStmt *) stmt;
		List	   *keys = NIL;

		foreach(lc, cs->tableElts)
		{
			Constraint *c = lfirst(lc);

			if (IsA(c, Constraint) && c->contype == CONSTR_PRIMARY)
				keys = list_concat(keys, c->keys);
			else if (IsA(c, Constraint) && c->contype == CONSTR_FOREIGN)
				keys = list_concat(keys, c->fk_attrs);
		}
		foreach(lc, cs->tableElts)
		{
			ColumnDef  *col = lfirst(lc);
			ColumnUse  *u;

			if (!IsA(col, ColumnDef) || col->typeName == NULL)
				continue;
			u = palloc(sizeof(ColumnUse));
			u->name = col->colname;
			u->type = col->typeName;
			u->def = col;
			u->key = name_in(keys, col->colname) ||
				find_contype(col->constraints, CONSTR_PRIMARY) ||
				find_contype(col->constraints, CONSTR_FOREIGN);
			uses = lappend(uses, u);
		}
	}
	else if (IsA(stmt, AlterTableStmt))
	{
		foreach(lc, ((AlterTableStmt *) stmt)->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
			ColumnDef  *col = added_column(cmd);
			ColumnUse  *u;

			if (col && col->typeName)
			{
				u = palloc(sizeof(ColumnUse));
				u->name = col->colname;
				u->type = col->typeName;
				u->def = col;
				u->key = find_contype(col->constraints, CONSTR_PRIMARY) ||
					find_contype(col->constraints, CONSTR_FOREIGN);
				uses = lappend(uses, u);
			}
			else if (cmd->subtype == AT_AlterColumnType && cmd->def &&
					 IsA(cmd->def, ColumnDef) &&
					 ((ColumnDef *) cmd->def)->typeName)
			{
				u = palloc(sizeof(ColumnUse));
				u->name = cmd->name;
				u->type = ((ColumnDef *) cmd->def)->typeName;
				u->def = NULL;
				u->key = false;
				uses = lappend(uses, u);
			}
		}
	}
	return uses;
}

/*
 * Type changes: will ALTER COLUMN TYPE rewrite the table?  Mirrors
 * ATColumnChangeRequiresRewrite for the common cases.
 */
typedef enum TypeChange
{
	CHANGE_UNKNOWN,
	CHANGE_REWRITE,
	CHANGE_NO_REWRITE
} TypeChange;

/* Integer typmods written in a TypeName, -1 when absent or not plain. */
static int
typmod_arg(TypeName *tn, int n)
{
	Node	   *arg;

	if (list_length(tn->typmods) <= n)
		return -1;
	arg = list_nth(tn->typmods, n);
	if (IsA(arg, A_Const) && IsA(&((A_Const *) arg)->val, Integer))
		return intVal(&((A_Const *) arg)->val);
	return -2;
}

/* Same type, new typmod as written: is it a widening? */
static TypeChange
typmod_change(Oid type, int32 oldmod, TypeName *tn)
{
	int			a = typmod_arg(tn, 0);
	int			b = typmod_arg(tn, 1);

	if (a == -2 || b == -2)
		return CHANGE_UNKNOWN;
	switch (type)
	{
		case VARCHAROID:
			if (a == -1)
				return CHANGE_NO_REWRITE;
			return oldmod >= 0 && a >= oldmod - VARHDRSZ ?
				CHANGE_NO_REWRITE : CHANGE_REWRITE;
		case BPCHAROID:
			if (a == -1)
				a = 1;			/* char means char(1) */
			return oldmod >= 0 && a == oldmod - VARHDRSZ ?
				CHANGE_NO_REWRITE : CHANGE_REWRITE;
		case VARBITOID:
			if (a == -1)
				return CHANGE_NO_REWRITE;
			return oldmod >= 0 && a >= oldmod ?
				CHANGE_NO_REWRITE : CHANGE_REWRITE;
		case NUMERICOID:
			if (a == -1)
				return CHANGE_NO_REWRITE;
			if (oldmod < VARHDRSZ)
				return CHANGE_REWRITE;
			{
				int			oldp = ((oldmod - VARHDRSZ) >> 16) & 0xffff;
				int			olds = (((oldmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024;

				if (b == -1)
					b = 0;
				return b == olds && a >= oldp ?
					CHANGE_NO_REWRITE : CHANGE_REWRITE;
			}
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case TIMEOID:
		case TIMETZOID:
			if (a == -1)
				return CHANGE_NO_REWRITE;
			return oldmod >= 0 && a >= oldmod ?
				CHANGE_NO_REWRITE : CHANGE_REWRITE;
		default:
			if (tn->typmods == NIL && oldmod == -1)
				return CHANGE_NO_REWRITE;
			return CHANGE_UNKNOWN;
	}
}

/* Predict a type change of rv.column to the ColumnDef's type. */
static TypeChange
predict_type_change(LintContext *cx, RangeVar *rv, const char *column,
					ColumnDef *def, bool *checked, bool *indexed)
{
	Oid			relid = LintRelid(cx, rv);
	AttrNumber	attnum;
	Oid			oldtype;
	int32		oldmod;
	Oid			oldcoll;
	Oid			newtype;
	TypeName   *tn = def->typeName;
	TypeChange	change;

	*checked = *indexed = false;
	if (!OidIsValid(relid) || column == NULL ||
		(attnum = get_attnum(relid, column)) <= 0)
		return CHANGE_UNKNOWN;
	get_atttypetypmodcoll(relid, attnum, &oldtype, &oldmod, &oldcoll);
	newtype = lookup_type(tn);
	if (!OidIsValid(newtype))
		return CHANGE_UNKNOWN;

	/* CHECK constraints on the column are verified again; indexes rebuilt */
	{
		ListCell   *lc;

		foreach(lc, LintRelationChecks(relid))
		{
			Bitmapset  *attrs = NULL;

			pull_varattnos(((LintConstraint *) lfirst(lc))->expr, 1, &attrs);
			if (bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, attrs))
				*checked = true;
		}
		foreach(lc, LintRelationIndexes(relid))
		{
			HeapTuple	tup = SearchSysCache1(INDEXRELID,
											  ObjectIdGetDatum(lfirst_oid(lc)));
			Form_pg_index index;

			if (!HeapTupleIsValid(tup))
				continue;
			index = (Form_pg_index) GETSTRUCT(tup);
			for (int k = 0; k < index->indnatts; k++)
				if (index->indkey.values[k] == attnum)
					*indexed = true;
			if (!heap_attisnull(tup, Anum_pg_index_indexprs, NULL))
				*indexed = true;	/* an expression may use the column */
			ReleaseSysCache(tup);
		}
	}

	if (def->raw_default &&
		!(IsA(def->raw_default, ColumnRef) &&
		  list_length(((ColumnRef *) def->raw_default)->fields) == 1 &&
		  IsA(linitial(((ColumnRef *) def->raw_default)->fields), String) &&
		  strcmp(strVal(linitial(((ColumnRef *) def->raw_default)->fields)),
				 column) == 0))
		return CHANGE_REWRITE;	/* a USING expression */
	if (newtype == oldtype)
		change = typmod_change(newtype, oldmod, tn);
	else if ((oldtype == TIMESTAMPOID && newtype == TIMESTAMPTZOID) ||
			 (oldtype == TIMESTAMPTZOID && newtype == TIMESTAMPOID))
		change = tn->typmods == NIL && !TimestampTimestampTzRequiresRewrite() ?
			CHANGE_NO_REWRITE : CHANGE_REWRITE;
	else if (IsBinaryCoercible(oldtype, newtype))
		change = tn->typmods == NIL ? CHANGE_NO_REWRITE : CHANGE_REWRITE;
	else
		change = CHANGE_REWRITE;

	/* an index on the column keeps its entries only for a typmod change */
	if (newtype == oldtype && def->collClause == NULL)
		*indexed = false;
	return change;
}

/*
 * The rules, in catalogue order
 */

/* adding-required-column: ADD COLUMN NOT NULL (or PRIMARY KEY) with no default on a table that may hold rows. */
static void
check_adding_required_column(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		ColumnDef  *col = added_column(lfirst(lc));

		if (col == NULL ||
			!(find_contype(col->constraints, CONSTR_NOTNULL) ||
			  find_contype(col->constraints, CONSTR_PRIMARY)) ||
			find_contype(col->constraints, CONSTR_DEFAULT) ||
			find_contype(col->constraints, CONSTR_IDENTITY) ||
			find_contype(col->constraints, CONSTR_GENERATED) ||
			is_serial(col->typeName) ||
			table_is_harmless(cx, at->relation, true, &note))
			continue;
		LintReport(cx, true, NULL,
				   "column \"%s\" is added to table \"%s\" as NOT NULL without a default%s: the ALTER fails if the table holds rows",
				   col->colname, LintName(at->relation), note);
	}
}

/* adding-column-volatile-default: ADD COLUMN whose default is volatile, or whose type is a domain with constraints: a table rewrite. */
static void
check_adding_column_volatile_default(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		ColumnDef  *col = added_column(lfirst(lc));
		Constraint *def;
		const char *func = NULL;
		bool		domain;

		if (col == NULL || is_serial(col->typeName) ||
			find_contype(col->constraints, CONSTR_GENERATED) ||
			find_contype(col->constraints, CONSTR_IDENTITY))
			continue;
		def = find_contype(col->constraints, CONSTR_DEFAULT);
		if (def && def->raw_expr)
			func = volatile_call(cx, def->raw_expr);
		domain = domain_with_constraints(cx, col->typeName);
		if ((func == NULL && !domain) ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		if (func)
			LintReport(cx, true, NULL,
					   "column \"%s\" is added to table \"%s\" with a volatile default (%s())%s: the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock",
					   col->colname, LintName(at->relation), func, note);
		else
			LintReport(cx, true, NULL,
					   "column \"%s\" is added to table \"%s\" with type \"%s\", a domain with constraints%s: the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock",
					   col->colname, LintName(at->relation),
					   LintNameList(col->typeName->names), note);
	}
}

/* adding-serial-or-identity-column: ADD COLUMN of a serial type or an identity column: a table rewrite. */
static void
check_adding_serial_or_identity_column(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		ColumnDef  *col = added_column(lfirst(lc));

		if (col == NULL ||
			!(is_serial(col->typeName) ||
			  find_contype(col->constraints, CONSTR_IDENTITY)) ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		LintReport(cx, true, NULL,
				   "%s column \"%s\" is added to table \"%s\"%s: every row gets a new value, so the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock",
				   is_serial(col->typeName) ? "serial" : "identity",
				   col->colname, LintName(at->relation), note);
	}
}

/* adding-stored-generated-column: ADD COLUMN ... GENERATED ALWAYS AS (...) STORED: a table rewrite. */
static void
check_adding_stored_generated_column(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		ColumnDef  *col = added_column(lfirst(lc));

		if (col == NULL ||
			!find_contype(col->constraints, CONSTR_GENERATED) ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		LintReport(cx, true, NULL,
				   "generated column \"%s\" is added to table \"%s\"%s: the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock",
				   col->colname, LintName(at->relation), note);
	}
}

/* setting-not-null: ALTER COLUMN SET NOT NULL scans the table under ACCESS EXCLUSIVE, unless a validated CHECK (col IS NOT NULL) proves it. */
static void
check_setting_not_null(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype != AT_SetNotNull ||
			table_is_harmless(cx, at->relation, false, &note) ||
			not_null_proven(cx, at->relation, cmd->name) ||
			not_null_validated_earlier(cx, at->relation, cmd->name))
			continue;
		LintReport(cx, true, NULL,
				   "SET NOT NULL on column \"%s\" of table \"%s\"%s scans the whole table under an ACCESS EXCLUSIVE lock",
				   cmd->name, LintName(at->relation), note);
	}
}

/* dropping-not-null: ALTER COLUMN DROP NOT NULL: readers that assume a value break. */
static void
check_dropping_not_null(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;

	if (at == NULL || LintCreated(cx, at->relation))
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype != AT_DropNotNull ||
			column_added(cx, at->relation, cmd->name, false))
			continue;
		LintReport(cx, false, NULL,
				   "DROP NOT NULL on column \"%s\" of table \"%s\": code that reads the column may not expect NULL",
				   cmd->name, LintName(at->relation));
	}
}

/* changing-column-type: ALTER COLUMN TYPE rewrites the table unless the change is binary coercible or widens a typmod; it always holds ACCESS EXCLUSIVE. */
static void
check_changing_column_type(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		ColumnDef  *def = (ColumnDef *) cmd->def;
		bool		checked,
					indexed;
		TypeChange	change;

		if (cmd->subtype != AT_AlterColumnType || def == NULL ||
			!IsA(def, ColumnDef) || def->typeName == NULL ||
			column_added(cx, at->relation, cmd->name, false) ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		change = predict_type_change(cx, at->relation, cmd->name, def,
									 &checked, &indexed);
		if (change == CHANGE_NO_REWRITE && !checked && !indexed)
			LintReportAs(cx, LINT_WARNING, true, NULL,
						 "type of column \"%s\" of table \"%s\" changes to %s%s: no rewrite is expected, but the ALTER holds an ACCESS EXCLUSIVE lock and clients see a new type",
						 cmd->name, LintName(at->relation),
						 type_display(def->typeName), note);
		else if (change == CHANGE_NO_REWRITE)
			LintReport(cx, true, NULL,
					   "type of column \"%s\" of table \"%s\" changes to %s%s: no rewrite is expected, but %s under an ACCESS EXCLUSIVE lock",
					   cmd->name, LintName(at->relation),
					   type_display(def->typeName), note,
					   checked ? "CHECK constraints on the column scan the table again" :
					   "indexes on the column are rebuilt");
		else
			LintReport(cx, true, NULL,
					   "type of column \"%s\" of table \"%s\" changes to %s%s: %s under an ACCESS EXCLUSIVE lock",
					   cmd->name, LintName(at->relation),
					   type_display(def->typeName), note,
					   change == CHANGE_REWRITE ?
					   "the table and its indexes are rewritten" :
					   "the table and its indexes may be rewritten");
	}
}

/* renaming-column: RENAME COLUMN breaks every client that uses the old name. */
static void
check_renaming_column(LintContext *cx, Node *stmt)
{
	RenameStmt *r = (RenameStmt *) stmt;
	char	   *note;

	if (!IsA(stmt, RenameStmt) || r->renameType != OBJECT_COLUMN ||
		r->relation == NULL ||
		column_added(cx, r->relation, r->subname, cx->opts->downgrade) ||
		table_holds_nothing(cx, r->relation, &note))
		return;
	LintReport(cx, true, NULL,
			   "column \"%s\" of \"%s\"%s is renamed to \"%s\": clients that use the old name break",
			   r->subname, LintName(r->relation), note, r->newname);
}

/* renaming-table: RENAME of a table, view or materialized view breaks every client that uses the old name. */
static void
check_renaming_table(LintContext *cx, Node *stmt)
{
	RenameStmt *r = (RenameStmt *) stmt;
	char	   *note;

	if (!IsA(stmt, RenameStmt) || r->relation == NULL ||
		!(r->renameType == OBJECT_TABLE || r->renameType == OBJECT_VIEW ||
		  r->renameType == OBJECT_MATVIEW ||
		  r->renameType == OBJECT_FOREIGN_TABLE) ||
		(cx->opts->downgrade &&
		 LintCreatedByUpgrade(cx, LINT_OBJ_RELATION, r->relation->relname)) ||
		table_holds_nothing(cx, r->relation, &note))
		return;
	LintReport(cx, true, NULL,
			   "\"%s\"%s is renamed to \"%s\": clients that use the old name break",
			   LintName(r->relation), note, r->newname);
}

/* renaming-schema: ALTER SCHEMA RENAME breaks every qualified name in clients. */
static void
check_renaming_schema(LintContext *cx, Node *stmt)
{
	RenameStmt *r = (RenameStmt *) stmt;
	char	   *note;

	if (!IsA(stmt, RenameStmt) || r->renameType != OBJECT_SCHEMA ||
		r->subname == NULL || schema_holds_nothing(cx, r->subname, &note))
		return;
	LintReport(cx, true, NULL,
			   "schema \"%s\" is renamed to \"%s\": every name qualified with the old schema breaks",
			   r->subname, r->newname);
}

/* dropping-column: DROP COLUMN loses data and breaks clients that use the column (downgrades: see destructive-downgrade-without-export). */
static void
check_dropping_column(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL || cx->opts->downgrade)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype != AT_DropColumn ||
			column_added(cx, at->relation, cmd->name, false) ||
			table_holds_nothing(cx, at->relation, &note))
			continue;
		LintReport(cx, true, NULL,
				   "column \"%s\" of table \"%s\"%s is dropped: its data is lost and clients that still use it break",
				   cmd->name, LintName(at->relation), note);
	}
}

/* dropping-table: DROP TABLE, VIEW, MATERIALIZED VIEW or SEQUENCE of an object the text did not create (downgrades: see destructive-downgrade-without-export). */
static void
check_dropping_table(LintContext *cx, Node *stmt)
{
	DropStmt   *d = (DropStmt *) stmt;
	ListCell   *lc;

	if (!IsA(stmt, DropStmt) || cx->opts->downgrade ||
		!(d->removeType == OBJECT_TABLE || d->removeType == OBJECT_VIEW ||
		  d->removeType == OBJECT_MATVIEW || d->removeType == OBJECT_SEQUENCE))
		return;
	foreach(lc, d->objects)
	{
		RangeVar   *rv = LintRangeVarFromList(lfirst(lc));
		char	   *note;

		if (rv == NULL || table_holds_nothing(cx, rv, &note))
			continue;
		LintReport(cx, true, NULL,
				   "\"%s\"%s is dropped: %sclients that still use it break",
				   LintName(rv), note,
				   d->removeType == OBJECT_TABLE ? "its data is lost and " : "");
	}
}

/* dropping-schema: DROP SCHEMA drops everything in it. */
static void
check_dropping_schema(LintContext *cx, Node *stmt)
{
	DropStmt   *d = (DropStmt *) stmt;
	ListCell   *lc;

	if (!IsA(stmt, DropStmt) || d->removeType != OBJECT_SCHEMA ||
		cx->opts->downgrade)
		return;
	foreach(lc, d->objects)
	{
		char	   *note;

		if (!IsA(lfirst(lc), String) ||
			schema_holds_nothing(cx, strVal(lfirst(lc)), &note))
			continue;
		LintReport(cx, true, NULL,
				   "schema \"%s\" is dropped with everything in it%s",
				   strVal(lfirst(lc)), note);
	}
}

/* dropping-database: DROP DATABASE. */
static void
check_dropping_database(LintContext *cx, Node *stmt)
{
	if (!IsA(stmt, DropdbStmt))
		return;
	LintReport(cx, false, NULL, "database \"%s\" is dropped",
			   ((DropdbStmt *) stmt)->dbname);
}

/* drop-cascade: CASCADE on DROP, ALTER TABLE DROP COLUMN/CONSTRAINT or TRUNCATE silently reaches dependent objects. */
static void
check_drop_cascade(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->behavior == DROP_CASCADE)
	{
		DropStmt   *d = (DropStmt *) stmt;
		bool		harmless = true;
		char	   *note = "";

		/* what holds nothing takes nothing with it */
		foreach(lc, d->objects)
		{
			bool		relation = d->removeType == OBJECT_TABLE ||
				d->removeType == OBJECT_VIEW || d->removeType == OBJECT_MATVIEW ||
				d->removeType == OBJECT_SEQUENCE;

			if (relation && IsA(lfirst(lc), List))
				harmless &= table_holds_nothing(cx, LintRangeVarFromList(lfirst(lc)), &note);
			else if (d->removeType == OBJECT_SCHEMA && IsA(lfirst(lc), String))
				harmless &= schema_holds_nothing(cx, strVal(lfirst(lc)), &note);
			else if (d->removeType == OBJECT_TYPE || d->removeType == OBJECT_DOMAIN)
				harmless &= type_holds_nothing(cx, typename_names(lfirst(lc)), &note);
			else
				harmless = false;
		}
		if (!harmless)
			LintReport(cx, true, NULL,
					   "DROP ... CASCADE also drops every object that depends on the dropped ones, whatever they are");
	}
	else if (IsA(stmt, TruncateStmt) &&
			 ((TruncateStmt *) stmt)->behavior == DROP_CASCADE)
	{
		bool		harmless = LintLive(cx);
		char	   *note;

		foreach(lc, ((TruncateStmt *) stmt)->relations)
			harmless &= table_holds_nothing(cx, lfirst(lc), &note);
		if (harmless)
			foreach(lc, truncate_closure(cx, ((TruncateStmt *) stmt)->relations))
				harmless &= relid_holds_nothing(cx, lfirst_oid(lc), 0, &note);
		if (!harmless)
			LintReport(cx, true, NULL,
					   "TRUNCATE ... CASCADE also empties every table that references the truncated ones through foreign keys");
	}
	else if (IsA(stmt, AlterTableStmt))
	{
		char	   *note;

		foreach(lc, ((AlterTableStmt *) stmt)->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

			if ((cmd->subtype == AT_DropColumn ||
				 cmd->subtype == AT_DropConstraint) &&
				cmd->behavior == DROP_CASCADE &&
				!table_holds_nothing(cx, ((AlterTableStmt *) stmt)->relation, &note))
				LintReport(cx, true, NULL,
						   "DROP %s \"%s\" ... CASCADE also drops every object that depends on it",
						   cmd->subtype == AT_DropColumn ? "COLUMN" : "CONSTRAINT",
						   cmd->name);
		}
	}
}

/* dropping-foreign-key: live only: DROP CONSTRAINT of a foreign key takes ACCESS EXCLUSIVE on both tables. */
static void
check_dropping_foreign_key(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	Oid			relid;
	char	   *note;

	if (at == NULL || !OidIsValid(relid = LintRelid(cx, at->relation)) ||
		table_is_harmless(cx, at->relation, false, &note))
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Oid			conid;
		HeapTuple	tup;
		Form_pg_constraint con;

		if (cmd->subtype != AT_DropConstraint || cmd->name == NULL ||
			!OidIsValid(conid = get_relation_constraint_oid(relid, cmd->name, true)))
			continue;
		tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conid));
		if (!HeapTupleIsValid(tup))
			continue;
		con = (Form_pg_constraint) GETSTRUCT(tup);
		if (con->contype == CONSTRAINT_FOREIGN)
			LintReport(cx, true, NULL,
					   "dropping foreign key \"%s\" of table \"%s\"%s takes an ACCESS EXCLUSIVE lock on it and on \"%s\"",
					   cmd->name, LintName(at->relation), note,
					   get_rel_name(con->confrelid) ? get_rel_name(con->confrelid) : "?");
		ReleaseSysCache(tup);
	}
}

/* adding-foreign-key: a validated foreign key scans the table while SHARE ROW EXCLUSIVE locks block writes to both tables. */
static void
check_adding_foreign_key(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Constraint *c = added_constraint(cmd);
		ColumnDef  *col = added_column(cmd);

		if (col)
			c = find_contype(col->constraints, CONSTR_FOREIGN);
		if (c == NULL || c->contype != CONSTR_FOREIGN || c->skip_validation ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		LintReport(cx, true, NULL,
				   "foreign key on table \"%s\"%s referencing \"%s\" is validated at once: the table is scanned while writes to both tables are blocked",
				   LintName(at->relation), note, LintName(c->pktable));
	}
}

/* adding-check-constraint: a validated CHECK scans the table under ACCESS EXCLUSIVE. */
static void
check_adding_check_constraint(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Constraint *c = added_constraint(cmd);
		ColumnDef  *col = added_column(cmd);

		if (col)
			c = find_contype(col->constraints, CONSTR_CHECK);
		if (c == NULL || c->contype != CONSTR_CHECK || c->skip_validation ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		LintReport(cx, true, col ? "A CHECK on a new column cannot be NOT VALID: add the column, then the CHECK as NOT VALID, then VALIDATE it in a later revision." : NULL,
				   "CHECK constraint on table \"%s\"%s is validated at once: the whole table is scanned under an ACCESS EXCLUSIVE lock",
				   LintName(at->relation), note);
	}
}

/* validate-in-same-transaction: VALIDATE CONSTRAINT while this transaction already holds a strong lock on the table, e.g. the one that added it NOT VALID. */
static void
check_validate_in_same_transaction(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;

	if (at == NULL || !LintInTransaction(cx) || LintCreated(cx, at->relation))
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		char	   *note;
		int			flags;
		bool		found;
		Oid			relid;

		if (cmd->subtype != AT_ValidateConstraint || cmd->name == NULL)
			continue;
		flags = LintObjectFlags(cx, LINT_OBJ_CONSTRAINT, NULL,
								psprintf("%s.%s", at->relation->relname, cmd->name),
								&found);
		if (table_holds_nothing(cx, at->relation, &note))
			continue;			/* the scan holds the lock for no time */
		if (found && (flags & LINT_F_NOT_VALID))
			LintReport(cx, true, NULL,
					   "constraint \"%s\" is validated in the transaction that added it NOT VALID: the ACCESS EXCLUSIVE lock of the ADD is held during the scan",
					   cmd->name);
		else if (table_use(cx, at->relation) & LINT_F_STRONG_LOCK)
			LintReport(cx, true, NULL,
					   "constraint \"%s\" is validated after an earlier statement of the same transaction locked table \"%s\": that lock is held during the scan",
					   cmd->name, LintName(at->relation));
		else if (OidIsValid(relid = LintRelid(cx, at->relation)))
		{
			LOCKTAG		tag;

			SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
			if (LockHeldByMe(&tag, AccessExclusiveLock) ||
				LockHeldByMe(&tag, ExclusiveLock) ||
				LockHeldByMe(&tag, ShareRowExclusiveLock))
				LintReport(cx, true, NULL,
						   "constraint \"%s\" is validated while this transaction already holds a lock on table \"%s\" that blocks writes: it is held during the scan",
						   cmd->name, LintName(at->relation));
		}
	}
}

/* adding-unique-constraint: ADD UNIQUE builds an index under ACCESS EXCLUSIVE, blocking reads too. */
static void
check_adding_unique_constraint(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Constraint *c = added_constraint(cmd);
		ColumnDef  *col = added_column(cmd);

		if (col)
			c = find_contype(col->constraints, CONSTR_UNIQUE);
		if (c == NULL || c->contype != CONSTR_UNIQUE || c->indexname ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		LintReport(cx, true, NULL,
				   "UNIQUE constraint on table \"%s\"%s builds its index under an ACCESS EXCLUSIVE lock, which blocks reads and writes",
				   LintName(at->relation), note);
	}
}

/* adding-primary-key: ADD PRIMARY KEY builds an index and sets NOT NULL under ACCESS EXCLUSIVE; USING INDEX over nullable columns still scans. */
static void
check_adding_primary_key(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Constraint *c = added_constraint(cmd);
		ColumnDef  *col = added_column(cmd);

		if (col)
			c = find_contype(col->constraints, CONSTR_PRIMARY);
		if (c == NULL || c->contype != CONSTR_PRIMARY ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		if (c->indexname == NULL)
			LintReport(cx, true, NULL,
					   "PRIMARY KEY on table \"%s\"%s builds its index under an ACCESS EXCLUSIVE lock, which blocks reads and writes",
					   LintName(at->relation), note);
		else
		{
			RangeVar   *ix = makeRangeVar(at->relation->schemaname,
										  c->indexname, -1);
			Oid			indexid = LintRelid(cx, ix);
			HeapTuple	tup;

			if (!OidIsValid(indexid))
				continue;
			tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
			if (!HeapTupleIsValid(tup))
				continue;
			for (int k = 0; k < ((Form_pg_index) GETSTRUCT(tup))->indnkeyatts; k++)
			{
				Form_pg_index index = (Form_pg_index) GETSTRUCT(tup);
				HeapTuple	att = SearchSysCache2(ATTNUM,
												  ObjectIdGetDatum(index->indrelid),
												  Int16GetDatum(index->indkey.values[k]));

				if (!HeapTupleIsValid(att))
					continue;
				if (!((Form_pg_attribute) GETSTRUCT(att))->attnotnull)
				{
					LintReport(cx, true, "Make the key columns NOT NULL first, through a CHECK (col IS NOT NULL) NOT VALID constraint validated in an earlier revision.",
							   "PRIMARY KEY USING INDEX \"%s\" on table \"%s\"%s: column \"%s\" is nullable, so the whole table is scanned under an ACCESS EXCLUSIVE lock",
							   c->indexname, LintName(at->relation), note,
							   NameStr(((Form_pg_attribute) GETSTRUCT(att))->attname));
					ReleaseSysCache(att);
					break;
				}
				ReleaseSysCache(att);
			}
			ReleaseSysCache(tup);
		}
	}
}

/* changing-primary-key: live only: dropping the primary key, adding one where one exists, or changing a key column's type. */
static void
check_changing_primary_key(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	Oid			relid;
	Oid			pkey;
	List	   *keycols = NIL;
	bool		dropped = false;
	char	   *note;

	if (at == NULL || !OidIsValid(relid = LintRelid(cx, at->relation)) ||
		table_holds_nothing(cx, at->relation, &note))
		return;
	pkey = InvalidOid;
	foreach(lc, LintRelationIndexes(relid))
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));

		if (HeapTupleIsValid(tup))
		{
			Form_pg_index index = (Form_pg_index) GETSTRUCT(tup);

			if (index->indisprimary)
			{
				pkey = index->indexrelid;
				for (int k = 0; k < index->indnkeyatts; k++)
					keycols = lappend_int(keycols, index->indkey.values[k]);
			}
			ReleaseSysCache(tup);
		}
	}
	if (!OidIsValid(pkey))
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Constraint *c = added_constraint(cmd);

		if (cmd->subtype == AT_DropConstraint && cmd->name &&
			get_relation_constraint_oid(relid, cmd->name, true) ==
			get_index_constraint(pkey))
		{
			/* a downgrade that drops the key its upgrade added undoes it */
			if (cx->opts->downgrade &&
				LintCreatedByUpgrade(cx, LINT_OBJ_CONSTRAINT,
									 psprintf("%s.%s", at->relation->relname, cmd->name)))
				continue;
			LintReport(cx, true, NULL,
					   "the primary key \"%s\" of table \"%s\" is dropped",
					   cmd->name, LintName(at->relation));
			dropped = true;
		}
		else if (c && c->contype == CONSTR_PRIMARY && !dropped)
			LintReport(cx, true, NULL,
					   "table \"%s\" already has a primary key", LintName(at->relation));
		else if (cmd->subtype == AT_AlterColumnType && cmd->name &&
				 list_member_int(keycols, get_attnum(relid, cmd->name)))
			LintReport(cx, true, NULL,
					   "column \"%s\" of the primary key of table \"%s\" changes type",
					   cmd->name, LintName(at->relation));
	}
}

/* adding-exclusion-constraint: ADD EXCLUDE builds an index under ACCESS EXCLUSIVE; it cannot be NOT VALID. */
static void
check_adding_exclusion_constraint(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		Constraint *c = added_constraint(lfirst(lc));

		if (c == NULL || c->contype != CONSTR_EXCLUSION ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		LintReport(cx, true, NULL,
				   "EXCLUDE constraint on table \"%s\"%s builds its index under an ACCESS EXCLUSIVE lock, which blocks reads and writes",
				   LintName(at->relation), note);
	}
}

/* Name-worthy constraint kinds (a primary key's name is always <table>_pkey). */
static bool
needs_name(Node *n)
{
	Constraint *c = (Constraint *) n;

	return IsA(n, Constraint) && c->conname == NULL &&
		(c->contype == CONSTR_CHECK || c->contype == CONSTR_UNIQUE ||
		 c->contype == CONSTR_FOREIGN || c->contype == CONSTR_EXCLUSION);
}

static const char *
contype_name(Constraint *c)
{
	switch (c->contype)
	{
		case CONSTR_CHECK:
			return "CHECK";
		case CONSTR_UNIQUE:
			return "UNIQUE";
		case CONSTR_FOREIGN:
			return "FOREIGN KEY";
		case CONSTR_EXCLUSION:
			return "EXCLUDE";
		default:
			return "a";
	}
}

/* unnamed-constraint-or-index: a CHECK, UNIQUE, FOREIGN KEY or EXCLUDE constraint, or an index, with a generated name. */
static void
check_unnamed_constraint_or_index(LintContext *cx, Node *stmt)
{
	ListCell   *lc,
			   *lc2;
	List	   *found = NIL;
	RangeVar   *rel = NULL;

	if (IsA(stmt, IndexStmt))
	{
		if (((IndexStmt *) stmt)->idxname == NULL)
			LintReport(cx, false, NULL,
					   "index on \"%s\" has no name: the generated name differs between databases, and a failed CONCURRENTLY build leaves another",
					   LintName(((IndexStmt *) stmt)->relation));
		return;
	}
	if (IsA(stmt, CreateStmt))
	{
		rel = ((CreateStmt *) stmt)->relation;
		foreach(lc, ((CreateStmt *) stmt)->tableElts)
		{
			Node	   *n = lfirst(lc);

			if (needs_name(n))
				found = lappend(found, n);
			else if (IsA(n, ColumnDef))
				foreach(lc2, ((ColumnDef *) n)->constraints)
					if (needs_name(lfirst(lc2)))
					found = lappend(found, lfirst(lc2));
		}
	}
	else if (IsA(stmt, AlterTableStmt))
	{
		rel = ((AlterTableStmt *) stmt)->relation;
		foreach(lc, ((AlterTableStmt *) stmt)->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
			Constraint *c = added_constraint(cmd);
			ColumnDef  *col = added_column(cmd);

			if (c && needs_name((Node *) c) && c->indexname == NULL)
				found = lappend(found, c);
			if (col)
				foreach(lc2, col->constraints)
					if (needs_name(lfirst(lc2)))
					found = lappend(found, lfirst(lc2));
		}
	}
	foreach(lc, found)
		LintReport(cx, false, NULL,
				   "%s constraint on \"%s\" has no name: the generated name can differ between databases, and later revisions cannot name it reliably",
				   contype_name(lfirst(lc)), LintName(rel));
}

/* domain-constraint: CREATE DOMAIN with constraints, or ALTER DOMAIN ADD CONSTRAINT without NOT VALID (locks and scans every table using it). */
static void
check_domain_constraint(LintContext *cx, Node *stmt)
{
	if (IsA(stmt, CreateDomainStmt))
	{
		CreateDomainStmt *d = (CreateDomainStmt *) stmt;

		if (find_contype(d->constraints, CONSTR_CHECK) ||
			find_contype(d->constraints, CONSTR_NOTNULL))
			LintReport(cx, false, NULL,
					   "domain \"%s\" has constraints: adding a column of it rewrites the table, and changing them later locks and scans every table that uses it",
					   LintNameList(d->domainname));
	}
	else if (IsA(stmt, AlterDomainStmt))
	{
		AlterDomainStmt *d = (AlterDomainStmt *) stmt;
		bool		created;

		(void) LintObjectFlags(cx, LINT_OBJ_TYPE, NULL,
							   strVal(llast(d->typeName)), &created);
		if (d->subtype == 'C' && d->def && IsA(d->def, Constraint) &&
			!((Constraint *) d->def)->skip_validation && !created)
			LintReport(cx, false, NULL,
					   "constraint added to domain \"%s\" is validated at once: every table with a column of the domain is locked against writes and scanned",
					   LintNameList(d->typeName));
	}
}

/* require-concurrent-index-creation: CREATE INDEX without CONCURRENTLY blocks writes while it builds. */
static void
check_require_concurrent_index_creation(LintContext *cx, Node *stmt)
{
	IndexStmt  *ix = (IndexStmt *) stmt;
	char	   *note;

	if (!IsA(stmt, IndexStmt) || ix->concurrent ||
		table_is_harmless(cx, ix->relation, false, &note))
		return;
	LintReport(cx, true, NULL,
			   "CREATE INDEX on table \"%s\"%s without CONCURRENTLY blocks writes to it while the index builds",
			   LintName(ix->relation), note);
}

/* require-concurrent-index-deletion: DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table. */
static void
check_require_concurrent_index_deletion(LintContext *cx, Node *stmt)
{
	DropStmt   *d = (DropStmt *) stmt;
	ListCell   *lc;
	char	   *note;

	if (!IsA(stmt, DropStmt) || d->removeType != OBJECT_INDEX || d->concurrent)
		return;
	foreach(lc, d->objects)
	{
		RangeVar   *rv = LintRangeVarFromList(lfirst(lc));

		if (rv == NULL ||
			LintCreatedByUpgrade(cx, LINT_OBJ_RELATION, rv->relname) ||
			table_is_harmless(cx, rv, false, &note))
			continue;
		LintReport(cx, true, NULL,
				   "DROP INDEX \"%s\"%s without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table",
				   LintName(rv), note);
	}
}

/* concurrently-in-transaction: a CONCURRENTLY command in a transaction block, where it cannot run. */
static void
check_concurrently_in_transaction(LintContext *cx, Node *stmt)
{
	const char *what = NULL;

	if (!LintInTransaction(cx))
		return;
	if (IsA(stmt, IndexStmt) && ((IndexStmt *) stmt)->concurrent)
		what = "CREATE INDEX CONCURRENTLY";
	else if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->concurrent)
		what = "DROP INDEX CONCURRENTLY";
	else if (IsA(stmt, ReindexStmt) &&
			 option_set(((ReindexStmt *) stmt)->params, "concurrently"))
		what = "REINDEX CONCURRENTLY";
	else if (IsA(stmt, AlterTableStmt))
	{
		ListCell   *lc;

		foreach(lc, ((AlterTableStmt *) stmt)->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

			if (cmd->subtype == AT_DetachPartition && cmd->def &&
				IsA(cmd->def, PartitionCmd) &&
				((PartitionCmd *) cmd->def)->concurrent)
				what = "DETACH PARTITION CONCURRENTLY";
		}
	}
	else if (IsA(stmt, SelectStmt))
	{
		ListCell   *lc;

		/* Citus: SELECT create_distributed_table_concurrently(...) */
		foreach(lc, ((SelectStmt *) stmt)->targetList)
		{
			ResTarget  *rt = lfirst(lc);

			if (IsA(rt, ResTarget) && rt->val && IsA(rt->val, FuncCall) &&
				strcmp(strVal(llast(((FuncCall *) rt->val)->funcname)),
					   "create_distributed_table_concurrently") == 0)
				what = "create_distributed_table_concurrently()";
		}
	}
	if (what)
		LintReport(cx, false, NULL,
				   "%s cannot run inside a transaction block or a function", what);
}

/* invalid-index-leftover: live only: CREATE INDEX CONCURRENTLY IF NOT EXISTS where an invalid index of that name is left from a failed build. */
static void
check_invalid_index_leftover(LintContext *cx, Node *stmt)
{
	IndexStmt  *ix = (IndexStmt *) stmt;
	Oid			indexid;
	HeapTuple	tup;

	if (!IsA(stmt, IndexStmt) || !ix->if_not_exists || ix->idxname == NULL ||
		!OidIsValid(indexid = LintRelid(cx, makeRangeVar(ix->relation->schemaname,
														 ix->idxname, -1))))
		return;
	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
	if (!HeapTupleIsValid(tup))
		return;
	if (!((Form_pg_index) GETSTRUCT(tup))->indisvalid)
		LintReport(cx, true, NULL,
				   "index \"%s\" exists but is invalid, left by a failed build: IF NOT EXISTS skips the build and leaves it unusable",
				   ix->idxname);
	ReleaseSysCache(tup);
}

/* require-concurrent-reindex: REINDEX without CONCURRENTLY locks the table against writes and the index against reads. */
static void
check_require_concurrent_reindex(LintContext *cx, Node *stmt)
{
	ReindexStmt *r = (ReindexStmt *) stmt;
	char	   *note;

	if (!IsA(stmt, ReindexStmt) || option_set(r->params, "concurrently"))
		return;
	if (r->relation)
	{
		if (table_is_harmless(cx, r->relation, false, &note))
			return;
		LintReport(cx, true, NULL,
				   "REINDEX of \"%s\"%s without CONCURRENTLY blocks writes to the table and reads through the index",
				   LintName(r->relation), note);
	}
	else
		LintReport(cx, false, NULL,
				   "REINDEX of \"%s\" without CONCURRENTLY blocks writes to every table it covers",
				   r->name ? r->name : "the database");
}

/* ban-cluster-vacuum-full: CLUSTER and VACUUM FULL rewrite the table under ACCESS EXCLUSIVE. */
static void
check_ban_cluster_vacuum_full(LintContext *cx, Node *stmt)
{
	char	   *note;

	if (IsA(stmt, ClusterStmt))
	{
		RangeVar   *rv = ((ClusterStmt *) stmt)->relation;

		if (rv && table_is_harmless(cx, rv, false, &note))
			return;
		LintReport(cx, rv != NULL, NULL,
				   "CLUSTER%s%s%s rewrites the table under an ACCESS EXCLUSIVE lock",
				   rv ? " of \"" : "", rv ? LintName(rv) : "", rv ? "\"" : "");
	}
	else if (IsA(stmt, VacuumStmt) && ((VacuumStmt *) stmt)->is_vacuumcmd &&
			 option_set(((VacuumStmt *) stmt)->options, "full"))
	{
		ListCell   *lc;
		bool		harmless = ((VacuumStmt *) stmt)->rels != NIL;

		foreach(lc, ((VacuumStmt *) stmt)->rels)
			if (!table_is_harmless(cx, ((VacuumRelation *) lfirst(lc))->relation,
								   false, &note))
			harmless = false;
		if (!harmless)
			LintReport(cx, ((VacuumStmt *) stmt)->rels != NIL, NULL,
					   "VACUUM FULL rewrites each table under an ACCESS EXCLUSIVE lock");
	}
}

/* adding-enum-value: ALTER TYPE ... ADD VALUE: not usable before commit, and without BEFORE/AFTER it sorts last. */
static void
check_adding_enum_value(LintContext *cx, Node *stmt)
{
	AlterEnumStmt *e = (AlterEnumStmt *) stmt;
	bool		created;

	if (!IsA(stmt, AlterEnumStmt) || e->oldVal || e->newVal == NULL)
		return;
	(void) LintObjectFlags(cx, LINT_OBJ_TYPE, NULL, strVal(llast(e->typeName)),
						   &created);
	if (created)
		return;
	LintReport(cx, false, NULL,
			   "value '%s' is added to enum \"%s\"%s: it cannot be used before the transaction commits",
			   e->newVal, LintNameList(e->typeName),
			   e->newValNeighbor ? "" : " at the end, so it sorts after every other value");
}

/* removing-enum-value: DELETE FROM pg_enum, or (live) DROP TYPE of an enum, or a column moved from one enum type to another. */
static void
check_removing_enum_value(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	if (IsA(stmt, DeleteStmt))
	{
		RangeVar   *rv = ((DeleteStmt *) stmt)->relation;

		if (strcmp(rv->relname, "pg_enum") == 0 &&
			(rv->schemaname == NULL || strcmp(rv->schemaname, "pg_catalog") == 0))
			LintReport(cx, false, NULL,
					   "rows are deleted from pg_enum: stored values of the enum become unreadable");
	}
	else if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->removeType == OBJECT_TYPE)
	{
		foreach(lc, ((DropStmt *) stmt)->objects)
		{
			TypeName   *tn = lfirst(lc);
			bool		created;
			char	   *note;

			if (!IsA(tn, TypeName))
				continue;
			(void) LintObjectFlags(cx, LINT_OBJ_TYPE, NULL, type_name(tn), &created);
			if (!created &&
				!LintCreatedByUpgrade(cx, LINT_OBJ_TYPE, type_name(tn)) &&
				LintLive(cx) && enum_type(cx, tn) && type_in_use(lookup_type(tn)) &&
				!type_holds_nothing(cx, tn->names, &note))
				LintReport(cx, true, NULL,
						   "enum type \"%s\" is dropped while columns use it: every value stored in it goes",
						   LintNameList(tn->names));
		}
	}
	else if (alter_table(stmt) && LintLive(cx))
	{
		AlterTableStmt *at = alter_table(stmt);
		Oid			relid = LintRelid(cx, at->relation);
		char	   *note;

		if (table_holds_nothing(cx, at->relation, &note))
			return;
		foreach(lc, at->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
			AttrNumber	attnum;

			if (cmd->subtype != AT_AlterColumnType || !OidIsValid(relid) ||
				cmd->name == NULL || cmd->def == NULL ||
				!IsA(cmd->def, ColumnDef) ||
				(attnum = get_attnum(relid, cmd->name)) <= 0)
				continue;
			if (get_typtype(get_atttype(relid, attnum)) == TYPTYPE_ENUM &&
				enum_type(cx, ((ColumnDef *) cmd->def)->typeName))
				LintReport(cx, true, NULL,
						   "column \"%s\" of table \"%s\" moves to another enum type: values missing from it are lost, and the table is rewritten",
						   cmd->name, LintName(at->relation));
		}
	}
}

/* renaming-enum-value: ALTER TYPE ... RENAME VALUE changes what stored data means to old code. */
static void
check_renaming_enum_value(LintContext *cx, Node *stmt)
{
	AlterEnumStmt *e = (AlterEnumStmt *) stmt;
	char	   *note;

	if (!IsA(stmt, AlterEnumStmt) || e->oldVal == NULL ||
		type_holds_nothing(cx, e->typeName, &note))
		return;
	LintReport(cx, true, NULL,
			   "value '%s' of enum \"%s\" is renamed to '%s': code that uses the old value breaks",
			   e->oldVal, LintNameList(e->typeName), e->newVal);
}

/*
 * Does the statement take a lock that can queue behind other sessions (on
 * something an earlier statement did not create)?
 */
static bool
takes_lock(LintContext *cx, Node *stmt)
{
	RangeVar   *rv = NULL;

	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
			rv = ((AlterTableStmt *) stmt)->relation;
			break;
		case T_IndexStmt:
			if (((IndexStmt *) stmt)->concurrent)
				return false;
			rv = ((IndexStmt *) stmt)->relation;
			break;
		case T_RenameStmt:
			rv = ((RenameStmt *) stmt)->relation;
			if (rv == NULL)
				return false;
			break;
		case T_CreateTrigStmt:
			rv = ((CreateTrigStmt *) stmt)->relation;
			break;
		case T_DropStmt:
			{
				DropStmt   *d = (DropStmt *) stmt;

				if (d->concurrent ||
					!(d->removeType == OBJECT_TABLE || d->removeType == OBJECT_INDEX ||
					  d->removeType == OBJECT_VIEW || d->removeType == OBJECT_MATVIEW ||
					  d->removeType == OBJECT_SEQUENCE))
					return false;
				if (list_length(d->objects) == 1 && IsA(linitial(d->objects), List))
					rv = LintRangeVarFromList(linitial(d->objects));
				return rv == NULL || !LintCreated(cx, rv);
			}
		case T_TruncateStmt:
		case T_ReindexStmt:
		case T_ClusterStmt:
		case T_LockStmt:
		case T_AlterEnumStmt:
		case T_AlterDomainStmt:
		case T_CreatePolicyStmt:
			return true;
		default:
			return false;
	}
	return rv == NULL || !LintCreated(cx, rv);
}

/* require-lock-timeout: a locking statement with no lock_timeout set before it (migrate sets one itself). */
static void
check_require_lock_timeout(LintContext *cx, Node *stmt)
{
	if (cx->opts->in_runner || cx->lock_timeout_set ||
		cx->lock_timeout_reported || !takes_lock(cx, stmt))
		return;
	cx->lock_timeout_reported = true;
	LintReport(cx, false, NULL,
			   "this statement takes locks, and no lock_timeout is set before it: waiting behind a long transaction, it blocks every query that queues after it");
}

/* require-statement-timeout: a locking statement with no statement_timeout set before it (migrate sets one itself). */
static void
check_require_statement_timeout(LintContext *cx, Node *stmt)
{
	if (cx->opts->in_runner || cx->statement_timeout_set ||
		cx->statement_timeout_reported || !takes_lock(cx, stmt))
		return;
	cx->statement_timeout_reported = true;
	LintReport(cx, false, NULL,
			   "this statement takes locks, and no statement_timeout is set before it: nothing limits how long they are held");
}

/* transaction-control-in-migration: BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION in migration text. */
static void
check_transaction_control_in_migration(LintContext *cx, Node *stmt)
{
	/* in a non-transactional revision, COMMIT separates its stretches */
	if (!IsA(stmt, TransactionStmt) ||
		(!cx->opts->transactional && SqlIsBoundary(stmt)))
		return;
	LintReport(cx, false, NULL,
			   "%s controls the transaction, which the migration runner owns",
			   GetCommandTagName(CreateCommandTag(stmt)));
}

/* long-lock-hold-after-ael: more work in the transaction after an ACCESS EXCLUSIVE lock on an existing table keeps that lock held. */
static void
check_long_lock_hold_after_ael(LintContext *cx, Node *stmt)
{
	RangeVar   *target = dml_target(stmt);
	bool		dml = (target != NULL);
	ListCell   *lc;
	RangeVar   *hot = NULL;

	if (cx->ael_tables == NIL || cx->long_hold_reported || !LintInTransaction(cx))
		return;
	if (target == NULL)
		target = ddl_target(stmt);
	if (target == NULL && IsA(stmt, SelectStmt) &&
		((SelectStmt *) stmt)->fromClause && !((SelectStmt *) stmt)->intoClause)
		dml = true;
	else if (target == NULL || LintCreated(cx, target))
		return;
	foreach(lc, cx->ael_tables)
	{
		RangeVar   *rv = lfirst(lc);
		double		rows;
		LintRelState s;

		if (target && same_table(rv, target))
			return;				/* mixed-ddl-dml-same-table's business */
		s = LintRelation(cx, rv, false, &rows);
		if (hot == NULL && (s == LINT_REL_LARGE || s == LINT_REL_UNKNOWN))
			hot = rv;
	}
	if (hot == NULL)
		return;
	cx->long_hold_reported = true;
	LintReport(cx, true, NULL,
			   "%s runs while this transaction holds an ACCESS EXCLUSIVE lock on table \"%s\", taken by an earlier statement: every query on it waits until commit",
			   dml ? "this query" : "more DDL", LintName(hot));
}

/* mixed-ddl-dml-same-table: DML and DDL on the same existing table in one transaction. */
static void
check_mixed_ddl_dml_same_table(LintContext *cx, Node *stmt)
{
	RangeVar   *dml = dml_target(stmt);
	RangeVar   *ddl = ddl_target(stmt);
	RangeVar   *rv = dml ? dml : ddl;
	int			use;

	if (rv == NULL || !LintInTransaction(cx) || LintCreated(cx, rv))
		return;
	use = table_use(cx, rv);
	if (use & LINT_F_MIXED_REPORTED)
		return;
	if ((dml && (use & LINT_F_DDL)) || (ddl && (use & LINT_F_DML)))
	{
		mark_table_use(cx, rv, LINT_F_MIXED_REPORTED);
		LintReport(cx, false, NULL,
				   "table \"%s\" gets both DDL and DML in one transaction: the DDL's lock is held while the data changes",
				   LintName(rv));
	}
}

/* delete-or-update-without-where: DELETE or UPDATE of every row of an existing table (downgrades: see destructive-downgrade-without-export). */
static void
check_delete_or_update_without_where(LintContext *cx, Node *stmt)
{
	RangeVar   *rv;
	char	   *note;

	if (cx->opts->downgrade)
		return;
	if (IsA(stmt, DeleteStmt) && ((DeleteStmt *) stmt)->whereClause == NULL)
		rv = ((DeleteStmt *) stmt)->relation;
	else if (IsA(stmt, UpdateStmt) && ((UpdateStmt *) stmt)->whereClause == NULL)
		rv = ((UpdateStmt *) stmt)->relation;
	else
		return;
	if (table_holds_nothing(cx, rv, &note))
		return;
	LintReport(cx, true, NULL,
			   "%s without WHERE changes every row of table \"%s\"%s in one transaction",
			   IsA(stmt, DeleteStmt) ? "DELETE" : "UPDATE", LintName(rv), note);
}

/*
 * large-data-change: INSERT, UPDATE, DELETE or MERGE of more rows than
 * migrate.lint_row_threshold in one transaction (estimated here; counted
 * after it ran by LintRunRowCount).
 */
static void
check_large_data_change(LintContext *cx, Node *stmt)
{
	RangeVar   *rv = dml_target(stmt);
	double		table_rows;
	double		rows = -1;
	LintRelState state;
	const char *verb;
	char	   *note;

	if (rv == NULL)
		return;
	if (IsA(stmt, InsertStmt))
	{
		SelectStmt *sel = (SelectStmt *) ((InsertStmt *) stmt)->selectStmt;

		verb = "INSERT adds";
		/* VALUES rows are counted in the text; DEFAULT VALUES is one row */
		if (sel == NULL)
			return;
		if (IsA(sel, SelectStmt) && sel->valuesLists)
			rows = list_length(sel->valuesLists);
		else if (IsA(sel, SelectStmt) && sel->op == SETOP_NONE &&
				 sel->fromClause == NIL && sel->withClause == NULL)
			return;
	}
	else
		verb = IsA(stmt, UpdateStmt) ? "UPDATE changes" :
			IsA(stmt, DeleteStmt) ? "DELETE removes" : "MERGE changes";

	/*
	 * Few VALUES rows are never a finding: say so before looking at the
	 * table, whose rows table_holds_nothing may read (a history that adds
	 * a row to one table in each of 10,000 revisions read them all again
	 * in each).
	 */
	if (rows >= 0 && rows <= migrate_lint_row_threshold)
		return;
	state = LintRelation(cx, rv, false, &table_rows);
	if (state == LINT_REL_NEW)
		return;					/* nobody else uses the table yet */
	if (table_holds_nothing(cx, rv, &note))
		return;					/* nor holds a row of anybody else */
	if (rows < 0)
	{
		if (state == LINT_REL_UNKNOWN)
			return;				/* without the catalogs: no way to tell */
		/* UPDATE and DELETE touch at most the rows the table holds */
		if ((IsA(stmt, UpdateStmt) || IsA(stmt, DeleteStmt)) &&
			table_rows <= migrate_lint_row_threshold)
			return;
		if ((IsA(stmt, UpdateStmt) && ((UpdateStmt *) stmt)->whereClause == NULL) ||
			(IsA(stmt, DeleteStmt) && ((DeleteStmt *) stmt)->whereClause == NULL))
			rows = table_rows;
		else
			rows = LintEstimateRows(cx, stmt);
	}
	if (rows <= migrate_lint_row_threshold)
		return;
	LintReport(cx, true, NULL,
			   "%s about %.0f rows of table \"%s\" in one transaction, more than migrate.lint_row_threshold (%d)",
			   verb, rows, LintName(rv), migrate_lint_row_threshold);
}

/* truncate: TRUNCATE of an existing table (downgrades: see destructive-downgrade-without-export). */
static void
check_truncate(LintContext *cx, Node *stmt)
{
	ListCell   *lc;
	char	   *note;

	if (!IsA(stmt, TruncateStmt) || cx->opts->downgrade)
		return;
	foreach(lc, ((TruncateStmt *) stmt)->relations)
		if (!table_holds_nothing(cx, lfirst(lc), &note))
			LintReport(cx, true, NULL,
					   "TRUNCATE of table \"%s\"%s deletes all its rows under an ACCESS EXCLUSIVE lock",
					   LintName(lfirst(lc)), note);
}

/* adding-trigger: CREATE TRIGGER on an existing table. */
static void
check_adding_trigger(LintContext *cx, Node *stmt)
{
	CreateTrigStmt *t = (CreateTrigStmt *) stmt;

	if (!IsA(stmt, CreateTrigStmt) || LintCreated(cx, t->relation))
		return;
	LintReport(cx, false, NULL,
			   "trigger \"%s\" on table \"%s\"%s: it blocks writes while it is created and costs time on every write after",
			   t->trigname, LintName(t->relation),
			   t->replace ? " is created or replaced" : " is created");
}

/* disabling-triggers: ALTER TABLE DISABLE TRIGGER, or session_replication_role = replica: foreign keys and audit triggers stop. */
static void
check_disabling_triggers(LintContext *cx, Node *stmt)
{
	ListCell   *lc;
	char	   *note;

	if (IsA(stmt, VariableSetStmt))
	{
		VariableSetStmt *v = (VariableSetStmt *) stmt;

		if (v->kind == VAR_SET_VALUE && v->name &&
			strcmp(v->name, "session_replication_role") == 0 && v->args &&
			IsA(linitial(v->args), A_Const) &&
			IsA(&((A_Const *) linitial(v->args))->val, String) &&
			strcmp(strVal(&((A_Const *) linitial(v->args))->val), "replica") == 0)
			LintReport(cx, false, NULL,
					   "session_replication_role = replica turns off ordinary triggers, foreign key checks and event triggers for the session");
		return;
	}
	if (!IsA(stmt, AlterTableStmt) ||
		table_holds_nothing(cx, ((AlterTableStmt *) stmt)->relation, &note))
		return;
	foreach(lc, ((AlterTableStmt *) stmt)->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype == AT_DisableTrig || cmd->subtype == AT_DisableTrigAll ||
			cmd->subtype == AT_DisableTrigUser)
			LintReport(cx, true, NULL,
					   "triggers of table \"%s\" are disabled%s",
					   LintName(((AlterTableStmt *) stmt)->relation),
					   cmd->subtype == AT_DisableTrigAll ?
					   ", foreign key triggers included: references stop being checked" :
					   ": what they enforce or record stops");
	}
}

/* set-tablespace: SET TABLESPACE copies the table under ACCESS EXCLUSIVE. */
static void
check_set_tablespace(LintContext *cx, Node *stmt)
{
	ListCell   *lc;
	char	   *note;

	if (IsA(stmt, AlterTableMoveAllStmt))
	{
		LintReport(cx, false, NULL,
				   "ALTER ... ALL IN TABLESPACE copies every relation it moves under an ACCESS EXCLUSIVE lock");
		return;
	}
	if (!IsA(stmt, AlterTableStmt))
		return;
	foreach(lc, ((AlterTableStmt *) stmt)->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype == AT_SetTableSpace &&
			!table_is_harmless(cx, ((AlterTableStmt *) stmt)->relation, false, &note))
			LintReport(cx, true, NULL,
					   "SET TABLESPACE copies \"%s\"%s block by block under an ACCESS EXCLUSIVE lock",
					   LintName(((AlterTableStmt *) stmt)->relation), note);
	}
}

/* set-logged-unlogged: SET LOGGED / SET UNLOGGED rewrites the table under ACCESS EXCLUSIVE. */
static void
check_set_logged_unlogged(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	char	   *note;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if ((cmd->subtype == AT_SetLogged || cmd->subtype == AT_SetUnLogged) &&
			!table_is_harmless(cx, at->relation, false, &note))
			LintReport(cx, true, NULL,
					   "SET %s rewrites table \"%s\"%s under an ACCESS EXCLUSIVE lock",
					   cmd->subtype == AT_SetLogged ? "LOGGED" : "UNLOGGED",
					   LintName(at->relation), note);
	}
}

/* set-access-method: SET ACCESS METHOD to another method rewrites the table under ACCESS EXCLUSIVE. */
static void
check_set_access_method(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = (AlterTableStmt *) stmt;
	ListCell   *lc;
	char	   *note;

	if (!IsA(stmt, AlterTableStmt))
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Oid			relid;

		if (cmd->subtype != AT_SetAccessMethod ||
			table_is_harmless(cx, at->relation, false, &note))
			continue;
		if (cmd->name && OidIsValid(relid = LintRelid(cx, at->relation)))
		{
			HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
			bool		same = false;

			if (HeapTupleIsValid(tup))
			{
				same = ((Form_pg_class) GETSTRUCT(tup))->relam ==
					get_table_am_oid(cmd->name, true);
				ReleaseSysCache(tup);
			}
			if (same)
				continue;
		}
		LintReport(cx, true, NULL,
				   "SET ACCESS METHOD rewrites \"%s\"%s under an ACCESS EXCLUSIVE lock",
				   LintName(at->relation), note);
	}
}

/* require-concurrent-partition-detach: DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent. */
static void
check_require_concurrent_partition_detach(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;

	if (at == NULL || LintCreated(cx, at->relation))
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype == AT_DetachPartition && cmd->def &&
			IsA(cmd->def, PartitionCmd) &&
			!((PartitionCmd *) cmd->def)->concurrent)
			LintReport(cx, false, NULL,
					   "DETACH PARTITION \"%s\" without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on \"%s\" and the partition",
					   LintName(((PartitionCmd *) cmd->def)->name),
					   LintName(at->relation));
	}
}

/* What ATTACH PARTITION will scan, as the server decides it. */
typedef struct AttachScan
{
	Oid			parent;
	Oid			partition;
	PartitionBoundSpec *bound;	/* as written */
	const char *sql;
	bool		scans_partition;	/* out */
	Oid			scans_default;	/* out: the default partition, if scanned */
} AttachScan;

/*
 * LintTry callback, after ATExecAttachPartition: the table being attached
 * is scanned unless its constraints imply the partition constraint; the
 * parent's default partition too unless its constraints imply that it
 * holds nothing of the new bound.
 */
static void
attach_scan(void *arg)
{
	AttachScan *as = arg;
	Relation	parent = table_open(as->parent, AccessShareLock);
	Relation	part = OidIsValid(as->partition) ?
		table_open(as->partition, AccessShareLock) : NULL;
	ParseState *pstate = make_parsestate(NULL);
	PartitionBoundSpec *bound;
	List	   *bound_qual;
	List	   *qual;
	Oid			defaultid;

	pstate->p_sourcetext = as->sql;
	bound = transformPartitionBound(pstate, parent, as->bound);
	bound_qual = get_qual_from_partbound(parent, bound);
	qual = list_concat_copy(bound_qual, RelationGetPartitionQual(parent));
	as->scans_partition = (part != NULL && qual != NIL);
	if (part != NULL && qual != NIL)
	{
		qual = (List *) eval_const_expressions(NULL, (Node *) qual);
		qual = list_make1(make_ands_explicit(qual));
		qual = map_partition_varattnos(qual, 1, part, parent);
		as->scans_partition = !PartConstraintImpliedByRelConstraint(part, qual);
	}
	defaultid = bound->is_default ? InvalidOid :
		get_default_oid_from_partdesc(RelationGetPartitionDesc(parent, true));
	if (OidIsValid(defaultid))
	{
		Relation	def = table_open(defaultid, AccessShareLock);

		qual = get_proposed_default_constraint(bound_qual);
		qual = map_partition_varattnos(qual, 1, def, parent);
		if (!PartConstraintImpliedByRelConstraint(def, qual))
			as->scans_default = defaultid;
		table_close(def, NoLock);
	}
	if (part != NULL)
		table_close(part, NoLock);
	table_close(parent, NoLock);
}

/*
 * Is every value of a partition bound, as written, a literal (or MINVALUE,
 * MAXVALUE)?  Only such a bound is analysed: transforming an expression
 * runs it (a function, a cast to a domain with a CHECK), and the linter
 * must never run code the statement names, least of all before the
 * command's own permission check.
 */
static bool
bound_is_literal(PartitionBoundSpec *bound)
{
	List	   *lists[3] = {bound->listdatums, bound->lowerdatums,
	bound->upperdatums};

	for (int i = 0; i < 3; i++)
	{
		ListCell   *lc;

		foreach(lc, lists[i])
		{
			Node	   *value = lfirst(lc);

			if (IsA(value, A_Const))
				continue;
			if (IsA(value, ColumnRef) &&
				list_length(((ColumnRef *) value)->fields) == 1 &&
				IsA(linitial(((ColumnRef *) value)->fields), String))
			{
				const char *word = strVal(linitial(((ColumnRef *) value)->fields));

				if (strcmp(word, "minvalue") == 0 ||
					strcmp(word, "maxvalue") == 0)
					continue;
			}
			return false;
		}
	}
	return true;
}

/*
 * attach-partition-without-check: ATTACH PARTITION of a table that holds
 * rows, when no CHECK constraint on it implies the partition bound (or a
 * populated default partition must be checked).
 */
static void
check_attach_partition_without_check(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;

	if (at == NULL)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		PartitionCmd *pc;
		AttachScan	as = {0};
		char	   *note = "";
		bool		harmless;

		if (cmd->subtype != AT_AttachPartition || cmd->def == NULL ||
			!IsA(cmd->def, PartitionCmd))
			continue;
		pc = (PartitionCmd *) cmd->def;
		harmless = table_is_harmless(cx, pc->name, false, &note);
		as.parent = LintRelid(cx, at->relation);
		as.partition = LintRelid(cx, pc->name);
		as.bound = pc->bound;
		as.sql = cx->sql;
		if (OidIsValid(as.parent) &&
			get_rel_relkind(as.parent) == RELKIND_PARTITIONED_TABLE &&
			pc->bound != NULL && bound_is_literal(pc->bound))
		{
			if (!LintTry(attach_scan, &as))
				continue;		/* the ATTACH fails by itself */
			if (!OidIsValid(as.partition))
				as.scans_partition = true;	/* not there yet */
		}
		else
			as.scans_partition = true;	/* unknown: as the text says */

		if (as.scans_partition && !harmless)
			LintReport(cx, true, NULL,
					   "ATTACH PARTITION scans table \"%s\"%s under an ACCESS EXCLUSIVE lock to check the partition bound: no CHECK constraint on it implies the bound",
					   LintName(pc->name), note);
		if (OidIsValid(as.scans_default))
		{
			RangeVar   *def = makeRangeVar(get_namespace_name(get_rel_namespace(as.scans_default)),
										   get_rel_name(as.scans_default), -1);

			if (!table_is_harmless(cx, def, false, &note))
				LintReport(cx, true, NULL,
						   "ATTACH PARTITION scans the default partition \"%s\"%s of \"%s\" for rows of the new bound, under an ACCESS EXCLUSIVE lock",
						   LintName(def), note, LintName(at->relation));
		}
	}
}

/* Are all objects of a GRANT/REVOKE ones an earlier statement created? */
static bool
grant_on_new_objects(LintContext *cx, GrantStmt *g)
{
	ListCell   *lc;

	if (g->targtype != ACL_TARGET_OBJECT || g->objects == NIL)
		return false;
	foreach(lc, g->objects)
	{
		Node	   *o = lfirst(lc);
		bool		created = false;

		if (IsA(o, RangeVar))
			created = LintCreated(cx, (RangeVar *) o);
		else if (IsA(o, ObjectWithArgs))
			(void) LintObjectFlags(cx, LINT_OBJ_FUNCTION, NULL,
								   strVal(llast(((ObjectWithArgs *) o)->objname)),
								   &created);
		else if (IsA(o, String))
			(void) LintObjectFlags(cx, LINT_OBJ_SCHEMA, NULL, strVal(o), &created);
		if (!created)
			return false;
	}
	return true;
}

static void
check_grant(LintContext *cx, GrantStmt *g, bool defaults)
{
	ListCell   *lc;

	if (!defaults && grant_on_new_objects(cx, g))
		return;
	if (!g->is_grant)
	{
		LintReport(cx, false, NULL,
				   "%s takes privileges away: a role the application uses may lose access",
				   defaults ? "ALTER DEFAULT PRIVILEGES ... REVOKE" : "REVOKE");
		return;
	}
	foreach(lc, g->grantees)
		if (((RoleSpec *) lfirst(lc))->roletype == ROLESPEC_PUBLIC)
		{
			LintReportAs(cx, LINT_WARNING, false,
						 "Grant to the roles that need it instead of PUBLIC.",
						 "%s to PUBLIC gives every role access",
						 defaults ? "ALTER DEFAULT PRIVILEGES ... GRANT" : "GRANT");
			return;
		}
}

/* grant-revoke-change: REVOKE (escalate) and GRANT to PUBLIC (warning) on objects the text did not create. */
static void
check_grant_revoke_change(LintContext *cx, Node *stmt)
{
	if (IsA(stmt, GrantStmt))
		check_grant(cx, (GrantStmt *) stmt, false);
	else if (IsA(stmt, AlterDefaultPrivilegesStmt))
		check_grant(cx, ((AlterDefaultPrivilegesStmt *) stmt)->action, true);
	else if (IsA(stmt, GrantRoleStmt) && !((GrantRoleStmt *) stmt)->is_grant)
		LintReport(cx, false, NULL,
				   "REVOKE of role membership: a role the application uses may lose access");
}

/* row-level-security-change: ENABLE/DISABLE/FORCE ROW LEVEL SECURITY or CREATE POLICY on an existing table. */
static void
check_row_level_security_change(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	if (IsA(stmt, CreatePolicyStmt))
	{
		CreatePolicyStmt *p = (CreatePolicyStmt *) stmt;

		if (!LintCreated(cx, p->table))
			LintReport(cx, false, NULL,
					   "policy \"%s\" on table \"%s\" changes which rows roles see, and takes an ACCESS EXCLUSIVE lock",
					   p->policy_name, LintName(p->table));
		return;
	}
	if (alter_table(stmt) == NULL ||
		LintCreated(cx, ((AlterTableStmt *) stmt)->relation))
		return;
	foreach(lc, ((AlterTableStmt *) stmt)->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		const char *what;

		switch (cmd->subtype)
		{
			case AT_EnableRowSecurity:
				what = "ENABLE ROW LEVEL SECURITY: without a permissive policy, roles other than the owner see no rows";
				break;
			case AT_DisableRowSecurity:
				what = "DISABLE ROW LEVEL SECURITY: every role with access sees every row";
				break;
			case AT_ForceRowSecurity:
				what = "FORCE ROW LEVEL SECURITY: policies apply to the owner too";
				break;
			default:
				continue;
		}
		LintReport(cx, false, NULL, "table \"%s\": %s",
				   LintName(((AlterTableStmt *) stmt)->relation), what);
	}
}

/* Rows counted at most to say how many a downgrade would drop. */
#define LINT_LOSS_ROWS_MAX 1000000

/* The hint of a data loss that stops a downgrade while it runs. */
#define LINT_LOSS_HINT "Export the data first in the downgrade (CREATE TABLE archive.x AS SELECT ..., or COPY ... TO a file), or, if it may go, consent to the loss: migrate_downgrade(target, drop_data => true), SET migrate.drop_data = on, or pg_migrate downgrade --force."

/*
 * " (N rows)" for what a downgrade would drop (with "column": the rows
 * where it holds a value), counted; "note" when the role may not read it.
 */
static char *
loss_note(Oid relid, const char *column, char *note)
{
	double		n;

	if (!OidIsValid(relid) ||
		(n = LintCountRows(relid, column, LINT_LOSS_ROWS_MAX)) < 0)
		return note;
	if (n >= LINT_LOSS_ROWS_MAX)
		return psprintf(" (more than %d rows%s)", LINT_LOSS_ROWS_MAX,
						column ? " with a value" : "");
	return psprintf(" (%.0f row%s%s)", n, n == 1 ? "" : "s",
					column ? " with a value" : "");
}

/*
 * destructive-downgrade-without-export, for one object (with "column": a
 * column of rv): silent when the downgrade created it, or when it holds
 * nothing: no row, or only rows that migrations wrote (seed data, which
 * later migrations may have updated), or (a column) no value.  Right before the statement runs, what the
 * revision's own upgrade created counts like anything else: its rows may
 * be the application's.  At load and in migrate_lint, dropping what the
 * upgrade created is left to be decided then.
 */
static void
destructive(LintContext *cx, RangeVar *rv, const char *column,
			const char *what)
{
	bool		run = cx->opts->mode == LINT_MODE_RUN;
	char	   *note;
	Oid			relid;

	if (LintCreated(cx, rv))
		return;
	if (!run &&
		((column != NULL &&
		  LintCreatedByUpgrade(cx, LINT_OBJ_COLUMN,
							   psprintf("%s.%s", rv->relname, column))) ||
		 LintCreatedByUpgrade(cx, LINT_OBJ_RELATION, rv->relname)))
		return;
	if (table_holds_nothing(cx, rv, &note))
		return;
	if (run)
	{
		relid = LintRelid(cx, rv);
		/* what migrations inserted, and later migrations changed */
		if (OidIsValid(relid) && LintRowsFromMigrations(cx, relid, true))
			return;
		if (column != NULL && OidIsValid(relid) &&
			LintCountRows(relid, column, 1) == 0)
			return;				/* no value in it: nothing is lost */
		note = loss_note(relid, column, note);
	}
	LintReport(cx, true, run ? LINT_LOSS_HINT : NULL,
			   "the downgrade %s%s, and no earlier statement exports the data",
			   what, note);
}

/* protected-object-change: DDL touching a table or column listed by migrate_protect (live: the registry is in the database). */
static void
check_protected_object_change(LintContext *cx, Node *stmt)
{
	const char *what;

	if (!LintLive(cx) || cx->opts->mode == LINT_MODE_DDL)
		return;					/* the DDL guard checks it itself */
	if (ProtectedTouched(stmt, &what))
		LintReport(cx, true, NULL, "the statement changes protected %s", what);
}

/* drift-ddl-outside-migration: event triggers only (guard.c): any DDL on a managed schema's objects; never in a revision. */
static void
check_drift_ddl_outside_migration(LintContext *cx, Node *stmt)
{
	if (cx->opts->mode == LINT_MODE_DDL)
		LintReport(cx, false, NULL, "the statement changes objects of a managed schema outside migrations");
}

/* destructive-downgrade-without-export: a downgrade that drops, truncates or overwrites data that may exist, with no export step before. */
static void
check_destructive_downgrade_without_export(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	if (!cx->opts->downgrade || cx->exported)
		return;
	if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->removeType == OBJECT_TABLE)
	{
		foreach(lc, ((DropStmt *) stmt)->objects)
		{
			RangeVar   *rv = LintRangeVarFromList(lfirst(lc));

			if (rv)
				destructive(cx, rv, NULL,
							psprintf("drops table \"%s\"", LintName(rv)));
		}
	}
	else if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->removeType == OBJECT_SCHEMA)
	{
		foreach(lc, ((DropStmt *) stmt)->objects)
		{
			bool		created;
			const char *name;
			char	   *note = "";

			if (!IsA(lfirst(lc), String))
				continue;
			name = strVal(lfirst(lc));
			(void) LintObjectFlags(cx, LINT_OBJ_SCHEMA, NULL, name, &created);
			if (created)
				continue;
			if (cx->opts->mode == LINT_MODE_RUN)
			{
				if (schema_holds_nothing(cx, name, &note))
					continue;
			}
			else if (LintCreatedByUpgrade(cx, LINT_OBJ_SCHEMA, name) ||
					 schema_holds_nothing(cx, name, &note))
				continue;
			LintReport(cx, true,
					   cx->opts->mode == LINT_MODE_RUN ? LINT_LOSS_HINT : NULL,
					   "the downgrade drops schema \"%s\" with its tables%s, and no earlier statement exports the data",
					   name, note);
		}
	}
	else if (IsA(stmt, TruncateStmt))
	{
		foreach(lc, ((TruncateStmt *) stmt)->relations)
			destructive(cx, lfirst(lc), NULL,
						psprintf("truncates table \"%s\"", LintName(lfirst(lc))));
	}
	else if (IsA(stmt, DeleteStmt) && ((DeleteStmt *) stmt)->whereClause == NULL)
		destructive(cx, ((DeleteStmt *) stmt)->relation, NULL,
					psprintf("deletes every row of table \"%s\"",
							 LintName(((DeleteStmt *) stmt)->relation)));
	else if (IsA(stmt, UpdateStmt) && ((UpdateStmt *) stmt)->whereClause == NULL)
		destructive(cx, ((UpdateStmt *) stmt)->relation, NULL,
					psprintf("overwrites every row of table \"%s\"",
							 LintName(((UpdateStmt *) stmt)->relation)));
	else if (alter_table(stmt))
	{
		AlterTableStmt *at = alter_table(stmt);

		foreach(lc, at->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

			if (cmd->subtype != AT_DropColumn || cmd->name == NULL ||
				column_added(cx, at->relation, cmd->name, false))
				continue;
			destructive(cx, at->relation, cmd->name,
						psprintf("drops column \"%s\" of table \"%s\"",
								 cmd->name, LintName(at->relation)));
		}
	}
}

/* prefer-text-over-varchar: varchar(n): text with a CHECK on its length is easier to change. */
static void
check_prefer_text_over_varchar(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	foreach(lc, column_uses(stmt))
	{
		ColumnUse  *u = lfirst(lc);

		if (type_is(u->type, "varchar") && u->type->typmods != NIL)
			LintReport(cx, false, NULL,
					   "column \"%s\" is varchar(n): shortening the limit later rewrites the table",
					   u->name);
	}
}

/* ban-char-field: char(n) pads with spaces and wastes space. */
static void
check_ban_char_field(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	foreach(lc, column_uses(stmt))
	{
		ColumnUse  *u = lfirst(lc);

		if (type_is(u->type, "bpchar"))
			LintReport(cx, false, NULL,
					   "column \"%s\" is char(n): values are padded with spaces, which surprises comparisons and wastes space",
					   u->name);
	}
}

/* prefer-timestamptz: timestamp without time zone loses the offset. */
static void
check_prefer_timestamptz(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	foreach(lc, column_uses(stmt))
	{
		ColumnUse  *u = lfirst(lc);

		if (type_is(u->type, "timestamp"))
			LintReport(cx, false, NULL,
					   "column \"%s\" is timestamp without time zone: values depend on the writer's time zone",
					   u->name);
	}
}

/* prefer-bigint: a key column of 32 or 16 bits runs out of values. */
static void
check_prefer_bigint(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	foreach(lc, column_uses(stmt))
	{
		ColumnUse  *u = lfirst(lc);
		bool		small = type_is(u->type, "int4") || type_is(u->type, "int2") ||
		type_is(u->type, "serial") || type_is(u->type, "serial4") ||
		type_is(u->type, "smallserial") || type_is(u->type, "serial2");

		if (small && (u->key || is_serial(u->type)))
			LintReport(cx, false, NULL,
					   "key column \"%s\" is %s: it can run out of values, and widening it later rewrites the table",
					   u->name, type_display(u->type));
	}
}

/* prefer-identity: serial types; identity columns are standard and owned properly. */
static void
check_prefer_identity(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	foreach(lc, column_uses(stmt))
	{
		ColumnUse  *u = lfirst(lc);

		if (u->def && is_serial(u->type))
			LintReport(cx, false, NULL,
					   "column \"%s\" is %s: its sequence has separate privileges and ownership",
					   u->name, type_name(u->type));
	}
}

/* prefer-jsonb: json has no equality operator and is parsed on every read. */
static void
check_prefer_jsonb(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	foreach(lc, column_uses(stmt))
	{
		ColumnUse  *u = lfirst(lc);

		if (type_is(u->type, "json"))
			LintReport(cx, false, NULL,
					   "column \"%s\" is json: it has no equality operator (DISTINCT, GROUP BY and UNION fail) and is parsed on every access",
					   u->name);
	}
}

/* identifier-too-long: an identifier over 63 bytes, which the server silently truncates. */
static void
check_identifier_too_long(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	foreach(lc, cx->long_identifiers)
	{
		LintLongIdent *id = lfirst(lc);

		if (id->line >= cx->st->line && id->line <= cx->end_line)
			LintReport(cx, false, NULL,
					   "identifier \"%s...\" is %d bytes long: it is truncated to %d, so two long names can collide",
					   id->text, id->length, NAMEDATALEN - 1);
	}
}

/* require-table-schema (off by default): a DDL statement names a relation without a schema. */
static void
check_require_table_schema(LintContext *cx, Node *stmt)
{
	RangeVar   *rv = NULL;

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			rv = ((CreateStmt *) stmt)->relation;
			break;
		case T_AlterTableStmt:
			rv = ((AlterTableStmt *) stmt)->relation;
			break;
		case T_IndexStmt:
			rv = ((IndexStmt *) stmt)->relation;
			break;
		case T_ViewStmt:
			rv = ((ViewStmt *) stmt)->view;
			break;
		case T_CreateTableAsStmt:
			rv = ((CreateTableAsStmt *) stmt)->into->rel;
			break;
		case T_CreateTrigStmt:
			rv = ((CreateTrigStmt *) stmt)->relation;
			break;
		case T_RenameStmt:
			rv = ((RenameStmt *) stmt)->relation;
			break;
		case T_DropStmt:
			if (((DropStmt *) stmt)->objects &&
				IsA(linitial(((DropStmt *) stmt)->objects), List))
				rv = LintRangeVarFromList(linitial(((DropStmt *) stmt)->objects));
			break;
		default:
			break;
	}
	if (rv && rv->schemaname == NULL && rv->relpersistence != RELPERSISTENCE_TEMP)
		LintReport(cx, false, NULL,
				   "\"%s\" has no schema: the search_path decides which relation it is",
				   rv->relname);
}

/* prefer-robust-stmts: CREATE/DROP INDEX CONCURRENTLY without IF [NOT] EXISTS cannot be retried after a failure. */
static void
check_prefer_robust_stmts(LintContext *cx, Node *stmt)
{
	if (IsA(stmt, IndexStmt) && ((IndexStmt *) stmt)->concurrent &&
		!((IndexStmt *) stmt)->if_not_exists)
		LintReport(cx, false, NULL,
				   "CREATE INDEX CONCURRENTLY without IF NOT EXISTS fails when retried after a failure");
	else if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->concurrent &&
			 !((DropStmt *) stmt)->missing_ok)
		LintReport(cx, false, NULL,
				   "DROP INDEX CONCURRENTLY without IF EXISTS fails when retried after a failure");
}

/* index-too-many-columns: a non-unique index over more than three columns. */
static void
check_index_too_many_columns(LintContext *cx, Node *stmt)
{
	IndexStmt  *ix = (IndexStmt *) stmt;

	if (!IsA(stmt, IndexStmt) || ix->unique || list_length(ix->indexParams) <= 3)
		return;
	LintReport(cx, false, NULL,
			   "index on \"%s\" has %d columns: wide indexes are large and rarely used past the first few",
			   LintName(ix->relation), list_length(ix->indexParams));
}

/* alter-table-multiple-statements: several ALTER TABLE statements on one existing table that each scan or rewrite it. */
static void
check_alter_table_multiple_statements(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	ListCell   *lc;
	bool		scans = false;
	int			use;

	if (at == NULL || LintCreated(cx, at->relation))
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Constraint *c = added_constraint(cmd);

		if (cmd->subtype == AT_SetNotNull || cmd->subtype == AT_AlterColumnType ||
			(c && !c->skip_validation && c->indexname == NULL &&
			 c->contype != CONSTR_DEFAULT))
			scans = true;
	}
	use = table_use(cx, at->relation);
	if (!scans || !(use & LINT_F_SCAN_ALTER) || (use & LINT_F_MULTI_REPORTED))
		return;
	mark_table_use(cx, at->relation, LINT_F_MULTI_REPORTED);
	LintReport(cx, false, NULL,
			   "table \"%s\" is scanned again by another ALTER TABLE in the same text",
			   LintName(at->relation));
}

/*
 * Citus
 *
 * These rules read Citus's metadata (catalog/citus.c), so they speak only
 * when the lint is live, on the coordinator of a Citus cluster; without
 * Citus every table is CITUS_NONE and they stay silent.
 */

/* What Citus makes of the table rv names now (CITUS_NONE when static). */
static CitusKind
citus_table(LintContext *cx, RangeVar *rv, CitusTable *table)
{
	return CitusTableLookup(LintRelid(cx, rv), table);
}

/* The name of the distribution column of a distributed table, or NULL. */
static char *
citus_distribution_column(LintContext *cx, RangeVar *rv)
{
	CitusTable	table;

	if (citus_table(cx, rv, &table) != CITUS_DISTRIBUTED || table.distcol <= 0)
		return NULL;
	return get_attname(LintRelid(cx, rv), table.distcol, true);
}

/* citus-distribution-column-change: ALTER COLUMN ... TYPE or DROP COLUMN of the distribution column. */
static void
check_citus_distribution_column_change(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	char	   *distcol;
	ListCell   *lc;

	if (at == NULL || (distcol = citus_distribution_column(cx, at->relation)) == NULL)
		return;
	foreach(lc, at->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if ((cmd->subtype == AT_AlterColumnType || cmd->subtype == AT_DropColumn) &&
			cmd->name && strcmp(cmd->name, distcol) == 0)
			LintReport(cx, true, NULL,
					   "column \"%s\" is the distribution column of Citus table \"%s\": Citus refuses to %s it",
					   cmd->name, LintName(at->relation),
					   cmd->subtype == AT_DropColumn ? "drop" : "change the type of");
	}
}

/* Does a list of key column names (String) hold "column"? */
static bool
keys_include(List *keys, const char *column)
{
	ListCell   *lc;

	foreach(lc, keys)
		if (lfirst(lc) && IsA(lfirst(lc), String) &&
			strcmp(strVal(lfirst(lc)), column) == 0)
			return true;
	return false;
}

/* The column names of index elements (expressions have none). */
static List *
index_elem_names(List *elems)
{
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, elems)
	{
		Node	   *n = lfirst(lc);

		if (IsA(n, List))		/* EXCLUDE: (element, operator) pairs */
			n = linitial((List *) n);
		if (IsA(n, IndexElem) && ((IndexElem *) n)->name)
			names = lappend(names, makeString(((IndexElem *) n)->name));
	}
	return names;
}

/* citus-unique-without-distribution-column: UNIQUE, PRIMARY KEY, EXCLUDE or a unique index on a distributed table, without its distribution column. */
static void
check_citus_unique_without_distribution_column(LintContext *cx, Node *stmt)
{
	char	   *distcol;
	ListCell   *lc;

	if (IsA(stmt, IndexStmt))
	{
		IndexStmt  *ix = (IndexStmt *) stmt;

		if (ix->unique &&
			(distcol = citus_distribution_column(cx, ix->relation)) != NULL &&
			!keys_include(index_elem_names(ix->indexParams), distcol))
			LintReport(cx, true, NULL,
					   "unique index on Citus table \"%s\" does not include its distribution column \"%s\": Citus refuses it, since each shard can only check its own rows",
					   LintName(ix->relation), distcol);
		return;
	}
	if (alter_table(stmt) == NULL ||
		(distcol = citus_distribution_column(cx, ((AlterTableStmt *) stmt)->relation)) == NULL)
		return;
	foreach(lc, ((AlterTableStmt *) stmt)->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Constraint *c = added_constraint(cmd);
		ColumnDef  *col = added_column(cmd);
		List	   *keys;

		if (col)
		{
			c = find_contype(col->constraints, CONSTR_PRIMARY);
			if (c == NULL)
				c = find_contype(col->constraints, CONSTR_UNIQUE);
			keys = list_make1(makeString(col->colname));
		}
		else if (c && c->contype == CONSTR_EXCLUSION)
			keys = index_elem_names(c->exclusions);
		else
			keys = c ? c->keys : NIL;
		if (c == NULL || c->indexname ||
			(c->contype != CONSTR_PRIMARY && c->contype != CONSTR_UNIQUE &&
			 c->contype != CONSTR_EXCLUSION) ||
			keys_include(keys, distcol))
			continue;
		LintReport(cx, true, NULL,
				   "%s on Citus table \"%s\" does not include its distribution column \"%s\": Citus refuses it, since each shard can only check its own rows",
				   c->contype == CONSTR_PRIMARY ? "PRIMARY KEY" :
				   c->contype == CONSTR_UNIQUE ? "UNIQUE constraint" : "EXCLUDE constraint",
				   LintName(((AlterTableStmt *) stmt)->relation), distcol);
	}
}

/*
 * Does lock_timeout bound lock waits on the workers too?  Citus sends SET
 * LOCAL commands to the workers when citus.propagate_set_commands is
 * 'local'.  In a text: both set by earlier statements; for ad-hoc DDL (the
 * guard): the session's settings.  migrate.lock_timeout is not a SET, and
 * never reaches the workers.
 */
static bool
citus_lock_timeout_propagated(LintContext *cx)
{
	const char *propagate;

	if (cx->opts->mode != LINT_MODE_DDL)
		return cx->citus_propagate && cx->lock_timeout_set;
	propagate = GetConfigOption("citus.propagate_set_commands", true, false);
	return LockTimeout > 0 && propagate && pg_strcasecmp(propagate, "local") == 0;
}

/* citus-ddl-fans-out: ACCESS EXCLUSIVE ALTER TABLE on a large distributed or reference table, without lock_timeout reaching the workers. */
static void
check_citus_ddl_fans_out(LintContext *cx, Node *stmt)
{
	AlterTableStmt *at = alter_table(stmt);
	CitusTable	table;
	CitusKind	kind;
	double		rows;

	if (at == NULL || citus_lock_timeout_propagated(cx))
		return;
	kind = citus_table(cx, at->relation, &table);
	if ((kind != CITUS_DISTRIBUTED && kind != CITUS_REFERENCE) ||
		AlterTableGetLockLevel(at->cmds) != AccessExclusiveLock ||
		LintRelation(cx, at->relation, false, &rows) != LINT_REL_LARGE)
		return;
	LintReport(cx, true, NULL,
			   "ALTER TABLE of Citus %s table \"%s\" (about %.0f rows, %d shard%s) takes an ACCESS EXCLUSIVE lock on every shard on the workers, and lock_timeout set on the coordinator does not bound those waits (citus.propagate_set_commands is not 'local')",
			   kind == CITUS_REFERENCE ? "reference" : "distributed",
			   LintName(at->relation), rows, table.shards,
			   table.shards == 1 ? "" : "s");
}

/* Is relid referenced by a foreign key?  From pg_constraint, no lock on relid. */
static bool
referenced_by_foreign_key(Oid relid)
{
	Relation	pg_constraint = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	ScanKeyInit(&key, Anum_pg_constraint_confrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(pg_constraint, InvalidOid, false, NULL, 1, &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
		found = ((Form_pg_constraint) GETSTRUCT(tup))->contype == CONSTRAINT_FOREIGN;
	systable_endscan(scan);
	table_close(pg_constraint, AccessShareLock);
	return found;
}

/* The reference table a foreign key constraint points to, or NULL. */
static RangeVar *
fk_to_reference_table(LintContext *cx, Node *n)
{
	Constraint *c = (Constraint *) n;

	if (n && IsA(n, Constraint) && c->contype == CONSTR_FOREIGN && c->pktable &&
		citus_table(cx, c->pktable, NULL) == CITUS_REFERENCE)
		return c->pktable;
	return NULL;
}

/* citus-reference-table-after-parallel-ddl: DDL or DML on a referenced reference table, or a new foreign key to a reference table, after parallel DDL on a distributed table (or create_distributed_table), in one transaction. */
static void
check_citus_reference_table_after_parallel_ddl(LintContext *cx, Node *stmt)
{
	RangeVar   *rv = NULL;
	RangeVar   *target = NULL;
	ListCell   *lc;

	if (cx->citus_parallel_ddl == NULL || cx->citus_sequential)
		return;
	if (IsA(stmt, CreateStmt))
	{
		CreateStmt *cs = (CreateStmt *) stmt;

		foreach(lc, cs->tableElts)
		{
			ListCell   *lk;

			if (IsA(lfirst(lc), ColumnDef))
				foreach(lk, ((ColumnDef *) lfirst(lc))->constraints)
					if (rv == NULL)
						rv = fk_to_reference_table(cx, lfirst(lk));
		}
		foreach(lc, cs->constraints)
			if (rv == NULL)
				rv = fk_to_reference_table(cx, lfirst(lc));
		target = cs->relation;
	}
	else if (alter_table(stmt))
	{
		target = ((AlterTableStmt *) stmt)->relation;
		foreach(lc, ((AlterTableStmt *) stmt)->cmds)
			if (rv == NULL)
				rv = fk_to_reference_table(cx, ((AlterTableCmd *) lfirst(lc))->def);
		if (rv == NULL && citus_table(cx, target, NULL) == CITUS_REFERENCE &&
			referenced_by_foreign_key(LintRelid(cx, target)))
			rv = target;
	}
	else
	{
		if (IsA(stmt, InsertStmt))
			rv = ((InsertStmt *) stmt)->relation;
		else if (IsA(stmt, UpdateStmt))
			rv = ((UpdateStmt *) stmt)->relation;
		else if (IsA(stmt, DeleteStmt))
			rv = ((DeleteStmt *) stmt)->relation;
		else if (IsA(stmt, IndexStmt) && !((IndexStmt *) stmt)->concurrent)
			rv = ((IndexStmt *) stmt)->relation;
		if (rv && (citus_table(cx, rv, NULL) != CITUS_REFERENCE ||
				   !referenced_by_foreign_key(LintRelid(cx, rv))))
			rv = NULL;
	}
	if (rv == NULL)
		return;
	if (target && rv != target)
		LintReport(cx, true, NULL,
				   "table \"%s\" gets a foreign key to reference table \"%s\" after distributed table \"%s\" was changed over parallel connections in the same transaction: Citus refuses it",
				   LintName(target), LintName(rv), cx->citus_parallel_ddl);
	else
		LintReport(cx, true, NULL,
				   "reference table \"%s\", which a foreign key references, is changed after distributed table \"%s\" was changed over parallel connections in the same transaction: Citus refuses it",
				   LintName(rv), cx->citus_parallel_ddl);
}

/*
 * The rule table: one row per rule of the catalogue (RULES.md), in its
 * order.  Columns: id, default severity, refined against the catalogs
 * (findings depend on the database's state), style advice (not reported
 * at load), what it catches, why it hurts, the safe alternative (the
 * default hint), the check.
 */
const LintRule LintRuleTable[] = {
	/* #1: NOT NULL without default fails on the first row */
	{"adding-required-column", LINT_ERROR, true, false,
		"ADD COLUMN ... NOT NULL without a default on a table that holds rows",
		"The new column is NULL in every existing row, so the ALTER fails on a populated table; old code that inserts without the column breaks too.",
		"Add the column with a constant default (metadata only since PostgreSQL 11), or add it nullable, backfill, then make it NOT NULL through a validated CHECK.",
	check_adding_required_column},
	/* #2: volatile default or constrained domain: rewrite */
	{"adding-column-volatile-default", LINT_ERROR, true, false,
		"ADD COLUMN with a volatile default (clock_timestamp(), gen_random_uuid(), ...) or of a domain type with constraints",
		"Every existing row needs its own value, so the table and all its indexes are rewritten under an ACCESS EXCLUSIVE lock.",
		"Add the column without a default, then ALTER COLUMN ... SET DEFAULT for new rows, and backfill existing rows in batches.",
	check_adding_column_volatile_default},
	/* #3: serial or identity column: rewrite */
	{"adding-serial-or-identity-column", LINT_ERROR, true, false,
		"ADD COLUMN of type serial/bigserial/smallserial, or GENERATED ... AS IDENTITY",
		"Every existing row gets a sequence value, so the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock.",
		"Add a nullable bigint column, attach a sequence as its default, backfill in batches, then add NOT NULL through a validated CHECK.",
	check_adding_serial_or_identity_column},
	/* #4: stored generated column: rewrite */
	{"adding-stored-generated-column", LINT_ERROR, true, false,
		"ADD COLUMN ... GENERATED ALWAYS AS (...) STORED",
		"Every existing row is computed and written, so the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock.",
		"Add a plain column kept up to date by a trigger, and backfill existing rows in batches.",
	check_adding_stored_generated_column},
	/* #5: SET NOT NULL scans unless a validated CHECK proves it */
	{"setting-not-null", LINT_ERROR, true, false,
		"ALTER COLUMN ... SET NOT NULL on a table that is not small",
		"The whole table is scanned under an ACCESS EXCLUSIVE lock, unless a validated CHECK (col IS NOT NULL) already proves it.",
		"Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later revision, then SET NOT NULL (no scan) and drop the CHECK.",
	check_setting_not_null},
	/* #6: DROP NOT NULL breaks readers */
	{"dropping-not-null", LINT_WARNING, false, false,
		"ALTER COLUMN ... DROP NOT NULL",
		"Code that reads the column may assume it always has a value.",
		"Make sure every reader tolerates NULL before the column can hold one.",
	check_dropping_not_null},
	/* #7: type change: rewrite unless binary coercible or a widening */
	{"changing-column-type", LINT_ERROR, true, false,
		"ALTER COLUMN ... TYPE that rewrites the table, rebuilds indexes or re-checks constraints",
		"Unless the change is binary coercible or widens a length or precision, the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock; even then clients see a new type.",
		"Add a column of the new type, keep it in step with a trigger, backfill in batches, switch readers, then drop the old column.",
	check_changing_column_type},
	/* #8: rename column breaks clients */
	{"renaming-column", LINT_ERROR, true, false,
		"ALTER TABLE ... RENAME COLUMN of a table that holds rows",
		"Every client that still uses the old name breaks the moment the revision commits.",
		"Add a column with the new name, write both, backfill, switch readers, then drop the old one; or keep the database name and rename in the application.",
	check_renaming_column},
	/* #9: rename table breaks clients */
	{"renaming-table", LINT_ERROR, true, false,
		"ALTER TABLE/VIEW/MATERIALIZED VIEW ... RENAME TO of a relation that holds rows (a view: over tables that do)",
		"Every client that still uses the old name breaks the moment the revision commits.",
		"Create a view with the new name over the old table, move clients to it, then rename and drop the view in one later revision.",
	check_renaming_table},
	/* #10: rename schema breaks qualified names */
	{"renaming-schema", LINT_ERROR, true, false,
		"ALTER SCHEMA ... RENAME TO of a schema whose tables hold rows",
		"Every qualified name and search_path setting that uses the old schema breaks.",
		"Create the new schema and move objects one by one, or keep the old name.",
	check_renaming_schema},
	/* #11: drop column loses data */
	{"dropping-column", LINT_ERROR, true, false,
		"ALTER TABLE ... DROP COLUMN of a column the revision did not add, on a table that holds rows",
		"The data is lost, and clients that still read or write the column break.",
		"Stop using the column in every client first, export its data if it matters, then drop it in a revision of its own marked with -- migrate:allow dropping-column.",
	check_dropping_column},
	/* #12: drop table loses data */
	{"dropping-table", LINT_ERROR, true, false,
		"DROP TABLE/VIEW/MATERIALIZED VIEW/SEQUENCE of an object that holds rows (a view: over tables that do; a sequence: once used)",
		"The data is lost, clients that still use the object break, and tables it references are locked ACCESS EXCLUSIVE.",
		"Stop using it in every client first, export the data if it matters, drop its foreign keys first, then drop it in a revision of its own marked with -- migrate:allow dropping-table.",
	check_dropping_table},
	/* #13: drop schema drops everything in it */
	{"dropping-schema", LINT_ERROR, true, false,
		"DROP SCHEMA of a schema whose tables hold rows",
		"Every relation in it is locked and dropped with its data.",
		"Drop the objects one by one in reviewed revisions, then the empty schema.",
	check_dropping_schema},
	/* #14: drop database */
	{"dropping-database", LINT_ERROR, false, false,
		"DROP DATABASE",
		"It destroys a whole database, and cannot run in a transaction block.",
		"Drop databases by hand, never from a migration.",
	check_dropping_database},
	/* #15: CASCADE reaches unknown dependents */
	{"drop-cascade", LINT_ERROR, true, false,
		"DROP ... CASCADE, ALTER TABLE DROP COLUMN/CONSTRAINT ... CASCADE, TRUNCATE ... CASCADE, unless what they drop or empty holds no rows",
		"CASCADE silently drops or empties dependent objects: views, foreign keys, other tables' rows.",
		"Drop the dependent objects explicitly first, then drop without CASCADE.",
	check_drop_cascade},
	/* #16: live only */
	{"dropping-foreign-key", LINT_WARNING, true, false,
		"ALTER TABLE ... DROP CONSTRAINT of a foreign key (found in the catalogs)",
		"It takes ACCESS EXCLUSIVE locks on both the referencing and the referenced table.",
		"Run it with a short lock_timeout and retry, at a quiet time.",
	check_dropping_foreign_key},
	/* #17: FK validation scans under SRE on both tables */
	{"adding-foreign-key", LINT_ERROR, true, false,
		"ADD FOREIGN KEY or REFERENCES without NOT VALID on a table that is not small",
		"The table is scanned to validate the key while SHARE ROW EXCLUSIVE locks block writes to it and to the referenced table.",
		"Add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a later revision: validation then blocks no writes.",
	check_adding_foreign_key},
	/* #18: CHECK validation scans under AEL */
	{"adding-check-constraint", LINT_ERROR, true, false,
		"ADD CHECK without NOT VALID on a table that is not small",
		"The whole table is scanned under an ACCESS EXCLUSIVE lock.",
		"Add the CHECK NOT VALID, then VALIDATE CONSTRAINT in a later revision: validation then blocks no writes.",
	check_adding_check_constraint},
	/* #19: VALIDATE while a strong lock is held */
	{"validate-in-same-transaction", LINT_ERROR, true, false,
		"VALIDATE CONSTRAINT, on a table that holds rows, in the transaction that added the constraint NOT VALID, or that already locked the table",
		"The stronger lock taken earlier is held until commit, so the validation scan blocks writes after all.",
		"Validate in a later revision, in a transaction of its own: pg_migrate upgrade and CALL migrate_apply commit before it, while one call of migrate_upgrade is one transaction.",
	check_validate_in_same_transaction},
	/* #20: ADD UNIQUE builds an index under AEL */
	{"adding-unique-constraint", LINT_ERROR, true, false,
		"ADD UNIQUE (or inline UNIQUE on ADD COLUMN) without USING INDEX on a table that is not small",
		"The index is built under an ACCESS EXCLUSIVE lock, which blocks reads as well as writes.",
		"CREATE UNIQUE INDEX CONCURRENTLY in a non-transactional revision, then ADD CONSTRAINT ... UNIQUE USING INDEX.",
	check_adding_unique_constraint},
	/* #21: ADD PRIMARY KEY builds an index and scans for NULLs */
	{"adding-primary-key", LINT_ERROR, true, false,
		"ADD PRIMARY KEY without USING INDEX, or USING INDEX over nullable columns, on a table that is not small",
		"The index is built and the key columns are made NOT NULL (a scan) under an ACCESS EXCLUSIVE lock.",
		"Make the key columns NOT NULL through validated CHECKs, CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX.",
	check_adding_primary_key},
	/* #22: live only */
	{"changing-primary-key", LINT_ESCALATE, true, false,
		"dropping a primary key, adding one to a table that has one, or changing a key column's type (found in the catalogs)",
		"Foreign keys, replication and every client depend on the primary key; changing it is a coordinated change.",
		"Plan the swap (new column, unique index built concurrently, foreign keys moved) and approve it with -- migrate:approve changing-primary-key <reason>.",
	check_changing_primary_key},
	/* #23: ADD EXCLUDE builds an index under AEL */
	{"adding-exclusion-constraint", LINT_ERROR, true, false,
		"ADD EXCLUDE on a table that is not small",
		"The index is built under an ACCESS EXCLUSIVE lock, and an exclusion constraint cannot be added NOT VALID.",
		"Create a new table with the constraint and move the data, or add it while the table is small.",
	check_adding_exclusion_constraint},
	/* #24: generated names differ */
	{"unnamed-constraint-or-index", LINT_WARNING, false, false,
		"a CHECK, UNIQUE, FOREIGN KEY or EXCLUDE constraint, or an index, without a name",
		"Generated names can differ between databases, so later revisions cannot drop or validate them reliably, and failed concurrent builds leave numbered leftovers.",
		"Name it: CONSTRAINT <name> ..., CREATE INDEX <name> ON ...",
	check_unnamed_constraint_or_index},
	/* #25: domain constraints lock every user */
	{"domain-constraint", LINT_WARNING, false, false,
		"CREATE DOMAIN with constraints, ALTER DOMAIN ADD CONSTRAINT without NOT VALID",
		"Validating a domain constraint locks and scans every table with a column of the domain; adding such a column rewrites the table.",
		"Put the CHECK on the columns instead; on ALTER DOMAIN, add the constraint NOT VALID and validate it later.",
	check_domain_constraint},
	/* #26: CREATE INDEX blocks writes */
	{"require-concurrent-index-creation", LINT_ERROR, true, false,
		"CREATE INDEX without CONCURRENTLY on a table that is not small",
		"A SHARE lock blocks every write to the table for the whole build.",
		"CREATE INDEX CONCURRENTLY IF NOT EXISTS, in a revision of its own marked non-transactional.",
	check_require_concurrent_index_creation},
	/* #27: DROP INDEX takes AEL on the table */
	{"require-concurrent-index-deletion", LINT_WARNING, true, false,
		"DROP INDEX without CONCURRENTLY on a table that is not small",
		"It takes an ACCESS EXCLUSIVE lock on the table, which queues behind long readers and blocks everything after it.",
		"DROP INDEX CONCURRENTLY IF EXISTS, in a revision of its own marked non-transactional.",
	check_require_concurrent_index_deletion},
	/* #28: CONCURRENTLY cannot run in a transaction */
	{"concurrently-in-transaction", LINT_ERROR, false, false,
		"CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY or Citus's create_distributed_table_concurrently() in a transaction",
		"These commands cannot run inside a transaction block or a function, so the revision fails.",
		"Put the statement alone in a revision marked non-transactional (-- migrate:transactional false).",
	check_concurrently_in_transaction},
	/* #29: live only */
	{"invalid-index-leftover", LINT_ERROR, true, false,
		"CREATE INDEX ... IF NOT EXISTS where an invalid index of that name is left from a failed build (found in the catalogs)",
		"IF NOT EXISTS skips the build, and the unusable index stays.",
		"DROP INDEX CONCURRENTLY the invalid index first, then build it again.",
	check_invalid_index_leftover},
	/* #30: REINDEX locks */
	{"require-concurrent-reindex", LINT_ERROR, true, false,
		"REINDEX without CONCURRENTLY",
		"It blocks writes to the table and reads through the index while it rebuilds.",
		"REINDEX (CONCURRENTLY) in a revision of its own marked non-transactional.",
	check_require_concurrent_reindex},
	/* #31: CLUSTER and VACUUM FULL rewrite */
	{"ban-cluster-vacuum-full", LINT_ERROR, true, false,
		"CLUSTER, VACUUM FULL",
		"The whole table and its indexes are rewritten under an ACCESS EXCLUSIVE lock.",
		"Use pg_repack or pg_squeeze outside migrations.",
	check_ban_cluster_vacuum_full},
	/* #32: ADD VALUE: not usable before commit, sorts last */
	{"adding-enum-value", LINT_WARNING, false, false,
		"ALTER TYPE ... ADD VALUE on an existing enum",
		"The new value cannot be used before the transaction commits, and without BEFORE/AFTER it sorts after all others, which changes range comparisons.",
		"Add the value in a revision of its own, with BEFORE or AFTER, and use it in later revisions.",
	check_adding_enum_value},
	/* #33: no DROP VALUE exists */
	{"removing-enum-value", LINT_ESCALATE, true, false,
		"DELETE FROM pg_enum; (found in the catalogs) DROP TYPE of an enum, a column moved from one enum to another",
		"Stored values become unreadable or are lost, and moving a column to a new type rewrites the table.",
		"Move the data off the value first, then swap the type in a planned change approved with -- migrate:approve removing-enum-value <reason>.",
	check_removing_enum_value},
	/* #34: RENAME VALUE changes meaning */
	{"renaming-enum-value", LINT_ERROR, true, false,
		"ALTER TYPE ... RENAME VALUE of an enum that rows use",
		"Code that uses the old value breaks, and stored data changes meaning for it.",
		"Add the new value next to the old one, move code and data to it, and leave the old value unused.",
	check_renaming_enum_value},
	/* #35: lock_timeout (migrate sets it itself) */
	{"require-lock-timeout", LINT_ERROR, false, false,
		"a statement that takes locks with no SET lock_timeout before it (texts for other runners; migrate sets one itself)",
		"A statement waiting for a lock blocks every query that queues after it, for as long as it waits.",
		"SET lock_timeout = '5s' at the top, and retry on failure.",
	check_require_lock_timeout},
	/* #36: statement_timeout (migrate sets it itself) */
	{"require-statement-timeout", LINT_WARNING, false, false,
		"a statement that takes locks with no SET statement_timeout before it (texts for other runners; migrate sets one itself)",
		"Nothing limits how long the statement holds its locks.",
		"SET statement_timeout at the top.",
	check_require_statement_timeout},
	/* #37: BEGIN/COMMIT in migration text */
	{"transaction-control-in-migration", LINT_ERROR, false, false,
		"BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION in a transactional revision; in a non-transactional one, all but BEGIN, COMMIT and COMMIT AND CHAIN, which separate its stretches",
		"The runner owns the transaction; a COMMIT in the middle leaves half a migration applied.",
		"Remove it; put work that needs transactions of its own in a non-transactional revision, where COMMIT separates them and a rerun resumes at the first that did not commit.",
	check_transaction_control_in_migration},
	/* #38: work after an AEL keeps it held */
	{"long-lock-hold-after-ael", LINT_WARNING, true, false,
		"DML, queries or DDL on other tables after a statement took ACCESS EXCLUSIVE on an existing table, in the same transaction",
		"The lock is held until commit, so every later statement lengthens the outage on that table.",
		"Put the statement that takes the lock last, or in a revision of its own.",
	check_long_lock_hold_after_ael},
	/* #39: DDL and DML on one table in one transaction */
	{"mixed-ddl-dml-same-table", LINT_WARNING, false, false,
		"DML and DDL on the same existing table in one transaction",
		"The DDL's lock is held while the data changes, often for the whole backfill.",
		"Change the schema and the data in separate revisions; backfill in batches.",
	check_mixed_ddl_dml_same_table},
	/* #40: unbounded DELETE/UPDATE */
	{"delete-or-update-without-where", LINT_ERROR, true, false,
		"DELETE or UPDATE without WHERE on a table that holds rows",
		"Every row is changed in one transaction: long row locks, a burst of WAL and dead tuples, and often a mistake.",
		"Add a WHERE clause, and change large tables in batches.",
	check_delete_or_update_without_where},
	/* #41: many rows changed in one transaction */
	{"large-data-change", LINT_ESCALATE, true, false,
		"INSERT, UPDATE, DELETE or MERGE of more rows than migrate.lint_row_threshold (10,000) in an existing table, by the planner's estimate before it runs and by the count after",
		"One transaction holds the row locks of every changed row to its end, writes a burst of WAL and dead tuples, and replicas fall behind.",
		"Change the rows in batches, in transactions of their own (a non-transactional revision, or a job outside migrations).",
	check_large_data_change},
	/* #42: TRUNCATE */
	{"truncate", LINT_ERROR, true, false,
		"TRUNCATE of a table that holds rows",
		"All rows go at once under an ACCESS EXCLUSIVE lock, and no trigger sees them.",
		"Delete what must go in batches with a WHERE clause, or export the data first and mark the statement with -- migrate:allow truncate.",
	check_truncate},
	/* #43: CREATE TRIGGER */
	{"adding-trigger", LINT_WARNING, false, false,
		"CREATE TRIGGER on an existing table",
		"Creating it blocks writes briefly, and the trigger then costs time on every write.",
		"Keep trigger functions small, and create them at a quiet time.",
	check_adding_trigger},
	/* #44: DISABLE TRIGGER, session_replication_role */
	{"disabling-triggers", LINT_ERROR, true, false,
		"ALTER TABLE ... DISABLE TRIGGER on a table that holds rows, SET session_replication_role = replica",
		"What the triggers enforce or record stops; DISABLE TRIGGER ALL also stops foreign key checks.",
		"Leave triggers on; change the trigger function if it must behave differently.",
	check_disabling_triggers},
	/* #45: SET TABLESPACE copies the table */
	{"set-tablespace", LINT_ERROR, true, false,
		"ALTER TABLE ... SET TABLESPACE, ALTER ... ALL IN TABLESPACE",
		"All data files are copied under an ACCESS EXCLUSIVE lock.",
		"Move large tables with pg_repack --tablespace outside migrations.",
	check_set_tablespace},
	/* #46: SET LOGGED/UNLOGGED rewrites */
	{"set-logged-unlogged", LINT_ERROR, true, false,
		"ALTER TABLE ... SET LOGGED / SET UNLOGGED",
		"The table is rewritten under an ACCESS EXCLUSIVE lock; SET LOGGED also writes all of it to WAL.",
		"Create the table with the persistence it needs, or change it while it is small.",
	check_set_logged_unlogged},
	/* #47: SET ACCESS METHOD rewrites */
	{"set-access-method", LINT_ERROR, true, false,
		"ALTER TABLE ... SET ACCESS METHOD to another method",
		"The table is rewritten under an ACCESS EXCLUSIVE lock.",
		"Create a new table with the access method and move the data in batches.",
	check_set_access_method},
	/* #48: DETACH PARTITION without CONCURRENTLY */
	{"require-concurrent-partition-detach", LINT_WARNING, false, false,
		"ALTER TABLE ... DETACH PARTITION without CONCURRENTLY",
		"It takes an ACCESS EXCLUSIVE lock on the parent, which blocks every query on the partitioned table.",
		"DETACH PARTITION ... CONCURRENTLY in a revision of its own marked non-transactional.",
	check_require_concurrent_partition_detach},
	/* #49: ATTACH PARTITION scans the table */
	{"attach-partition-without-check", LINT_WARNING, true, false,
		"ALTER TABLE ... ATTACH PARTITION of a table that holds rows, with no CHECK constraint that implies the partition bound",
		"The table being attached is scanned under an ACCESS EXCLUSIVE lock to prove every row fits the bound (and a populated default partition is scanned for rows of the new bound).",
		"Before the ATTACH add a CHECK constraint matching the bound as NOT VALID, VALIDATE it in a separate transaction, then ATTACH (no scan) and drop the CHECK.",
	check_attach_partition_without_check},
	/* #50: privileges */
	{"grant-revoke-change", LINT_ESCALATE, false, false,
		"REVOKE (escalate), GRANT ... TO PUBLIC (warning), on objects the revision did not create",
		"Revoking from a role the application uses is an outage; granting to PUBLIC opens the object to every role.",
		"Review the privilege change and approve it with -- migrate:approve grant-revoke-change <reason>.",
	check_grant_revoke_change},
	/* #51: row level security */
	{"row-level-security-change", LINT_WARNING, false, false,
		"ENABLE/DISABLE/FORCE ROW LEVEL SECURITY, CREATE POLICY on an existing table",
		"Which rows roles see changes at once; enabling RLS without a permissive policy hides every row from non-owners.",
		"Create the policies first, then enable row level security, and test as the application's role.",
	check_row_level_security_change},
	/* #52: protected objects */
	{"protected-object-change", LINT_ESCALATE, true, false,
		"DDL on a table or column listed by migrate_protect(): altering, dropping or renaming it, its table or its schema",
		"Another system owns it (an HR sync, an audit trail); changing it without that system's owners breaks them.",
		"Coordinate the change with the object's owners, then approve it with -- migrate:approve protected-object-change <reason>.",
	check_protected_object_change},
	/* #53: downgrades that lose data */
	{"destructive-downgrade-without-export", LINT_ERROR, true, false,
		"a downgrade that drops or empties a table, schema or column holding rows other than those migrations inserted, whoever created it, with no export step before it",
		"Undoing a revision must not silently destroy the data written since it was applied.",
		"Export first (CREATE TABLE archive.x AS SELECT ..., or COPY ... TO a file) in the downgrade, before the destructive statement; or consent to the loss for the call with migrate_downgrade(target, drop_data => true) or pg_migrate downgrade --force.",
	check_destructive_downgrade_without_export},
	/* #54: event triggers */
	{"drift-ddl-outside-migration", LINT_INFO, false, false,
		"DDL on a managed schema run outside migrations (event triggers only: recorded as drift; blocked when set to error)",
		"Changes made by hand are not in the revision history: other databases never get them, and the next migration may fail on them.",
		"Make the change in a revision; migrate_drift() lists what ran by hand, migrate_drift_ack() accepts it.",
	check_drift_ddl_outside_migration},
	/* #55..#65: style */
	{"prefer-text-over-varchar", LINT_INFO, false, true,
		"varchar(n) columns",
		"Shortening the limit later rewrites the table; text with a CHECK on its length can change without one.",
		"Use text with CHECK (char_length(col) <= n), added NOT VALID on existing tables.",
	check_prefer_text_over_varchar},
	{"ban-char-field", LINT_WARNING, false, true,
		"char(n) columns",
		"Values are padded with spaces, which surprises comparisons and wastes space.",
		"Use text (with a CHECK on its length if needed).",
	check_ban_char_field},
	{"prefer-timestamptz", LINT_WARNING, false, true,
		"timestamp without time zone columns",
		"The stored value depends on the writer's time zone and loses the offset.",
		"Use timestamptz.",
	check_prefer_timestamptz},
	{"prefer-bigint", LINT_WARNING, false, true,
		"integer or smallint primary key or foreign key columns, serial and smallserial",
		"Keys run out of values, and widening them later rewrites the table and every referencing one.",
		"Use bigint (bigint GENERATED ALWAYS AS IDENTITY for generated keys).",
	check_prefer_bigint},
	{"prefer-identity", LINT_WARNING, false, true,
		"serial, bigserial, smallserial columns",
		"The sequence is a separate object with its own privileges and ownership; identity columns are standard SQL and owned by the column.",
		"Use bigint GENERATED ALWAYS AS IDENTITY.",
	check_prefer_identity},
	{"prefer-jsonb", LINT_WARNING, false, true,
		"json columns",
		"json has no equality operator (DISTINCT, GROUP BY and UNION fail) and is parsed again on every access.",
		"Use jsonb.",
	check_prefer_jsonb},
	{"identifier-too-long", LINT_WARNING, false, true,
		"identifiers over 63 bytes",
		"The server truncates them with only a notice, so two long names can collide or not match what the code uses.",
		"Use a name of at most 63 bytes.",
	check_identifier_too_long},
	{"require-table-schema", LINT_OFF, false, true,
		"DDL naming a relation without its schema (off unless turned on)",
		"The search_path decides which relation the statement changes.",
		"Qualify the name: schema.table.",
	check_require_table_schema},
	{"prefer-robust-stmts", LINT_INFO, false, true,
		"CREATE INDEX CONCURRENTLY without IF NOT EXISTS, DROP INDEX CONCURRENTLY without IF EXISTS",
		"Non-transactional steps can fail half way; the retry must not fail on what the first attempt left.",
		"Add IF NOT EXISTS / IF EXISTS.",
	check_prefer_robust_stmts},
	{"index-too-many-columns", LINT_INFO, false, true,
		"non-unique indexes over more than three columns",
		"Wide indexes are large and slow to maintain, and rarely used past their first columns.",
		"Index the leading columns queries filter on.",
	check_index_too_many_columns},
	{"alter-table-multiple-statements", LINT_INFO, false, true,
		"several ALTER TABLE statements that each scan the same existing table",
		"Each statement scans or rewrites the table again; one ALTER TABLE with several subcommands does it once.",
		"Combine the subcommands into one ALTER TABLE.",
	check_alter_table_multiple_statements},
	/* #66..#69: Citus (live, on a coordinator) */
	{"citus-distribution-column-change", LINT_ERROR, true, false,
		"ALTER COLUMN ... TYPE or DROP COLUMN of the distribution column of a Citus distributed table",
		"Citus refuses to change the column that places every row in its shard; the revision fails on the coordinator.",
		"Redistribute first: alter_distributed_table(table, distribution_column => 'other') moves the rows to shards by another column; or build a new distributed table, copy the rows with INSERT ... SELECT, and switch to it.",
	check_citus_distribution_column_change},
	{"citus-unique-without-distribution-column", LINT_ERROR, true, false,
		"UNIQUE, PRIMARY KEY or EXCLUDE constraint, or a unique index, on a Citus distributed table that does not include its distribution column",
		"Each shard can only check its own rows, so Citus refuses a uniqueness it cannot enforce across shards; the revision fails on the coordinator.",
		"Include the distribution column in the key (UNIQUE (tenant_id, id)), or keep the table a reference table if it must be unique on other columns alone.",
	check_citus_unique_without_distribution_column},
	{"citus-ddl-fans-out", LINT_ERROR, true, false,
		"ALTER TABLE taking ACCESS EXCLUSIVE on a Citus distributed or reference table of at least migrate.lint_table_threshold rows (counted on the shards), unless citus.propagate_set_commands = 'local' and lock_timeout are set before it",
		"The coordinator locks the table, then every shard on every worker; lock_timeout set on the coordinator (migrate.lock_timeout too) does not reach the workers, so one long query on one shard holds the change, and every query on the table queues behind it.",
		"Begin the revision with SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL lock_timeout = '2s'; so that the shard locks are bounded too, and retry when it times out.",
	check_citus_ddl_fans_out},
	{"citus-reference-table-after-parallel-ddl", LINT_ERROR, true, false,
		"DDL or DML on a Citus reference table that a foreign key references, or a new foreign key to a reference table, after DDL on a distributed table or create_distributed_table() in the same transaction",
		"DDL on a distributed table, and distributing a table, run over one connection per shard; Citus then refuses to change a referenced reference table in the same transaction, so the revision fails.",
		"Begin the revision with SET LOCAL citus.multi_shard_modify_mode TO 'sequential', or change the reference table first, or in a revision of its own run with CALL migrate_apply (a commit per revision).",
	check_citus_reference_table_after_parallel_ddl},
};

const int	LintRuleCount = lengthof(LintRuleTable);
