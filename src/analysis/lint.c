/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  The lint driver: walks the statements of a text with the rules of
 *	  lint_rules.c, remembers what earlier statements did, reads per
 *	  statement "-- migrate:allow" and "-- migrate:approve" markers, and
 *	  answers the rules' questions about the catalogs.
 *
 * Three entry points share it: migrate_lint() (any text), LintRevision()
 * (register.c, at load: refuses a revision whose findings are errors
 * whatever the database's state, reports the rest as notices), and
 * LintRunBegin()/LintRunStatement() (executor.c, right before each
 * statement: the rules that depend on the database's state, decided
 * against the catalogs of that moment).
 *
 * Objects created earlier in the same text are exempt from the lock and
 * rewrite rules; at run time so are relations created earlier in the same
 * transaction (rd_createSubid), which covers earlier revisions of the call.
 *
 * Catalog questions take ACCESS SHARE locks on the relations they look at,
 * held to the end of the transaction; the statement that follows takes its
 * own, stronger lock anyway.  Nothing here runs SQL except through
 * catalog.c (the per-database severities).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_proc.h"
#include "commands/tablecmds.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/plannodes.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "migrate/analysis/lint.h"
#include "migrate/analysis/lint_internal.h"
#include "migrate/catalog/citus.h"
#include "migrate/catalog/catalog.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/subxact.h"

/*
 * migrate.lint_level: what blocks (LINT_OFF: only the escalating rules,
 * which need an approval whatever the level, run)
 */
int			migrate_lint_level = LINT_ERROR;

/* migrate.lint_table_threshold: tables with fewer rows are "small" */
int			migrate_lint_table_threshold = 1000;

/* migrate.lint_row_threshold: data changes of more rows need an approval */
int			migrate_lint_row_threshold = 10000;

/*
 * migrate.drop_data: the caller consents to a downgrade dropping data
 * (LINT_RULE_DATA_LOSS does not stop it; each use is logged)
 */
bool		migrate_drop_data = false;

static const struct config_enum_entry lint_level_options[] = {
	{"error", LINT_ERROR, false},
	{"warning", LINT_WARNING, false},
	{"off", LINT_OFF, false},
	{NULL, 0, false}
};

#define LINT_KEY_LEN (2 * NAMEDATALEN + 4)

/* An object remembered by name: see LintObjectKind. */
typedef struct LintObject
{
	char		key[LINT_KEY_LEN];	/* kind letter, ':', name */
	char		schema[NAMEDATALEN];	/* "" when written unqualified */
	int			flags;
	RangeVar   *rv;				/* LINT_OBJ_TABLE_USE: the table */
} LintObject;

struct LintRun
{
	LintContext cx;
	LintOptions opts;
	const char *id;
	bool		upgrade;
	LintSeverity *severities;
	MemoryContext context;		/* where the run lives */
	LintRun    *previous;		/* the run active before this one */
	MemoryContextCallback forget;	/* clears active_run if the context goes */
};

/*
 * The run whose statement is running now, for LintApproved; set by
 * LintRunBegin, cleared by LintRunEnd or when the run's memory goes (an
 * error), so that it never points at freed memory.
 */
static LintRun *active_run = NULL;

static LintSeverity *load_severities(void);
static void lint_init_context(LintContext *cx, const LintOptions *opts,
							  const char *sql);
static void set_text(LintContext *cx, const char *sql);
static void lint_statement(LintContext *cx, SqlStatement *st,
						   const LintSeverity *severities);
static void read_markers(LintContext *cx, SqlStatement *st);
static void find_long_identifiers(LintContext *cx, const char *sql);
static HTAB *new_object_table(void);
static LintObject *remember(LintContext *cx, HTAB *table, LintObjectKind kind,
							const char *schema, const char *name, int flags);
static void remember_relation(LintContext *cx, HTAB *table, RangeVar *rv);
static void remember_created(LintContext *cx, HTAB *table, Node *stmt);
static void record_effects(LintContext *cx, Node *stmt);
static void record_table_use(LintContext *cx, RangeVar *rv, int flags);
static void forget_transaction(LintContext *cx);
static void end_transaction(LintContext *cx);
static bool relation_is_empty(Relation rel);
static LintRelState relation_statistics(Oid relid, double *rows);
static void report_revision_findings(const char *id, const char *direction,
									 List *findings, StringInfo refused,
									 int *nrefused, const char **first_rule);
static void note_marker_use(LintContext *cx, const char *rule, bool approve,
							const char *reason);
static void note_drop_data(LintContext *cx);
static bool rule_marked(LintContext *cx, const char *rule);
static void stop_on_findings(LintRun *run);
static void forget_run(void *arg);
static bool lint_may_lock(LintContext *cx, Oid relid);
static void note_seed_table(LintContext *cx, Node *stmt);

/* Define the linter's parameters; called once from _PG_init. */
void
LintInit(void)
{
	DefineCustomEnumVariable("migrate.lint_level",
							 "Sets which safety findings block a revision.",
							 "error: error-level findings refuse a revision at load and stop an upgrade; warning: warnings too; off: the linter does not run for revisions (migrate_lint still reports).",
							 &migrate_lint_level,
							 LINT_ERROR,
							 lint_level_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.lint_table_threshold",
							"Sets the number of rows from which a table is not small for the safety rules.",
							"Lock and rewrite rules do not fire on tables with fewer estimated rows, nor on tables created in the same transaction.  Only superusers can change it: the DDL guard uses it too.",
							&migrate_lint_table_threshold,
							1000, 0, INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.lint_row_threshold",
							"Sets the number of rows from which a data change needs an approval.",
							"An INSERT, UPDATE, DELETE or MERGE estimated to change more rows, or that changed more when it ran, breaks the rule large-data-change, which needs an approval.  Only superusers can change it.",
							&migrate_lint_row_threshold,
							10000, 0, INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("migrate.drop_data",
							 "Lets downgrades drop tables, columns and rows that hold data.",
							 "Off: a downgrade that would drop data the application wrote stops (rule destructive-downgrade-without-export).  On: it runs, and the consent is logged with each revision whose data it dropped.",
							 &migrate_drop_data,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

const char *
LintSeverityName(LintSeverity severity)
{
	switch (severity)
	{
		case LINT_OFF:
			return "off";
		case LINT_INFO:
			return "info";
		case LINT_WARNING:
			return "warning";
		case LINT_ERROR:
			return "error";
		case LINT_ESCALATE:
			return "escalate";
	}
	return "?";
}

/* The severity a name stands for; -1 if none. */
LintSeverity
LintSeverityFromName(const char *name)
{
	for (int s = LINT_OFF; s <= LINT_ESCALATE; s++)
		if (strcmp(name, LintSeverityName(s)) == 0)
			return s;
	return (LintSeverity) -1;
}

bool
LintRuleExists(const char *id)
{
	for (int i = 0; i < LintRuleCount; i++)
		if (strcmp(LintRuleTable[i].id, id) == 0)
			return true;
	return false;
}

/* Effective severity of every rule: the default, or migrate.rule's. */
static LintSeverity *
load_severities(void)
{
	LintSeverity *sev = palloc(sizeof(LintSeverity) * LintRuleCount);
	ListCell   *lc;

	for (int i = 0; i < LintRuleCount; i++)
		sev[i] = LintRuleTable[i].severity;
	foreach(lc, CatalogRuleSettings())
	{
		CatalogRuleSetting *set = lfirst(lc);

		for (int i = 0; i < LintRuleCount; i++)
			if (strcmp(LintRuleTable[i].id, set->rule) == 0)
			{
				LintSeverity s = LintSeverityFromName(set->severity);

				if ((int) s >= 0)
					sev[i] = s;
			}
	}
	return sev;
}

/*
 * The severities that decide at load and at run time: at
 * migrate.lint_level = off only the escalating rules run, since a setting
 * any role may change must not switch off what needs an approval.
 */
static LintSeverity *
deciding_severities(void)
{
	LintSeverity *sev = load_severities();

	if (migrate_lint_level == LINT_OFF)
		for (int i = 0; i < LintRuleCount; i++)
			if (sev[i] != LINT_ESCALATE)
				sev[i] = LINT_OFF;
	return sev;
}

/* The catalogue's severity of a rule; LINT_OFF if there is no such rule. */
LintSeverity
LintRuleDefaultSeverity(const char *id)
{
	for (int i = 0; i < LintRuleCount; i++)
		if (strcmp(LintRuleTable[i].id, id) == 0)
			return LintRuleTable[i].severity;
	return LINT_OFF;
}

/* Every rule with its severities, in table order (migrate_rules). */
List *
LintRules(void)
{
	LintSeverity *sev = load_severities();
	List	   *result = NIL;

	for (int i = 0; i < LintRuleCount; i++)
	{
		const LintRule *r = &LintRuleTable[i];
		LintRuleInfo *info = palloc(sizeof(LintRuleInfo));

		info->id = r->id;
		info->default_severity = r->severity;
		info->severity = sev[i];
		info->state = r->state;
		info->summary = r->summary;
		info->why = r->why;
		info->alternative = r->alternative;
		result = lappend(result, info);
	}
	return result;
}

/*
 * Reporting
 */

/* Report a finding of the rule being checked, at its effective severity. */
void
LintReport(LintContext *cx, bool state, const char *hint, const char *fmt,...)
{
	LintFinding *f;
	va_list		args;
	StringInfoData buf;
	ListCell   *lc;

	/*
	 * An allowance silences the rule here; escalations need an approval.
	 * Either is noted, for the log.
	 */
	if (cx->severity != LINT_ESCALATE)
		foreach(lc, cx->allowed)
		{
			if (strcmp(lfirst(lc), cx->rule->id) == 0)
			{
				note_marker_use(cx, cx->rule->id, false, NULL);
				return;
			}
		}
	foreach(lc, cx->approved)
	{
		LintApproval *a = lfirst(lc);

		if (strcmp(a->rule, cx->rule->id) == 0)
		{
			note_marker_use(cx, a->rule, true, a->reason);
			return;
		}
	}

	/*
	 * A downgrade's data loss that the caller consented to: what it drops,
	 * and what its CASCADE takes along.
	 */
	if (migrate_drop_data && cx->opts->mode == LINT_MODE_RUN &&
		cx->opts->downgrade &&
		(strcmp(cx->rule->id, LINT_RULE_DATA_LOSS) == 0 ||
		 strcmp(cx->rule->id, "drop-cascade") == 0))
	{
		note_drop_data(cx);
		return;
	}

	initStringInfo(&buf);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}

	f = palloc(sizeof(LintFinding));
	f->rule = cx->rule->id;
	f->severity = cx->severity;
	f->state = state;
	f->style = cx->rule->style;
	f->statement = cx->st->number;
	f->line = cx->st->line;
	f->message = buf.data;
	f->hint = pstrdup(hint ? hint : cx->rule->alternative);
	cx->findings = lappend(cx->findings, f);
}

/* Note that a marker of the current statement silenced a finding (once). */
static void
note_marker_use(LintContext *cx, const char *rule, bool approve,
				const char *reason)
{
	LintMarkerUse *use;
	ListCell   *lc;

	foreach(lc, cx->markers_used)
	{
		use = lfirst(lc);
		if (use->statement == cx->st->number && use->approve == approve &&
			!use->drop_data && strcmp(use->rule, rule) == 0)
			return;
	}
	use = palloc0(sizeof(LintMarkerUse));
	use->rule = rule;
	use->approve = approve;
	use->reason = reason;
	use->statement = cx->st->number;
	use->line = cx->st->line;
	cx->markers_used = lappend(cx->markers_used, use);
}

/* Note that migrate.drop_data let the current statement drop data (once). */
static void
note_drop_data(LintContext *cx)
{
	LintMarkerUse *use;
	ListCell   *lc;

	foreach(lc, cx->markers_used)
	{
		use = lfirst(lc);
		if (use->statement == cx->st->number && use->drop_data)
			return;
	}
	use = palloc0(sizeof(LintMarkerUse));
	use->rule = cx->rule->id;
	use->drop_data = true;
	use->reason = "migrate.drop_data = on";
	use->statement = cx->st->number;
	use->line = cx->st->line;
	cx->markers_used = lappend(cx->markers_used, use);
}

/* Does a marker of the current statement name this rule? */
static bool
rule_marked(LintContext *cx, const char *rule)
{
	ListCell   *lc;

	foreach(lc, cx->allowed)
		if (strcmp(lfirst(lc), rule) == 0)
		return true;
	foreach(lc, cx->approved)
		if (strcmp(((LintApproval *) lfirst(lc))->rule, rule) == 0)
		return true;
	return false;
}

/*
 * Report at another severity than the rule's, e.g. a type change that
 * needs no rewrite: only ever weaker than the effective severity.
 */
void
LintReportAs(LintContext *cx, LintSeverity severity, bool state,
			 const char *hint, const char *fmt,...)
{
	LintSeverity saved = cx->severity;
	va_list		args;
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	if (severity < cx->severity)
		cx->severity = severity;
	LintReport(cx, state, hint, "%s", buf.data);
	cx->severity = saved;
}

/*
 * What earlier statements did
 */

static HTAB *
new_object_table(void)
{
	HASHCTL		ctl;

	ctl.keysize = LINT_KEY_LEN;
	ctl.entrysize = sizeof(LintObject);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create("migrate lint objects", 64, &ctl,
					   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

static void
object_key(char *key, LintObjectKind kind, const char *name)
{
	snprintf(key, LINT_KEY_LEN, "%c:%s", (char) kind, name);
}

static LintObject *
remember(LintContext *cx, HTAB *table, LintObjectKind kind,
		 const char *schema, const char *name, int flags)
{
	char		key[LINT_KEY_LEN];
	LintObject *obj;
	bool		found;

	if (name == NULL)
		return NULL;
	object_key(key, kind, name);
	obj = hash_search(table, key, HASH_ENTER, &found);
	if (!found)
	{
		obj->flags = 0;
		obj->rv = NULL;
	}
	strlcpy(obj->schema, schema ? schema : "", NAMEDATALEN);
	obj->flags |= flags;
	return obj;
}

static LintObject *
lookup(HTAB *table, LintObjectKind kind, const char *schema, const char *name)
{
	char		key[LINT_KEY_LEN];
	LintObject *obj;

	if (table == NULL || name == NULL)
		return NULL;
	object_key(key, kind, name);
	obj = hash_search(table, key, HASH_FIND, NULL);
	if (obj && schema && obj->schema[0] && strcmp(schema, obj->schema) != 0)
		return NULL;
	return obj;
}

/* Flags of an object an earlier statement of the text created or used. */
int
LintObjectFlags(LintContext *cx, LintObjectKind kind, const char *schema,
				const char *name, bool *found)
{
	LintObject *obj = lookup(cx->objects, kind, schema, name);

	if (obj == NULL)
		obj = lookup(cx->earlier, kind, schema, name);

	if (found)
		*found = (obj != NULL);
	return obj ? obj->flags : 0;
}

/* Did an earlier statement of the text create this relation? */
bool
LintCreated(LintContext *cx, RangeVar *rv)
{
	return rv != NULL &&
		(lookup(cx->objects, LINT_OBJ_RELATION, rv->schemaname, rv->relname) != NULL ||
		 lookup(cx->earlier, LINT_OBJ_RELATION, rv->schemaname, rv->relname) != NULL);
}

/* Downgrade: did the revision's upgrade create this object? */
bool
LintCreatedByUpgrade(LintContext *cx, LintObjectKind kind, const char *name)
{
	return lookup(cx->undo, kind, NULL, name) != NULL;
}

/* Set a flag on an object an earlier statement created or used. */
void
LintMarkObject(LintContext *cx, LintObjectKind kind, const char *name, int flag)
{
	LintObject *obj = lookup(cx->objects, kind, NULL, name);

	if (obj)
		obj->flags |= flag;
}

/* Do the statements run in one transaction from here on? */
bool
LintInTransaction(LintContext *cx)
{
	return cx->opts->transactional || cx->in_block;
}

static void
remember_relation(LintContext *cx, HTAB *table, RangeVar *rv)
{
	if (rv)
		remember(cx, table, LINT_OBJ_RELATION, rv->schemaname, rv->relname, 0);
}

/* Note what was done to an existing table in this transaction. */
static void
record_table_use(LintContext *cx, RangeVar *rv, int flags)
{
	LintObject *obj;

	if (rv == NULL || LintCreated(cx, rv))
		return;
	obj = remember(cx, cx->objects, LINT_OBJ_TABLE_USE, rv->schemaname,
				   rv->relname, flags);
	if (obj->rv == NULL)
		obj->rv = rv;
}

/* Forget what the finished transaction did (texts with BEGIN/COMMIT). */
static void
end_transaction(LintContext *cx)
{
	cx->in_block = false;
	if (!cx->opts->transactional)
		forget_transaction(cx);
}

/* Forget the locks and constraints of a transaction that committed. */
static void
forget_transaction(LintContext *cx)
{
	HASH_SEQ_STATUS seq;
	LintObject *obj;

	hash_seq_init(&seq, cx->objects);
	while ((obj = hash_seq_search(&seq)) != NULL)
		if (obj->key[0] == LINT_OBJ_TABLE_USE ||
			obj->key[0] == LINT_OBJ_CONSTRAINT)
			(void) hash_search(cx->objects, obj->key, HASH_REMOVE, NULL);
	cx->ael_tables = NIL;
	cx->long_hold_reported = false;
	cx->citus_parallel_ddl = NULL;
}

/*
 * DDL on a Citus distributed table runs on its shards over one connection
 * per shard (unless citus.multi_shard_modify_mode is 'sequential'); Citus
 * then refuses to change, in the same transaction, a reference table that
 * foreign keys point to.  Note the first such table.
 */
static void
note_citus_parallel_ddl(LintContext *cx, RangeVar *rv)
{
	if (cx->citus_parallel_ddl == NULL && !cx->citus_sequential &&
		LintInTransaction(cx) &&
		CitusTableLookup(LintRelid(cx, rv), NULL) == CITUS_DISTRIBUTED)
		cx->citus_parallel_ddl = pstrdup(LintName(rv));
}

/*
 * SELECT create_distributed_table('t', ...) (or its _concurrently form)
 * creates the shards over parallel connections too: note 't'.
 */
static void
note_citus_distribute(LintContext *cx, SelectStmt *sel)
{
	ListCell   *lc;

	if (cx->citus_parallel_ddl || cx->citus_sequential || !LintLive(cx) ||
		!LintInTransaction(cx) || !CitusPresent())
		return;
	foreach(lc, sel->targetList)
	{
		ResTarget  *rt = lfirst(lc);
		FuncCall   *fc;
		Node	   *arg;

		if (!IsA(rt, ResTarget) || rt->val == NULL || !IsA(rt->val, FuncCall))
			continue;
		fc = (FuncCall *) rt->val;
		if (strcmp(strVal(llast(fc->funcname)), "create_distributed_table") != 0)
			continue;
		arg = fc->args ? linitial(fc->args) : NULL;
		if (arg && IsA(arg, A_Const) && IsA(&((A_Const *) arg)->val, String))
			cx->citus_parallel_ddl = pstrdup(strVal(&((A_Const *) arg)->val));
		else
			cx->citus_parallel_ddl = pstrdup("?");
		return;
	}
}

/* The value of SET name = 'word' when it is a plain word, else NULL. */
static const char *
set_word(VariableSetStmt *v)
{
	A_Const    *c;

	if (v->kind != VAR_SET_VALUE || list_length(v->args) != 1 ||
		!IsA(linitial(v->args), A_Const))
		return NULL;
	c = linitial(v->args);
	return IsA(&c->val, String) ? strVal(&c->val) : NULL;
}

/* Is this AlterTableCmd one that scans or rewrites the table? */
static bool
cmd_scans(AlterTableCmd *cmd)
{
	switch (cmd->subtype)
	{
		case AT_SetNotNull:
		case AT_AlterColumnType:
		case AT_SetLogged:
		case AT_SetUnLogged:
		case AT_SetAccessMethod:
		case AT_ValidateConstraint:
			return true;
		case AT_AddConstraint:
			if (cmd->def && IsA(cmd->def, Constraint))
			{
				Constraint *c = (Constraint *) cmd->def;

				return !c->skip_validation && c->indexname == NULL &&
					c->contype != CONSTR_DEFAULT;
			}
			return false;
		default:
			return false;
	}
}

static bool
option_is(DefElem *opt, const char *name, const char *value)
{
	return strcmp(opt->defname, name) == 0 && opt->arg &&
		IsA(opt->arg, String) && strcmp(strVal(opt->arg), value) == 0;
}

/*
 * Remember the objects a statement creates, into "table": the linted
 * script's own (cx->objects), what the upgrade of a downgrade being linted
 * creates (cx->undo: there a rename counts as creating the new name, so
 * that the downgrade may rename it back), or what earlier revisions create
 * (cx->earlier).
 */
static void
remember_created(LintContext *cx, HTAB *table, Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			remember_relation(cx, table, ((CreateStmt *) stmt)->relation);
			break;
		case T_CreateTableAsStmt:
			remember_relation(cx, table, ((CreateTableAsStmt *) stmt)->into->rel);
			break;
		case T_SelectStmt:
			if (((SelectStmt *) stmt)->intoClause)
				remember_relation(cx, table, ((SelectStmt *) stmt)->intoClause->rel);
			break;
		case T_ViewStmt:
			remember_relation(cx, table, ((ViewStmt *) stmt)->view);
			break;
		case T_CreateSeqStmt:
			remember_relation(cx, table, ((CreateSeqStmt *) stmt)->sequence);
			break;
		case T_IndexStmt:
			{
				IndexStmt  *ix = (IndexStmt *) stmt;

				if (ix->idxname)
					remember(cx, table, LINT_OBJ_RELATION,
							 ix->relation->schemaname, ix->idxname, 0);
				break;
			}
		case T_CreateDomainStmt:
			{
				CreateDomainStmt *d = (CreateDomainStmt *) stmt;

				remember(cx, table, LINT_OBJ_TYPE, NULL,
						 strVal(llast(d->domainname)),
						 d->constraints ? LINT_F_DOMAIN_CHECK : 0);
				break;
			}
		case T_CreateEnumStmt:
			remember(cx, table, LINT_OBJ_TYPE, NULL,
					 strVal(llast(((CreateEnumStmt *) stmt)->typeName)),
					 LINT_F_ENUM);
			break;
		case T_CreateRangeStmt:
			remember(cx, table, LINT_OBJ_TYPE, NULL,
					 strVal(llast(((CreateRangeStmt *) stmt)->typeName)), 0);
			break;
		case T_CompositeTypeStmt:
			remember(cx, table, LINT_OBJ_TYPE, NULL,
					 ((CompositeTypeStmt *) stmt)->typevar->relname, 0);
			break;
		case T_DefineStmt:
			if (((DefineStmt *) stmt)->kind == OBJECT_TYPE)
				remember(cx, table, LINT_OBJ_TYPE, NULL,
						 strVal(llast(((DefineStmt *) stmt)->defnames)), 0);
			break;
		case T_CreateSchemaStmt:
			{
				CreateSchemaStmt *s = (CreateSchemaStmt *) stmt;

				remember(cx, table, LINT_OBJ_SCHEMA, NULL, s->schemaname, 0);
				foreach(lc, s->schemaElts)
					remember_created(cx, table, lfirst(lc));
				break;
			}
		case T_CreateFunctionStmt:
			{
				CreateFunctionStmt *f = (CreateFunctionStmt *) stmt;
				int			flags = 0;

				foreach(lc, f->options)
				{
					DefElem    *opt = lfirst_node(DefElem, lc);

					if (option_is(opt, "volatility", "immutable") ||
						option_is(opt, "volatility", "stable"))
						flags |= LINT_F_NOT_VOLATILE;
				}
				remember(cx, table, LINT_OBJ_FUNCTION, NULL,
						 strVal(llast(f->funcname)), flags);
				break;
			}
		case T_AlterTableStmt:
			{
				AlterTableStmt *at = (AlterTableStmt *) stmt;
				const char *rel = at->relation->relname;

				foreach(lc, at->cmds)
				{
					AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

					if (cmd->subtype == AT_AddColumn && cmd->def &&
						IsA(cmd->def, ColumnDef))
					{
						ListCell   *lcc;

						remember(cx, table, LINT_OBJ_COLUMN, NULL,
								 psprintf("%s.%s", rel,
										  ((ColumnDef *) cmd->def)->colname), 0);
						/* ADD COLUMN ... PRIMARY KEY adds the table's key */
						foreach(lcc, ((ColumnDef *) cmd->def)->constraints)
							if (((Constraint *) lfirst(lcc))->contype == CONSTR_PRIMARY)
								remember(cx, table, LINT_OBJ_CONSTRAINT, NULL,
										 psprintf("%s.%s", rel,
												  ((Constraint *) lfirst(lcc))->conname ?
												  ((Constraint *) lfirst(lcc))->conname :
												  psprintf("%s_pkey", rel)), 0);
					}
					if (cmd->subtype == AT_AddConstraint && cmd->def &&
						IsA(cmd->def, Constraint) &&
						(((Constraint *) cmd->def)->conname ||
						 ((Constraint *) cmd->def)->contype == CONSTR_PRIMARY))
					{
						Constraint *c = (Constraint *) cmd->def;

						/* an unnamed primary key is named as the server names it */
						remember(cx, table, LINT_OBJ_CONSTRAINT, NULL,
								 psprintf("%s.%s", rel, c->conname ? c->conname :
										  psprintf("%s_pkey", rel)),
								 c->skip_validation ? LINT_F_NOT_VALID : 0);
					}
				}
				break;
			}
		case T_RenameStmt:
			{
				RenameStmt *r = (RenameStmt *) stmt;

				if (r->relation && LintCreated(cx, r->relation) &&
					r->renameType != OBJECT_COLUMN)
					remember(cx, table, LINT_OBJ_RELATION,
							 r->relation->schemaname, r->newname, 0);

				/*
				 * What an upgrade renamed, its downgrade may rename back: an
				 * undo (cx->undo only; later statements of the same script
				 * still see an existing object under its new name).
				 */
				if (table == cx->undo && r->relation && r->newname)
				{
					if (r->renameType == OBJECT_COLUMN)
						remember(cx, table, LINT_OBJ_COLUMN, NULL,
								 psprintf("%s.%s", r->relation->relname, r->newname), 0);
					else if (r->renameType == OBJECT_TABLE ||
							 r->renameType == OBJECT_VIEW ||
							 r->renameType == OBJECT_MATVIEW)
						remember(cx, table, LINT_OBJ_RELATION,
								 r->relation->schemaname, r->newname, 0);
				}
				break;
			}
		default:
			break;
	}
}

/* ael_tables gets rv, unless the script created it. */
static void
note_exclusive_lock(LintContext *cx, RangeVar *rv)
{
	if (!LintCreated(cx, rv))
		cx->ael_tables = lappend(cx->ael_tables, rv);
}

/*
 * Record what a statement of the linted script does to its transaction:
 * the tables it changes (and how strongly it locks them), the tables it
 * holds ACCESS EXCLUSIVE, the timeouts it sets, data it exports, and
 * transaction boundaries.
 */
static void
record_effects(LintContext *cx, Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_CreateSchemaStmt:
			foreach(lc, ((CreateSchemaStmt *) stmt)->schemaElts)
				record_effects(cx, lfirst(lc));
			break;
		case T_CreateTableAsStmt:
			cx->exported = true;
			break;
		case T_SelectStmt:
			if (((SelectStmt *) stmt)->intoClause)
				cx->exported = true;
			note_citus_distribute(cx, (SelectStmt *) stmt);
			break;
		case T_IndexStmt:
			if (!((IndexStmt *) stmt)->concurrent)
				record_table_use(cx, ((IndexStmt *) stmt)->relation, LINT_F_DDL);
			note_citus_parallel_ddl(cx, ((IndexStmt *) stmt)->relation);
			break;
		case T_AlterTableStmt:
			{
				AlterTableStmt *at = (AlterTableStmt *) stmt;
				int			use = LINT_F_DDL;
				LOCKMODE	mode;

				if (at->objtype != OBJECT_TABLE && at->objtype != OBJECT_MATVIEW)
					break;
				foreach(lc, at->cmds)
					if (cmd_scans(lfirst_node(AlterTableCmd, lc)))
						use |= LINT_F_SCAN_ALTER;
				mode = AlterTableGetLockLevel(at->cmds);
				if (mode >= ShareRowExclusiveLock)
					use |= LINT_F_STRONG_LOCK;
				if (mode == AccessExclusiveLock)
					note_exclusive_lock(cx, at->relation);
				record_table_use(cx, at->relation, use);
				note_citus_parallel_ddl(cx, at->relation);
				break;
			}
		case T_RenameStmt:
			{
				RenameStmt *r = (RenameStmt *) stmt;

				if (r->relation &&
					(r->renameType == OBJECT_TABLE ||
					 r->renameType == OBJECT_COLUMN))
				{
					note_exclusive_lock(cx, r->relation);
					record_table_use(cx, r->relation,
									 LINT_F_DDL | LINT_F_STRONG_LOCK);
				}
				break;
			}
		case T_InsertStmt:
			{
				InsertStmt *ins = (InsertStmt *) stmt;

				if (ins->selectStmt && IsA(ins->selectStmt, SelectStmt) &&
					((SelectStmt *) ins->selectStmt)->fromClause)
					cx->exported = true;
				record_table_use(cx, ins->relation, LINT_F_DML);
				break;
			}
		case T_UpdateStmt:
			record_table_use(cx, ((UpdateStmt *) stmt)->relation, LINT_F_DML);
			break;
		case T_DeleteStmt:
			record_table_use(cx, ((DeleteStmt *) stmt)->relation, LINT_F_DML);
			break;
		case T_MergeStmt:
			record_table_use(cx, ((MergeStmt *) stmt)->relation, LINT_F_DML);
			break;
		case T_CopyStmt:
			if (!((CopyStmt *) stmt)->is_from)
				cx->exported = true;
			break;
		case T_TruncateStmt:
			foreach(lc, ((TruncateStmt *) stmt)->relations)
				note_exclusive_lock(cx, lfirst(lc));
			break;
		case T_LockStmt:
			if (((LockStmt *) stmt)->mode == AccessExclusiveLock)
				foreach(lc, ((LockStmt *) stmt)->relations)
					note_exclusive_lock(cx, lfirst(lc));
			break;
		case T_ClusterStmt:
			if (((ClusterStmt *) stmt)->relation)
				note_exclusive_lock(cx, ((ClusterStmt *) stmt)->relation);
			break;
		case T_VariableSetStmt:
			{
				VariableSetStmt *v = (VariableSetStmt *) stmt;
				bool		set = false;

				if (v->name == NULL)
					break;
				if (v->kind == VAR_SET_VALUE && v->args &&
					IsA(linitial(v->args), A_Const))
				{
					A_Const    *c = linitial(v->args);

					set = !(IsA(&c->val, Integer) && intVal(&c->val) == 0) &&
						!(IsA(&c->val, String) &&
						  strcmp(strVal(&c->val), "0") == 0);
				}
				if (strcmp(v->name, "lock_timeout") == 0)
					cx->lock_timeout_set = set;
				else if (strcmp(v->name, "statement_timeout") == 0)
					cx->statement_timeout_set = set;
				else if (strcmp(v->name, "citus.multi_shard_modify_mode") == 0)
					cx->citus_sequential = set_word(v) &&
						pg_strcasecmp(set_word(v), "sequential") == 0;
				else if (strcmp(v->name, "citus.propagate_set_commands") == 0)
					cx->citus_propagate = set_word(v) &&
						pg_strcasecmp(set_word(v), "local") == 0;
				break;
			}
		case T_TransactionStmt:
			switch (((TransactionStmt *) stmt)->kind)
			{
				case TRANS_STMT_BEGIN:
				case TRANS_STMT_START:
					cx->in_block = true;
					break;
				case TRANS_STMT_COMMIT:
				case TRANS_STMT_ROLLBACK:
				case TRANS_STMT_PREPARE:
					end_transaction(cx);
					break;
				default:
					break;
			}
			break;
		default:
			break;
	}
}

/*
 * Markers
 */

/*
 * Collect "-- migrate:allow <rule-id> ..." and "-- migrate:approve
 * <rule-id> <reason>" from the comment lines right above the statement.
 */
static void
read_markers(LintContext *cx, SqlStatement *st)
{
	cx->allowed = NIL;
	cx->approved = NIL;
	for (int line = st->line - 1; line >= 1; line--)
	{
		const char *p = cx->sql + cx->line_start[line];
		bool		approve;

		while (*p == ' ' || *p == '\t')
			p++;
		if (p[0] != '-' || p[1] != '-')
			break;
		p += 2;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "migrate:allow", 13) == 0 &&
			(p[13] == ' ' || p[13] == '\t'))
			approve = false, p += 13;
		else if (strncmp(p, "migrate:approve", 15) == 0 &&
				 (p[15] == ' ' || p[15] == '\t'))
			approve = true, p += 15;
		else
			continue;
		for (;;)
		{
			const char *start;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			start = p;
			while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
				   *p == '-')
				p++;
			if (p == start)
				break;
			if (!approve)
				cx->allowed = lappend(cx->allowed, pnstrdup(start, p - start));
			else
			{
				const char *reason = p;
				const char *end;

				while (*reason == ' ' || *reason == '\t')
					reason++;
				end = reason;
				while (*end && *end != '\n' && *end != '\r')
					end++;
				while (end > reason && (end[-1] == ' ' || end[-1] == '\t'))
					end--;
				/* an approval needs a reason */
				if (end > reason)
				{
					LintApproval *a = palloc(sizeof(LintApproval));

					a->rule = pnstrdup(start, p - start);
					a->reason = pnstrdup(reason, end - reason);
					cx->approved = lappend(cx->approved, a);
				}
				break;
			}
		}
	}
}

