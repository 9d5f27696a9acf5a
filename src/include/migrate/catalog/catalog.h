/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Access to the migrate.* tables (see catalog.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_CATALOG_H
#define MIGRATE_CATALOG_H

#include "datatype/timestamp.h"

#include "migrate/model/graph.h"
#include "migrate/model/revfile.h"

/* A revision row with its edges, as stored. */
typedef struct CatalogRevision
{
	char	   *id;
	char	   *message;
	char	   *upgrade;
	char	   *downgrade;
	bool		transactional;
	char	   *checksum;
	List	   *labels;			/* of char * */
	List	   *parents;		/* of char *, in order */
	List	   *depends_on;		/* of char *, in order */
	TimestampTz created_at;
	char	   *created_by;
	bool		applied;
	char	   *applied_checksum;	/* checksum when applied */
} CatalogRevision;

/* One revision applied or unapplied by a call, for the log. */
typedef struct CatalogStep
{
	const char *id;
	const char *message;
	bool		upgrade;		/* false: downgrade */
	bool		stamped;		/* bookkeeping only */
	TimestampTz started_at;
	int64		duration_us;
	int			statements;
	const char *allowances;		/* JSON array of the allow/approve markers
								 * that silenced findings, or NULL */
	const char *effects;		/* JSON array of the objects it created,
								 * altered, dropped, or NULL */
} CatalogStep;

/* A failed revision, for the log. */
typedef struct CatalogFailure
{
	const char *id;
	bool		upgrade;
	TimestampTz started_at;
	int64		duration_us;
	int			statement;		/* 1-based number of the failed statement */
	const char *statement_text;
	int			sqlerrcode;
	const char *message;
	const char *detail;
} CatalogFailure;

extern void CatalogLock(void);
extern Oid	CatalogOwner(void);
extern RevisionGraph *CatalogLoadGraph(bool private);
extern CatalogRevision *CatalogGetRevision(const char *id);
extern List *CatalogAllRevisions(void);
extern List *CatalogHeads(void);
extern List *CatalogDanglingApplied(void);
extern List *CatalogMatchPrefix(const char *prefix);
extern char *CatalogLabelOwner(const char *label);
extern void CatalogStoreRevision(RevisionSpec *spec, const char *checksum,
								 bool exists);
extern void CatalogGetScripts(const char **ids, int n, char **upgrade,
							  char **downgrade, int *lines,
							  bool upgrade_lines);
extern int	CatalogSectionLine(const char *id, bool upgrade);
extern void CatalogSectionLines(const char *id, int *upgrade_line,
								int *downgrade_line);
extern void CatalogRecordSteps(CatalogStep *steps, int n);
extern char *CatalogRevisionEffects(const char *id);

/* One object a revision's upgrade created, altered or dropped. */
typedef struct CatalogEffect
{
	char	   *revision;
	char	   *action;			/* created, altered, dropped */
	char	   *object;			/* its identity, as pg_identify_object's */
} CatalogEffect;

extern List *CatalogAppliedEffects(void);
extern char *CatalogFailureSql(const CatalogFailure *f);
extern void CatalogRecordRetry(const char *id, bool upgrade, int statement,
							   const char *detail);
extern bool CatalogSessionLock(bool lock);
extern bool CatalogSessionLockHeld(void);
extern int	CatalogProgress(const char *id, bool upgrade, const char *checksum);
extern void CatalogRecordProgress(const char *id, bool upgrade,
								  const char *checksum, int stretch,
								  int statements, const char *effects);
extern char *CatalogProgressEffects(const char *id, bool upgrade,
									const char *checksum, const char *more);
extern void CatalogClearProgress(const char *id);
extern void CatalogForgetRevision(const CatalogRevision *rev);
extern char *CatalogReplacedBy(const char *id);
extern int	CatalogSettledHeads(void);
extern void CatalogSettle(int heads);
extern bool CatalogFolderLoaded(const char *digest);
extern void CatalogNoteFolder(const char *digest);
extern void CatalogReplace(const char *by, List *replaced);
extern void CatalogRecordMigrationXids(void);
extern bool CatalogAreMigrationXids(const TransactionId *xids, int n);
extern bool CatalogSeedTable(Oid relid);
extern void CatalogMarkSeedTable(Oid relid, bool seed);
extern bool CatalogSessionRecorded(void);


/* A per-database rule severity (migrate.rule). */
typedef struct CatalogRuleSetting
{
	char	   *rule;
	char	   *severity;
} CatalogRuleSetting;

/* An allow/approve marker that silenced a finding (migrate.log). */
typedef struct CatalogAllowance
{
	char	   *revision;
	char	   *direction;
	TimestampTz started_at;
	char	   *role;
	int			statement;
	int			line;
	char	   *rule;
	char	   *marker;			/* "allow" or "approve" */
	char	   *reason;			/* approvals; else NULL */
} CatalogAllowance;

extern List *CatalogRuleSettings(void);
extern List *CatalogAllowances(const char *revision);
extern void CatalogSetRuleSeverity(const char *rule, const char *severity);


/* A protected table (column "") or column (migrate.protected). */
typedef struct CatalogProtected
{
	char	   *schema;
	char	   *table;
	char	   *column;
	char	   *reason;
	TimestampTz at;
	char	   *by;
} CatalogProtected;

/* What the DDL guard checks a statement against. */
typedef struct GuardScope
{
	List	   *schemas;		/* managed schema names, of char * */
	List	   *protected;		/* of CatalogProtected */
} GuardScope;

/* One drift record (migrate.drift). */
typedef struct CatalogDrift
{
	char	   *id;
	TimestampTz at;
	const char *role;
	const char *application;
	const char *command_tag;
	const char *object_type;
	const char *object_identity;
	const char *schema_name;
	const char *statement;
	bool		blocked;
	const char *rule;
	bool		acknowledged;
} CatalogDrift;

extern GuardScope *CatalogGuardScope(void);
extern void CatalogAddManagedSchema(const char *schema, const char *revision);
extern List *CatalogManagedSchemaList(void);
extern bool CatalogProtect(const CatalogProtected *p);
extern bool CatalogUnprotect(const CatalogProtected *p);
extern List *CatalogProtectedList(void);
extern void CatalogRecordDrift(const CatalogDrift *d);
extern char *CatalogDriftSql(const CatalogDrift *d);
extern List *CatalogDriftList(bool include_acknowledged);

#define CATALOG_LOG_COLUMNS 12
extern List *CatalogLogRows(const char *revision, int limit);
extern int	CatalogAckDrift(Datum ids, const char *note);
extern char *CatalogFingerprint(void);
extern char *CatalogStoredFingerprint(void);
extern void CatalogStoreFingerprint(void);

/* fleets of databases (pg_migrate --atomic) */
extern void CatalogRecordFleetMember(const char *fleet, int member,
									 int members);
extern List *CatalogFleetMembers(Datum fleets);
extern List *CatalogPreparedFleetXacts(void);

#endif							/* MIGRATE_CATALOG_H */
