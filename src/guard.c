/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  The DDL guard: C event triggers that watch DDL run outside
 *	  migrations, record it as drift and, by migrate.enforce, block what
 *	  the safety rules forbid.
 *
 * Scope.  A schema is managed once a revision has run DDL in it: the
 * ddl_command_end trigger adds the schema of every object a revision
 * creates or alters to migrate.managed_schema.  DDL outside migrations is
 * in scope when it touches an existing object in a managed schema, or a
 * protected object (protect.c).  A database where no revision has run
 * DDL has no managed schema, so nothing there is recorded or blocked
 * except protected objects.  Temporary objects are never in scope.
 *
 * Exempt, and never recorded: DDL that migrate runs itself (statements of
 * revisions run by the executor, by the worker, or by a client session
 * holding migrate_lock_session(), whose revisions were linted when they
 * were loaded and are linted again right before each statement); the
 * scripts of CREATE EXTENSION and ALTER EXTENSION UPDATE; binary upgrade;
 * and restores: a superuser session with check_function_bodies off, which
 * is the first thing every pg_dump script and pg_restore sets.
 *
 * Events:
 *	ddl_command_start: enforcement, before the command runs or locks.
 *		Protected objects first, then the linter over the raw parse tree
 *		(LINT_MODE_DDL: table sizes from pg_class statistics, no lock
 *		taken), acting on error-level findings of the rules that event
 *		triggers can enforce, then drift-ddl-outside-migration if its
 *		severity is error.
 *	sql_drop: protected objects dropped by cascade; drift records for
 *		every dropped object in scope, cascaded victims included.
 *	ddl_command_end: drift records for every collected command in scope;
 *		inside migrations, the managed schemas.
 *	table_rewrite: the authoritative guard against rewriting a managed or
 *		protected table holding migrate.lint_table_threshold rows or more.
 *
 * Blocked DDL is recorded by a background worker in a transaction of its
 * own, so that the record survives the error that blocks it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "catalog.h"
#include "errcodes.h"
#include "guard.h"
#include "lint.h"
#include "textarray.h"
#include "worker.h"

PG_FUNCTION_INFO_V1(migrate_guard_ddl_start);
PG_FUNCTION_INFO_V1(migrate_guard_ddl_end);
PG_FUNCTION_INFO_V1(migrate_guard_sql_drop);
PG_FUNCTION_INFO_V1(migrate_guard_table_rewrite);

int			migrate_enforce = GUARD_ENFORCE_ERROR;

/* Is this backend running migrate's own DDL?  See GuardRunnerEnter. */
static int	runner_depth = 0;
static bool runner_session = false;
static bool runner_process = false;
static char runner_revision[NAMEDATALEN * 2];
static bool runner_session_ddl = false;	/* DDL ran in the runner session */

/* The rule warned about at ddl_command_start, for the drift record. */
static char warned_rule[NAMEDATALEN * 2];

/*
 * The rules that event triggers enforce on DDL outside migrations
 * (RULES.md §4 C): those about what a statement does to existing objects,
 * not about how a migration script is written.
 */
static const char *const enforced_rules[] = {
	"adding-column-volatile-default",
	"adding-serial-or-identity-column",
	"adding-stored-generated-column",
	"setting-not-null",
	"changing-column-type",
	"renaming-column",
	"renaming-table",
	"renaming-schema",
	"dropping-column",
	"dropping-table",
	"dropping-schema",
	"drop-cascade",
	"dropping-foreign-key",
	"adding-foreign-key",
	"adding-check-constraint",
	"adding-unique-constraint",
	"adding-primary-key",
	"changing-primary-key",
	"adding-exclusion-constraint",
	"domain-constraint",
	"require-concurrent-index-creation",
	"require-concurrent-index-deletion",
	"removing-enum-value",
	"renaming-enum-value",
	"adding-trigger",
	"disabling-triggers",
	"set-tablespace",
	"set-logged-unlogged",
	"set-access-method",
	"require-concurrent-partition-detach",
	"attach-partition-without-check",
	"grant-revoke-change",
	"row-level-security-change",
};

