/*-------------------------------------------------------------------------
 *
 * lint_functions.c
 *	  The linter's SQL-callable functions: thin wrappers over lint.c.
 *
 * migrate_lint, migrate_lint_revision and migrate_rules read the catalogs (and, for a live lint,
 * take ACCESS SHARE locks on the tables the text names, held to the end of
 * the transaction); migrate_rule_set writes migrate.rule through catalog.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "migrate/analysis/lint.h"
#include "migrate/catalog/catalog.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/textarray.h"

PG_FUNCTION_INFO_V1(migrate_lint);
PG_FUNCTION_INFO_V1(migrate_lint_revision);
PG_FUNCTION_INFO_V1(migrate_rules);
PG_FUNCTION_INFO_V1(migrate_rule_set);
PG_FUNCTION_INFO_V1(migrate_allowances);

static void put_findings(ReturnSetInfo *rsinfo, const char *section,
						 List *findings);

/*
 * Add the findings to a result (rule, severity, statement, line, message,
 * hint), after a first column "section" unless section is NULL.
 */
static void
put_findings(ReturnSetInfo *rsinfo, const char *section, List *findings)
{
	ListCell   *lc;

	foreach(lc, findings)
	{
		LintFinding *f = lfirst(lc);
		Datum		values[7];
		bool		nulls[7] = {0};
		int			k = 0;

		if (section)
			values[k++] = CStringGetTextDatum(section);
		values[k++] = CStringGetTextDatum(f->rule);
		values[k++] = CStringGetTextDatum(LintSeverityName(f->severity));
		values[k++] = Int32GetDatum(f->statement);
		values[k++] = Int32GetDatum(f->line);
		values[k++] = CStringGetTextDatum(f->message);
		values[k++] = CStringGetTextDatum(f->hint);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * migrate_lint(sql text, transactional boolean, downgrade boolean,
 *				live boolean)
 *	 RETURNS TABLE (rule, severity, statement, line, message, hint)
 *
 * One row per finding, in statement order.  "transactional": the whole
 * text runs in one transaction, as a revision does.  "downgrade": the text
 * undoes a revision.  "live": refine the findings with the catalogs of
 * this database (table sizes, constraints, indexes).
 */
Datum
migrate_lint(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LintOptions opts = {0};
	List	   *findings;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the text to lint cannot be NULL")));
	opts.transactional = PG_ARGISNULL(1) ? true : PG_GETARG_BOOL(1);
	opts.downgrade = PG_ARGISNULL(2) ? false : PG_GETARG_BOOL(2);
	opts.mode = (PG_ARGISNULL(3) || PG_GETARG_BOOL(3)) ?
		LINT_MODE_LIVE : LINT_MODE_STATIC;
	opts.in_runner = false;
	opts.upgrade_sql = NULL;

	InitMaterializedSRF(fcinfo, 0);
	findings = LintScript(text_to_cstring(PG_GETARG_TEXT_PP(0)), "linted SQL",
						  &opts);
	put_findings(rsinfo, NULL, findings);
	return (Datum) 0;
}

/*
 * migrate_lint_revision(upgrade text, downgrade text,
 *						 transactional boolean, live boolean)
 *	 RETURNS TABLE (section, rule, severity, statement, line, message, hint)
 *
 * Lint a revision's two sections as the load does: SQL that migrate runs
 * (under its own lock_timeout and statement_timeout), the upgrade, then
 * the downgrade as a downgrade that knows what the upgrade creates (so that
 * dropping it is no loss, and the downgrade rules apply).  One row per
 * finding, upgrade first; section is 'upgrade' or 'downgrade', statement
 * and line count within the section.  NULL downgrade: none.  "earlier":
 * the upgrade SQL of the revisions before it that this database has not
 * applied yet (a folder linted in order): what they create counts as new,
 * as it will be when the revision runs after them.
 */
Datum
migrate_lint_revision(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LintOptions opts = {0};
	char	   *upgrade;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the upgrade SQL to lint cannot be NULL")));
	upgrade = text_to_cstring(PG_GETARG_TEXT_PP(0));
	opts.transactional = PG_ARGISNULL(2) ? true : PG_GETARG_BOOL(2);
	opts.mode = (PG_ARGISNULL(3) || PG_GETARG_BOOL(3)) ?
		LINT_MODE_LIVE : LINT_MODE_STATIC;
	opts.in_runner = true;	/* migrate sets the timeouts */
	opts.downgrade = false;
	opts.upgrade_sql = NULL;
	opts.earlier = (PG_NARGS() > 4 && !PG_ARGISNULL(4)) ?
		TextArrayToList(PG_GETARG_ARRAYTYPE_P(4), "earlier") : NIL;

	InitMaterializedSRF(fcinfo, 0);
	put_findings(rsinfo, "upgrade",
				 LintScript(upgrade, "upgrade SQL", &opts));
	if (!PG_ARGISNULL(1))
	{
		opts.downgrade = true;
		opts.upgrade_sql = upgrade;
		put_findings(rsinfo, "downgrade",
					 LintScript(text_to_cstring(PG_GETARG_TEXT_PP(1)),
								"downgrade SQL", &opts));
	}
	return (Datum) 0;
}

/*
 * migrate_rules()
 *	 RETURNS TABLE (rule, severity, default_severity, catalog_aware,
 *					catches, why, alternative)
 *
 * The rule catalogue, with this database's severities.
 */
Datum
migrate_rules(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, LintRules())
	{
		LintRuleInfo *r = lfirst(lc);
		Datum		values[7];
		bool		nulls[7] = {0};

		values[0] = CStringGetTextDatum(r->id);
		values[1] = CStringGetTextDatum(LintSeverityName(r->severity));
		values[2] = CStringGetTextDatum(LintSeverityName(r->default_severity));
		values[3] = BoolGetDatum(r->state);
		values[4] = CStringGetTextDatum(r->summary);
		values[5] = CStringGetTextDatum(r->why);
		values[6] = CStringGetTextDatum(r->alternative);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate_rule_set(rule text, severity text) RETURNS void
 *
 * Set a rule's severity in this database: error, warning or off; NULL or
 * 'default' goes back to the catalogue's default.
 */
Datum
migrate_rule_set(PG_FUNCTION_ARGS)
{
	char	   *rule;
	char	   *severity = NULL;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("rule cannot be NULL")));
	rule = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (!LintRuleExists(rule))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_UNDEFINED_RULE),
				 errmsg("safety rule \"%s\" does not exist", rule),
				 errhint("migrate_rules() lists the rules.")));
	if (!PG_ARGISNULL(1))
		severity = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (severity && strcmp(severity, "default") == 0)
		severity = NULL;
	if (severity && strcmp(severity, "error") != 0 &&
		strcmp(severity, "warning") != 0 && strcmp(severity, "off") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_SEVERITY),
				 errmsg("invalid severity \"%s\"", severity),
				 errdetail("A rule's severity is error, warning or off; default goes back to the catalogue's."),
				 errhint("Use one of: error, warning, off, default.")));
	if (severity && LintRuleDefaultSeverity(rule) == LINT_ESCALATE &&
		!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to lower the severity of safety rule \"%s\"",
						rule),
				 errdetail("The rule needs an approval on the statement; only superusers can change that."),
				 errhint("Approve the statement with \"-- migrate:approve %s <reason>\" instead.",
						 rule)));
	CatalogSetRuleSeverity(rule, severity);
	PG_RETURN_VOID();
}

/*
 * migrate_allowances(revision text DEFAULT NULL)
 *	 RETURNS TABLE (revision, direction, started_at, role, statement, line,
 *					rule, marker, reason)
 *
 * Every "-- migrate:allow" and "-- migrate:approve" marker that silenced a
 * safety finding while a revision ran (migrate.log), oldest first.
 */
Datum
migrate_allowances(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, CatalogAllowances(PG_ARGISNULL(0) ? NULL :
								  text_to_cstring(PG_GETARG_TEXT_PP(0))))
	{
		CatalogAllowance *a = lfirst(lc);
		Datum		values[9];
		bool		nulls[9] = {0};

		values[0] = CStringGetTextDatum(a->revision);
		values[1] = CStringGetTextDatum(a->direction);
		values[2] = TimestampTzGetDatum(a->started_at);
		values[3] = DirectFunctionCall1(namein, CStringGetDatum(a->role));
		values[4] = Int32GetDatum(a->statement);
		values[5] = Int32GetDatum(a->line);
		values[6] = CStringGetTextDatum(a->rule);
		values[7] = CStringGetTextDatum(a->marker);
		if (a->reason)
			values[8] = CStringGetTextDatum(a->reason);
		else
			nulls[8] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
