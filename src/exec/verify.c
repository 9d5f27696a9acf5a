/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  The stairway test: migrate_verify(target) runs each unapplied
 *	  revision up to the target upgrade, downgrade, upgrade, inside a
 *	  subtransaction that is always rolled back.
 *
 * For each revision, in plan order, with everything of the revisions
 * before it in place:
 *
 *	 1. the user schemas are read (every relation, column, constraint,
 *		index, view, trigger, policy, function and type outside the system
 *		schemas and extensions: the content of the schema fingerprint, line
 *		by line so that a difference can be named), with each relation's
 *		relfilenode, and the rows of each table (count and an order-free
 *		checksum, for tables of at most migrate.verify_max_rows rows);
 *	 2. the upgrade runs (ExecuteRevisionUnrecorded: the executor's own
 *		statement loop, rules and timeouts, nothing recorded), and the
 *		relation locks each of its statements takes on relations that
 *		existed before are noted (held_locks, new_locks);
 *	 3. the downgrade runs, its locks are noted, and the schemas and rows
 *		are read again and compared with step 1: objects left behind make
 *		the revision downgrade_incomplete, objects gone that were there
 *		before make it downgrade_too_much, rows that differ data_changed;
 *	 4. the upgrade runs again (not_rerunnable if it fails), and the next
 *		revision builds on that state.
 *
 * A direction that fails rolls back to the subtransaction before it; a
 * failed upgrade stops the stairway (the revisions after it are reported
 * skipped).  A non-transactional revision cannot run inside a transaction
 * as it is written: it runs through its transactional equivalents (CREATE
 * INDEX for CREATE INDEX CONCURRENTLY, DROP INDEX for DROP INDEX
 * CONCURRENTLY, REINDEX for REINDEX CONCURRENTLY, DETACH PARTITION for
 * DETACH PARTITION CONCURRENTLY: the parse tree without CONCURRENTLY),
 * its COMMITs left out, and its note says so; one with a statement that
 * has none (VACUUM, CREATE DATABASE, ...), or that uses an enum value
 * added before a COMMIT, is reported skipped with the reason, and so are
 * the revisions after it.  Locks that the outer transaction or an earlier
 * revision already holds are listed when the revision takes them again
 * (see held_locks).  Sequences advanced by revision SQL stay advanced
 * (nextval is never rolled back).  Everything else goes with the outer
 * rollback, whatever happens, a crash included.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "migrate/exec/executor.h"
#include "migrate/exec/verify.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/guc.h"
#include "migrate/util/subxact.h"

/* A user relation as read at one moment. */
typedef struct VerifyRel
{
	Oid			oid;
	char	   *name;			/* schema.name, quoted as needed */
	Oid			relfilenode;
	char		relkind;
	bool		readable;		/* a table the caller may SELECT from */
	int64		changes;		/* rows inserted, updated, deleted by this
								 * transaction (pg_stat_xact counters) */
	int32		shape;			/* columns added and dropped: changes the
								 * text of its rows without changing them */
} VerifyRel;

/* A snapshot: relations, schema lines, lock pairs, table contents. */
typedef struct VerifyState
{
	List	   *rels;			/* of VerifyRel */
	List	   *lines;			/* of char *: "key\tdefinition", sorted */
} VerifyState;

/*
 * One table's rows: count and checksum, or not checked; read when the
 * table had this relfilenode and change count.
 */
typedef struct VerifyData
{
	Oid			oid;
	Oid			relfilenode;
	int64		changes;
	int32		shape;
	bool		checked;
	int64		count;
	char	   *checksum;
} VerifyData;

/*
 * A relation lock this backend held before a statement ran: the relation,
 * the mode, its entry of the lock manager's local lock table, and how many
 * times it was held then (see held_locks).
 */
typedef struct HeldLock
{
	Oid			relid;
	LOCKMODE	mode;
	LOCALLOCK  *locallock;
	int64		count;
} HeldLock;

