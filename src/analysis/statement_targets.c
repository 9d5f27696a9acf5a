/*-------------------------------------------------------------------------
 *
 * statement_targets.c
 *	  The existing objects a DDL statement touches, from its raw parse tree:
 *	  tables (with the column, when the statement names one) and schemas.
 *
 * Names are resolved the way the command will resolve them, but without a
 * lock (the command takes its own right after): RangeVarGetRelidExtended
 * with NoLock and missing_ok.  An object that does not exist is no target;
 * the statement creates it or fails by itself.  Objects in temporary
 * schemas are never targets.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "parser/parse_type.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "migrate/analysis/statement_targets.h"

static void add_relation(List **targets, RangeVar *rv, const char *column);
static void add_relation_names(List **targets, List *names, const char *column);
static void add_schema(List **targets, const char *schema, bool itself);
static void add_object_schema(List **targets, List *names);
static void add_type(List **targets, List *names);
static void alter_table_targets(List **targets, AlterTableStmt *stmt);
static void mark_identity(List *targets, int from);

/* A relation, by RangeVar; column NULL for the whole table. */
static void
add_relation(List **targets, RangeVar *rv, const char *column)
{
	Oid			relid;
	Oid			nsp;
	GuardTarget *t;

	if (rv == NULL || rv->relpersistence == RELPERSISTENCE_TEMP)
		return;
	relid = RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL);
	if (!OidIsValid(relid))
		return;
	if (get_rel_relkind(relid) == RELKIND_INDEX ||
		get_rel_relkind(relid) == RELKIND_PARTITIONED_INDEX)
	{
		relid = IndexGetRelation(relid, true);
		if (!OidIsValid(relid))
			return;
	}
	nsp = get_rel_namespace(relid);
	if (isAnyTempNamespace(nsp))
		return;
	t = palloc0(sizeof(GuardTarget));
	t->schema = get_namespace_name(nsp);
	t->table = get_rel_name(relid);
	t->column = column ? pstrdup(column) : NULL;
	t->relid = relid;
	if (t->schema && t->table)
		*targets = lappend(*targets, t);
}

/* A relation by qualified name list. */
static void
add_relation_names(List **targets, List *names, const char *column)
{
	if (names == NIL || list_length(names) > 3)
		return;
	add_relation(targets, makeRangeVarFromNameList(names), column);
}

/*
 * A schema: itself (DROP SCHEMA, ALTER SCHEMA, GRANT ... IN SCHEMA, which
 * touch everything in it), or as the home of an object that is no table.
 */
static void
add_schema(List **targets, const char *schema, bool itself)
{
	GuardTarget *t;
	Oid			nsp = get_namespace_oid(schema, true);

	if (!OidIsValid(nsp) || isAnyTempNamespace(nsp))
		return;
	t = palloc0(sizeof(GuardTarget));
	t->schema = pstrdup(schema);
	t->schema_itself = itself;
	*targets = lappend(*targets, t);
}

/*
 * The schema of a non-relation object named by a (possibly qualified)
 * name list: the qualification, or else the schema new objects go to.
 */
static void
add_object_schema(List **targets, List *names)
{
	char	   *schema;
	char	   *name;

	ListCell   *lc;

	/* CAST and TRANSFORM name types, not a qualified name */
	if (names == NIL || list_length(names) > 3)
		return;
	foreach(lc, names)
		if (!IsA(lfirst(lc), String))
			return;
	DeconstructQualifiedName(names, &schema, &name);
	if (schema == NULL)
	{
		List	   *path = fetch_search_path(false);

		if (path == NIL || isAnyTempNamespace(linitial_oid(path)))
			return;
		schema = get_namespace_name(linitial_oid(path));
	}
	if (schema)
		add_schema(targets, schema, false);
}

/*
 * The qualified name in an object's name list: operator classes and
 * families lead with their access method's name.
 */
static List *
object_names(ObjectType type, List *names)
{
	if ((type == OBJECT_OPCLASS || type == OBJECT_OPFAMILY) && names != NIL)
		return list_copy_tail(names, 1);
	return names;
}

