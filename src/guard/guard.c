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
 * restores: a superuser session with check_function_bodies off, which
 * is the first thing every pg_dump script and pg_restore sets; and the
 * scratch work of migrate_diff (RunnerInScratch), which its subtransaction
 * always rolls back; and the connections Citus opens to carry out a
 * command of another session (citus_internal_backend).
 *
 * Events:
 *	ddl_command_start: enforcement, before the command runs or locks.
 *		Protected objects first, then the linter over the raw parse tree
 *		(LINT_MODE_DDL: table sizes from pg_class statistics, no lock
 *		taken), acting on error-level findings of the rules that event
 *		triggers can enforce (drift-ddl-outside-migration among them, when
 *		set to error).  Inside a revision run by the executor: protected
 *		objects that the statement touches indirectly (DO blocks,
 *		functions), against the statement's approval.
 *
 * The statement's names are resolved with the caller's search_path,
 * although the functions run with theirs pinned (caller_search_path); the
 * scope is cached per backend (CatalogGuardScope); the event's objects are
 * read by calling the set-returning functions directly, not through SPI.
 *	sql_drop: protected objects dropped by cascade; drift records for
 *		every dropped object in scope, cascaded victims included.
 *	ddl_command_end: drift records for every collected command in scope;
 *		inside migrations, the managed schemas.
 *	table_rewrite: the authoritative guard against rewriting a managed or
 *		protected table holding migrate.lint_table_threshold rows or more.
 *
 * Blocked DDL is recorded by a background worker in a transaction of its
 * own, so that the record survives the error that blocks it.  A statement
 * whose own permission check will refuse it is neither blocked nor
 * recorded (may_run), and a record keeps at most GUARD_STATEMENT_MAX bytes
 * of the statement.
 *
 * Privileges.  The functions run as the role whose DDL fired them (not
 * SECURITY DEFINER): the linter's analysis of the statement, which comes
 * before the command's own permission check, has only the caller's
 * rights, and evaluates no expression of the statement.  Bookkeeping goes
 * through catalog.c, which becomes the extension's owner with search_path
 * pinned.
 *
 * Inside migrations (the executor's statements, the worker, a client
 * session holding the session lock), the guard still stops a change to a
 * protected object that the running revision statement does not approve.
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
#include "executor/executor.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "migrate/analysis/lint.h"
#include "migrate/analysis/protect.h"
#include "migrate/catalog/catalog.h"
#include "migrate/catalog/citus.h"
#include "migrate/exec/worker.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/guc.h"
#include "migrate/util/runner.h"
#include "migrate/util/textarray.h"

PG_FUNCTION_INFO_V1(migrate_guard_ddl_start);
PG_FUNCTION_INFO_V1(migrate_guard_ddl_end);
PG_FUNCTION_INFO_V1(migrate_guard_sql_drop);
PG_FUNCTION_INFO_V1(migrate_guard_table_rewrite);

/* Drift records keep at most this many bytes of the statement. */
#define GUARD_STATEMENT_MAX 4096

static bool statement_approved(Node *parsetree);

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
	"drift-ddl-outside-migration",
};

/*
 * Is the DDL running now migrate's own?  A runner session counts only
 * while it holds the session lock: released by other means
 * (pg_advisory_unlock_all()), the session is a plain one.
 */
static bool
in_migration(void)
{
	return RunnerInStatement() || RunnerInProcess() ||
		(RunnerInSession() && CatalogSessionLockHeld());
}

/*
 * A connection that Citus opened to this node to carry out a command of
 * another session (application_name "citus_internal gpid=...", or
 * "citus_rebalancer gpid=..." for shard moves): the renames and shard DDL
 * of create_distributed_table_concurrently, a split, a move.  The command
 * that caused it was guarded (or was a migration) where it was issued;
 * Citus itself tells its internal backends by the same name.
 */
static bool
citus_internal_backend(void)
{
	return application_name &&
		(strncmp(application_name, "citus_internal gpid=", 20) == 0 ||
		 strncmp(application_name, "citus_rebalancer gpid=", 22) == 0) &&
		CitusPresent();
}