/* The work of one revision, shared with the subtransaction callbacks. */
typedef struct VerifyWork
{
	const char *id;
	VerifyState before;
	List	   *before_data;	/* of VerifyData */
	List	  **cache;			/* VerifyData read so far in this call */
	List	   *held;			/* HeldLock: held before a statement */
	List	   *locks;			/* taken by the direction's statements */
	UnrecordedRun run;			/* how the directions run */
	int			phase;			/* 0 upgrade, 1 downgrade, 2 upgrade again */
	VerifyResult *result;
	int			number;			/* failed statement */
	char	   *text;
	ErrorData  *rerun_error;	/* the second upgrade's */
	int			rerun_number;
	char	   *rerun_text;
	List	   *notes;			/* of String: the equivalents that ran */
} VerifyWork;

/* The user relations; not the system's, migrate's or extensions'. */
static const char *const rels_sql =
"SELECT c.oid, pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"  OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),"
" c.relfilenode, c.relkind::pg_catalog.text,"
" c.relkind OPERATOR(pg_catalog.=) 'r'::pg_catalog.\"char\""
"  AND pg_catalog.has_table_privilege(c.oid, 'SELECT'),"
" pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid) OPERATOR(pg_catalog.+)"
"  pg_catalog.pg_stat_get_xact_tuples_updated(c.oid) OPERATOR(pg_catalog.+)"
"  pg_catalog.pg_stat_get_xact_tuples_deleted(c.oid),"
" c.relnatts::pg_catalog.int4 OPERATOR(pg_catalog.*) 10000 OPERATOR(pg_catalog.+)"
"  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a"
"   WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attisdropped)::pg_catalog.int4"
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
" WHERE n.nspname OPERATOR(pg_catalog.<>) ALL"
"   ('{pg_catalog,information_schema,pg_toast,migrate}'::pg_catalog.name[])"
"  AND n.nspname::pg_catalog.text OPERATOR(pg_catalog.!~) '^pg_(toast_)?temp_'"
"  AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,m,i,I,S,v,f}'::pg_catalog.\"char\"[])"
"  AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend e"
"   WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"    AND e.objid OPERATOR(pg_catalog.=) c.oid"
"    AND e.deptype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\")"
" ORDER BY c.oid";

/*
 * The user schemas, one line per object: "kind name" TAB definition,
 * sorted bytewise.  The same catalog content as the schema fingerprint
 * (catalog.c), over every schema that is not the system's or migrate's.
 */