/*
 * Find identifiers longer than NAMEDATALEN - 1 bytes.  The server's
 * scanner truncates them before any parse tree exists, so this is a small
 * scanner of its own: it skips comments and string literals (standard,
 * E'' and dollar-quoted) and measures bare and quoted identifiers.
 */
static void
find_long_identifiers(LintContext *cx, const char *sql)
{
	const char *p = sql;
	int			line = 1;

	while (*p)
	{
		const char *start = p;
		int			length = 0;

		if (*p == '\n')
		{
			line++, p++;
			continue;
		}
		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*')
		{
			int			depth = 1;

			p += 2;
			while (*p && depth > 0)
			{
				if (p[0] == '/' && p[1] == '*')
					depth++, p += 2;
				else if (p[0] == '*' && p[1] == '/')
					depth--, p += 2;
				else
					line += (*p++ == '\n');
			}
			continue;
		}
		if (*p == '\'' || ((*p == 'E' || *p == 'e') && p[1] == '\''))
		{
			bool		escapes = (*p != '\'');

			p += escapes ? 2 : 1;
			while (*p)
			{
				if (escapes && *p == '\\' && p[1])
					p += 2;
				else if (*p == '\'' && p[1] == '\'')
					p += 2;
				else if (*p == '\'')
				{
					p++;
					break;
				}
				else
					line += (*p++ == '\n');
			}
			continue;
		}
		if (*p == '$' && !(p[1] >= '0' && p[1] <= '9'))
		{
			const char *tag_end = p + 1;

			while (isalnum((unsigned char) *tag_end) || *tag_end == '_' ||
				   IS_HIGHBIT_SET(*tag_end))
				tag_end++;
			if (*tag_end == '$')
			{
				int			taglen = tag_end - p + 1;
				const char *close;

				p = tag_end + 1;
				close = p;
				while (*close && strncmp(close, start, taglen) != 0)
					close++;
				for (; p < close; p++)
					line += (*p == '\n');
				p = *close ? close + taglen : close;
				continue;
			}
			p++;
			continue;
		}
		if (*p == '"')
		{
			p++;
			while (*p)
			{
				if (*p == '"' && p[1] == '"')
					p += 2, length++;
				else if (*p == '"')
				{
					p++;
					break;
				}
				else
					line += (*p == '\n'), p++, length++;
			}
		}
		else if (isalpha((unsigned char) *p) || *p == '_' || IS_HIGHBIT_SET(*p))
		{
			while (isalnum((unsigned char) *p) || *p == '_' || *p == '$' ||
				   IS_HIGHBIT_SET(*p))
				p++, length++;
		}
		else if (isdigit((unsigned char) *p))
		{
			while (isalnum((unsigned char) *p) || *p == '_' || *p == '.')
				p++;
			continue;
		}
		else
		{
			p++;
			continue;
		}
		if (length >= NAMEDATALEN)
		{
			LintLongIdent *id = palloc(sizeof(LintLongIdent));
			const char *name = (*start == '"') ? start + 1 : start;

			id->line = line;
			id->length = length;
			id->text = pnstrdup(name, pg_mbcliplen(name, p - name, 20));
			cx->long_identifiers = lappend(cx->long_identifiers, id);
		}
	}
}

