/*-------------------------------------------------------------------------
 *
 * offline.c
 *	  migrate_sql: the script an upgrade or downgrade would run, with its
 *	  bookkeeping, for review or for applying with psql elsewhere.
 *
 * The script holds migrate's session lock from start to end, as pg_migrate
 * does, so that the DDL guard treats its DDL as migrate's own and the
 * schema fingerprint is stored at the end.  It takes the same advisory
 * lock as migrate_upgrade in each transaction, sets
 * lock_timeout from migrate.lock_timeout, runs each revision's statements
 * exactly as the executor would split them, and writes migrate.applied and
 * migrate.log with literal values.  A non-transactional revision is put
 * between COMMIT and BEGIN, so the script runs it outside a transaction
 * block, as psql can.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "migrate/catalog/catalog.h"
#include "migrate/exec/executor.h"
#include "migrate/model/sqltext.h"
#include "migrate/model/target.h"
#include "migrate/util/guc.h"

/* The advisory lock of CatalogLock, in SQL. */
#define MIGRATE_LOCK_SQL \
	"SELECT pg_catalog.pg_advisory_xact_lock(1835624306, 1635017984);\n"

/*
 * The session lock, which also tells the DDL guard that this session runs
 * migrate's own DDL; its release stores the schema fingerprint.
 */
#define MIGRATE_SESSION_SQL \
	"SELECT pg_catalog.migrate_lock_session();\n"

static void append_step(StringInfo buf, RevisionGraph *g, int node,
						bool upgrade, bool *in_transaction);

/*
 * Append text to a "--" comment line: line breaks and other control
 * characters become spaces, so that nothing of it (a revision message, a
 * target) can start a line of SQL in a script that a superuser may run.
 */
static void
append_comment_text(StringInfo buf, const char *text)
{
	for (const char *p = text; *p; p++)
		appendStringInfoChar(buf, ((unsigned char) *p < 0x20 || *p == 0x7f) ?
							 ' ' : *p);
}

/* The statements that run, the boundaries of stretches left out. */
static int
statement_count(List *statements)
{
	ListCell   *lc;
	int			n = 0;

	foreach(lc, statements)
		n += !SqlIsBoundary(((SqlStatement *) lfirst(lc))->parsetree);
	return n;
}

/* The parents of node as "a, b", or "<base>". */
static char *
parent_list(RevisionGraph *g, int node)
{
	RevisionNode *r = &g->nodes[node];

	return r->nparents == 0 ? "<base>" : GraphListIds(g, r->parents, r->nparents);
}

/* Append one revision's SQL and bookkeeping. */
static void
append_step(StringInfo buf, RevisionGraph *g, int node, bool upgrade,
			bool *in_transaction)
{
	RevisionNode *r = &g->nodes[node];
	CatalogRevision *rev = CatalogGetRevision(r->id);
	const char *direction = upgrade ? "upgrade" : "downgrade";
	List	   *statements;
	ListCell   *lc;
	char	   *id = quote_literal_cstr(r->id);

	statements = SqlSplit(upgrade ? rev->upgrade : rev->downgrade,
						  psprintf("%s SQL of revision \"%s\"", direction, r->id));
	if (upgrade)
		appendStringInfo(buf, "\n-- Running upgrade %s -> %s", parent_list(g, node), r->id);
	else
		appendStringInfo(buf, "\n-- Running downgrade %s -> %s", r->id, parent_list(g, node));
	if (r->message[0] != '\0')
	{
		appendStringInfoString(buf, ", ");
		append_comment_text(buf, r->message);
	}
	appendStringInfoChar(buf, '\n');

	if (!r->transactional && *in_transaction)
	{
		appendStringInfoString(buf, "-- not transactional: run outside a transaction block\nCOMMIT;\n");
		*in_transaction = false;
	}
	else if (r->transactional && !*in_transaction)
	{
		appendStringInfoString(buf, "BEGIN;\n" MIGRATE_LOCK_SQL);
		*in_transaction = true;
	}
	if (r->transactional)
		foreach(lc, statements)
			appendStringInfo(buf, "%s;\n", ((SqlStatement *) lfirst(lc))->text);
	else
	{
		/* each stretch in a transaction of its own, as the worker runs it */
		foreach(lc, SqlStretches(statements))
		{
			SqlStretch *stretch = lfirst(lc);
			bool		block = list_length(stretch->statements) > 1;

			appendStringInfo(buf, "%s%s%s", block ? "BEGIN;\n" : "",
							 SqlStretchText(stretch), block ? "COMMIT;\n" : "");
		}
	}

	if (upgrade)
		appendStringInfo(buf,
						 "INSERT INTO migrate.applied (revision, checksum) VALUES (%s, %s);\n",
						 id, quote_literal_cstr(rev->checksum));
	else
		appendStringInfo(buf,
						 "DELETE FROM migrate.applied WHERE revision OPERATOR(pg_catalog.=) %s;\n", id);
	appendStringInfo(buf,
					 "INSERT INTO migrate.log (revision, direction, stamped, started_at, duration, statements, outcome)"
					 " VALUES (%s, '%s', false, pg_catalog.clock_timestamp(), '0', %d, 'success');\n",
					 id, direction, statement_count(statements));
}

/*
 * The script that takes the database from from_state (NULL: its current
 * applied set; else a target whose ancestry is taken as applied) to target.
 * An upgrade when the target has unapplied ancestry, else a downgrade.
 */
char *
OfflineScript(const char *target, const char *from_state)
{
	RevisionGraph *g = CatalogLoadGraph(from_state != NULL);
	Target	   *t;
	StringInfoData buf;
	int		   *plan;
	int			n;
	bool		upgrade = true;
	bool		in_transaction = true;

	if (from_state != NULL)
	{
		Target	   *from = TargetResolve(g, from_state);
		bool	   *state = GraphNewSet(g);

		for (int i = 0; i < from->nnodes; i++)
			GraphAddAncestors(g, from->nodes[i], true, state);
		for (int i = 0; i < g->nnodes; i++)
			g->nodes[i].applied = state[i];
	}
	t = TargetResolve(g, target);
	if (t->walked < 0)
	{
		plan = PlanDowngrade(g, t, false, &n);
		upgrade = false;
	}
	else
	{
		plan = PlanUpgrade(g, t, &n);
		if (n == 0 && t->walked == 0)
		{
			plan = PlanDowngrade(g, t, true, &n);
			upgrade = false;
		}
	}

	initStringInfo(&buf);
	appendStringInfo(&buf, "-- migrate: %s to ",
					 n == 0 ? "move" : upgrade ? "upgrade" : "downgrade");
	append_comment_text(&buf, quote_literal_cstr(target));
	appendStringInfoString(&buf, " from ");
	append_comment_text(&buf, from_state ? quote_literal_cstr(from_state) :
						"the applied set");
	appendStringInfoChar(&buf, '\n');
	if (n == 0)
	{
		appendStringInfoString(&buf, "-- nothing to do\n");
		return buf.data;
	}
	appendStringInfoString(&buf, MIGRATE_SESSION_SQL);
	appendStringInfo(&buf, "BEGIN;\n" MIGRATE_LOCK_SQL
					 "SET LOCAL lock_timeout = '%dms';\n", migrate_lock_timeout);
	for (int i = 0; i < n; i++)
		append_step(&buf, g, plan[i], upgrade, &in_transaction);
	appendStringInfoString(&buf, in_transaction ? "\nCOMMIT;\n" : "\n");
	appendStringInfoString(&buf, "SELECT pg_catalog.migrate_unlock_session();\n");
	return buf.data;
}