static const char *const lines_sql =
"WITH s AS (SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n"
"   WHERE n.nspname OPERATOR(pg_catalog.<>) ALL"
"    ('{pg_catalog,information_schema,pg_toast,migrate}'::pg_catalog.name[])"
"    AND n.nspname::pg_catalog.text OPERATOR(pg_catalog.!~) '^pg_(toast_)?temp_'),"
" e AS (SELECT classid, objid FROM pg_catalog.pg_depend"
"       WHERE deptype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\"),"
" r AS (SELECT c.oid, pg_catalog.quote_ident(s.nspname) OPERATOR(pg_catalog.||) '.'"
"        OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) AS q,"
"        c.relkind, c.relpersistence"
"       FROM pg_catalog.pg_class c JOIN s ON c.relnamespace OPERATOR(pg_catalog.=) s.oid"
"       WHERE (c.tableoid, c.oid) NOT IN (SELECT * FROM e)"
"        AND c.relkind OPERATOR(pg_catalog.<>) ALL ('{t,c}'::pg_catalog.\"char\"[])),"
" x(k, d) AS ("
"  SELECT 'schema ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.nspname), '' FROM s"
"   WHERE (('pg_catalog.pg_namespace'::pg_catalog.regclass::pg_catalog.oid, s.oid) NOT IN (SELECT * FROM e))"
"  UNION ALL SELECT CASE r.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table '"
"    WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' WHEN 'i' THEN 'index '"
"    WHEN 'I' THEN 'index ' WHEN 'S' THEN 'sequence ' WHEN 'f' THEN 'foreign table '"
"    ELSE 'relation ' END OPERATOR(pg_catalog.||) r.q,"
"   pg_catalog.concat_ws(' ', r.relpersistence,"
"    CASE WHEN r.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.\"char\"[])"
"     THEN pg_catalog.pg_get_viewdef(r.oid) END,"
"    CASE WHEN r.relkind OPERATOR(pg_catalog.=) ANY ('{i,I}'::pg_catalog.\"char\"[])"
"     THEN pg_catalog.pg_get_indexdef(r.oid) END)"
"   FROM r"
"  UNION ALL SELECT 'column ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(a.attname)"
"    OPERATOR(pg_catalog.||) ' of ' OPERATOR(pg_catalog.||) r.q,"
"   pg_catalog.concat_ws(' ', pg_catalog.format_type(a.atttypid, a.atttypmod),"
"    a.attnotnull, a.attidentity, a.attgenerated, pg_catalog.pg_get_expr(d.adbin, d.adrelid))"
"   FROM r JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.oid"
"   LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid"
"    AND d.adnum OPERATOR(pg_catalog.=) a.attnum"
"   WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
"    AND r.relkind OPERATOR(pg_catalog.<>) ALL ('{i,I,S}'::pg_catalog.\"char\"[])"
"  UNION ALL SELECT 'constraint ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(k.conname)"
"    OPERATOR(pg_catalog.||) ' on ' OPERATOR(pg_catalog.||) r.q,"
"   pg_catalog.pg_get_constraintdef(k.oid)"
"   FROM r JOIN pg_catalog.pg_constraint k ON k.conrelid OPERATOR(pg_catalog.=) r.oid"
"  UNION ALL SELECT 'trigger ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.tgname)"
"    OPERATOR(pg_catalog.||) ' on ' OPERATOR(pg_catalog.||) r.q,"
"   pg_catalog.pg_get_triggerdef(t.oid)"
"   FROM r JOIN pg_catalog.pg_trigger t ON t.tgrelid OPERATOR(pg_catalog.=) r.oid"
"   WHERE NOT t.tgisinternal"
"  UNION ALL SELECT 'policy ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(p.polname)"
"    OPERATOR(pg_catalog.||) ' on ' OPERATOR(pg_catalog.||) r.q,"
"   pg_catalog.concat_ws(' ', p.polcmd, p.polpermissive,"
"    pg_catalog.pg_get_expr(p.polqual, p.polrelid),"
"    pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))"
"   FROM r JOIN pg_catalog.pg_policy p ON p.polrelid OPERATOR(pg_catalog.=) r.oid"
"  UNION ALL SELECT 'function ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.nspname)"
"    OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(p.proname)"
"    OPERATOR(pg_catalog.||) '(' OPERATOR(pg_catalog.||)"
"    pg_catalog.pg_get_function_identity_arguments(p.oid) OPERATOR(pg_catalog.||) ')',"
"   pg_catalog.concat_ws(' ', pg_catalog.pg_get_function_result(p.oid), p.prokind,"
"    p.provolatile, pg_catalog.md5(p.prosrc))"
"   FROM s JOIN pg_catalog.pg_proc p ON p.pronamespace OPERATOR(pg_catalog.=) s.oid"
"   WHERE (p.tableoid, p.oid) NOT IN (SELECT * FROM e)"
"  UNION ALL SELECT 'type ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.nspname)"
"    OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.typname),"
"   pg_catalog.concat_ws(' ', t.typtype,"
"    (SELECT pg_catalog.string_agg(v.enumlabel::pg_catalog.text, ',' ORDER BY v.enumsortorder)"
"     FROM pg_catalog.pg_enum v WHERE v.enumtypid OPERATOR(pg_catalog.=) t.oid))"
"   FROM s JOIN pg_catalog.pg_type t ON t.typnamespace OPERATOR(pg_catalog.=) s.oid"
"   WHERE t.typtype OPERATOR(pg_catalog.<>) 'b'::pg_catalog.\"char\""
"    AND (t.tableoid, t.oid) NOT IN (SELECT * FROM e)"
"    AND t.typrelid OPERATOR(pg_catalog.=) 0::pg_catalog.oid)"
" SELECT line FROM (SELECT k OPERATOR(pg_catalog.||) E'\\t' OPERATOR(pg_catalog.||)"
"  COALESCE(d, '') AS line FROM x) y ORDER BY line COLLATE pg_catalog.\"C\"";

/* Run a query through SPI (connected here) returning one text column. */
static List *
text_rows(const char *sql)
{
	MemoryContext context = CurrentMemoryContext;
	List	   *rows = NIL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the schema for migrate_verify");
	MemoryContextSwitchTo(context);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[i],
									 SPI_tuptable->tupdesc, 1);

		rows = lappend(rows, v ? v : pstrdup(""));
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	MemoryContextSwitchTo(context);
	return rows;
}