/*
 * The driver
 */

static void
lint_init_context(LintContext *cx, const LintOptions *opts, const char *sql)
{
	memset(cx, 0, sizeof(LintContext));
	cx->opts = opts;
	cx->objects = new_object_table();
	set_text(cx, sql);
}

/* The text whose statements are checked next, for markers and lines. */
static void
set_text(LintContext *cx, const char *sql)
{
	int			n = 1;

	cx->sql = sql;
	for (const char *p = sql; *p; p++)
		n += (*p == '\n');
	cx->nlines = n;
	cx->line_start = palloc(sizeof(int) * (n + 1));
	cx->line_start[1] = 0;
	n = 1;
	for (const char *p = sql; *p; p++)
		if (*p == '\n')
			cx->line_start[++n] = (p - sql) + 1;
}

/* Check one statement with every rule, then record what it did. */
static void
lint_statement(LintContext *cx, SqlStatement *st, const LintSeverity *severities)
{
	cx->st = st;
	cx->end_line = st->line;
	for (const char *p = st->text; *p; p++)
		cx->end_line += (*p == '\n');
	read_markers(cx, st);
	for (int i = 0; i < LintRuleCount; i++)
	{
		bool		markers_only = false;
		int			nfindings = list_length(cx->findings);

		if (severities[i] == LINT_OFF)
			continue;

		/*
		 * At run time only the rules that depend on the state decide; the
		 * others were decided at load.  Those a marker of the statement
		 * names still run, so that the log can say which markers silenced
		 * a finding, but what they report is dropped.
		 */
		if (cx->opts->mode == LINT_MODE_RUN && !LintRuleTable[i].state)
		{
			if (!rule_marked(cx, LintRuleTable[i].id))
				continue;
			markers_only = true;
		}
		cx->rule = &LintRuleTable[i];
		cx->severity = severities[i];
		LintRuleTable[i].check(cx, st->parsetree);
		if (markers_only)
			cx->findings = list_truncate(cx->findings, nfindings);
	}
	record_effects(cx, st->parsetree);
	remember_created(cx, cx->objects, st->parsetree);
}