/* DDL the guard never looks at: see the file header. */
static bool
exempt(void)
{
	if (creating_extension || IsBinaryUpgrade || RunnerInScratch())
		return true;
	if (citus_internal_backend())
		return true;
	if (!check_function_bodies && superuser_arg(GetOuterUserId()))
		return true;
	return false;
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
	if (d->statement && strlen(d->statement) > GUARD_STATEMENT_MAX)
		d->statement = psprintf("%s ... (%zu bytes in all)",
								pnstrdup(d->statement,
										 pg_mbcliplen(d->statement,
													  strlen(d->statement),
													  GUARD_STATEMENT_MAX)),
								strlen(d->statement));
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
 * search_path pinned (SET search_path in their definitions), but the statement's unqualified names resolve
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

/*
 * Could the current role run the statement on this target at all?  The
 * guard neither blocks nor records a statement that its own permission
 * check will refuse: a role without rights on a managed table must not be
 * able to fill migrate.drift or start workers.  Tables: their owner, or a
 * role with TRIGGER (CREATE TRIGGER) or a grant option (GRANT, REVOKE).
 * Schemas: their owner, or a role that may create in them (which covers
 * the owners of the objects in them, but for objects whose owner lost
 * CREATE on their schema).
 */
static bool
may_run(Node *parsetree, GuardTarget *t)
{
	Oid			role = GetUserId();
	Oid			nsp;

	if (superuser_arg(role))
		return true;
	if (OidIsValid(t->relid))
	{
		if (pg_class_ownercheck(t->relid, role))
			return true;
		if (IsA(parsetree, CreateTrigStmt))
			return pg_class_aclcheck(t->relid, role, ACL_TRIGGER) == ACLCHECK_OK;
		if (IsA(parsetree, GrantStmt))
			return pg_class_aclmask(t->relid, role,
									ACL_GRANT_OPTION_FOR(ACL_ALL_RIGHTS_RELATION),
									ACLMASK_ANY) != 0;
		return false;
	}
	nsp = get_namespace_oid(t->schema, true);
	if (!OidIsValid(nsp))
		return false;
	return pg_namespace_ownercheck(nsp, role) ||
		(!t->schema_itself &&
		 pg_namespace_aclcheck(nsp, role, ACL_CREATE) == ACLCHECK_OK);
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
		if (!may_run(parsetree, lfirst(lc)))
			return;				/* its permission check refuses it */

	foreach(lc, targets)
	{
		GuardTarget *t = lfirst(lc);
		CatalogProtected *p = ProtectedMatch(scope, t);

		if (p)
		{
			const char *object = ProtectedObjectName(p);

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
			strcmp(f->rule, "drift-ddl-outside-migration") == 0 ? f->hint :
			psprintf("%s Make the change in a revision, where it is reviewed and logged.",
					 f->hint));
		return;
	}
}

/*
 * Inside a revision run by the executor, the linter already stopped a
 * statement that touches a protected object without an approval; this
 * also covers DDL the statement runs indirectly (a DO block, a function),
 * which the linter cannot see, and the statements that a worker or a
 * client session runs for a non-transactional revision.  The approval
 * must be on the revision's statement that is running.
 */
static void
check_revision_statement(Node *parsetree, const char *tag)
{
	GuardScope *scope = CatalogGuardScope();
	ListCell   *lc;

	if (scope->protected == NIL)
		return;
	foreach(lc, statement_targets(parsetree))
	{
		GuardTarget *t = lfirst(lc);
		CatalogProtected *p = ProtectedMatch(scope, t);

		if (p && !statement_approved(parsetree))
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_PROTECTED_OBJECT),
					 RunnerRevision()[0] ?
					 errmsg("%s in revision \"%s\" blocked: %s is protected",
							tag, RunnerRevision(), ProtectedObjectName(p)) :
					 errmsg("%s in a revision blocked: %s is protected",
							tag, ProtectedObjectName(p)),
					 errdetail("Reason: %s.", p->reason),
					 errhint("Approve it with \"-- migrate:approve protected-object-change <reason>\" on the line before the revision's statement.")));
	}
}