/*
 * Mark the DDL this backend runs from now on as migrate's own, for one
 * revision's statement (executor.c; paired with GuardRunnerLeave in a
 * PG_FINALLY), for a client session holding migrate's session lock, or
 * for a whole worker process.
 */
void
GuardRunnerEnter(const char *revision)
{
	runner_depth++;
	strlcpy(runner_revision, revision ? revision : "", sizeof(runner_revision));
}

void
GuardRunnerLeave(void)
{
	if (runner_depth > 0)
		runner_depth--;
}

void
GuardRunnerSession(bool on)
{
	runner_session = on;
	runner_revision[0] = '\0';
	if (on)
		runner_session_ddl = false;
}

/* Did DDL run since GuardRunnerSession(true)? */
bool
GuardRunnerSessionChanged(void)
{
	return runner_session_ddl;
}

void
GuardRunnerProcess(void)
{
	runner_process = true;
}

static bool
in_migration(void)
{
	return runner_depth > 0 || runner_session || runner_process;
}

/* DDL the guard never looks at: see the file header. */
static bool
exempt(void)
{
	if (creating_extension || IsBinaryUpgrade)
		return true;
	if (!check_function_bodies && superuser_arg(GetOuterUserId()))
		return true;
	return false;
}

/* Store the fingerprint of the managed schemas (after a migration). */
void
GuardStoreFingerprint(void)
{
	CatalogStoreFingerprint();
}

static EventTriggerData *
trigger_data(FunctionCallInfo fcinfo, const char *name)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as an event trigger", name)));
	return (EventTriggerData *) fcinfo->context;
}