/* The user relations now. */
static List *
read_rels(void)
{
	MemoryContext context = CurrentMemoryContext;
	List	   *rels = NIL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(rels_sql, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the relations for migrate_verify");
	MemoryContextSwitchTo(context);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		VerifyRel  *r = palloc(sizeof(VerifyRel));
		bool		isnull;

		r->oid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		r->name = SPI_getvalue(tup, desc, 2);
		r->relfilenode = DatumGetObjectId(SPI_getbinval(tup, desc, 3, &isnull));
		r->relkind = SPI_getvalue(tup, desc, 4)[0];
		r->readable = DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull));
		r->changes = DatumGetInt64(SPI_getbinval(tup, desc, 6, &isnull));
		r->shape = DatumGetInt32(SPI_getbinval(tup, desc, 7, &isnull));
		rels = lappend(rels, r);
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	MemoryContextSwitchTo(context);
	return rels;
}

static VerifyRel *
find_rel(List *rels, Oid oid)
{
	ListCell   *lc;

	foreach(lc, rels)
		if (((VerifyRel *) lfirst(lc))->oid == oid)
			return lfirst(lc);
	return NULL;
}

/*
 * Count and checksum the rows of each readable table of rels (at most
 * migrate.verify_max_rows + 1 read per table; a table with more is not
 * checked).  The checksum is a sum of row hashes, so row order does not
 * matter.  A table whose relfilenode and change counters are those of its
 * entry in *cache has the rows it had then, and is not read again: the
 * counters of this transaction only grow, whatever subtransactions
 * commit or roll back, so that a history's tables are read about once
 * each, not once per revision.
 */
static List *
read_data(List **cache, List *rels)
{
	MemoryContext context = CurrentMemoryContext;
	List	   *data = NIL;
	ListCell   *lc;
	bool		connected = false;

	if (migrate_verify_max_rows <= 0)
		return NIL;
	foreach(lc, rels)
	{
		VerifyRel  *r = lfirst(lc);
		VerifyData *d = NULL;
		ListCell   *lcache;
		char	   *sql;
		bool		isnull;

		if (!r->readable)
			continue;
		foreach(lcache, *cache)
		{
			VerifyData *c = lfirst(lcache);

			if (c->oid == r->oid && c->relfilenode == r->relfilenode &&
				c->changes == r->changes && c->shape == r->shape)
				d = c;
		}
		if (d)
		{
			data = lappend(data, d);
			continue;
		}
		if (!connected && SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		connected = true;
		sql = psprintf("SELECT pg_catalog.count(*),"
					   " COALESCE(pg_catalog.sum(pg_catalog.hashtext(t::pg_catalog.text)), 0)::pg_catalog.text"
					   " FROM (SELECT * FROM ONLY %s LIMIT %d) t",
					   r->name, migrate_verify_max_rows + 1);
		if (SPI_execute(sql, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not read the rows of %s", r->name);
		MemoryContextSwitchTo(context);
		d = palloc0(sizeof(VerifyData));
		d->oid = r->oid;
		d->relfilenode = r->relfilenode;
		d->changes = r->changes;
		d->shape = r->shape;
		d->count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1,
											   &isnull));
		d->checked = d->count <= migrate_verify_max_rows;
		d->checksum = SPI_getvalue(SPI_tuptable->vals[0],
								   SPI_tuptable->tupdesc, 2);
		data = lappend(data, d);
		*cache = lappend(*cache, d);
	}
	if (connected && SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	MemoryContextSwitchTo(context);
	return data;
}

/* list_sort comparator of C strings. */
static int
string_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/*
 * The relation locks held now on the relations of before_rels, each with
 * its local lock table entry and count.
 *
 * pg_locks shows a lock once per mode however often the transaction took
 * it, and cannot say which subtransaction did: a lock that the outer
 * transaction or an earlier revision of the same verify already holds
 * looks the same after a statement that took it again.  The lock
 * manager's local lock table (LOCALLOCK) counts each acquisition, but is
 * private to lock.c; LockHeldByMe looks an entry up, though, and
 * LockAcquireExtended hands out the entry of a lock it is asked for,
 * granted locally without waiting or touching shared memory when the
 * lock is held already.  So each lock held before a statement is taken
 * once more here, its entry and count noted, and released again; after
 * the statement, a lock held now that was not before, or whose count
 * grew, is one the statement took.  An entry stays valid while the
 * transaction holds its lock, which it does until verify's outer
 * rollback.
 *
 * The counts are taken right before and right after each statement's own
 * execution (UnrecordedRun), so that what the rules read to judge the
 * statement (they may count a table's rows) is not taken for what the
 * statement locks.  Only the relations that existed before the revision
 * are looked at, in each of the lock modes: no query, a few hash lookups
 * per relation.
 */
static List *
held_locks(List *before_rels)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, before_rels)
	{
		VerifyRel  *rel = lfirst(lc);

		for (LOCKMODE mode = 1; mode <= MaxLockMode; mode++)
		{
			LOCKTAG		tag;
			LOCALLOCK  *locallock = NULL;
			LockAcquireResult r;
			HeldLock   *h;

			SET_LOCKTAG_RELATION(tag, MyDatabaseId, rel->oid);
			if (!LockHeldByMe(&tag, mode))
				continue;
			r = LockAcquireExtended(&tag, mode, false, true, false, &locallock);
			if (r == LOCKACQUIRE_NOT_AVAIL)
				continue;		/* cannot happen: it is held */
			LockRelease(&tag, mode, false);
			h = palloc(sizeof(HeldLock));
			h->relid = rel->oid;
			h->mode = mode;
			h->locallock = locallock;
			h->count = locallock->nLocks;
			result = lappend(result, h);
		}
	}
	return result;
}