/* Does the revision statement running now approve protected-object-change? */
static bool
statement_approved(Node *parsetree)
{
	if (RunnerInStatement())
		return LintApproved("protected-object-change");
	return RunnerOutsideStatementApproved(parsetree);
}

/* migrate.guard_ddl_start(): ddl_command_start */
Datum
migrate_guard_ddl_start(PG_FUNCTION_ARGS)
{
	EventTriggerData *trig = trigger_data(fcinfo, "migrate.guard_ddl_start");

	warned_rule[0] = '\0';
	if (exempt())
		PG_RETURN_NULL();
	if (in_migration())
		check_revision_statement(trig->parsetree, GetCommandTagName(trig->tag));
	else if (migrate_enforce != GUARD_ENFORCE_OFF)
		check_statement(trig->parsetree, GetCommandTagName(trig->tag));
	PG_RETURN_NULL();
}

/*
 * One object of pg_event_trigger_ddl_commands() (a collected command) or
 * pg_event_trigger_dropped_objects(), as the guard needs it.
 */
typedef struct EventObject
{
	char	   *command_tag;	/* collected commands only */
	char	   *object_type;
	char	   *schema;			/* its schema, or itself for a schema */
	char	   *identity;
	bool		skip;			/* of an extension; dropped: temporary, or an
								 * internal or automatic dependent */
	List	   *address_names;	/* dropped objects only */
	bool		cascade;		/* dropped: by a normal dependency, not
								 * named by the statement */
} EventObject;

static char *
slot_text(TupleTableSlot *slot, int col)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static bool
slot_bool(TupleTableSlot *slot, int col)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, col, &isnull);

	return !isnull && DatumGetBool(d);
}

/*
 * The objects of this event: the collected commands (ddl_command_end) or
 * the dropped objects (sql_drop).  The set-returning function is called
 * directly, not through SPI, which would cost more than reading it.
 */
static List *
event_objects(bool dropped)
{
	FmgrInfo	flinfo;
	LOCAL_FCINFO(fcinfo, 0);
	ReturnSetInfo rsinfo = {0};
	ExprContext *econtext = CreateStandaloneExprContext();
	TupleTableSlot *slot;
	List	   *result = NIL;

	fmgr_info(dropped ? F_PG_EVENT_TRIGGER_DROPPED_OBJECTS :
			  F_PG_EVENT_TRIGGER_DDL_COMMANDS, &flinfo);
	rsinfo.type = T_ReturnSetInfo;
	rsinfo.econtext = econtext;
	rsinfo.allowedModes = SFRM_Materialize;
	rsinfo.returnMode = SFRM_Materialize;
	InitFunctionCallInfoData(*fcinfo, &flinfo, 0, InvalidOid, NULL,
							 (Node *) &rsinfo);
	(void) FunctionCallInvoke(fcinfo);
	if (rsinfo.setResult == NULL)
	{
		FreeExprContext(econtext, true);
		return NIL;
	}
	slot = MakeSingleTupleTableSlot(rsinfo.setDesc, &TTSOpsMinimalTuple);
	while (tuplestore_gettupleslot(rsinfo.setResult, true, false, slot))
	{
		EventObject *o = palloc0(sizeof(EventObject));
		bool		isnull;
		Oid			classid = DatumGetObjectId(slot_getattr(slot, 1, &isnull));
		bool		is_schema = !isnull && classid == NamespaceRelationId;

		if (dropped)
		{
			o->skip = slot_bool(slot, 6) ||
				!(slot_bool(slot, 4) || slot_bool(slot, 5));
			o->cascade = !slot_bool(slot, 4) && slot_bool(slot, 5);
			o->object_type = slot_text(slot, 7);
			o->schema = slot_text(slot, is_schema ? 9 : 8);
			o->identity = slot_text(slot, 10);
			if (!slot_attisnull(slot, 11))
				o->address_names =
					TextArrayToList(DatumGetArrayTypeP(slot_getattr(slot, 11, &isnull)),
									"address_names");
		}
		else
		{
			o->skip = slot_bool(slot, 8);
			o->command_tag = slot_text(slot, 4);
			o->object_type = slot_text(slot, 5);
			o->schema = is_schema ?
				get_namespace_name(DatumGetObjectId(slot_getattr(slot, 2, &isnull))) :
				slot_text(slot, 6);
			o->identity = slot_text(slot, 7);
		}
		result = lappend(result, o);
	}
	ExecDropSingleTupleTableSlot(slot);
	tuplestore_end(rsinfo.setResult);
	FreeExprContext(econtext, true);
	return result;
}