/* The schema of an existing type (ALTER TYPE, ALTER DOMAIN). */
static void
add_type(List **targets, List *names)
{
	Type		tup;

	if (names == NIL)
		return;
	tup = LookupTypeName(NULL, makeTypeNameFromNameList(names), NULL, true);
	if (tup == NULL)
		return;
	add_schema(targets,
			   get_namespace_name(((Form_pg_type) GETSTRUCT(tup))->typnamespace),
			   false);
	ReleaseSysCache(tup);
}

/* The targets from position "from" on are dropped, renamed or moved. */
static void
mark_identity(List *targets, int from)
{
	for (int i = from; i < list_length(targets); i++)
		((GuardTarget *) list_nth(targets, i))->identity = true;
}

/* ALTER TABLE: the table, and each column a subcommand names. */
static void
alter_table_targets(List **targets, AlterTableStmt *stmt)
{
	ListCell   *lc;
	bool		whole = false;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		switch (cmd->subtype)
		{
			case AT_ColumnDefault:
			case AT_CookedColumnDefault:
			case AT_DropNotNull:
			case AT_SetNotNull:
			case AT_DropExpression:
			case AT_SetStatistics:
			case AT_SetOptions:
			case AT_ResetOptions:
			case AT_SetStorage:
			case AT_SetCompression:
			case AT_DropColumn:
			case AT_AlterColumnType:
			case AT_AlterColumnGenericOptions:
			case AT_AddIdentity:
			case AT_SetIdentity:
			case AT_DropIdentity:
				if (cmd->name)
				{
					add_relation(targets, stmt->relation, cmd->name);
					break;
				}
				/* FALLTHROUGH */
			default:
				whole = true;
				break;
		}
		if (cmd->subtype == AT_AttachPartition ||
			cmd->subtype == AT_DetachPartition)
			add_relation(targets, ((PartitionCmd *) cmd->def)->name, NULL);
	}
	if (whole)
		add_relation(targets, stmt->relation, NULL);
}

/*
 * The existing objects stmt touches, as a List of GuardTarget.  A
 * statement that only creates new objects touches nothing, except the
 * tables it inherits from or attaches to.
 */