/*
 * "schema.table mode" for each lock now held on a relation of before_rels
 * that was not held before the statement (held, made by held_locks over
 * the same before_rels), or was but has been taken again since (its local
 * count grew), sorted.
 */
static List *
new_locks(List *held, List *before_rels)
{
	List	   *result = NIL;
	ListCell   *lc;
	int			next = 0;		/* held is in the same order as the loops */

	foreach(lc, before_rels)
	{
		VerifyRel  *rel = lfirst(lc);

		for (LOCKMODE mode = 1; mode <= MaxLockMode; mode++)
		{
			LOCKTAG		tag;
			HeldLock   *h = next < list_length(held) ? list_nth(held, next) : NULL;
			bool		taken = true;

			if (h && h->relid == rel->oid && h->mode == mode)
			{
				taken = h->locallock->nLocks > h->count;
				next++;
			}
			SET_LOCKTAG_RELATION(tag, MyDatabaseId, rel->oid);
			if (!LockHeldByMe(&tag, mode))
				continue;
			if (taken)
				result = lappend(result,
								 psprintf("%s %s", rel->name,
										  GetLockmodeName(DEFAULT_LOCKMETHOD, mode)));
		}
	}
	list_sort(result, string_cmp);
	return result;
}

/* The sorted list a with the strings of the sorted list b it lacks. */
static List *
merge_sorted(List *a, List *b)
{
	ListCell   *lc;

	foreach(lc, b)
	{
		ListCell   *la;
		bool		found = false;

		foreach(la, a)
			if (strcmp(lfirst(la), lfirst(lc)) == 0)
				found = true;
		if (!found)
			a = lappend(a, lfirst(lc));
	}
	list_sort(a, string_cmp);
	return a;
}

/* The object part of a schema line ("index public.x"), in the context. */
static char *
line_key(const char *line)
{
	const char *tab = strchr(line, '\t');

	return tab ? pnstrdup(line, tab - line) : pstrdup(line);
}

/*
 * Compare the schema lines before and after: objects there now that were
 * not (or differ) go to *left, objects gone to *removed.
 */
static void
compare_lines(List *before, List *after, List **left, List **removed)
{
	ListCell   *lb = list_head(before);
	ListCell   *la = list_head(after);

	while (lb || la)
	{
		int			c;

		if (lb && la)
			c = strcmp(line_key(lfirst(lb)), line_key(lfirst(la)));
		else
			c = lb ? -1 : 1;
		if (c == 0)
		{
			if (strcmp(lfirst(lb), lfirst(la)) != 0)
				*left = lappend(*left, psprintf("%s (changed)",
												line_key(lfirst(la))));
			lb = lnext(before, lb);
			la = lnext(after, la);
		}
		else if (c < 0)
		{
			*removed = lappend(*removed, line_key(lfirst(lb)));
			lb = lnext(before, lb);
		}
		else
		{
			*left = lappend(*left, line_key(lfirst(la)));
			la = lnext(after, la);
		}
	}
}