static bool
in_list(List *names, const char *name)
{
	ListCell   *lc;

	if (name == NULL)
		return false;
	foreach(lc, names)
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

static bool
enforced(const char *rule)
{
	for (int i = 0; i < lengthof(enforced_rules); i++)
		if (strcmp(enforced_rules[i], rule) == 0)
			return true;
	return false;
}

/* Was the relation created in this transaction (so nobody else has it)? */
static bool
created_here(Oid relid)
{
	Relation	rel;
	bool		result;

	if (!OidIsValid(relid) ||
		!CheckRelationOidLockedByMe(relid, AccessShareLock, true))
		return false;
	rel = relation_open(relid, NoLock);
	result = rel->rd_createSubid != InvalidSubTransactionId;
	relation_close(rel, NoLock);
	return result;
}

/* A drift record of this backend's current command. */
static CatalogDrift *
new_drift(const char *tag)
{
	CatalogDrift *d = palloc0(sizeof(CatalogDrift));

	d->role = GetUserNameFromId(GetOuterUserId(), false);
	d->application = application_name ? application_name : "";
	d->command_tag = tag;
	d->statement = debug_query_string;
	return d;
}

static char *
target_identity(GuardTarget *t)
{
	if (t->table == NULL)
		return pstrdup(quote_identifier(t->schema));
	if (t->column)
		return psprintf("%s.%s.%s", quote_identifier(t->schema),
						quote_identifier(t->table), quote_identifier(t->column));
	return psprintf("%s.%s", quote_identifier(t->schema),
					quote_identifier(t->table));
}

/*
 * Act on a rule hit by DDL outside a migration, as migrate.enforce says:
 * warn (and remember the rule for the drift record), or record the
 * blocked statement and raise the error.
 */
static void
act(const char *tag, const char *rule, GuardTarget *t, int sqlerrcode,
	const char *blocked, const char *warned, const char *detail,
	const char *hint)
{
	if (migrate_enforce == GUARD_ENFORCE_WARN)
	{
		strlcpy(warned_rule, rule, sizeof(warned_rule));
		ereport(WARNING,
				(errcode(sqlerrcode),
				 errmsg("%s", warned),
				 errdetail("%s  migrate.enforce is \"warn\", so it runs.", detail)));
	}
	else
	{
		CatalogDrift *d = new_drift(tag);
		char	   *error;

		d->object_type = t == NULL ? NULL :
			t->table == NULL ? "schema" : t->column ? "table column" : "table";
		d->object_identity = t ? target_identity(t) : NULL;
		d->schema_name = t ? t->schema : NULL;
		d->blocked = true;
		d->rule = rule;
		error = WorkerRunAutonomous(CatalogDriftSql(d), CatalogOwner());
		if (error)
			ereport(WARNING,
					(errmsg("could not record the blocked statement in migrate.drift: %s",
							error)));
		ereport(ERROR,
				(errcode(sqlerrcode),
				 errmsg("%s", blocked),
				 errdetail("%s", detail),
				 errhint("%s", hint)));
	}
}

static const char *
capitalized(const char *s)
{
	char	   *c = pstrdup(s);

	c[0] = pg_toupper((unsigned char) c[0]);
	return c;
}

/*
 * The search_path of the DDL's session.  The guard's functions run with
 * search_path pinned (SET search_path in their definitions, as SECURITY
 * DEFINER functions must), but the statement's unqualified names resolve
 * with the caller's: fmgr_security_definer saved it on the GUC stack, in
 * the entry its SET pushed.  NULL if there is no such entry.
 */
static const char *
caller_search_path(void)
{
	static struct config_string *conf = NULL;
	GucStack   *stack;

	if (conf == NULL)
	{
		struct config_generic **vars = get_guc_variables();
		int			n = GetNumConfigOptions();

		for (int i = 0; i < n; i++)
			if (strcmp(vars[i]->name, "search_path") == 0 &&
				vars[i]->vartype == PGC_STRING)
				conf = (struct config_string *) vars[i];
		if (conf == NULL)
			return NULL;
	}
	stack = conf->gen.stack;
	if (stack == NULL || stack->state != GUC_SAVE || *conf->variable == NULL ||
		strcmp(*conf->variable, "pg_catalog, pg_temp") != 0)
		return NULL;			/* not the entry of the functions' SET */
	return stack->prior.val.stringval ? stack->prior.val.stringval : "";
}

/*
 * Resolve names with the caller's search_path from here on, until
 * leave_caller_search_path(the result).  Only for code that runs no SQL:
 * queries must not see schemas the caller controls.  Returns -1 if the
 * pinned path stays.
 */
static int
enter_caller_search_path(void)
{
	const char *path = caller_search_path();
	int			nest;

	if (path == NULL)
		return -1;
	nest = NewGUCNestLevel();
	(void) set_config_option("search_path", path, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nest;
}

static void
leave_caller_search_path(int nest)
{
	if (nest >= 0)
		AtEOXact_GUC(true, nest);
}

/* GuardStatementTargets, with names resolved as the command resolves them. */
static List *
statement_targets(Node *parsetree)
{
	int			nest = enter_caller_search_path();
	List	   *targets = GuardStatementTargets(parsetree);

	leave_caller_search_path(nest);
	return targets;
}

/* Enforcement at ddl_command_start: see the file header. */
static void
check_statement(Node *parsetree, const char *tag)
{
	GuardScope *scope = CatalogGuardScope();
	List	   *targets;
	ListCell   *lc;
	GuardTarget *managed = NULL;
	bool		all_new = true;
	LintSeverity drift_severity;

	if (scope->schemas == NIL && scope->protected == NIL)
		return;
	targets = statement_targets(parsetree);
	foreach(lc, targets)
	{
		GuardTarget *t = lfirst(lc);

		if (t->table == NULL || !created_here(t->relid))
			all_new = false;
	}
	if (targets == NIL || all_new)
		return;

	foreach(lc, targets)
	{
		GuardTarget *t = lfirst(lc);
		CatalogProtected *p = ProtectedMatch(scope, t);

		if (p)
		{
			const char *object = p->column[0] ?
				psprintf("%s.%s.%s", quote_identifier(p->schema),
						 quote_identifier(p->table), quote_identifier(p->column)) :
				psprintf("%s.%s", quote_identifier(p->schema),
						 quote_identifier(p->table));

			act(tag, "protected-object-change", t,
				ERRCODE_MIGRATE_PROTECTED_OBJECT,
				psprintf("%s blocked: %s is protected", tag, object),
				psprintf("%s changes protected %s", tag, object),
				psprintf("Reason: %s.", p->reason),
				"Change it in a revision whose statement carries \"-- migrate:approve protected-object-change <reason>\", or run migrate_unprotect() first.");
			return;
		}
		if (managed == NULL && in_list(scope->schemas, t->schema))
			managed = t;
	}
	if (managed == NULL)
		return;

	foreach(lc, LintDdlStatement(parsetree, enter_caller_search_path,
									leave_caller_search_path))
	{
		LintFinding *f = lfirst(lc);

		if (f->severity < LINT_ERROR || !enforced(f->rule))
			continue;
		act(tag, f->rule, managed, ERRCODE_MIGRATE_DDL_BLOCKED,
			psprintf("%s blocked by safety rule \"%s\"", tag, f->rule),
			psprintf("%s breaks safety rule \"%s\"", tag, f->rule),
			psprintf("%s.  Schema \"%s\" is managed by migrate, and this runs outside a migration.",
					 capitalized(f->message), managed->schema),
			psprintf("%s Make the change in a revision, where it is reviewed and logged.",
					 f->hint));
		return;
	}
	drift_severity = LintRuleSeverity("drift-ddl-outside-migration");
	if (drift_severity >= LINT_ERROR)
		act(tag, "drift-ddl-outside-migration", managed,
			ERRCODE_MIGRATE_DDL_BLOCKED,
			psprintf("%s blocked by safety rule \"drift-ddl-outside-migration\"", tag),
			psprintf("%s runs outside migrations in a managed schema", tag),
			psprintf("Schema \"%s\" is managed by migrate, and this database allows no DDL there outside migrations.",
					 managed->schema),
			"Make the change in a revision.");
}

/* migrate.guard_ddl_start(): ddl_command_start */
Datum
migrate_guard_ddl_start(PG_FUNCTION_ARGS)
{
	EventTriggerData *trig = trigger_data(fcinfo, "migrate.guard_ddl_start");

	warned_rule[0] = '\0';
	if (exempt() || in_migration() || migrate_enforce == GUARD_ENFORCE_OFF)
		PG_RETURN_NULL();
	check_statement(trig->parsetree, GetCommandTagName(trig->tag));
	PG_RETURN_NULL();
}

/* The schema a collected or dropped object is in, or is (for a schema). */
static char *
object_schema(HeapTuple tup, TupleDesc desc, int classid_col, int objid_col,
			  int schema_col)
{
	bool		isnull;
	Datum		classid = SPI_getbinval(tup, desc, classid_col, &isnull);

	if (!isnull && DatumGetObjectId(classid) == NamespaceRelationId)
	{
		Datum		objid = SPI_getbinval(tup, desc, objid_col, &isnull);

		return isnull ? NULL : get_namespace_name(DatumGetObjectId(objid));
	}
	return SPI_getvalue(tup, desc, schema_col);
}

/* Connect to SPI and read an event's objects into SPI_tuptable. */
static void
event_rows(const char *sql)
{
	static const char *plan_sql[2];
	static SPIPlanPtr plans[2];
	SPIPlanPtr	plan = NULL;
	int			i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	for (i = 0; i < lengthof(plans) && plan_sql[i]; i++)
		if (plan_sql[i] == sql)
			plan = plans[i];
	if (plan == NULL)
	{
		plan = SPI_prepare(sql, 0, NULL);
		if (plan == NULL || (i < lengthof(plans) && SPI_keepplan(plan) != 0))
			elog(ERROR, "could not prepare \"%s\"", sql);
		if (i < lengthof(plans))
		{
			plan_sql[i] = sql;
			plans[i] = plan;
		}
	}
	if (SPI_execute_plan(plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not run \"%s\"", sql);
}

static bool
temp_schema(const char *schema)
{
	return schema == NULL || strcmp(schema, "pg_temp") == 0 ||
		strncmp(schema, "pg_temp_", 8) == 0 ||
		strncmp(schema, "pg_toast_temp_", 14) == 0;
}

/*
 * Schemas this backend knows to be in migrate.managed_schema, so that DDL
 * in migrations reads the table only for a schema new to it.  Forgotten
 * when a (sub)transaction aborts, since the insert may have gone with it,
 * and when the table is not the one the list was read from.
 */
static List *known_managed = NIL;
static Oid	known_managed_relid = InvalidOid;
static MemoryContext known_managed_context = NULL;

static void
forget_known_managed(void)
{
	if (known_managed_context)
		MemoryContextReset(known_managed_context);
	known_managed = NIL;
}

static void
guard_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		forget_known_managed();
}

static void
guard_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		forget_known_managed();
}

/* Make sure these schemas are managed (inside a migration). */
static void
add_managed(List *schemas)
{
	Oid			nsp = get_namespace_oid("migrate", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("managed_schema", nsp) : InvalidOid;
	List	   *fresh = NIL;
	ListCell   *lc;
	GuardScope *scope;
	MemoryContext old;

	if (known_managed_context == NULL)
	{
		known_managed_context = AllocSetContextCreate(TopMemoryContext,
													  "migrate managed schemas",
													  ALLOCSET_SMALL_SIZES);
		RegisterXactCallback(guard_xact_callback, NULL);
		RegisterSubXactCallback(guard_subxact_callback, NULL);
	}
	if (relid != known_managed_relid)
	{
		forget_known_managed();
		known_managed_relid = relid;
	}
	foreach(lc, schemas)
		if (!in_list(known_managed, lfirst(lc)) && !in_list(fresh, lfirst(lc)))
			fresh = lappend(fresh, lfirst(lc));
	if (fresh == NIL)
		return;
	scope = CatalogGuardScope();
	foreach(lc, fresh)
	{
		if (!in_list(scope->schemas, lfirst(lc)))
			CatalogAddManagedSchema(lfirst(lc),
									runner_revision[0] ? runner_revision : NULL);
		old = MemoryContextSwitchTo(known_managed_context);
		known_managed = lappend(known_managed, pstrdup(lfirst(lc)));
		MemoryContextSwitchTo(old);
	}
}

/* migrate.guard_ddl_end(): ddl_command_end */
Datum
migrate_guard_ddl_end(PG_FUNCTION_ARGS)
{
	static const char *const sql =
	"SELECT classid, objid, command_tag, object_type, schema_name,"
	" object_identity"
	" FROM pg_catalog.pg_event_trigger_ddl_commands() WHERE NOT in_extension";
	EventTriggerData *trig = trigger_data(fcinfo, "migrate.guard_ddl_end");
	bool		migrating = in_migration();
	MemoryContext caller = CurrentMemoryContext;
	List	   *schemas = NIL;	/* of each row, NULL for none */
	List	   *rows = NIL;		/* of CatalogDrift */
	GuardScope *scope;
	bool		statement_managed = false;
	ListCell   *lc;
	ListCell   *lc2;

	if (exempt())
		PG_RETURN_NULL();
	if (runner_session)
		runner_session_ddl = true;

	event_rows(sql);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *schema = object_schema(tup, desc, 1, 2, 5);
		MemoryContext spi = MemoryContextSwitchTo(caller);

		if (schema && temp_schema(schema))
		{
			MemoryContextSwitchTo(spi);
			continue;
		}
		schemas = lappend(schemas, schema ? pstrdup(schema) : NULL);
		if (!migrating)
		{
			CatalogDrift *d = new_drift(pstrdup(SPI_getvalue(tup, desc, 3)));
			char	   *type = SPI_getvalue(tup, desc, 4);
			char	   *identity = SPI_getvalue(tup, desc, 6);

			d->object_type = type ? pstrdup(type) : NULL;
			d->object_identity = identity ? pstrdup(identity) : NULL;
			d->schema_name = schema ? pstrdup(schema) : NULL;
			d->rule = warned_rule[0] ? pstrdup(warned_rule) : NULL;
			rows = lappend(rows, d);
		}
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();

	if (migrating)
	{
		List	   *named = NIL;

		foreach(lc, schemas)
			if (lfirst(lc))
				named = lappend(named, lfirst(lc));
		add_managed(named);
		PG_RETURN_NULL();
	}
	if (rows == NIL)
		PG_RETURN_NULL();
	scope = CatalogGuardScope();
	if (scope->schemas == NIL)
		PG_RETURN_NULL();
	foreach(lc, statement_targets(trig->parsetree))
		statement_managed |= in_list(scope->schemas,
									 ((GuardTarget *) lfirst(lc))->schema);
	forboth(lc, rows, lc2, schemas)
	{
		char	   *schema = lfirst(lc2);

		if (schema ? in_list(scope->schemas, schema) : statement_managed)
			CatalogRecordDrift(lfirst(lc));
	}
	PG_RETURN_NULL();
}

/* migrate.guard_sql_drop(): sql_drop */
Datum
migrate_guard_sql_drop(PG_FUNCTION_ARGS)
{
	static const char *const sql =
	"SELECT classid, objid, object_type, schema_name, object_name,"
	" object_identity, is_temporary, address_names"
	" FROM pg_catalog.pg_event_trigger_dropped_objects()"
	" WHERE original OR normal";	/* not row types, indexes of tables */
	EventTriggerData *trig = trigger_data(fcinfo, "migrate.guard_sql_drop");
	const char *tag = GetCommandTagName(trig->tag);
	GuardScope *scope;
	MemoryContext caller = CurrentMemoryContext;
	List	   *drift = NIL;
	GuardTarget *hit = NULL;
	CatalogProtected *hit_protected = NULL;
	ListCell   *lc;

	if (exempt() || in_migration())
		PG_RETURN_NULL();
	scope = CatalogGuardScope();
	if (scope->schemas == NIL && scope->protected == NIL)
		PG_RETURN_NULL();

	event_rows(sql);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		bool		temporary = DatumGetBool(SPI_getbinval(tup, desc, 7, &isnull));
		char	   *schema;
		char	   *type;
		MemoryContext spi;

		if (temporary)
			continue;
		schema = object_schema(tup, desc, 1, 2, 4);
		type = SPI_getvalue(tup, desc, 3);
		spi = MemoryContextSwitchTo(caller);
		if (hit == NULL && scope->protected != NIL && schema &&
			(strcmp(type, "table") == 0 || strcmp(type, "table column") == 0 ||
			 strcmp(type, "view") == 0 || strcmp(type, "materialized view") == 0))
		{
			GuardTarget *t = palloc0(sizeof(GuardTarget));
			Datum		names = SPI_getbinval(tup, desc, 8, &isnull);
			List	   *parts = isnull ? NIL :
				TextArrayToList(DatumGetArrayTypeP(names), "address_names");

			t->schema = pstrdup(schema);
			t->table = list_length(parts) >= 2 ? lsecond(parts) : NULL;
			t->column = list_length(parts) >= 3 ? lthird(parts) : NULL;
			t->identity = (t->column == NULL);
			if (t->table && (hit_protected = ProtectedMatch(scope, t)) != NULL)
				hit = t;
		}
		if (!temp_schema(schema) && in_list(scope->schemas, schema))
		{
			CatalogDrift *d = new_drift(tag);
			char	   *identity = SPI_getvalue(tup, desc, 6);

			d->object_type = pstrdup(type);
			d->object_identity = identity ? pstrdup(identity) : NULL;
			d->schema_name = pstrdup(schema);
			d->rule = warned_rule[0] ? pstrdup(warned_rule) : NULL;
			drift = lappend(drift, d);
		}
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();

	if (hit && migrate_enforce != GUARD_ENFORCE_OFF)
		act(tag, "protected-object-change", hit,
			ERRCODE_MIGRATE_PROTECTED_OBJECT,
			psprintf("%s blocked: it drops protected %s", tag,
					 target_identity(hit)),
			psprintf("%s drops protected %s", tag, target_identity(hit)),
			psprintf("Reason: %s.", hit_protected->reason),
			"Change it in a revision whose statement carries \"-- migrate:approve protected-object-change <reason>\", or run migrate_unprotect() first.");
	foreach(lc, drift)
		CatalogRecordDrift(lfirst(lc));
	PG_RETURN_NULL();
}

/* The rule a table rewrite breaks, by pg_event_trigger_table_rewrite_reason. */
static const char *
rewrite_rule(int reason)
{
	if (reason & AT_REWRITE_COLUMN_REWRITE)
		return "changing-column-type";
	if (reason & AT_REWRITE_DEFAULT_VAL)
		return "adding-column-volatile-default";
	if (reason & AT_REWRITE_ALTER_PERSISTENCE)
		return "set-logged-unlogged";
	return "set-access-method";
}

/* migrate.guard_table_rewrite(): table_rewrite */
Datum
migrate_guard_table_rewrite(PG_FUNCTION_ARGS)
{
	EventTriggerData *trig = trigger_data(fcinfo, "migrate.guard_table_rewrite");
	const char *tag = GetCommandTagName(trig->tag);
	Oid			relid;
	int			reason;
	GuardScope *scope;
	GuardTarget t = {0};
	Relation	rel;
	double		rows;

	if (exempt() || in_migration() || migrate_enforce == GUARD_ENFORCE_OFF ||
		warned_rule[0])
		PG_RETURN_NULL();			/* warned once is enough */
	relid = DatumGetObjectId(OidFunctionCall0(F_PG_EVENT_TRIGGER_TABLE_REWRITE_OID));
	reason = DatumGetInt32(OidFunctionCall0(F_PG_EVENT_TRIGGER_TABLE_REWRITE_REASON));
	if (isAnyTempNamespace(get_rel_namespace(relid)))
		PG_RETURN_NULL();
	scope = CatalogGuardScope();
	t.schema = get_namespace_name(get_rel_namespace(relid));
	t.table = get_rel_name(relid);
	t.relid = relid;
	t.identity = true;			/* a rewrite touches every column */
	if (!in_list(scope->schemas, t.schema) && ProtectedMatch(scope, &t) == NULL)
		PG_RETURN_NULL();

	/* the command holds its ACCESS EXCLUSIVE lock by now */
	rel = relation_open(relid, NoLock);
	rows = rel->rd_createSubid != InvalidSubTransactionId ? 0 :
		LintRelationRows(rel, migrate_lint_table_threshold);
	relation_close(rel, NoLock);
	if (rows < migrate_lint_table_threshold)
		PG_RETURN_NULL();
	t.identity = false;
	act(tag, rewrite_rule(reason), &t, ERRCODE_MIGRATE_REWRITE_BLOCKED,
		psprintf("%s blocked: it would rewrite table %s", tag,
				 target_identity(&t)),
		psprintf("%s rewrites table %s", tag, target_identity(&t)),
		psprintf("The table holds about %.0f rows (migrate.lint_table_threshold is %d), and a rewrite holds ACCESS EXCLUSIVE for its whole duration.  Rewrite reason %d.",
				 rows, migrate_lint_table_threshold, reason),
		"Make the change in a revision the safe way (see migrate_rules()).");
	PG_RETURN_NULL();
}