/*
 * Lint a text; returns its findings in statement order.  "what" names the
 * text in parse errors.
 */
List *
LintScript(const char *sql, const char *what, const LintOptions *opts)
{
	LintContext cx;
	LintSeverity *severities = opts->mode == LINT_MODE_LOAD ?
		deciding_severities() : load_severities();
	List	   *statements = SqlSplit(sql, what);
	ListCell   *lc;

	lint_init_context(&cx, opts, sql);
	if (opts->earlier != NIL)
	{
		cx.earlier = new_object_table();
		foreach(lc, opts->earlier)
		{
			ListCell   *ls;

			foreach(ls, SqlSplit(lfirst(lc), "upgrade SQL of an earlier revision"))
				remember_created(&cx, cx.earlier,
								 ((SqlStatement *) lfirst(ls))->parsetree);
		}
	}
	if (opts->downgrade && opts->upgrade_sql)
	{
		List	   *up = SqlSplit(opts->upgrade_sql, what);

		cx.undo = new_object_table();
		foreach(lc, up)
			remember_created(&cx, cx.undo, ((SqlStatement *) lfirst(lc))->parsetree);
	}
	find_long_identifiers(&cx, sql);
	foreach(lc, statements)
	{
		CHECK_FOR_INTERRUPTS();
		lint_statement(&cx, lfirst(lc), severities);
	}
	return cx.findings;
}