/* The relations of before that are still there, as in after. */
static List *
still_there(List *before, List *after)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, before)
	{
		VerifyRel  *a = find_rel(after, ((VerifyRel *) lfirst(lc))->oid);

		if (a)
			result = lappend(result, a);
	}
	return result;
}

/*
 * Take out of objs the columns, constraints, triggers and policies ("...
 * of R", "... on R") of a relation R that objs lists itself: the relation
 * says it.
 */
static List *
without_members(List *objs)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, objs)
	{
		char	   *o = lfirst(lc);
		char	   *of = strstr(o, " of ");
		char	   *on = strstr(o, " on ");
		char	   *rel = of ? of + 4 : on ? on + 4 : NULL;
		bool		member = false;
		ListCell   *lr;

		if (rel)
			foreach(lr, objs)
			{
				char	   *r = lfirst(lr);
				char	   *space = strrchr(r, ' ');

				if (r != o && space && strcmp(space + 1, rel) == 0 &&
					(strncmp(r, "table ", 6) == 0 || strncmp(r, "view ", 5) == 0 ||
					 strncmp(r, "materialized view ", 18) == 0 ||
					 strncmp(r, "foreign table ", 14) == 0))
					member = true;
			}
		if (!member)
			result = lappend(result, o);
	}
	return result;
}

/* Tables whose rows differ between two readings. */
static List *
compare_data(List *before, List *after, List *rels)
{
	List	   *result = NIL;
	ListCell   *lb;

	foreach(lb, before)
	{
		VerifyData *b = lfirst(lb);
		VerifyRel  *r = find_rel(rels, b->oid);
		ListCell   *la;

		if (!b->checked || r == NULL)
			continue;
		foreach(la, after)
		{
			VerifyData *a = lfirst(la);

			if (a->oid != b->oid)
				continue;
			if (a->count != b->count)
				result = lappend(result,
								 psprintf("%s: " INT64_FORMAT " rows before the upgrade, " INT64_FORMAT " after the downgrade",
										  r->name, b->count, a->count));
			else if (strcmp(a->checksum, b->checksum) != 0)
				result = lappend(result,
								 psprintf("%s: " INT64_FORMAT " rows, but their content differs after the downgrade",
										  r->name, a->count));
		}
	}
	return result;
}

/* Relations of before whose relfilenode differs in after. */
static List *
rewritten(List *before, List *after, const char *direction)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, before)
	{
		VerifyRel  *b = lfirst(lc);
		VerifyRel  *a = find_rel(after, b->oid);

		if (a && a->relfilenode != b->relfilenode &&
			(b->relkind == 'r' || b->relkind == 'm'))
			result = lappend(result, psprintf("%s (%s)", b->name, direction));
	}
	return result;
}

/* UnrecordedRun callbacks: the locks each statement itself takes. */
static void
before_statement(void *arg)
{
	VerifyWork *w = arg;

	list_free_deep(w->held);
	w->held = held_locks(w->before.rels);
}

static void
after_statement(void *arg)
{
	VerifyWork *w = arg;

	w->locks = merge_sorted(w->locks, new_locks(w->held, w->before.rels));
}

/*
 * Run one direction of the revision as UnrecordedRun says; the locks its
 * statements took are in w->locks, the notes of its equivalents go to the
 * result's note.
 */
static void
run_direction(VerifyWork *w, bool upgrade, int *number, char **text)
{
	w->locks = NIL;
	w->run.notes = NIL;
	PG_TRY();
	{
		(void) ExecuteRevisionUnrecorded(w->id, upgrade, &w->run, number, text);
	}
	PG_FINALLY();
	{
		ListCell   *lc;

		foreach(lc, w->run.notes)
		{
			char	   *n = psprintf("%s %s", upgrade ? "upgrade" : "downgrade",
									 (char *) lfirst(lc));

			if (w->phase != 2 && !list_member(w->notes, makeString(n)))
				w->notes = lappend(w->notes, makeString(n));
		}
	}
	PG_END_TRY();
}