static bool
temp_schema(const char *schema)
{
	return schema == NULL || strcmp(schema, "pg_temp") == 0 ||
		strncmp(schema, "pg_temp_", 8) == 0 ||
		strncmp(schema, "pg_toast_temp_", 14) == 0;
}

/*
 * Make sure these schemas are managed (inside a migration).  The scope is
 * the backend's cached copy (CatalogGuardScope), so a schema already
 * managed costs no catalog read; an insert makes the copy stale, and an
 * aborted one is forgotten with the invalidation it sent.
 */
static void
add_managed(List *schemas)
{
	GuardScope *scope;
	List	   *added = NIL;
	ListCell   *lc;

	if (schemas == NIL)
		return;
	scope = CatalogGuardScope();
	foreach(lc, schemas)
	{
		if (in_list(scope->schemas, lfirst(lc)) || in_list(added, lfirst(lc)))
			continue;
		CatalogAddManagedSchema(lfirst(lc),
								RunnerRevision()[0] ? RunnerRevision() : NULL);
		added = lappend(added, lfirst(lc));
	}
}

/* migrate.guard_ddl_end(): ddl_command_end */
Datum
migrate_guard_ddl_end(PG_FUNCTION_ARGS)
{
	EventTriggerData *trig = trigger_data(fcinfo, "migrate.guard_ddl_end");
	List	   *objects;
	GuardScope *scope;
	bool		statement_managed = false;
	ListCell   *lc;

	if (exempt())
		PG_RETURN_NULL();
	RunnerNoteDdl();
	objects = event_objects(false);

	if (in_migration())
	{
		List	   *named = NIL;

		foreach(lc, objects)
		{
			EventObject *o = lfirst(lc);

			if (!o->skip && o->schema && !temp_schema(o->schema))
				named = lappend(named, o->schema);
			if (!o->skip && !temp_schema(o->schema))
				RunnerNoteEffect(strncmp(o->command_tag, "CREATE", 6) == 0 ?
								 "created" : "altered",
								 o->object_type, o->identity, false);
		}
		add_managed(named);
		PG_RETURN_NULL();
	}
	if (objects == NIL)
		PG_RETURN_NULL();
	scope = CatalogGuardScope();
	if (scope->schemas == NIL)
		PG_RETURN_NULL();
	foreach(lc, statement_targets(trig->parsetree))
		statement_managed |= in_list(scope->schemas,
									 ((GuardTarget *) lfirst(lc))->schema);
	foreach(lc, objects)
	{
		EventObject *o = lfirst(lc);
		CatalogDrift *d;

		if (o->skip || (o->schema ? temp_schema(o->schema) ||
						!in_list(scope->schemas, o->schema) : !statement_managed))
			continue;
		d = new_drift(o->command_tag);
		d->object_type = o->object_type;
		d->object_identity = o->identity;
		d->schema_name = o->schema;
		d->rule = warned_rule[0] ? warned_rule : NULL;
		CatalogRecordDrift(d);
	}
	PG_RETURN_NULL();
}

/*
 * Inside a revision: note what the statement dropped with the revision's
 * effects, and warn about each object its CASCADE took that it does not
 * name (a view on a dropped column, a foreign key of another table); the
 * objects of a schema the statement drops count as named, and so do the
 * constraints, defaults, triggers and policies of a relation it drops
 * (reached through a normal dependency, say on the table's own sequence).
 */