/*
 * The file lines before the upgrade [0] and downgrade [1] SQL of the
 * revision that LintRevisionInFile lints, 0 otherwise.
 */
static int	lint_line_base[2];

/* Does a finding block at the current migrate.lint_level? */
static bool
blocks(LintFinding *f)
{
	return f->severity == LINT_ESCALATE ||
		(migrate_lint_level != LINT_OFF &&
		 f->severity >= (LintSeverity) migrate_lint_level);
}

/* Marker that would silence a finding. */
static const char *
marker_for(LintFinding *f)
{
	return f->severity == LINT_ESCALATE ?
		psprintf("-- migrate:approve %s <reason>", f->rule) :
		psprintf("-- migrate:allow %s", f->rule);
}

static void
report_revision_findings(const char *id, const char *direction,
						 List *findings, StringInfo refused, int *nrefused,
						 const char **first_rule)
{
	ListCell   *lc;

	foreach(lc, findings)
	{
		LintFinding *f = lfirst(lc);

		if (blocks(f) && !f->state)
		{
			appendStringInfo(refused, "%s%s statement %d (line %d): %s: %s.",
							 refused->len ? "\n" : "",
							 strcmp(direction, "upgrade") == 0 ? "Upgrade" : "Downgrade",
							 f->statement, f->line, f->rule, f->message);
			if (*nrefused == 0)
				*first_rule = marker_for(f);
			(*nrefused)++;
		}
		else if (f->severity >= LINT_WARNING && !f->style)
			ereport(NOTICE,
					(errmsg("%s statement %d (line %d) of revision \"%s\": %s: %s",
							direction, f->statement, f->line, id, f->rule,
							f->message),
					 f->state && blocks(f) ?
					 errdetail("The database as it is now would stop the statement; whether it does is decided right before it runs.") : 0,
					 errhint("%s", f->hint)));
	}
}

/*
 * LintRevision for a revision file whose upgrade and downgrade SQL start
 * at lines up_line and down_line (0: not from a file): the findings name
 * the lines of the file.
 */
void
LintRevisionInFile(const char *id, const char *upgrade, const char *downgrade,
				   bool transactional, int up_line, int down_line)
{
	lint_line_base[0] = Max(up_line, 1) - 1;
	lint_line_base[1] = Max(down_line, 1) - 1;
	PG_TRY();
	{
		LintRevision(id, upgrade, downgrade, transactional);
	}
	PG_FINALLY();
	{
		lint_line_base[0] = lint_line_base[1] = 0;
	}
	PG_END_TRY();
}

/*
 * Lint a revision's SQL at load (register.c): refuse it when it has
 * findings that block whatever the database's state; report the other
 * warnings and errors as notices.
 */
void
LintRevision(const char *id, const char *upgrade, const char *downgrade,
			 bool transactional)
{
	LintOptions opts = {LINT_MODE_LOAD, transactional, true, false, NULL};
	List	   *up;
	List	   *down;
	StringInfoData refused;
	int			nrefused = 0;
	const char *marker = NULL;

	up = LintScript(upgrade, psprintf("upgrade SQL of revision \"%s\"", id),
					&opts);
	opts.downgrade = true;
	opts.upgrade_sql = upgrade;
	down = LintScript(downgrade,
					  psprintf("downgrade SQL of revision \"%s\"", id), &opts);

	initStringInfo(&refused);
	for (int s = 0; s < 2; s++)
	{
		ListCell   *lc;

		foreach(lc, s == 0 ? up : down)
			((LintFinding *) lfirst(lc))->line += lint_line_base[s];
	}
	report_revision_findings(id, "upgrade", up, &refused, &nrefused, &marker);
	report_revision_findings(id, "downgrade", down, &refused, &nrefused, &marker);
	if (nrefused > 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_LINT_REFUSED),
				 errmsg_plural("revision \"%s\" breaks %d safety rule",
							   "revision \"%s\" breaks %d safety rules",
							   nrefused, id, nrefused),
				 errdetail("%s", refused.data),
				 errhint("Make the change the safe way (migrate_lint() gives a hint for each finding), or accept the risk with a \"%s\" comment on the line before the statement.",
						 marker)));
}

/*
 * The severities that decide at run time, read once for a plan (see
 * deciding_severities), in the current memory context.
 */
LintSettings *
LintSettingsLoad(void)
{
	LintSettings *settings = palloc(sizeof(LintSettings));

	settings->severities = deciding_severities();
	return settings;
}

/*
 * What the revision of a downgrade step undoes: the objects its upgrade
 * creates, so that dropping them loses nothing it did not bring.
 */
static void
record_undone(LintContext *cx, const PlanStep *step)
{
	ListCell   *lc;

	if (cx->undo)
		hash_destroy(cx->undo); /* the previous step's */
	cx->undo = new_object_table();
	foreach(lc, PlanStepUndoes(step))
		remember_created(cx, cx->undo, ((SqlStatement *) lfirst(lc))->parsetree);
}

/*
 * Start linting the step of a plan that the executor is about to run: the
 * rules that depend on the database's state, statement by statement.
 * "transactional" is false for the statements a worker runs one by one at
 * top level.  The run lives in the current memory context.
 */
LintRun *
LintRunBegin(const MigrationPlan *plan, const PlanStep *step,
			 bool transactional)
{
	LintRun    *run;

	run = palloc0(sizeof(LintRun));
	run->opts.mode = LINT_MODE_RUN;
	run->opts.transactional = transactional;
	run->opts.in_runner = true;
	run->opts.downgrade = !plan->upgrade;
	run->id = step->id;
	run->upgrade = plan->upgrade;
	run->severities = plan->lint->severities;
	lint_init_context(&run->cx, &run->opts, step->sql);
	if (!plan->upgrade)
		record_undone(&run->cx, step);
	run->context = CurrentMemoryContext;
	run->previous = active_run;
	run->forget.func = forget_run;
	run->forget.arg = run;
	MemoryContextRegisterResetCallback(run->context, &run->forget);
	active_run = run;
	return run;
}

/*
 * The findings that would stop a plan, judged against the catalogs as
 * they are now, as the executor would judge each statement right before it
 * runs: what earlier revisions of the plan create counts as created.  A
 * list of LintPlanFinding; with data_loss_only, only
 * LINT_RULE_DATA_LOSS's: the data a downgrade would drop.  Markers and
 * migrate.drop_data silence findings as when the plan runs.  Runs nothing.
 */
List *
LintPlan(const MigrationPlan *plan, bool data_loss_only)
{
	LintOptions opts = {LINT_MODE_RUN, true, true, !plan->upgrade, NULL};
	LintSeverity *severities = plan->lint->severities;
	LintContext cx;
	List	   *result = NIL;

	if (plan->nsteps == 0)
		return NIL;
	if (data_loss_only)
	{
		severities = palloc(sizeof(LintSeverity) * LintRuleCount);
		for (int i = 0; i < LintRuleCount; i++)
			severities[i] = strcmp(LintRuleTable[i].id, LINT_RULE_DATA_LOSS) == 0 ?
				plan->lint->severities[i] : LINT_OFF;
	}
	lint_init_context(&cx, &opts, "");
	for (int r = 0; r < plan->nsteps; r++)
	{
		const PlanStep *step = &plan->steps[r];
		ListCell   *lc;

		opts.transactional = step->transactional;
		if (step->commit_before)
			forget_transaction(&cx);
		if (!step->transactional)
			end_transaction(&cx);
		set_text(&cx, step->sql);
		cx.exported = false;
		if (!plan->upgrade)
			record_undone(&cx, step);
		foreach(lc, PlanStepStatements(plan, step))
		{
			ListCell   *lf;

			cx.findings = NIL;
			lint_statement(&cx, lfirst(lc), severities);
			foreach(lf, cx.findings)
			{
				LintPlanFinding *pf;

				if (!blocks(lfirst(lf)))
					continue;
				pf = palloc(sizeof(LintPlanFinding));
				pf->revision = step->id;
				pf->finding = lfirst(lf);
				result = lappend(result, pf);
			}
		}
		if (!step->transactional)
			end_transaction(&cx);
	}
	return result;
}