/* SubxactRun callback: the second upgrade. */
static void
upgrade_again(void *arg)
{
	VerifyWork *w = arg;

	run_direction(w, true, &w->rerun_number, &w->rerun_text);
}

/* SubxactRun callback: the first upgrade, and its locks. */
static void
upgrade_once(void *arg)
{
	VerifyWork *w = arg;

	w->phase = 0;
	run_direction(w, true, &w->number, &w->text);
	w->result->upgrade_locks = w->locks;
}

/*
 * SubxactRun callback: the downgrade, its locks, the comparison, then the
 * upgrade again.  When that fails, an error takes the downgrade back too,
 * so that the next revision builds on this one applied.
 */
static void
downgrade_and_again(void *arg)
{
	VerifyWork *w = arg;
	VerifyResult *res = w->result;
	List	   *after_up = read_rels();
	List	   *after_down;

	res->rewritten = rewritten(w->before.rels, after_up, "upgrade");
	w->phase = 1;
	run_direction(w, false, &w->number, &w->text);
	w->phase = 3;				/* verify's own reading from here */
	res->downgrade_locks = w->locks;
	after_down = read_rels();
	res->rewritten = list_concat(res->rewritten,
								 rewritten(after_up, after_down, "downgrade"));
	compare_lines(w->before.lines, text_rows(lines_sql), &res->left,
				  &res->removed);
	res->left = without_members(res->left);
	res->removed = without_members(res->removed);
	res->data = compare_data(w->before_data,
							 read_data(w->cache, still_there(w->before.rels, after_down)),
							 after_down);

	w->phase = 2;
	w->rerun_error = SubxactRun(upgrade_again, w, true);
	if (w->rerun_error)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_VERIFY_FAILED),
				 errmsg("revision \"%s\" could not be upgraded again", w->id)));
}

/* Fill the failure columns of res from edata. */
static void
set_failure(VerifyResult *res, ErrorData *edata, const char *direction,
			int number, const char *text)
{
	res->sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
	res->message = number > 0 ?
		psprintf("%s failed at statement %d: %s", direction, number,
				 edata->message ? edata->message : "") :
		psprintf("%s failed before its first statement: %s", direction,
				 edata->message ? edata->message : "");
	res->statement = text ? pstrdup(text) : NULL;
}

/*
 * A cancel, a termination or a timeout of the call is not the revision's
 * failure: it ends verify (everything rolled back) instead of being
 * reported for one revision and going on.
 */
static void
rethrow_interruption(ErrorData *edata)
{
	if (edata && ERRCODE_TO_CATEGORY(edata->sqlerrcode) ==
		ERRCODE_OPERATOR_INTERVENTION)
		ReThrowError(edata);
}

/*
 * The upgrade (or downgrade) could not run inside verify's transaction:
 * a statement without a transactional equivalent, or a use of an enum
 * value that an earlier stretch added and committed (usable only once
 * that commits, which verify cannot do).  Then the revision is reported
 * skipped, with why.
 */
static bool
cannot_run_here(VerifyResult *res, ErrorData *edata, const char *direction,
				int number)
{
	if (edata->sqlerrcode == ERRCODE_MIGRATE_NON_TRANSACTIONAL)
		res->message = psprintf("%s not run: %s", direction, edata->message);
	else if (edata->sqlerrcode == ERRCODE_UNSAFE_NEW_ENUM_VALUE_USAGE)
		res->message = psprintf("%s not verified: statement %d uses an enum value that an earlier statement or revision adds, usable only once that commits, and verify commits nothing: %s",
								direction, number, edata->message);
	else
		return false;
	res->status = "skipped";
	res->sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
	return true;
}

/* The note of a revision verified otherwise than as it is written. */
static char *
verify_note(PlanStep *rev, List *notes)
{
	StringInfoData buf;
	ListCell   *lc;

	if (rev->transactional)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoString(&buf, notes == NIL ?
						   "non-transactional, verified in one transaction: each of its statements can run inside one" :
						   "non-transactional, verified in one transaction through transactional equivalents:");
	foreach(lc, notes)
		appendStringInfo(&buf, "%s %s", foreach_current_index(lc) > 0 ? ";" : "",
						 strVal(lfirst(lc)));
	return buf.data;
}