static void
note_drops(const char *tag)
{
	List	   *objects = event_objects(true);
	List	   *schemas = NIL;	/* schemas the statement names */
	List	   *relations = NIL;	/* "schema.name" of relations dropped */
	ListCell   *lc;

	foreach(lc, objects)
	{
		EventObject *o = lfirst(lc);

		if (!o->skip && !o->cascade && o->schema &&
			strcmp(o->object_type, "schema") == 0)
			schemas = lappend(schemas, o->schema);
		if (list_length(o->address_names) == 2 &&
			(strcmp(o->object_type, "table") == 0 ||
			 strcmp(o->object_type, "view") == 0 ||
			 strcmp(o->object_type, "materialized view") == 0 ||
			 strcmp(o->object_type, "foreign table") == 0 ||
			 strcmp(o->object_type, "sequence") == 0))
			relations = lappend(relations,
								psprintf("%s.%s", (char *) linitial(o->address_names),
										 (char *) lsecond(o->address_names)));
	}
	foreach(lc, objects)
	{
		EventObject *o = lfirst(lc);

		if (o->skip || temp_schema(o->schema))
			continue;
		/* a constraint, default, trigger... of a relation dropped too */
		if (o->cascade && list_length(o->address_names) >= 3 &&
			in_list(relations,
					psprintf("%s.%s", (char *) linitial(o->address_names),
							 (char *) lsecond(o->address_names))))
			o->cascade = false;
		RunnerNoteEffect("dropped", o->object_type, o->identity, o->cascade);
		/* what a dropped schema held is named with it */
		if (o->cascade && RunnerInStatement() && !in_list(schemas, o->schema))
			ereport(WARNING,
					(errmsg("%s of revision \"%s\" also drops %s %s, which it does not name",
							tag, RunnerRevision(), o->object_type, o->identity),
					 errdetail("CASCADE dropped it because it depends on what the statement drops."),
					 errhint("Drop it explicitly, before, if that is intended; and recreate it in the downgrade.")));
	}
}

/* migrate.guard_sql_drop(): sql_drop */
Datum
migrate_guard_sql_drop(PG_FUNCTION_ARGS)
{
	EventTriggerData *trig = trigger_data(fcinfo, "migrate.guard_sql_drop");
	const char *tag = GetCommandTagName(trig->tag);
	GuardScope *scope;
	List	   *drift = NIL;
	GuardTarget *hit = NULL;
	CatalogProtected *hit_protected = NULL;
	ListCell   *lc;

	if (exempt())
		PG_RETURN_NULL();
	if (in_migration())
	{
		note_drops(tag);
		PG_RETURN_NULL();
	}
	scope = CatalogGuardScope();
	if (scope->schemas == NIL && scope->protected == NIL)
		PG_RETURN_NULL();

	foreach(lc, event_objects(true))
	{
		EventObject *o = lfirst(lc);

		if (o->skip || o->schema == NULL || temp_schema(o->schema))
			continue;
		if (hit == NULL && scope->protected != NIL &&
			(strcmp(o->object_type, "table") == 0 ||
			 strcmp(o->object_type, "table column") == 0 ||
			 strcmp(o->object_type, "view") == 0 ||
			 strcmp(o->object_type, "materialized view") == 0))
		{
			GuardTarget *t = palloc0(sizeof(GuardTarget));

			t->schema = o->schema;
			t->table = list_length(o->address_names) >= 2 ?
				lsecond(o->address_names) : NULL;
			t->column = list_length(o->address_names) >= 3 ?
				lthird(o->address_names) : NULL;
			t->identity = (t->column == NULL);
			if (t->table && (hit_protected = ProtectedMatch(scope, t)) != NULL)
				hit = t;
		}
		if (in_list(scope->schemas, o->schema))
		{
			CatalogDrift *d = new_drift(tag);

			d->object_type = o->object_type;
			d->object_identity = o->identity;
			d->schema_name = o->schema;
			d->rule = warned_rule[0] ? warned_rule : NULL;
			drift = lappend(drift, d);
		}
	}

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