/* The run's memory is going: it can no longer be the active one. */
static void
forget_run(void *arg)
{
	LintRun    *run = arg;

	if (active_run == run)
		active_run = run->previous;
}

/* Stop the call on the first finding that blocks. */
static void
stop_on_findings(LintRun *run)
{
	ListCell   *lc;

	foreach(lc, run->cx.findings)
	{
		LintFinding *f = lfirst(lc);

		if (blocks(f))
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_LINT_STOPPED),
					 errmsg("%s stopped by safety rule \"%s\"",
							run->upgrade ? "upgrade" : "downgrade", f->rule),
					 errdetail("%c%s.", pg_toupper((unsigned char) f->message[0]),
							   f->message + 1),
					 errhint("%s Or accept the risk with a \"%s\" comment on the line before the statement.",
							 f->hint, marker_for(f))));
	}
}

/*
 * Lint one statement that is about to run outside a migration (guard.c):
 * live, without markers (a comment cannot allow anything there) and
 * without the rules about how a migration script is written.  The rules
 * run between enter() and leave(enter's result), if given: the guard
 * resolves the statement's names with the caller's search_path there (no
 * SQL runs in between; the severities are read before).
 */
List *
LintDdlStatement(Node *parsetree, int (*enter) (void), void (*leave) (int))
{
	LintOptions opts = {LINT_MODE_DDL, true, true, false, NULL};
	LintContext cx;
	SqlStatement st = {"", 1, 1, parsetree};
	LintSeverity *severities = load_severities();
	int			entered;

	lint_init_context(&cx, &opts, "");
	cx.st = &st;
	cx.end_line = 1;
	entered = enter ? enter() : 0;
	for (int i = 0; i < LintRuleCount; i++)
	{
		if (severities[i] == LINT_OFF || LintRuleTable[i].style)
			continue;
		cx.rule = &LintRuleTable[i];
		cx.severity = severities[i];
		LintRuleTable[i].check(&cx, parsetree);
	}
	if (leave)
		leave(entered);
	return cx.findings;
}

/*
 * The statements of sql (split into "statements") that carry an approval
 * of rule on the lines right above them.
 */
List *
LintApprovedStatements(const char *sql, List *statements, const char *rule)
{
	LintOptions opts = {LINT_MODE_STATIC, false, true, false, NULL};
	LintContext cx;
	List	   *result = NIL;
	ListCell   *lc;

	lint_init_context(&cx, &opts, sql);
	foreach(lc, statements)
	{
		SqlStatement *st = lfirst(lc);
		ListCell   *la;

		read_markers(&cx, st);
		foreach(la, cx.approved)
			if (strcmp(((LintApproval *) lfirst(la))->rule, rule) == 0)
			{
				result = lappend(result, st);
				break;
			}
	}
	return result;
}

/*
 * Check the statement about to run against the catalogs as they are now;
 * stop the call on a blocking finding.
 */
void
LintRunStatement(LintRun *run, SqlStatement *st)
{
	if (run == NULL)
		return;
	run->cx.findings = NIL;
	lint_statement(&run->cx, st, run->severities);
	stop_on_findings(run);
	note_seed_table(&run->cx, st->parsetree);
}

/*
 * Right before a migration's statement that makes new versions of rows
 * (UPDATE, MERGE, INSERT ... ON CONFLICT DO UPDATE) runs: mark its table
 * in migrate.seed_table when every row it holds is the history's own, so
 * that the versions this statement writes count as the history's own too;
 * unmark it otherwise (see LintRowsFromMigrations).
 */
static void
note_seed_table(LintContext *cx, Node *stmt)
{
	RangeVar   *rv = NULL;
	Oid			relid;

	if (IsA(stmt, UpdateStmt))
		rv = ((UpdateStmt *) stmt)->relation;
	else if (IsA(stmt, MergeStmt))
		rv = ((MergeStmt *) stmt)->relation;
	else if (IsA(stmt, InsertStmt) && ((InsertStmt *) stmt)->onConflictClause &&
			 ((InsertStmt *) stmt)->onConflictClause->action == ONCONFLICT_UPDATE)
		rv = ((InsertStmt *) stmt)->relation;
	if (rv == NULL)
		return;
	relid = LintRelid(cx, rv);
	if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_RELATION)
		return;
	CatalogMarkSeedTable(relid, LintRowsFromMigrations(cx, relid, false));
}

/* Index of a rule in the rule table. */
static int
rule_index(const char *id)
{
	for (int i = 0; i < LintRuleCount; i++)
		if (strcmp(LintRuleTable[i].id, id) == 0)
			return i;
	elog(ERROR, "safety rule \"%s\" is not in the rule table", id);
	return -1;					/* keep compiler quiet */
}

/*
 * After a data change ran (through SPI, in the revision's transaction):
 * "rows" is what it changed.  More than migrate.lint_row_threshold breaks
 * large-data-change for certain, whatever the estimate said before it ran;
 * stop the call, which rolls the change back, unless the statement carries
 * an approval.  Tables created in the same transaction are exempt.
 */
void
LintRunRowCount(LintRun *run, SqlStatement *st, uint64 rows)
{
	LintContext *cx;
	RangeVar   *rv;
	const char *verb;
	int			i;
	double		estimate;

	if (run == NULL || rows <= (uint64) migrate_lint_row_threshold)
		return;
	switch (nodeTag(st->parsetree))
	{
		case T_InsertStmt:
			rv = ((InsertStmt *) st->parsetree)->relation;
			verb = "INSERT added";
			break;
		case T_UpdateStmt:
			rv = ((UpdateStmt *) st->parsetree)->relation;
			verb = "UPDATE changed";
			break;
		case T_DeleteStmt:
			rv = ((DeleteStmt *) st->parsetree)->relation;
			verb = "DELETE removed";
			break;
		case T_MergeStmt:
			rv = ((MergeStmt *) st->parsetree)->relation;
			verb = "MERGE changed";
			break;
		default:
			return;
	}
	i = rule_index("large-data-change");
	cx = &run->cx;
	if (run->severities[i] == LINT_OFF ||
		LintRelation(cx, rv, false, &estimate) == LINT_REL_NEW)
		return;
	cx->st = st;
	cx->rule = &LintRuleTable[i];
	cx->severity = run->severities[i];
	cx->findings = NIL;
	LintReport(cx, false, NULL,
			   "%s " UINT64_FORMAT " rows of table \"%s\", more than migrate.lint_row_threshold (%d)",
			   verb, rows, LintName(rv), migrate_lint_row_threshold);
	stop_on_findings(run);
}

/*
 * The script has run: the markers that silenced findings, as a JSON array
 * for migrate.log (in the current memory context), or NULL if none did.
 */
