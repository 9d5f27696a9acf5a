/*-------------------------------------------------------------------------
 *
 * lint.h
 *	  The safety linter: findings, options and entry points (lint.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_LINT_H
#define MIGRATE_LINT_H

#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "migrate/model/plan.h"
#include "migrate/model/sqltext.h"

/* Severities, weakest first; "off" rules are not checked at all. */
typedef enum LintSeverity
{
	LINT_OFF = 0,
	LINT_INFO,					/* advice, never blocks */
	LINT_WARNING,				/* blocks only at migrate.lint_level = warning */
	LINT_ERROR,					/* blocks */
	LINT_ESCALATE				/* blocks unless "-- migrate:approve" */
} LintSeverity;

/* How much of the database the linter may look at. */
typedef enum LintMode
{
	LINT_MODE_STATIC,			/* the text alone (and type/function
								 * definitions) */
	LINT_MODE_LIVE,				/* also table sizes, constraints, indexes */
	LINT_MODE_LOAD,				/* live, at load: a relation that does not
								 * exist yet raises nothing */
	LINT_MODE_RUN,				/* live, right before each statement runs:
								 * only the rules that depend on state */
	LINT_MODE_DDL				/* live, from the ddl_command_start trigger
								 * (guard.c): table sizes from pg_class
								 * statistics, no lock taken on a table */
} LintMode;

typedef struct LintOptions
{
	LintMode	mode;
	bool		transactional;	/* the whole text runs in one transaction */
	bool		in_runner;		/* run by migrate: timeouts set by it */
	bool		downgrade;		/* downgrade SQL of a revision */
	const char *upgrade_sql;	/* for a downgrade: the revision's upgrade */
	List	   *earlier;		/* upgrade SQL of the revisions before it,
								 * not applied yet: what they create is new */
} LintOptions;

/* One rule hit. */
typedef struct LintFinding
{
	const char *rule;			/* rule id, as in the catalogue */
	LintSeverity severity;		/* effective severity */
	bool		state;			/* depends on the database's state: decided
								 * right before the statement runs */
	bool		style;			/* style advice */
	int			statement;		/* 1-based statement number */
	int			line;			/* line of the statement's first token */
	char	   *message;
	char	   *hint;
} LintFinding;

/* One rule of the catalogue, for migrate_rules(). */
typedef struct LintRuleInfo
{
	const char *id;
	LintSeverity default_severity;
	LintSeverity severity;		/* after migrate_rule_set */
	bool		state;			/* refined against the catalogs */
	const char *summary;
	const char *why;
	const char *alternative;
} LintRuleInfo;

/*
 * A marker that silenced a finding while a revision ran: an allowance
 * ("-- migrate:allow <rule-id>") or an approval ("-- migrate:approve
 * <rule-id> <reason>").  Written to migrate.log with the revision.
 */
typedef struct LintMarkerUse
{
	const char *rule;
	bool		approve;		/* false: an allowance */
	bool		drop_data;		/* neither: migrate.drop_data consented */
	const char *reason;			/* approvals: the reason given */
	int			statement;		/* 1-based statement number */
	int			line;			/* line of the statement's first token */
} LintMarkerUse;

/* A finding of LintPlan: which revision of the plan it is in. */
typedef struct LintPlanFinding
{
	const char *revision;
	LintFinding *finding;
} LintPlanFinding;

/* The rule whose findings are data a downgrade would drop. */
#define LINT_RULE_DATA_LOSS "destructive-downgrade-without-export"

/* The rule severities that decide a plan's run (see model/plan.h). */
struct LintSettings
{
	LintSeverity *severities;	/* indexed like the rule table */
};

/* Run-time state of the linter over one script (executor.c). */
typedef struct LintRun LintRun;

extern int	migrate_lint_level;
extern int	migrate_lint_table_threshold;
extern int	migrate_lint_row_threshold;
extern bool migrate_drop_data;

extern void LintInit(void);
extern const char *LintSeverityName(LintSeverity severity);
extern LintSeverity LintSeverityFromName(const char *name);
extern bool LintRuleExists(const char *id);
extern LintSeverity LintRuleDefaultSeverity(const char *id);
extern List *LintRules(void);
extern List *LintScript(const char *sql, const char *what,
						const LintOptions *opts);
extern void LintRevision(const char *id, const char *upgrade,
						 const char *downgrade, bool transactional);
extern void LintRevisionInFile(const char *id, const char *upgrade,
							   const char *downgrade, bool transactional,
							   int up_line, int down_line);
extern LintSettings *LintSettingsLoad(void);
extern LintRun *LintRunBegin(const MigrationPlan *plan, const PlanStep *step,
							 bool transactional);
extern void LintRunStatement(LintRun *run, SqlStatement *st);
extern List *LintDdlStatement(Node *parsetree, int (*enter) (void),
							  void (*leave) (int));
extern double LintRelationRows(Relation rel, double limit);
extern void LintRunRowCount(LintRun *run, SqlStatement *st, uint64 rows);
extern char *LintRunEnd(LintRun *run);
extern bool LintApproved(const char *rule);
extern List *LintPlan(const MigrationPlan *plan, bool data_loss_only);
extern List *LintApprovedStatements(const char *sql, List *statements,
									const char *rule);

#endif							/* MIGRATE_LINT_H */
