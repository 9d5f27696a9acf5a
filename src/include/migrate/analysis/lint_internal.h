/*-------------------------------------------------------------------------
 *
 * lint_internal.h
 *	  What the lint driver (lint.c) and the rules (lint_rules.c) share.
 *
 * The driver walks the statements of a text in order.  For each statement
 * it calls every rule that is not "off", then records what the statement
 * did (objects created, tables locked or changed) so that later statements
 * can be judged in that light.  Rules only look; they never record, except
 * the report-once flags of rules that report once per text or per table.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_LINT_INTERNAL_H
#define MIGRATE_LINT_INTERNAL_H

#include "nodes/parsenodes.h"
#include "utils/hsearch.h"

#include "migrate/analysis/lint.h"

struct LintContext;

/* Check one statement; report with LintReport.  Must not change state. */
typedef void (*LintCheck) (struct LintContext *cx, Node *stmt);

/* One row of the rule table. */
typedef struct LintRule
{
	const char *id;				/* public name, as in RULES.md */
	LintSeverity severity;		/* default severity */
	bool		state;			/* may be cleared by the database's state */
	bool		style;			/* style advice: no notice at load */
	const char *summary;		/* what it catches */
	const char *why;			/* why that hurts */
	const char *alternative;	/* the safe way; the default hint */
	LintCheck	check;
} LintRule;

extern const LintRule LintRuleTable[];
extern const int LintRuleCount;

/* Kinds of objects the driver remembers, by name. */
typedef enum LintObjectKind
{
	LINT_OBJ_RELATION = 'r',	/* table, view, index, sequence */
	LINT_OBJ_TYPE = 't',
	LINT_OBJ_SCHEMA = 'n',
	LINT_OBJ_FUNCTION = 'f',
	LINT_OBJ_COLUMN = 'c',		/* "table.column" */
	LINT_OBJ_CONSTRAINT = 'k',	/* "table.constraint" */
	LINT_OBJ_TABLE_USE = 'u'	/* per transaction: what was done to a table */
} LintObjectKind;

/* Flags of a remembered object. */
#define LINT_F_NOT_VALID		0x0001	/* constraint added NOT VALID */
#define LINT_F_ENUM				0x0002	/* type is an enum */
#define LINT_F_DOMAIN_CHECK		0x0004	/* type is a domain with constraints */
#define LINT_F_NOT_VOLATILE		0x0008	/* function declared IMMUTABLE/STABLE */
#define LINT_F_DDL				0x0010	/* table use: DDL in this transaction */
#define LINT_F_DML				0x0020	/* table use: DML in this transaction */
#define LINT_F_SCAN_ALTER		0x0040	/* table use: an ALTER that scans */
#define LINT_F_STRONG_LOCK		0x0080	/* table use: SHARE ROW EXCLUSIVE+ */
#define LINT_F_MIXED_REPORTED	0x0100
#define LINT_F_MULTI_REPORTED	0x0200

/* What the catalogs say about a relation. */
typedef enum LintRelState
{
	LINT_REL_NEW,				/* created earlier in the text or in this
								 * transaction, or (at run time) missing */
	LINT_REL_EMPTY,				/* exists, holds no rows */
	LINT_REL_SMALL,				/* exists, fewer rows than the threshold */
	LINT_REL_LARGE,				/* exists, at least the threshold */
	LINT_REL_UNKNOWN			/* not looked up (static lint) or not found */
} LintRelState;

typedef struct LintContext
{
	const LintOptions *opts;
	const char *sql;
	SqlStatement *st;			/* statement being checked */
	int			end_line;		/* its last line */
	const LintRule *rule;		/* rule being checked */
	LintSeverity severity;		/* its effective severity */
	List	   *findings;		/* of LintFinding */
	HTAB	   *objects;		/* LintObject by kind and name */
	HTAB	   *undo;			/* downgrade: what the upgrade created */
	HTAB	   *earlier;		/* what earlier revisions, not applied yet,
								 * create (LintOptions.earlier) */
	int		   *line_start;		/* byte offset of each line (1-based) */
	int			nlines;
	List	   *allowed;		/* rule ids "-- migrate:allow"ed here */
	List	   *approved;		/* LintApproval: "-- migrate:approve"s here */
	List	   *markers_used;	/* LintMarkerUse, for the log */
	bool		in_block;		/* inside BEGIN ... COMMIT of the text */
	bool		lock_timeout_set;
	bool		statement_timeout_set;
	bool		lock_timeout_reported;
	bool		statement_timeout_reported;
	List	   *ael_tables;		/* RangeVars of existing tables locked
								 * ACCESS EXCLUSIVE in this transaction */
	bool		long_hold_reported;
	bool		exported;		/* an export step was seen (downgrade) */
	List	   *long_identifiers;	/* LintLongIdent, in text order */
	char	   *citus_parallel_ddl; /* a Citus distributed table that DDL of
									 * this transaction changed over parallel
									 * connections, or NULL (live only) */
	bool		citus_sequential;	/* citus.multi_shard_modify_mode set to
									 * 'sequential' */
	bool		citus_propagate;	/* citus.propagate_set_commands set to
									 * 'local' */
} LintContext;

/* A "-- migrate:approve <rule-id> <reason>" of the current statement. */
typedef struct LintApproval
{
	char	   *rule;
	char	   *reason;
} LintApproval;

/* An identifier longer than NAMEDATALEN - 1 bytes. */
typedef struct LintLongIdent
{
	int			line;
	int			length;
	char	   *text;			/* its first 20 bytes */
} LintLongIdent;

/* Reporting */
extern void LintReport(LintContext *cx, bool state, const char *hint,
					   const char *fmt,...) pg_attribute_printf(4, 5);
extern void LintReportAs(LintContext *cx, LintSeverity severity, bool state,
						 const char *hint, const char *fmt,...)
			pg_attribute_printf(5, 6);

/* What earlier statements did */
extern int	LintObjectFlags(LintContext *cx, LintObjectKind kind,
							const char *schema, const char *name, bool *found);
extern bool LintCreated(LintContext *cx, RangeVar *rv);
extern bool LintCreatedByUpgrade(LintContext *cx, LintObjectKind kind,
								 const char *name);
extern void LintMarkObject(LintContext *cx, LintObjectKind kind,
						   const char *name, int flag);
extern bool LintInTransaction(LintContext *cx);

/* What the catalogs say */
extern bool LintLive(LintContext *cx);
extern LintRelState LintRelation(LintContext *cx, RangeVar *rv,
								 bool exact_empty, double *rows);
extern Oid	LintRelid(LintContext *cx, RangeVar *rv);
extern bool LintRowsFromMigrations(LintContext *cx, Oid relid,
								   bool updates_too);
extern double LintCountRows(Oid relid, const char *column, double limit);
extern bool LintFunctionVolatile(LintContext *cx, List *funcname, int nargs);
extern double LintEstimateRows(LintContext *cx, Node *stmt);
extern bool LintTry(void (*fn) (void *arg), void *arg);

/* A CHECK constraint of a relation, as stored. */
typedef struct LintConstraint
{
	Node	   *expr;
	bool		valid;
} LintConstraint;

extern List *LintRelationChecks(Oid relid);
extern List *LintRelationIndexes(Oid relid);
extern bool LintColumnNotNull(Oid relid, AttrNumber attnum);

/* Small helpers */
extern const char *LintName(RangeVar *rv);
extern char *LintNameList(List *names);
extern RangeVar *LintRangeVarFromList(List *names);

#endif							/* MIGRATE_LINT_INTERNAL_H */