char *
LintRunEnd(LintRun *run)
{
	StringInfoData buf;
	ListCell   *lc;

	if (run == NULL)
		return NULL;
	if (active_run == run)
		active_run = run->previous;
	if (run->cx.markers_used == NIL)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, run->cx.markers_used)
	{
		LintMarkerUse *use = lfirst(lc);

		appendStringInfo(&buf, "%s{\"statement\": %d, \"line\": %d, \"rule\": ",
						 foreach_current_index(lc) > 0 ? ", " : "",
						 use->statement, use->line);
		escape_json(&buf, use->rule);
		appendStringInfo(&buf, ", \"marker\": \"%s\"",
						 use->drop_data ? "drop_data" :
						 use->approve ? "approve" : "allow");
		if (use->reason)
		{
			appendStringInfoString(&buf, ", \"reason\": ");
			escape_json(&buf, use->reason);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * Does the revision statement running now carry "-- migrate:approve <rule>
 * <reason>"?  If so the approval is logged with the revision.  For checks
 * made outside the rule table while a statement runs (event triggers);
 * false when no revision statement runs in this backend.
 */
bool
LintApproved(const char *rule)
{
	LintRun    *run = active_run;
	ListCell   *lc;

	if (run == NULL || run->cx.st == NULL)
		return false;
	foreach(lc, run->cx.approved)
	{
		LintApproval *a = lfirst(lc);

		if (strcmp(a->rule, rule) == 0)
		{
			MemoryContext old = MemoryContextSwitchTo(run->context);

			note_marker_use(&run->cx, a->rule, true, a->reason);
			MemoryContextSwitchTo(old);
			return true;
		}
	}
	return false;
}

/*
 * Catalog questions
 */

/* Does this lint look at table sizes, constraints and indexes? */
bool
LintLive(LintContext *cx)
{
	return cx->opts->mode != LINT_MODE_STATIC;
}

/* The relation a RangeVar names now, or InvalidOid (static lint too). */
Oid
LintRelid(LintContext *cx, RangeVar *rv)
{
	if (!LintLive(cx) || rv == NULL || rv->catalogname != NULL)
		return InvalidOid;
	return RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL);
}

/*
 * The CHECK constraints of a relation, read from pg_constraint without
 * opening the relation (so without locking it: the DDL guard must not take
 * a lock before the command takes its own).  A List of LintConstraint.
 */
List *
LintRelationChecks(Oid relid)
{
	Relation	pg_constraint = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(pg_constraint, ConstraintRelidTypidNameIndexId,
							  true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		bool		isnull;
		Datum		bin;
		LintConstraint *check;

		if (con->contype != CONSTRAINT_CHECK)
			continue;
		bin = heap_getattr(tup, Anum_pg_constraint_conbin,
						   RelationGetDescr(pg_constraint), &isnull);
		if (isnull)
			continue;
		check = palloc(sizeof(LintConstraint));
		check->expr = stringToNode(TextDatumGetCString(bin));
		check->valid = con->convalidated;
		result = lappend(result, check);
	}
	systable_endscan(scan);
	table_close(pg_constraint, AccessShareLock);
	return result;
}

/* The indexes of a relation, from pg_index without opening the relation. */
List *
LintRelationIndexes(Oid relid)
{
	Relation	pg_index = table_open(IndexRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(pg_index, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		result = lappend_oid(result, ((Form_pg_index) GETSTRUCT(tup))->indexrelid);
	systable_endscan(scan);
	table_close(pg_index, AccessShareLock);
	return result;
}

/* Is the column marked NOT NULL?  From the syscache, no relation opened. */
bool
LintColumnNotNull(Oid relid, AttrNumber attnum)
{
	HeapTuple	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid),
									  Int16GetDatum(attnum));
	bool		result = false;

	if (HeapTupleIsValid(tup))
	{
		result = ((Form_pg_attribute) GETSTRUCT(tup))->attnotnull;
		ReleaseSysCache(tup);
	}
	return result;
}

/*
 * Rows in a relation with storage.  Vacuumed or analyzed, and not grown to
 * more than twice the pages it had then: reltuples, the rows that VACUUM
 * or ANALYZE counted (scaling it by the current size, as the planner does,
 * counts the dead rows that an UPDATE of the same transaction left behind
 * as rows).  Otherwise counted, up to "limit" or LINT_COUNT_ROWS,
 * whichever is more (all of a table of up to LINT_COUNT_ALL_PAGES pages):
 * a few milliseconds, and the count is exact; a table with more rows gets
 * the density of the whole pages read so far times its size, and never
 * less than reltuples.
 */
#define LINT_COUNT_ALL_PAGES 64
#define LINT_COUNT_ROWS 100000
double
LintRelationRows(Relation rel, double limit)
{
	BlockNumber blocks = RelationGetNumberOfBlocks(rel);
	double		n = 0;
	double		full_rows = 0;	/* rows of the whole pages before "page" */
	BlockNumber page = 0;
	bool		more = false;
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;

	if (blocks == 0)
		return 0;
	if (rel->rd_rel->reltuples >= 0 && rel->rd_rel->relpages > 0 &&
		blocks <= 2 * (BlockNumber) rel->rd_rel->relpages)
		return rel->rd_rel->reltuples;

	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	slot = table_slot_create(rel, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		BlockNumber b = ItemPointerGetBlockNumber(&slot->tts_tid);

		if (n >= Max(limit, LINT_COUNT_ROWS) && blocks > LINT_COUNT_ALL_PAGES)
		{
			more = true;
			break;
		}
		if (b != page)
		{
			page = b;
			full_rows = n;
		}
		n++;
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	if (more && page > 0 && full_rows > 0)
		n = Max(n, full_rows / page * blocks);
	/* pages of dead rows first (updates since) make the density low */
	return Max(n, rel->rd_rel->reltuples);
}

/*
 * Is relid a Citus distributed or reference table?  Its rows are then in
 * shards on the workers, and the table on the coordinator is an empty
 * shell: its rows are counted through Citus.
 */
static bool
citus_sharded(Oid relid)
{
	CitusKind	kind = CitusTableLookup(relid, NULL);

	return kind == CITUS_DISTRIBUTED || kind == CITUS_REFERENCE;
}

/*
 * What the shards of a Citus table hold: counted through Citus up to
 * LINT_COUNT_ROWS or the threshold, whichever is more (the LIMIT goes to
 * every shard).  The DDL guard takes no lock and reads the statistics of
 * the shards instead (summed on the workers), as it reads pg_class for a
 * plain table; so does a role that may not read the table.
 */
static LintRelState
citus_relation(Oid relid, bool stats_only, double *rows)
{
	double		n;

	if (stats_only)
		n = Max(CitusEstimateRows(relid), 0);
	else if ((n = CitusCountRows(relid, NULL,
								 Max(migrate_lint_table_threshold, LINT_COUNT_ROWS))) < 0)
		return LINT_REL_UNKNOWN;
	*rows = n;
	if (n == 0)
		return LINT_REL_EMPTY;
	return n < migrate_lint_table_threshold ? LINT_REL_SMALL : LINT_REL_LARGE;
}

/*
 * Rows read at most to tell whether a table holds only rows that
 * migrations wrote: seed data is small.
 */
#define LINT_SEED_ROWS_MAX 100000

/*
 * May the linter look at the rows of relid now?  Linting against a live
 * database (migrate_lint, migrate_lint_revision: a folder's lint in CI
 * pointed at production) never waits for a lock: a table that another
 * session holds locked is judged from its statistics instead.
 */
static bool
lint_may_lock(LintContext *cx, Oid relid)
{
	return cx->opts->mode != LINT_MODE_LIVE ||
		CheckRelationOidLockedByMe(relid, AccessShareLock, true) ||
		ConditionalLockRelationOid(relid, AccessShareLock);
}

/*
 * Were all the rows the table (and its partitions) holds written by
 * migrations, as their xmin says (migrate.xact, or this transaction, in
 * which migrate runs the revision), and inserted, not updated?  Then they
 * are the history's own data, seed data, and no application's.  A frozen
 * row, or more than LINT_SEED_ROWS_MAX rows: no.  A row version an UPDATE
 * made counts only if the table is in migrate.seed_table (it held nothing
 * but the history's rows when migrations changed it: a migration's UPDATE
 * of the application's rows does not make them seed data); with
 * "updates_too", it counts anyway (for a downgrade: what migrations
 * inserted and later migrations changed).  Only for a role that may read
 * the table.
 */
bool
LintRowsFromMigrations(LintContext *cx, Oid relid, bool updates_too)
{
	List	   *members;
	ListCell   *lc;
	double		seen = 0;
	bool		result = true;
	HASHCTL		ctl = {0};
	HTAB	   *xmins;			/* distinct xmins of earlier transactions */
	HASH_SEQ_STATUS status;
	TransactionId *xid;
	TransactionId *xids;
	int			nxids = 0;

	ctl.keysize = sizeof(TransactionId);
	ctl.entrysize = sizeof(TransactionId);
	ctl.hcxt = CurrentMemoryContext;
	xmins = hash_create("migrate row xmins", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return false;
	if (!lint_may_lock(cx, relid))
		return false;			/* locked elsewhere: the application's rows */
	if (citus_sharded(relid))	/* the rows are on the workers */
		return CitusCountRows(relid, NULL, 1) == 0;
	members = get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ?
		find_all_inheritors(relid, AccessShareLock, NULL) : list_make1_oid(relid);
	foreach(lc, members)
	{
		Relation	rel = try_relation_open(lfirst_oid(lc), AccessShareLock);
		Snapshot	snapshot;
		TableScanDesc scan;
		HeapTuple	tup;
		bool		updated = false;

		if (rel == NULL)
			continue;
		if (rel->rd_rel->relkind != RELKIND_RELATION &&
			rel->rd_rel->relkind != RELKIND_MATVIEW)
		{
			relation_close(rel, NoLock);
			continue;
		}
		if (rel->rd_tableam != GetHeapamTableAmRoutine())
		{
			relation_close(rel, NoLock);
			return false;
		}
		snapshot = RegisterSnapshot(GetLatestSnapshot());
		scan = table_beginscan(rel, snapshot, 0, NULL);
		while (result &&
			   (tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
		{
			TransactionId xmin = HeapTupleHeaderGetXmin(tup->t_data);

			CHECK_FOR_INTERRUPTS();
			if (++seen > LINT_SEED_ROWS_MAX || !TransactionIdIsNormal(xmin))
				result = false;
			else if (!TransactionIdIsCurrentTransactionId(xmin))
				(void) hash_search(xmins, &xmin, HASH_ENTER, NULL);
			updated |= (tup->t_data->t_infomask & HEAP_UPDATED) != 0;
		}
		table_endscan(scan);
		UnregisterSnapshot(snapshot);

		/*
		 * An UPDATE's row version may carry anybody's data: the history's
		 * own only if the table held nothing else when migrations changed
		 * it (migrate.seed_table).
		 */
		if (result && updated && !updates_too &&
			!CatalogSeedTable(RelationGetRelid(rel)))
			result = false;
		relation_close(rel, NoLock);
		if (!result)
			break;
	}
	if (!result)
		return false;

	/* one look at migrate.xact for the transactions that wrote the rows */
	xids = palloc(sizeof(TransactionId) * Max(hash_get_num_entries(xmins), 1));
	hash_seq_init(&status, xmins);
	while ((xid = hash_seq_search(&status)) != NULL)
		xids[nxids++] = *xid;
	return nxids == 0 || CatalogAreMigrationXids(xids, nxids);
}

/*
 * The visible rows of a table (and its partitions), counted up to "limit";
 * with "column", only the rows where that column is not NULL.  -1 when the
 * role may not read the table.
 */
double
LintCountRows(Oid relid, const char *column, double limit)
{
	List	   *members;
	ListCell   *lc;
	double		n = 0;

	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return -1;
	if (citus_sharded(relid))
		return CitusCountRows(relid, column, limit);
	members = get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ?
		find_all_inheritors(relid, AccessShareLock, NULL) : list_make1_oid(relid);
	foreach(lc, members)
	{
		Relation	rel = try_relation_open(lfirst_oid(lc), AccessShareLock);
		AttrNumber	attnum = InvalidAttrNumber;
		Snapshot	snapshot;
		TableScanDesc scan;
		TupleTableSlot *slot;

		if (rel == NULL)
			continue;
		if (rel->rd_rel->relkind != RELKIND_RELATION &&
			rel->rd_rel->relkind != RELKIND_MATVIEW)
		{
			relation_close(rel, NoLock);
			continue;
		}
		if (column != NULL &&
			(attnum = get_attnum(lfirst_oid(lc), column)) == InvalidAttrNumber)
		{
			relation_close(rel, NoLock);
			continue;
		}
		snapshot = RegisterSnapshot(GetLatestSnapshot());
		scan = table_beginscan(rel, snapshot, 0, NULL);
		slot = table_slot_create(rel, NULL);
		while (n < limit && table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			CHECK_FOR_INTERRUPTS();
			if (attnum > 0 && slot_attisnull(slot, attnum))
				continue;
			n++;
		}
		ExecDropSingleTupleTableSlot(slot);
		table_endscan(scan);
		UnregisterSnapshot(snapshot);
		relation_close(rel, NoLock);
		if (n >= limit)
			break;
	}
	return n;
}

/* Does the relation hold no visible row?  Reads at most one. */
static bool
relation_is_empty(Relation rel)
{
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;
	bool		empty;

	if (RelationGetNumberOfBlocks(rel) == 0)
		return true;
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	slot = table_slot_create(rel, NULL);
	empty = !table_scan_getnextslot(scan, ForwardScanDirection, slot);
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	return empty;
}

/*
 * The size of a table this transaction has not locked, from its pg_class
 * statistics alone (LINT_MODE_DDL): no lock, no look at the rows.  A
 * table never vacuumed nor analyzed counts as empty.
 */
static LintRelState
relation_statistics(Oid relid, double *rows)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	double		n;

	if (!HeapTupleIsValid(tup))
		return LINT_REL_UNKNOWN;
	n = Max(((Form_pg_class) GETSTRUCT(tup))->reltuples, 0);
	ReleaseSysCache(tup);
	*rows = n;
	if (n == 0)
		return LINT_REL_EMPTY;
	return n < migrate_lint_table_threshold ? LINT_REL_SMALL : LINT_REL_LARGE;
}

/*
 * What the catalogs say about the table a RangeVar names (for an index:
 * its table): new, empty, small or large.  "exact_empty" asks for a real
 * look at the rows before calling a table empty.  *rows gets the estimate.
 */
LintRelState
LintRelation(LintContext *cx, RangeVar *rv, bool exact_empty, double *rows)
{
	Oid			relid;
	Relation	rel;
	double		n = 0;
	LintRelState state;
	bool		empty = true;

	*rows = -1;
	if (rv == NULL)
		return LINT_REL_UNKNOWN;
	if (LintCreated(cx, rv))
		return LINT_REL_NEW;
	if (!LintLive(cx))
		return LINT_REL_UNKNOWN;
	relid = LintRelid(cx, rv);
	if (OidIsValid(relid) && get_rel_relkind(relid) == RELKIND_INDEX)
		relid = IndexGetRelation(relid, true);
	if (OidIsValid(relid) && citus_sharded(relid))
	{
		Relation	shell = RelationIdGetRelation(relid);
		bool		created = shell != NULL &&
			shell->rd_createSubid != InvalidSubTransactionId;

		if (shell)
			RelationClose(shell);
		if (created)
			return LINT_REL_NEW;
		return citus_relation(relid, cx->opts->mode == LINT_MODE_DDL ||
							  pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK,
							  rows);
	}
	if (cx->opts->mode == LINT_MODE_DDL && OidIsValid(relid) &&
		!CheckRelationOidLockedByMe(relid, AccessShareLock, true))
		return relation_statistics(relid, rows);

	if (OidIsValid(relid) && !lint_may_lock(cx, relid))
		return relation_statistics(relid, rows);

	/*
	 * Counting or peeking at the rows of a table tells about them: only
	 * for a role that may read it; for others, pg_class's statistics,
	 * which every role can read anyway.
	 */
	if (OidIsValid(relid) &&
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return relation_statistics(relid, rows);
	if (!OidIsValid(relid) ||
		(rel = try_relation_open(relid, AccessShareLock)) == NULL)
		return cx->opts->mode == LINT_MODE_LIVE ? LINT_REL_UNKNOWN : LINT_REL_NEW;

	if (rel->rd_createSubid != InvalidSubTransactionId)
		state = LINT_REL_NEW;
	else
	{
		List	   *members;
		ListCell   *lc;

		members = rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE ?
			find_all_inheritors(relid, AccessShareLock, NULL) :
			list_make1_oid(relid);
		foreach(lc, members)
		{
			Relation	part = lfirst_oid(lc) == relid ? rel :
			try_relation_open(lfirst_oid(lc), AccessShareLock);

			if (part == NULL)
				continue;
			if (RELKIND_HAS_STORAGE(part->rd_rel->relkind) &&
				part->rd_rel->relkind != RELKIND_SEQUENCE)
			{
				double		r = LintRelationRows(part, migrate_lint_table_threshold);

				n += r;
				if (empty)
					empty = (r == 0 || exact_empty) ? relation_is_empty(part) : false;
			}
			if (part != rel)
				relation_close(part, NoLock);
		}
		if (empty)
			state = LINT_REL_EMPTY;
		else if (n < migrate_lint_table_threshold)
			state = LINT_REL_SMALL;
		else
			state = LINT_REL_LARGE;
	}
	relation_close(rel, NoLock);
	*rows = n;
	return state;
}

/*
 * Run fn(arg) in a subtransaction that is always rolled back, so that the
 * locks it takes and whatever it reads into caches do not outlive the
 * question.  Returns false if fn raised an error, which is swallowed: a
 * statement whose analysis fails would fail by itself when it runs.  A
 * cancel is raised again.  Results go through arg, in the caller's memory.
 */
typedef struct LintTryCall
{
	void		(*fn) (void *arg);
	void	   *arg;
} LintTryCall;

/* SubxactRun callback of LintTry: fn under a snapshot. */
static void
lint_try_call(void *arg)
{
	LintTryCall *call = arg;
	bool		pushed = false;

	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	call->fn(call->arg);
	if (pushed)
		PopActiveSnapshot();
}

bool
LintTry(void (*fn) (void *arg), void *arg)
{
	LintTryCall call = {fn, arg};
	ErrorData  *edata = SubxactRun(lint_try_call, &call, false);

	if (edata != NULL && (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
						  edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN))
		ReThrowError(edata);
	return edata == NULL;
}

typedef struct RowEstimate
{
	Node	   *stmt;
	const char *sql;
	double		rows;
} RowEstimate;

/* LintTry callback: plan the statement, note the rows it would change. */
static void
estimate_statement_rows(void *arg)
{
	RowEstimate *e = arg;
	RawStmt    *raw = makeNode(RawStmt);
	ListCell   *lc;

	/* parse analysis may scribble on the raw tree */
	raw->stmt = copyObject(e->stmt);
	foreach(lc, pg_analyze_and_rewrite_fixedparams(raw, e->sql, NULL, 0, NULL))
	{
		Query	   *q = lfirst_node(Query, lc);
		Plan	   *plan;

		if (q->commandType == CMD_UTILITY)
			continue;
		/* the planner's estimate tells about rows: only of readable tables */
		if (!ExecCheckRTPerms(q->rtable, false))
			continue;
		plan = pg_plan_query(q, e->sql, 0, NULL)->planTree;
		if (IsA(plan, ModifyTable) && outerPlan(plan))
			plan = outerPlan(plan);
		e->rows = Max(e->rows, plan->plan_rows);
	}
}

/*
 * How many rows will a data change touch, by the planner's estimate?
 * -1 when it cannot be planned (an object that does not exist yet, say).
 */
double
LintEstimateRows(LintContext *cx, Node *stmt)
{
	RowEstimate e = {stmt, cx->sql, -1};

	if (!LintLive(cx) || !LintTry(estimate_statement_rows, &e))
		return -1;
	return e.rows;
}

/*
 * Is a function of that name and argument count volatile?  Unknown
 * functions are, unless an earlier statement created them IMMUTABLE or
 * STABLE.
 */
bool
LintFunctionVolatile(LintContext *cx, List *funcname, int nargs)
{
	FuncCandidateList c;
	bool		found;
	int			flags;

	c = FuncnameGetCandidates(funcname, nargs, NIL, true, true, false, true);
	if (c == NULL)
	{
		flags = LintObjectFlags(cx, LINT_OBJ_FUNCTION, NULL,
								strVal(llast(funcname)), &found);
		return !(found && (flags & LINT_F_NOT_VOLATILE));
	}
	for (; c; c = c->next)
		if (func_volatile(c->oid) == PROVOLATILE_VOLATILE)
			return true;
	return false;
}

/*
 * Small helpers
 */

/* A relation's name as written, for messages. */
const char *
LintName(RangeVar *rv)
{
	if (rv == NULL)
		return "?";
	if (rv->schemaname)
		return psprintf("%s.%s", rv->schemaname, rv->relname);
	return rv->relname;
}

/* A qualified name list as "a.b.c". */
char *
LintNameList(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
	{
		Node	   *n = lfirst(lc);

		appendStringInfo(&buf, "%s%s", buf.len ? "." : "",
						 IsA(n, String) ? strVal(n) : "*");
	}
	return buf.data;
}

/* A RangeVar for a qualified name list (DROP TABLE a.b), or NULL. */
RangeVar *
LintRangeVarFromList(List *names)
{
	ListCell   *lc;

	foreach(lc, names)
		if (!IsA(lfirst(lc), String))
		return NULL;
	switch (list_length(names))
	{
		case 1:
			return makeRangeVar(NULL, strVal(linitial(names)), -1);
		case 2:
			return makeRangeVar(strVal(linitial(names)),
								strVal(lsecond(names)), -1);
		case 3:
			{
				RangeVar   *rv = makeRangeVar(strVal(lsecond(names)),
											  strVal(lthird(names)), -1);

				rv->catalogname = strVal(linitial(names));
				return rv;
			}
		default:
			return NULL;
	}
}