/*
 * Verify one revision; false when the stairway cannot go on.  A
 * non-transactional revision runs through its transactional equivalents
 * (CREATE INDEX for CREATE INDEX CONCURRENTLY, ...; see
 * SqlTransactionalEquivalent), its COMMITs left out, and says so in its
 * note; one with a statement that has none is skipped.
 */
static bool
verify_one(PlanStep *rev, VerifyResult *res, List **cache)
{
	VerifyWork	w = {0};
	ErrorData  *edata;

	w.id = rev->id;
	w.result = res;
	w.before.rels = read_rels();
	w.before.lines = text_rows(lines_sql);
	w.cache = cache;
	w.before_data = read_data(cache, w.before.rels);
	w.run.equivalents = true;
	w.run.before_statement = before_statement;
	w.run.after_statement = after_statement;
	w.run.arg = &w;

	edata = SubxactRun(upgrade_once, &w, true);
	rethrow_interruption(edata);
	res->note = verify_note(rev, w.notes);
	if (edata && cannot_run_here(res, edata, "upgrade", w.number))
	{
		res->note = NULL;		/* it was not verified */
		return false;
	}
	if (edata)
	{
		res->status = "failed";
		set_failure(res, edata, "upgrade", w.number, w.text);
		return false;
	}
	edata = SubxactRun(downgrade_and_again, &w, true);
	rethrow_interruption(edata);
	rethrow_interruption(w.rerun_error);
	res->note = verify_note(rev, w.notes);
	if (edata && w.phase == 1 && cannot_run_here(res, edata, "downgrade", w.number))
		return true;			/* the upgrade stays: go on */
	if (edata && w.phase == 1)
	{
		res->status = "failed";
		set_failure(res, edata, "downgrade", w.number, w.text);
		return true;			/* the upgrade stays: go on */
	}
	if (edata && w.phase != 2)
		ReThrowError(edata);	/* verify's own failure */

	if (res->removed != NIL)
		res->status = "downgrade_too_much";
	else if (res->left != NIL)
		res->status = "downgrade_incomplete";
	else if (w.rerun_error)
		res->status = "not_rerunnable";
	else if (res->data != NIL)
		res->status = "data_changed";
	else
		res->status = "ok";
	if (w.rerun_error)
		set_failure(res, w.rerun_error, "upgrade again", w.rerun_number,
					w.rerun_text);
	return true;
}

/* The stairway over the plan; SubxactRun callback, always rolled back. */
typedef struct VerifyStairway
{
	PlanStep   *plan;			/* the steps of the upgrade's plan */
	int			n;
	VerifyResult *results;
	List	   *cache;			/* of VerifyData, see read_data */
} VerifyStairway;

static void
verify_all(void *arg)
{
	VerifyStairway *run = arg;
	const char *stopped_by = NULL;
	const char *why = NULL;

	for (int i = 0; i < run->n; i++)
	{
		VerifyResult *res = &run->results[i];

		CHECK_FOR_INTERRUPTS();
		res->revision = run->plan[i].id;
		if (stopped_by)
		{
			res->status = "skipped";
			res->message = psprintf("not run: %s \"%s\" comes before it",
									why, stopped_by);
			continue;
		}
		if (!verify_one(&run->plan[i], res, &run->cache))
		{
			stopped_by = run->plan[i].id;
			why = strcmp(res->status, "skipped") == 0 ?
				"revision that verify could not run," :
				"revision that failed to upgrade,";
		}
	}
}

/*
 * migrate_verify: the stairway test of every unapplied revision up to
 * target.  Takes the advisory lock as an upgrade does; returns one result
 * per revision of the plan, *n of them.  Nothing of the revisions' work
 * stays.
 */
VerifyResult *
VerifyPlan(const char *target, int *n)
{
	VerifyStairway run;
	ErrorData  *edata;
	MigrationPlan *plan = ExecutePlan(target, true, true);

	run.plan = plan->steps;
	run.n = plan->nsteps;
	run.cache = NIL;
	run.results = palloc0(sizeof(VerifyResult) * Max(run.n, 1));
	*n = run.n;
	if (run.n == 0)
		return run.results;
	edata = SubxactRun(verify_all, &run, false);
	if (edata)
		ReThrowError(edata);
	return run.results;
}
