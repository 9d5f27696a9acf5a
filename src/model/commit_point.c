/*-------------------------------------------------------------------------
 *
 * commit_point.c
 *	  Where a run of several revisions must commit before a revision,
 *	  because the revision needs what an earlier revision of the same
 *	  transaction did to be committed:
 *
 *	  - an enum value that an earlier revision added (ALTER TYPE ... ADD
 *		VALUE): PostgreSQL refuses to use it before the commit (55P04), even
 *		when the type itself is new in the transaction;
 *	  - a constraint validated on a table that an earlier revision altered
 *		other than by validating (typically: added the constraint NOT
 *		VALID): the strong lock taken earlier is held to the end of the
 *		transaction, so the validation would block writes after all
 *		(validate-in-same-transaction).
 *
 *	  Decided from the revisions' SQL alone, before anything runs: a
 *	  revision "uses" an added value when one of its string constants is the
 *	  value, or quotes it ('value' inside a DO or function body).  A guess
 *	  too many costs one commit more; the runs that can commit between
 *	  revisions (pg_migrate upgrade and downgrade, through migrate_plan) do
 *	  so at these points.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/parsenodes.h"

#include "migrate/model/commit_point.h"
#include "migrate/model/sqltext.h"

/* What the revisions since the last commit did that a later one may need. */
typedef struct Uncommitted
{
	List	   *labels;			/* of Added: enum values added */
	List	   *tables;			/* of Added: tables altered */
} Uncommitted;

typedef struct Added
{
	const char *name;			/* the enum value; or the table's name */
	const char *schema;			/* the table's schema as written, or NULL */
	const char *revision;
} Added;

static char *needs_commit(Uncommitted *u, List *statements, const char *sql);
static void note_done(Uncommitted *u, List *statements, const char *revision);
static bool only_validates(AlterTableStmt *alter);
static bool same_table(const Added *a, const RangeVar *rel);
static const char *table_name(const RangeVar *rel);

/*
 * For each of n revisions run in this order, why the run must commit
 * before it, or NULL.  A non-transactional revision commits on its own, so
 * nothing before it is left for the ones after.  Scripts that cannot need
 * a commit point (no ADD VALUE, no VALIDATE) are not parsed.
 */
char	  **
CommitPoints(int n, const char *const *ids, char *const *scripts,
			 const bool *transactional)
{
	char	  **why = palloc0(sizeof(char *) * Max(n, 1));
	bool		adds = false;
	bool		validates = false;
	Uncommitted u = {NIL, NIL};

	for (int i = 0; i < n; i++)
	{
		if (scripts[i] == NULL)
			continue;
		adds |= strcasestr(scripts[i], "value") != NULL;
		validates |= strcasestr(scripts[i], "validate") != NULL;
	}
	if (!adds && !validates)
		return why;

	for (int i = 0; i < n; i++)
	{
		List	   *statements;

		if (!transactional[i] || scripts[i] == NULL)
		{
			u.labels = u.tables = NIL;
			continue;
		}
		statements = SqlSplit(scripts[i],
							  psprintf("SQL of revision \"%s\"", ids[i]));
		why[i] = needs_commit(&u, statements, scripts[i]);
		if (why[i])
			u.labels = u.tables = NIL;
		note_done(&u, statements, ids[i]);
	}
	return why;
}

/* Why a revision with these statements needs u committed, or NULL. */
static char *
needs_commit(Uncommitted *u, List *statements, const char *sql)
{
	ListCell   *lc;

	if (u->labels != NIL)
		foreach(lc, SqlStringConstants(sql))
		{
			const char *constant = lfirst(lc);
			ListCell   *la;

			foreach(la, u->labels)
			{
				Added	   *a = lfirst(la);
				char	   *quoted = psprintf("'%s'", a->name);

				if (strcmp(constant, a->name) == 0 ||
					strstr(constant, quoted) != NULL)
					return psprintf("it uses enum value '%s', which revision \"%s\" adds",
									a->name, a->revision);
			}
		}

	foreach(lc, statements)
	{
		Node	   *tree = ((SqlStatement *) lfirst(lc))->parsetree;
		AlterTableStmt *alter = (AlterTableStmt *) tree;
		ListCell   *lcmd;

		if (!IsA(tree, AlterTableStmt) || alter->relation == NULL)
			continue;
		foreach(lcmd, alter->cmds)
		{
			AlterTableCmd *cmd = lfirst(lcmd);
			ListCell   *lt;

			if (cmd->subtype != AT_ValidateConstraint)
				continue;
			foreach(lt, u->tables)
			{
				Added	   *a = lfirst(lt);

				if (same_table(a, alter->relation))
					return psprintf("it validates a constraint of table \"%s\", which revision \"%s\" alters",
									table_name(alter->relation), a->revision);
			}
		}
	}
	return NULL;
}

/* Note the enum values a revision adds and the tables it alters. */
static void
note_done(Uncommitted *u, List *statements, const char *revision)
{
	ListCell   *lc;

	foreach(lc, statements)
	{
		Node	   *tree = ((SqlStatement *) lfirst(lc))->parsetree;
		Added	   *a;

		if (IsA(tree, AlterEnumStmt) && ((AlterEnumStmt *) tree)->oldVal == NULL)
		{
			a = palloc0(sizeof(Added));
			a->name = ((AlterEnumStmt *) tree)->newVal;
			a->revision = revision;
			u->labels = lappend(u->labels, a);
		}
		else if (IsA(tree, AlterTableStmt) &&
				 ((AlterTableStmt *) tree)->objtype == OBJECT_TABLE &&
				 ((AlterTableStmt *) tree)->relation != NULL &&
				 !only_validates((AlterTableStmt *) tree))
		{
			RangeVar   *rel = ((AlterTableStmt *) tree)->relation;

			a = palloc0(sizeof(Added));
			a->name = rel->relname;
			a->schema = rel->schemaname;
			a->revision = revision;
			u->tables = lappend(u->tables, a);
		}
	}
}

/*
 * Does the ALTER TABLE only validate constraints?  Its lock (SHARE UPDATE
 * EXCLUSIVE) blocks no writes, so a later validation need not wait for it
 * to be committed.
 */
static bool
only_validates(AlterTableStmt *alter)
{
	ListCell   *lc;

	foreach(lc, alter->cmds)
		if (((AlterTableCmd *) lfirst(lc))->subtype != AT_ValidateConstraint)
			return false;
	return true;
}

/*
 * Can rel name the same table as a?  Names are compared as written: a
 * schema given on one side only does not tell them apart.
 */
static bool
same_table(const Added *a, const RangeVar *rel)
{
	if (strcmp(a->name, rel->relname) != 0)
		return false;
	return a->schema == NULL || rel->schemaname == NULL ||
		strcmp(a->schema, rel->schemaname) == 0;
}

static const char *
table_name(const RangeVar *rel)
{
	return rel->schemaname ?
		psprintf("%s.%s", rel->schemaname, rel->relname) : rel->relname;
}