List *
GuardStatementTargets(Node *stmt)
{
	List	   *targets = NIL;
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
			alter_table_targets(&targets, (AlterTableStmt *) stmt);
			break;
		case T_RenameStmt:
			{
				RenameStmt *r = (RenameStmt *) stmt;

				if (r->renameType == OBJECT_SCHEMA)
					add_schema(&targets, r->subname, true);
				else if (r->relation)
				{
					add_relation(&targets, r->relation,
								 r->renameType == OBJECT_COLUMN ? r->subname : NULL);
					if (r->renameType == OBJECT_TABLE ||
						r->renameType == OBJECT_VIEW ||
						r->renameType == OBJECT_MATVIEW ||
						r->renameType == OBJECT_FOREIGN_TABLE)
						mark_identity(targets, 0);
				}
				else if (r->renameType == OBJECT_TYPE ||
						 r->renameType == OBJECT_DOMAIN)
					add_type(&targets, castNode(List, r->object));
				else if (r->object && IsA(r->object, List))
					add_object_schema(&targets,
									  object_names(r->renameType, (List *) r->object));
			}
			break;
		case T_DropStmt:
			{
				DropStmt   *d = (DropStmt *) stmt;

				foreach(lc, d->objects)
				{
					Node	   *obj = lfirst(lc);

					switch (d->removeType)
					{
						case OBJECT_TABLE:
						case OBJECT_VIEW:
						case OBJECT_MATVIEW:
						case OBJECT_FOREIGN_TABLE:
						case OBJECT_SEQUENCE:
							add_relation_names(&targets, (List *) obj, NULL);
							mark_identity(targets, 0);
							break;
						case OBJECT_INDEX:
							add_relation_names(&targets, (List *) obj, NULL);
							break;
						case OBJECT_SCHEMA:
							add_schema(&targets, strVal(obj), true);
							break;
						case OBJECT_TRIGGER:
						case OBJECT_POLICY:
						case OBJECT_RULE:
							add_relation_names(&targets,
											   list_truncate(list_copy((List *) obj),
															 list_length((List *) obj) - 1),
											   NULL);
							break;
						case OBJECT_TYPE:
						case OBJECT_DOMAIN:
							add_type(&targets, ((TypeName *) obj)->names);
							break;
						case OBJECT_FUNCTION:
						case OBJECT_PROCEDURE:
						case OBJECT_ROUTINE:
						case OBJECT_AGGREGATE:
							add_object_schema(&targets, ((ObjectWithArgs *) obj)->objname);
							break;
						default:
							if (IsA(obj, List))
								add_object_schema(&targets,
												  object_names(d->removeType, (List *) obj));
							break;
					}
				}
			}
			break;
		case T_IndexStmt:
			add_relation(&targets, ((IndexStmt *) stmt)->relation, NULL);
			break;
		case T_CreateTrigStmt:
			add_relation(&targets, ((CreateTrigStmt *) stmt)->relation, NULL);
			break;
		case T_CreatePolicyStmt:
			add_relation(&targets, ((CreatePolicyStmt *) stmt)->table, NULL);
			break;
		case T_AlterPolicyStmt:
			add_relation(&targets, ((AlterPolicyStmt *) stmt)->table, NULL);
			break;
		case T_RuleStmt:
			add_relation(&targets, ((RuleStmt *) stmt)->relation, NULL);
			break;
		case T_CreateStmt:
			foreach(lc, ((CreateStmt *) stmt)->inhRelations)
				add_relation(&targets, lfirst_node(RangeVar, lc), NULL);
			break;
		case T_ViewStmt:
			if (((ViewStmt *) stmt)->replace)
				add_relation(&targets, ((ViewStmt *) stmt)->view, NULL);
			break;
		case T_AlterSeqStmt:
			add_relation(&targets, ((AlterSeqStmt *) stmt)->sequence, NULL);
			break;
		case T_RefreshMatViewStmt:
			add_relation(&targets, ((RefreshMatViewStmt *) stmt)->relation, NULL);
			break;
		case T_AlterObjectSchemaStmt:
			{
				AlterObjectSchemaStmt *a = (AlterObjectSchemaStmt *) stmt;

				if (a->relation)
				{
					add_relation(&targets, a->relation, NULL);
					mark_identity(targets, 0);
				}
				else if (a->objectType == OBJECT_TYPE ||
						 a->objectType == OBJECT_DOMAIN)
					add_type(&targets, castNode(List, a->object));
				else if (a->object && IsA(a->object, List))
					add_object_schema(&targets,
									  object_names(a->objectType, (List *) a->object));
			}
			break;
		case T_AlterEnumStmt:
			add_type(&targets, ((AlterEnumStmt *) stmt)->typeName);
			break;
		case T_AlterDomainStmt:
			add_type(&targets, ((AlterDomainStmt *) stmt)->typeName);
			break;
		case T_CommentStmt:
			{
				CommentStmt *c = (CommentStmt *) stmt;

				if (c->objtype == OBJECT_COLUMN)
				{
					List	   *names = castNode(List, c->object);

					add_relation_names(&targets,
									   list_truncate(list_copy(names),
													 list_length(names) - 1),
									   strVal(llast(names)));
				}
				else if (c->objtype == OBJECT_TABLE || c->objtype == OBJECT_VIEW ||
						 c->objtype == OBJECT_MATVIEW)
					add_relation_names(&targets, castNode(List, c->object), NULL);
			}
			break;
		case T_GrantStmt:
			{
				GrantStmt  *g = (GrantStmt *) stmt;

				if (g->targtype == ACL_TARGET_ALL_IN_SCHEMA)
				{
					foreach(lc, g->objects)
						add_schema(&targets, strVal(lfirst(lc)), true);
				}
				else if (g->targtype == ACL_TARGET_OBJECT &&
						 (g->objtype == OBJECT_TABLE || g->objtype == OBJECT_SEQUENCE))
				{
					foreach(lc, g->objects)
						add_relation(&targets, lfirst_node(RangeVar, lc), NULL);
				}
			}
			break;
		case T_AlterFunctionStmt:
			add_object_schema(&targets, ((AlterFunctionStmt *) stmt)->func->objname);
			break;
		case T_CreateFunctionStmt:
			if (((CreateFunctionStmt *) stmt)->replace)
				add_object_schema(&targets, ((CreateFunctionStmt *) stmt)->funcname);
			break;
		default:
			break;
	}
	return targets;
}
