/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  The only code that reads or writes the migrate.* tables.
 *
 * Every function here connects to SPI, switches to the owner of schema
 * "migrate" (the role that created the extension) so that callers need no
 * privileges on the tables, runs cached plans with parameters, copies what
 * it returns into the caller's memory context, and disconnects.  Internal
 * SQL is search-path safe: every name is schema-qualified, operators
 * included.
 *
 * Locking: CatalogLock takes the advisory transaction lock that serializes
 * every call that changes the graph or the applied set.  Its key is
 * (database, 0x6d696772, 0x61746500, 2) in pg_locks: classid 1835624306,
 * objid 1635017984.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/cryptohash.h"
#include "common/md5.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "migrate/catalog/catalog.h"
#include "migrate/catalog/citus.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/runner.h"
#include "migrate/util/textarray.h"

#define MIGRATE_LOCK_KEY1	0x6d696772	/* "migr" */
#define MIGRATE_LOCK_KEY2	0x61746500	/* "ate" */

/* State of one catalog access: see catalog_begin and catalog_end. */
typedef struct CatalogAccess
{
	MemoryContext caller;		/* where results go */
	Oid			save_userid;
	int			save_sec_context;
	int			guc_nest;		/* the pinned search_path's GUC nest level */
} CatalogAccess;

/*
 * A row of a catalog query as read_rows hands it to a reader; the row_*
 * accessors copy a column (1-based; each query names its columns in an
 * enum) into the current memory context.
 */
typedef struct CatalogRow
{
	HeapTuple	tuple;
	TupleDesc	desc;
} CatalogRow;

typedef void (*CatalogReader) (const CatalogRow *row, void *arg);

/* Plans kept for the backend's life, keyed by the address of their SQL. */
typedef struct KeptPlan
{
	const char *sql;
	SPIPlanPtr	plan;
} KeptPlan;

static KeptPlan plan_cache[64];
static int	plan_cache_len = 0;

static void catalog_begin(CatalogAccess *access);
static void catalog_end(CatalogAccess *access);
static int	run(const char *sql, int nargs, Oid *types, Datum *values,
				const char *nulls, bool read_only, int expected);
static int	read_rows(const char *sql, int nargs, Oid *types, Datum *values,
					  const char *nulls, int expected, CatalogReader reader,
					  void *arg);
static Datum cstring_array(const char **strings, int n);
static RevisionGraph *read_graph(void);
static bool catalog_has(const char *table);
static bool revision_has_lines(void);

/* Has this backend recorded steps since it took the session lock? */
static bool session_recorded = false;

/*
 * Connect to SPI and become the owner of schema migrate, with search_path
 * pinned to pg_catalog, pg_temp: the owner is usually a superuser, so no
 * name in the queries below may resolve through a schema the caller
 * controls (its own schemas, or its pg_temp, which an unpinned path
 * searches first for types).  The names are qualified too.
 */
static void
catalog_begin(CatalogAccess *access)
{
	Oid			owner;

	if (!OidIsValid(get_namespace_oid("migrate", true)))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_NOT_INSTALLED),
				 errmsg("schema \"migrate\" does not exist"),
				 errhint("Run CREATE EXTENSION migrate.")));
	owner = CatalogOwner();

	access->caller = CurrentMemoryContext;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	access->guc_nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	/* compiling a bookkeeping query costs more than running it */
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	GetUserIdAndSecContext(&access->save_userid, &access->save_sec_context);
	SetUserIdAndSecContext(owner, access->save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

/* Undo catalog_begin.  On error, transaction abort does the same. */
static void
catalog_end(CatalogAccess *access)
{
	SetUserIdAndSecContext(access->save_userid, access->save_sec_context);
	AtEOXact_GUC(true, access->guc_nest);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/*
 * Run a cached plan for sql (a string literal: its address is the key) and
 * check the result code.  Returns SPI_processed.  Reads pass read_only =
 * false too, so that they see what this call wrote just before.
 * cursor_options: CURSOR_OPT_GENERIC_PLAN for run_generic.
 */
static int
run_plan(const char *sql, int nargs, Oid *types, Datum *values,
		 const char *nulls, bool read_only, int expected, int cursor_options)
{
	SPIPlanPtr	plan = NULL;
	int			rc;

	for (int i = 0; i < plan_cache_len; i++)
		if (plan_cache[i].sql == sql)
			plan = plan_cache[i].plan;
	if (plan == NULL)
	{
		plan = SPI_prepare_cursor(sql, nargs, types, cursor_options);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		if (plan_cache_len < lengthof(plan_cache))
		{
			if (SPI_keepplan(plan) != 0)
				elog(ERROR, "SPI_keepplan failed");
			plan_cache[plan_cache_len].sql = sql;
			plan_cache[plan_cache_len++].plan = plan;
		}
	}
	rc = SPI_execute_plan(plan, values, nulls, read_only, 0);
	if (rc != expected)
		elog(ERROR, "catalog query failed: %s", SPI_result_code_string(rc));
	return (int) SPI_processed;
}

static int
run(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
	bool read_only, int expected)
{
	return run_plan(sql, nargs, types, values, nulls, read_only, expected, 0);
}

/*
 * run with a generic plan, made once for any parameters: for the writes
 * of every revision (its log row, the applied set, the trigger that
 * follows).  PostgreSQL would plan them again at each call otherwise: for
 * an array of unknown length, a custom plan always looks cheaper than the
 * generic one.
 */
static int
run_generic(const char *sql, int nargs, Oid *types, Datum *values,
			const char *nulls, int expected)
{
	return run_plan(sql, nargs, types, values, nulls, false, expected,
					CURSOR_OPT_GENERIC_PLAN);
}

/*
 * Run a query that returns rows (see run; expected is SPI_OK_SELECT, or
 * SPI_OK_INSERT_RETURNING and the like) as catalog_begin's owner and hand each row to
 * reader(row, arg), in the caller's memory context, so that what the
 * reader keeps outlives SPI.  Returns the number of rows.
 */
static int
read_rows(const char *sql, int nargs, Oid *types, Datum *values,
		  const char *nulls, int expected, CatalogReader reader, void *arg)
{
	CatalogAccess access;
	MemoryContext spi;
	int			rows;

	catalog_begin(&access);
	rows = run(sql, nargs, types, values, nulls, false, expected);
	spi = MemoryContextSwitchTo(access.caller);
	for (int i = 0; i < rows; i++)
	{
		CatalogRow	row = {SPI_tuptable->vals[i], SPI_tuptable->tupdesc};

		reader(&row, arg);
	}
	MemoryContextSwitchTo(spi);
	catalog_end(&access);
	return rows;
}

static bool
row_isnull(const CatalogRow *row, int col)
{
	bool		isnull;

	(void) SPI_getbinval(row->tuple, row->desc, col, &isnull);
	return isnull;
}

/* Column col as a C string, or NULL. */
static char *
row_text(const CatalogRow *row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(row->tuple, row->desc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* Column col, a text[], as a List of C strings (NIL for NULL). */
static List *
row_texts(const CatalogRow *row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(row->tuple, row->desc, col, &isnull);

	return isnull ? NIL : TextArrayToList(DatumGetArrayTypeP(d), "catalog array");
}

/* Column col, a name, as a C string, or NULL. */
static char *
row_name(const CatalogRow *row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(row->tuple, row->desc, col, &isnull);

	return isnull ? NULL : pstrdup(NameStr(*DatumGetName(d)));
}

/* Column col of a by-value type (false, 0 for NULL). */
static Datum
row_datum(const CatalogRow *row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(row->tuple, row->desc, col, &isnull);

	return isnull ? (Datum) 0 : d;
}

#define row_bool(row, col)		DatumGetBool(row_datum(row, col))
#define row_int32(row, col)		DatumGetInt32(row_datum(row, col))
#define row_int64(row, col)		DatumGetInt64(row_datum(row, col))
#define row_timestamp(row, col) DatumGetTimestampTz(row_datum(row, col))

/* Readers for queries of one column. */
static void
read_text_list(const CatalogRow *row, void *arg)
{
	List	  **list = arg;

	*list = lappend(*list, row_text(row, 1));
}

static void
read_one_datum(const CatalogRow *row, void *arg)
{
	*(Datum *) arg = row_datum(row, 1);
}

static void
read_one_text(const CatalogRow *row, void *arg)
{
	*(char **) arg = row_text(row, 1);
}

static Datum
cstring_array(const char **strings, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(strings[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * Take the advisory lock that serializes changes to the graph and the
 * applied set, until the end of the transaction.
 *
 * Under REPEATABLE READ or SERIALIZABLE the transaction's snapshot may
 * predate the lock, so a concurrent upgrade would go unseen: refused.
 */
void
CatalogLock(void)
{
	LOCKTAG		tag;

	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_ISOLATION_LEVEL),
				 errmsg("cannot change revisions or the applied set at isolation level %s",
						XactIsoLevel == XACT_SERIALIZABLE ? "SERIALIZABLE" : "REPEATABLE READ"),
				 errdetail("Its snapshot could predate a concurrent migration, which would then be applied twice."),
				 errhint("Run it at READ COMMITTED, the default.")));
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, MIGRATE_LOCK_KEY1,
						 MIGRATE_LOCK_KEY2, 2);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/*
 * The backend's copy of the graph, and the catalog version it was read at.
 * A graph that is replaced may still be in use by an outer call (revision
 * SQL can call migrate's functions), so its memory is handed to the
 * transaction rather than freed at once.
 */
static RevisionGraph *cached_graph = NULL;
static MemoryContext cached_graph_context = NULL;
static Oid	cached_graph_relid = InvalidOid;
static int64 cached_graph_version = 0;

/* Forget the backend's copy of the graph (its memory goes with the xact). */
static void
forget_graph(void)
{
	if (cached_graph_context != NULL)
		MemoryContextSetParent(cached_graph_context, TopTransactionContext);
	cached_graph = NULL;
	cached_graph_context = NULL;
}

/*
 * migrate.catalog_changed(): statement trigger on the catalog tables.
 *
 * Drops this backend's copy of the graph, and gives migrate.state a new
 * version unless this (sub)transaction already did: other backends see the
 * change only at commit, together with the new version.  Deletes the
 * "everything applied" note (migrate.settled) and, when the revisions
 * changed (not only the applied set), the note of the folder last loaded
 * (migrate.loaded_folder), unless this transaction wrote it: see
 * CatalogNoteFolder.
 */
PG_FUNCTION_INFO_V1(migrate_catalog_changed);

Datum
migrate_catalog_changed(PG_FUNCTION_ARGS)
{
	static const char *const unsettle_sql = "DELETE FROM migrate.settled";
	static const char *const bump_sql =
	"UPDATE migrate.state"
	" SET version = pg_catalog.nextval('migrate.state_version_seq')"
	" WHERE xmin OPERATOR(pg_catalog.<>) $1";
	static const char *const unload_sql =
	"DELETE FROM migrate.loaded_folder WHERE xmin OPERATOR(pg_catalog.<>) $1";
	Oid			types[1] = {XIDOID};
	Datum		values[1];
	CatalogAccess access;
	bool		revisions;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("migrate.catalog_changed() must be called as a trigger")));
	revisions = strcmp(RelationGetRelationName(((TriggerData *) fcinfo->context)->tg_relation),
					   "applied") != 0;
	forget_graph();
	values[0] = TransactionIdGetDatum(GetCurrentTransactionId());
	catalog_begin(&access);
	run_generic(bump_sql, 1, types, values, NULL, SPI_OK_UPDATE);
	if (catalog_has("settled"))
		run(unsettle_sql, 0, NULL, NULL, NULL, false, SPI_OK_DELETE);
	/* the note of the transaction that loads the folder stays */
	if (revisions && catalog_has("loaded_folder"))
		run_generic(unload_sql, 1, types, values, NULL, SPI_OK_DELETE);
	catalog_end(&access);
	return PointerGetDatum(NULL);
}

/*
 * The whole graph with the applied flags, validated (cycles refused).
 * Callers must not change it, unless they ask for a private copy.
 */
RevisionGraph *
CatalogLoadGraph(bool private)
{
	static const char *const version_sql =
	"SELECT version FROM migrate.state";
	Oid			relid;
	int64		version;
	MemoryContext context;
	MemoryContext old;
	RevisionGraph *g;

	Datum		d = (Datum) 0;

	(void) read_rows(version_sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_one_datum, &d);
	version = DatumGetInt64(d);
	relid = get_relname_relid("state", get_namespace_oid("migrate", false));

	if (!private && cached_graph != NULL && version != 0 &&
		relid == cached_graph_relid && version == cached_graph_version)
		return cached_graph;
	if (private)
		return read_graph();

	/* build in a context of its own, kept only if the build succeeds */
	context = AllocSetContextCreate(CurrentMemoryContext, "migrate graph",
									ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(context);
	g = read_graph();
	MemoryContextSwitchTo(old);
	MemoryContextSetParent(context, CacheMemoryContext);

	forget_graph();
	cached_graph = g;
	cached_graph_context = context;
	cached_graph_relid = relid;
	cached_graph_version = version;
	return g;
}

/* Columns of read_graph's revision query. */
enum
{
	NODE_ID = 1, NODE_MESSAGE, NODE_TRANSACTIONAL, NODE_LABELS,
	NODE_APPLIED_AT, NODE_APPLIED_BY
};

/* read_rows reader: a revision of the graph. */
static void
read_node(const CatalogRow *row, void *arg)
{
	RevisionGraph *g = arg;
	List	   *labels = row_texts(row, NODE_LABELS);
	char	  **label_array = NULL;
	int			node;
	ListCell   *lc;
	int			k = 0;

	if (labels != NIL)
	{
		label_array = palloc(sizeof(char *) * list_length(labels));
		foreach(lc, labels)
			label_array[k++] = lfirst(lc);
	}
	node = GraphAddNode(g, row_text(row, NODE_ID), row_text(row, NODE_MESSAGE),
						row_bool(row, NODE_TRANSACTIONAL), label_array, k);
	g->nodes[node].applied = !row_isnull(row, NODE_APPLIED_AT);
	g->nodes[node].applied_at = row_timestamp(row, NODE_APPLIED_AT);
	g->nodes[node].applied_by = row_name(row, NODE_APPLIED_BY);
}

/* An edge of the graph, as read_edge reads it. */
typedef struct EdgeRead
{
	RevisionGraph *g;
	bool		parent;			/* migrate.parent, or migrate.dependency */
} EdgeRead;

/* read_rows reader: an edge (revision, parent or dependency) of the graph. */
static void
read_edge(const CatalogRow *row, void *arg)
{
	EdgeRead   *e = arg;
	char	   *rev = row_text(row, 1);
	char	   *other = row_text(row, 2);
	int			node = GraphFind(e->g, rev);

	if (node < 0 || GraphFind(e->g, other) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("migrate catalog is inconsistent"),
				 errdetail("Table migrate.%s has an edge from \"%s\" to \"%s\", and revision \"%s\" does not exist.",
						   e->parent ? "parent" : "dependency", rev, other,
						   node < 0 ? rev : other),
				 errhint("Restore the missing row of migrate.revision, or delete the edge.")));
	if (e->parent)
		GraphAddParent(e->g, node, other);
	else
		GraphAddDependency(e->g, node, other);
	pfree(rev);
	pfree(other);
}

/* Read the graph from the catalog into the current memory context. */
static RevisionGraph *
read_graph(void)
{
	static const char *const revisions_sql =
	"SELECT r.id, r.message, r.transactional, r.branch_labels,"
	" a.applied_at, a.applied_by"
	" FROM migrate.revision r LEFT JOIN migrate.applied a"
	" ON a.revision OPERATOR(pg_catalog.=) r.id"
	" ORDER BY r.seq";
	static const char *const parents_sql =
	"SELECT revision, parent FROM migrate.parent ORDER BY position";
	static const char *const deps_sql =
	"SELECT revision, dependency FROM migrate.dependency ORDER BY position";
	RevisionGraph *g = GraphCreate(0);
	EdgeRead	parents;
	EdgeRead	deps;

	(void) read_rows(revisions_sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_node, g);
	parents.g = deps.g = g;
	parents.parent = true;
	deps.parent = false;
	(void) read_rows(parents_sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_edge, &parents);
	(void) read_rows(deps_sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_edge, &deps);
	GraphFinish(g);
	return g;
}

/* Columns of REVISION_COLUMNS. */
enum
{
	REV_ID = 1, REV_MESSAGE, REV_UPGRADE, REV_DOWNGRADE, REV_TRANSACTIONAL,
	REV_CHECKSUM, REV_LABELS, REV_CREATED_AT, REV_CREATED_BY, REV_PARENTS,
	REV_DEPENDS_ON, REV_APPLIED_CHECKSUM
};

/* read_rows reader: a CatalogRevision appended to the List *arg. */
static void
read_revision(const CatalogRow *row, void *arg)
{
	List	  **list = arg;
	CatalogRevision *r = palloc0(sizeof(CatalogRevision));

	r->id = row_text(row, REV_ID);
	r->message = row_text(row, REV_MESSAGE);
	r->upgrade = row_text(row, REV_UPGRADE);
	r->downgrade = row_text(row, REV_DOWNGRADE);
	r->transactional = row_bool(row, REV_TRANSACTIONAL);
	r->checksum = row_text(row, REV_CHECKSUM);
	r->labels = row_texts(row, REV_LABELS);
	r->created_at = row_timestamp(row, REV_CREATED_AT);
	r->created_by = row_name(row, REV_CREATED_BY);
	r->parents = row_texts(row, REV_PARENTS);
	r->depends_on = row_texts(row, REV_DEPENDS_ON);
	r->applied_checksum = row_text(row, REV_APPLIED_CHECKSUM);
	r->applied = r->applied_checksum != NULL;
	*list = lappend(*list, r);
}

#define REVISION_COLUMNS \
	"SELECT r.id, r.message, r.upgrade, r.downgrade, r.transactional," \
	" r.checksum, r.branch_labels, r.created_at, r.created_by," \
	" ARRAY(SELECT p.parent FROM migrate.parent p" \
	"       WHERE p.revision OPERATOR(pg_catalog.=) r.id ORDER BY p.position)," \
	" ARRAY(SELECT d.dependency FROM migrate.dependency d" \
	"       WHERE d.revision OPERATOR(pg_catalog.=) r.id ORDER BY d.position)," \
	" a.checksum" \
	" FROM migrate.revision r LEFT JOIN migrate.applied a" \
	" ON a.revision OPERATOR(pg_catalog.=) r.id"

/* One revision in full, or NULL if there is none with that id. */
CatalogRevision *
CatalogGetRevision(const char *id)
{
	static const char *const sql = REVISION_COLUMNS
	" WHERE r.id OPERATOR(pg_catalog.=) $1";
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(id)};
	List	   *result = NIL;

	(void) read_rows(sql, 1, types, values, NULL, SPI_OK_SELECT,
					 read_revision, &result);
	return result ? linitial(result) : NULL;
}

/* Every revision in full, in creation order (for migrate_check). */
List *
CatalogAllRevisions(void)
{
	static const char *const sql = REVISION_COLUMNS " ORDER BY r.seq";
	List	   *result = NIL;

	(void) read_rows(sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_revision, &result);
	return result;
}

/* Run a query returning one text column; the values as a List. */
static List *
text_list_query(const char *sql, int nargs, Oid *types, Datum *values)
{
	List	   *result = NIL;

	(void) read_rows(sql, nargs, types, values, NULL, SPI_OK_SELECT,
					 read_text_list, &result);
	return result;
}

/* The ids of the heads, in creation order, without loading the graph. */
List *
CatalogHeads(void)
{
	static const char *const sql =
	"SELECT r.id FROM migrate.revision r WHERE NOT EXISTS"
	" (SELECT FROM migrate.parent p WHERE p.parent OPERATOR(pg_catalog.=) r.id)"
	" ORDER BY r.seq";

	return text_list_query(sql, 0, NULL, NULL);
}

/* Applied rows that name no revision (only a manual edit makes them). */
List *
CatalogDanglingApplied(void)
{
	static const char *const sql =
	"SELECT a.revision FROM migrate.applied a WHERE NOT EXISTS"
	" (SELECT FROM migrate.revision r WHERE r.id OPERATOR(pg_catalog.=) a.revision)"
	" ORDER BY 1";

	return text_list_query(sql, 0, NULL, NULL);
}

/* Ids that start with prefix, at most a few. */
List *
CatalogMatchPrefix(const char *prefix)
{
	static const char *const sql =
	"SELECT id FROM migrate.revision"
	" WHERE pg_catalog.left(id, pg_catalog.length($1)) OPERATOR(pg_catalog.=) $1"
	" ORDER BY seq LIMIT 10";
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(prefix)};

	return text_list_query(sql, 1, types, values);
}

/*
 * The revision that carries "label" as a branch label or as its id, or
 * NULL.  Labels and ids share one namespace.
 */
char *
CatalogLabelOwner(const char *label)
{
	static const char *const sql =
	"(SELECT id FROM migrate.revision WHERE id OPERATOR(pg_catalog.=) $1)"
	" UNION ALL"
	" (SELECT id FROM migrate.revision"
	"  WHERE branch_labels OPERATOR(pg_catalog.@>) ARRAY[$1])"
	" LIMIT 1";
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(label)};
	List	   *ids = text_list_query(sql, 1, types, values);

	return ids ? linitial(ids) : NULL;
}

/*
 * Insert the revision, or (exists) replace its row and edges.  The spec has
 * been validated: parents and depends_on are full ids.
 */
void
CatalogStoreRevision(RevisionSpec *spec, const char *checksum, bool exists)
{
	static const char *const old_insert_sql =
	"INSERT INTO migrate.revision (id, message, upgrade, downgrade,"
	" transactional, checksum, branch_labels, created_by)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
	static const char *const old_update_sql =
	"UPDATE migrate.revision SET message = $2, upgrade = $3, downgrade = $4,"
	" transactional = $5, checksum = $6, branch_labels = $7"
	" WHERE id OPERATOR(pg_catalog.=) $1";
	static const char *const insert_sql =
	"INSERT INTO migrate.revision (id, message, upgrade, downgrade,"
	" transactional, checksum, branch_labels, created_by, upgrade_line,"
	" downgrade_line)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
	static const char *const update_sql =
	"UPDATE migrate.revision SET message = $2, upgrade = $3, downgrade = $4,"
	" transactional = $5, checksum = $6, branch_labels = $7,"
	" upgrade_line = $9, downgrade_line = $10"
	" WHERE id OPERATOR(pg_catalog.=) $1";
	static const char *const delete_parents_sql =
	"DELETE FROM migrate.parent WHERE revision OPERATOR(pg_catalog.=) $1";
	static const char *const delete_deps_sql =
	"DELETE FROM migrate.dependency WHERE revision OPERATOR(pg_catalog.=) $1";
	static const char *const insert_parents_sql =
	"INSERT INTO migrate.parent (revision, parent, position)"
	" SELECT $1, p, n FROM pg_catalog.unnest($2::pg_catalog.text[])"
	" WITH ORDINALITY AS u(p, n)";
	static const char *const insert_deps_sql =
	"INSERT INTO migrate.dependency (revision, dependency, position)"
	" SELECT $1, d, n FROM pg_catalog.unnest($2::pg_catalog.text[])"
	" WITH ORDINALITY AS u(d, n)";
	Oid			types[10] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, BOOLOID,
	TEXTOID, TEXTARRAYOID, NAMEOID, INT4OID, INT4OID};
	Datum		values[10];
	Oid			edge_types[2] = {TEXTOID, TEXTARRAYOID};
	Datum		edge_values[2];
	char	   *creator = GetUserNameFromId(GetUserId(), false);
	CatalogAccess access;
	bool		lines = revision_has_lines();

	values[0] = CStringGetTextDatum(spec->id);
	values[1] = CStringGetTextDatum(spec->message);
	values[2] = CStringGetTextDatum(spec->upgrade);
	values[3] = CStringGetTextDatum(spec->downgrade);
	values[4] = BoolGetDatum(spec->transactional);
	values[5] = CStringGetTextDatum(checksum);
	values[6] = TextArrayFromList(spec->labels);
	values[7] = DirectFunctionCall1(namein, CStringGetDatum(creator));
	values[8] = Int32GetDatum(Max(spec->upgrade_line, 1));
	values[9] = Int32GetDatum(Max(spec->downgrade_line, 1));
	edge_values[0] = values[0];

	catalog_begin(&access);
	if (exists)
	{
		run(lines ? update_sql : old_update_sql, lines ? 10 : 7, types,
			values, NULL, false, SPI_OK_UPDATE);
		run(delete_parents_sql, 1, types, values, NULL, false, SPI_OK_DELETE);
		run(delete_deps_sql, 1, types, values, NULL, false, SPI_OK_DELETE);
	}
	else
		run(lines ? insert_sql : old_insert_sql, lines ? 10 : 8, types,
			values, NULL, false, SPI_OK_INSERT);
	edge_values[1] = TextArrayFromList(spec->parents);
	run(insert_parents_sql, 2, edge_types, edge_values, NULL, false,
		SPI_OK_INSERT);
	edge_values[1] = TextArrayFromList(spec->depends_on);
	run(insert_deps_sql, 2, edge_types, edge_values, NULL, false,
		SPI_OK_INSERT);
	catalog_end(&access);
}

/* read_rows reader: the two section lines of a revision. */
static void
read_section_lines(const CatalogRow *row, void *arg)
{
	int		   *lines = arg;

	if (!row_isnull(row, 1))
		lines[0] = row_int32(row, 1);
	if (!row_isnull(row, 2))
		lines[1] = row_int32(row, 2);
}

/*
 * The line of its revision file where the upgrade SQL (downgrade SQL) of
 * revision id starts: its statements' lines count from there.  1 for a
 * revision that did not come from a file, or that is not stored.
 */
int
CatalogSectionLine(const char *id, bool upgrade)
{
	int			lines[2];

	CatalogSectionLines(id, &lines[0], &lines[1]);
	return upgrade ? lines[0] : lines[1];
}

/* Both lines of CatalogSectionLine, in one query. */
void
CatalogSectionLines(const char *id, int *upgrade_line, int *downgrade_line)
{
	static const char *const sql =
	"SELECT upgrade_line, downgrade_line FROM migrate.revision"
	" WHERE id OPERATOR(pg_catalog.=) $1";
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	int			lines[2] = {1, 1};

	if (revision_has_lines())
	{
		values[0] = CStringGetTextDatum(id);
		(void) read_rows(sql, 1, types, values, NULL, SPI_OK_SELECT,
						 read_section_lines, lines);
	}
	*upgrade_line = lines[0];
	*downgrade_line = lines[1];
}

/* Where read_scripts puts the scripts of CatalogGetScripts. */
typedef struct ScriptsRead
{
	char	  **upgrade;
	char	  **downgrade;
	int		   *lines;
	bool	   *found;
} ScriptsRead;

enum
{
	SCRIPT_POSITION = 1, SCRIPT_UPGRADE, SCRIPT_DOWNGRADE, SCRIPT_LINE
};

/* read_rows reader: the scripts of one revision, at its position. */
static void
read_scripts(const CatalogRow *row, void *arg)
{
	ScriptsRead *read = arg;
	int64		pos = row_int64(row, SCRIPT_POSITION) - 1;

	read->found[pos] = true;
	if (read->upgrade)
		read->upgrade[pos] = row_text(row, SCRIPT_UPGRADE);
	if (read->downgrade)
		read->downgrade[pos] = row_text(row, SCRIPT_DOWNGRADE);
	if (read->lines)
		read->lines[pos] = row_int32(row, SCRIPT_LINE);
}

/*
 * The scripts of the given revisions, in the same order: their upgrade SQL
 * into upgrade[], their downgrade SQL into downgrade[] (arrays of n, either
 * may be NULL), in one query.  lines[], unless NULL: the line of each
 * revision's file where the section of the direction of "upgrade" starts
 * (CatalogSectionLine).
 */
void
CatalogGetScripts(const char **ids, int n, char **upgrade, char **downgrade,
				  int *lines, bool upgrade_lines)
{
	static const char *const sql =
	"SELECT u.n, r.upgrade, r.downgrade, 1"
	" FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY AS u(id, n)"
	" JOIN migrate.revision r ON r.id OPERATOR(pg_catalog.=) u.id";
	static const char *const upgrade_lines_sql =
	"SELECT u.n, r.upgrade, r.downgrade, r.upgrade_line"
	" FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY AS u(id, n)"
	" JOIN migrate.revision r ON r.id OPERATOR(pg_catalog.=) u.id";
	static const char *const downgrade_lines_sql =
	"SELECT u.n, r.upgrade, r.downgrade, r.downgrade_line"
	" FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY AS u(id, n)"
	" JOIN migrate.revision r ON r.id OPERATOR(pg_catalog.=) u.id";
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
	ScriptsRead read = {upgrade, downgrade, lines, palloc0(sizeof(bool) * Max(n, 1))};

	values[0] = cstring_array(ids, n);
	(void) read_rows(lines == NULL || !revision_has_lines() ? sql :
					 upgrade_lines ? upgrade_lines_sql : downgrade_lines_sql,
					 1, types, values, NULL, SPI_OK_SELECT, read_scripts, &read);
	for (int i = 0; i < n; i++)
		if (!read.found[i])
			elog(ERROR, "revision \"%s\" vanished", ids[i]);
}

/* Has migrate.log the effects column (0.2.0)? */
static bool
log_has_effects(void)
{
	Oid			log = get_relname_relid("log", get_namespace_oid("migrate", false));

	return get_attnum(log, "effects") != InvalidAttrNumber;
}

/*
 * Record what a call did: the applied set changes and one log row per
 * step, with its effects (what the revision created, altered and dropped,
 * as the guard's event triggers saw it), in three statements whatever the
 * number of steps.
 */
void
CatalogRecordSteps(CatalogStep *steps, int n)
{
	static const char *const apply_sql =
	"INSERT INTO migrate.applied (revision, checksum, applied_at, applied_by, stamped)"
	" SELECT r.id, r.checksum, pg_catalog.now(), $2, u.stamped"
	" FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
	" pg_catalog.unnest($3::pg_catalog.bool[])) AS u(id, stamped)"
	" JOIN migrate.revision r ON r.id OPERATOR(pg_catalog.=) u.id";
	static const char *const unapply_sql =
	"DELETE FROM migrate.applied"
	" WHERE revision OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])";
	static const char *const log_sql =
	"INSERT INTO migrate.log (revision, direction, stamped, role, started_at,"
	" duration, statements, outcome, allowances)"
	" SELECT u.id, CASE WHEN u.up THEN 'upgrade' ELSE 'downgrade' END,"
	" u.stamped, $2, u.started_at,"
	" pg_catalog.make_interval(secs => u.us::pg_catalog.float8 OPERATOR(pg_catalog./) 1000000),"
	" u.statements, 'success', u.allowances::pg_catalog.jsonb"
	" FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
	" pg_catalog.unnest($3::pg_catalog.bool[]), pg_catalog.unnest($4::pg_catalog.bool[]),"
	" pg_catalog.unnest($5::pg_catalog.timestamptz[]), pg_catalog.unnest($6::pg_catalog.int8[]),"
	" pg_catalog.unnest($7::pg_catalog.int4[]), pg_catalog.unnest($8::pg_catalog.text[]))"
	" AS u(id, up, stamped, started_at, us, statements, allowances)";
	static const char *const log_effects_sql =
	"INSERT INTO migrate.log (revision, direction, stamped, role, started_at,"
	" duration, statements, outcome, allowances, effects)"
	" SELECT u.id, CASE WHEN u.up THEN 'upgrade' ELSE 'downgrade' END,"
	" u.stamped, $2, u.started_at,"
	" pg_catalog.make_interval(secs => u.us::pg_catalog.float8 OPERATOR(pg_catalog./) 1000000),"
	" u.statements, 'success', u.allowances::pg_catalog.jsonb, u.effects::pg_catalog.jsonb"
	" FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
	" pg_catalog.unnest($3::pg_catalog.bool[]), pg_catalog.unnest($4::pg_catalog.bool[]),"
	" pg_catalog.unnest($5::pg_catalog.timestamptz[]), pg_catalog.unnest($6::pg_catalog.int8[]),"
	" pg_catalog.unnest($7::pg_catalog.int4[]), pg_catalog.unnest($8::pg_catalog.text[]),"
	" pg_catalog.unnest($9::pg_catalog.text[]))"
	" AS u(id, up, stamped, started_at, us, statements, allowances, effects)";
	Oid			types[9] = {TEXTARRAYOID, NAMEOID, BOOLARRAYOID, BOOLARRAYOID,
	TIMESTAMPTZARRAYOID, INT8ARRAYOID, INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[9];
	const char **all_ids = palloc(sizeof(char *) * Max(n, 1));
	const char **up_ids = palloc(sizeof(char *) * Max(n, 1));
	const char **down_ids = palloc(sizeof(char *) * Max(n, 1));
	Datum	   *up_stamped = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *ups = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *stamped = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *started = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *us = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *stmts = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *allowances = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *no_allowances = palloc(sizeof(bool) * Max(n, 1));
	Datum	   *effects = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *no_effects = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int			nup = 0,
				ndown = 0;
	char	   *role = GetUserNameFromId(GetUserId(), false);
	CatalogAccess access;

	if (n == 0)
		return;
	for (int i = 0; i < n; i++)
	{
		all_ids[i] = steps[i].id;
		ups[i] = BoolGetDatum(steps[i].upgrade);
		stamped[i] = BoolGetDatum(steps[i].stamped);
		started[i] = TimestampTzGetDatum(steps[i].started_at);
		us[i] = Int64GetDatum(steps[i].duration_us);
		stmts[i] = Int32GetDatum(steps[i].statements);
		no_allowances[i] = (steps[i].allowances == NULL);
		allowances[i] = no_allowances[i] ? (Datum) 0 :
			CStringGetTextDatum(steps[i].allowances);
		no_effects[i] = (steps[i].effects == NULL);
		effects[i] = no_effects[i] ? (Datum) 0 :
			CStringGetTextDatum(steps[i].effects);
		if (steps[i].upgrade)
		{
			up_stamped[nup] = stamped[i];
			up_ids[nup++] = steps[i].id;
		}
		else
			down_ids[ndown++] = steps[i].id;
	}
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(role));
	session_recorded |= (n > 0);

	catalog_begin(&access);
	if (ndown > 0)
	{
		values[0] = cstring_array(down_ids, ndown);
		if (run_generic(unapply_sql, 1, types, values, NULL,
						SPI_OK_DELETE) != ndown)
			elog(ERROR, "applied set changed during the call");
	}
	if (nup > 0)
	{
		values[0] = cstring_array(up_ids, nup);
		values[2] = PointerGetDatum(construct_array(up_stamped, nup, BOOLOID,
													1, true, TYPALIGN_CHAR));
		if (run_generic(apply_sql, 3, types, values, NULL,
						SPI_OK_INSERT) != nup)
			elog(ERROR, "applied set changed during the call");
	}
	values[0] = cstring_array(all_ids, n);
	values[2] = PointerGetDatum(construct_array(ups, n, BOOLOID, 1, true,
												TYPALIGN_CHAR));
	values[3] = PointerGetDatum(construct_array(stamped, n, BOOLOID, 1, true,
												TYPALIGN_CHAR));
	values[4] = PointerGetDatum(construct_array(started, n, TIMESTAMPTZOID,
												sizeof(TimestampTz), FLOAT8PASSBYVAL,
												TYPALIGN_DOUBLE));
	values[5] = PointerGetDatum(construct_array(us, n, INT8OID, 8,
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[6] = PointerGetDatum(construct_array(stmts, n, INT4OID, 4, true,
												TYPALIGN_INT));
	values[7] = PointerGetDatum(construct_md_array(allowances, no_allowances,
												   1, dims, lbs, TEXTOID, -1,
												   false, TYPALIGN_INT));
	values[8] = PointerGetDatum(construct_md_array(effects, no_effects,
												   1, dims, lbs, TEXTOID, -1,
												   false, TYPALIGN_INT));
	/* the 0.1.0 catalog, before ALTER EXTENSION UPDATE, has no effects */
	if (log_has_effects())
		run_generic(log_effects_sql, 9, types, values, NULL, SPI_OK_INSERT);
	else
		run_generic(log_sql, 8, types, values, NULL, SPI_OK_INSERT);
	catalog_end(&access);
}

/* The owner of schema migrate: the role bookkeeping runs as. */
Oid
CatalogOwner(void)
{
	Oid			nsp = get_namespace_oid("migrate", false);
	HeapTuple	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for namespace %u", nsp);
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * The INSERT that records a failed revision in migrate.log, with literal
 * values, to run in a transaction of its own (worker.c): the failed
 * transaction cannot keep it.
 */
char *
CatalogFailureSql(const CatalogFailure *f)
{
	char	   *role = GetUserNameFromId(GetUserId(), false);

	return psprintf("INSERT INTO migrate.log (revision, direction, stamped, role,"
					" started_at, duration, statements, outcome, failed_statement,"
					" sqlstate, error, detail, statement_text)"
					" VALUES (%s, '%s', false, %s, %s, pg_catalog.make_interval(secs => %s),"
					" %d, 'failure', %d, %s, %s, %s, %s)",
					quote_literal_cstr(f->id), f->upgrade ? "upgrade" : "downgrade",
					quote_literal_cstr(role),
					quote_literal_cstr(timestamptz_to_str(f->started_at)),
					psprintf("%.6f", f->duration_us / 1000000.0),
					f->statement - 1, f->statement,
					quote_literal_cstr(unpack_sql_state(f->sqlerrcode)),
					quote_literal_cstr(f->message),
					f->detail ? quote_literal_cstr(f->detail) : "NULL",
					f->statement_text ? quote_literal_cstr(f->statement_text) : "NULL");
}

/*
 * Record, in the current transaction, that a statement of a revision is
 * retried after failing to get a lock; detail names the blockers.
 */
void
CatalogRecordRetry(const char *id, bool upgrade, int statement,
				   const char *detail)
{
	static const char *const sql =
	"INSERT INTO migrate.log (revision, direction, stamped, role, started_at,"
	" duration, statements, outcome, failed_statement, sqlstate, detail)"
	" VALUES ($1, $2, false, $3, pg_catalog.clock_timestamp(), '0', 0, 'retry',"
	" $4, '55P03', $5)";
	Oid			types[5] = {TEXTOID, TEXTOID, NAMEOID, INT4OID, TEXTOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', detail ? ' ' : 'n'};
	char	   *role = GetUserNameFromId(GetUserId(), false);
	CatalogAccess access;

	values[0] = CStringGetTextDatum(id);
	values[1] = CStringGetTextDatum(upgrade ? "upgrade" : "downgrade");
	values[2] = DirectFunctionCall1(namein, CStringGetDatum(role));
	values[3] = Int32GetDatum(statement);
	values[4] = detail ? CStringGetTextDatum(detail) : (Datum) 0;
	catalog_begin(&access);
	run(sql, 5, types, values, nulls, false, SPI_OK_INSERT);
	catalog_end(&access);
}

/*
 * Does schema migrate have this table?  A library newer than the catalog
 * (before ALTER EXTENSION migrate UPDATE) works without the tables a later
 * version added.
 */
static bool
catalog_has(const char *table)
{
	Oid			nsp = get_namespace_oid("migrate", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid(table, nsp));
}

/*
 * Does migrate.revision have the section lines of version 0.2.0?  Not
 * before ALTER EXTENSION migrate UPDATE.
 */
static bool
revision_has_lines(void)
{
	Oid			nsp = get_namespace_oid("migrate", true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid("revision", nsp) : InvalidOid;

	return OidIsValid(rel) &&
		get_attnum(rel, "upgrade_line") != InvalidAttrNumber;
}

/*
 * Progress within a non-transactional revision (migrate.progress): the
 * number of its stretches, counted from the first, that earlier runs
 * committed for this direction and this SQL (checksum); 0 if none.
 */
int
CatalogProgress(const char *id, bool upgrade, const char *checksum)
{
	static const char *const sql =
	"SELECT pg_catalog.max(stretch) FROM migrate.progress"
	" WHERE revision OPERATOR(pg_catalog.=) $1 AND direction OPERATOR(pg_catalog.=) $2"
	"   AND checksum OPERATOR(pg_catalog.=) $3";
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	Datum		done = (Datum) 0;	/* 0 for NULL: no stretch committed */

	if (!catalog_has("progress"))
		return 0;
	values[0] = CStringGetTextDatum(id);
	values[1] = CStringGetTextDatum(upgrade ? "upgrade" : "downgrade");
	values[2] = CStringGetTextDatum(checksum);
	(void) read_rows(sql, 3, types, values, NULL, SPI_OK_SELECT,
					 read_one_datum, &done);
	return DatumGetInt32(done);
}

/*
 * Record that a stretch of a non-transactional revision committed: in the
 * stretch's own transaction when it has several statements, right after
 * it otherwise (worker.c, migrate_progress for the client); with the
 * effects of its statements (a JSON array, or NULL), as the guard saw them
 * in the session that ran them.
 */
void
CatalogRecordProgress(const char *id, bool upgrade, const char *checksum,
					  int stretch, int statements, const char *effects)
{
	static const char *const sql =
	"INSERT INTO migrate.progress (revision, direction, checksum, stretch, statements, role, effects)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7::pg_catalog.jsonb)"
	" ON CONFLICT (revision, direction, stretch) DO UPDATE"
	" SET checksum = excluded.checksum, statements = excluded.statements,"
	" role = excluded.role, done_at = pg_catalog.now(), effects = excluded.effects";
	Oid			types[7] = {TEXTOID, TEXTOID, TEXTOID, INT4OID, INT4OID, NAMEOID, TEXTOID};
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', effects ? ' ' : 'n'};
	CatalogAccess access;

	if (!catalog_has("progress"))
		return;
	values[0] = CStringGetTextDatum(id);
	values[1] = CStringGetTextDatum(upgrade ? "upgrade" : "downgrade");
	values[2] = CStringGetTextDatum(checksum);
	values[3] = Int32GetDatum(stretch);
	values[4] = Int32GetDatum(statements);
	values[5] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	values[6] = effects ? CStringGetTextDatum(effects) : (Datum) 0;
	catalog_begin(&access);
	run(sql, 7, types, values, nulls, false, SPI_OK_INSERT);
	catalog_end(&access);
}

/*
 * The effects of a non-transactional revision run stretch by stretch (by
 * a worker or a client): those recorded with its committed stretches of
 * this SQL (checksum), in stretch order, then "more" (a JSON array of what
 * ran after the last record, or NULL); a JSON array, or NULL when there
 * were none.  Read before the progress is cleared.
 */
char *
CatalogProgressEffects(const char *id, bool upgrade, const char *checksum,
					   const char *more)
{
	static const char *const sql =
	"SELECT NULLIF(COALESCE((SELECT pg_catalog.jsonb_agg(e.value ORDER BY p.stretch, e.ordinality)"
	"   FROM migrate.progress p,"
	"    pg_catalog.jsonb_array_elements(p.effects) WITH ORDINALITY e"
	"   WHERE p.revision OPERATOR(pg_catalog.=) $1 AND p.direction OPERATOR(pg_catalog.=) $2"
	"    AND p.checksum OPERATOR(pg_catalog.=) $3),"
	"  '[]'::pg_catalog.jsonb) OPERATOR(pg_catalog.||)"
	"  COALESCE($4::pg_catalog.jsonb, '[]'::pg_catalog.jsonb),"
	"  '[]'::pg_catalog.jsonb)::pg_catalog.text";
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', more ? ' ' : 'n'};
	char	   *result = NULL;

	if (!catalog_has("progress"))
		return more ? pstrdup(more) : NULL;
	values[0] = CStringGetTextDatum(id);
	values[1] = CStringGetTextDatum(upgrade ? "upgrade" : "downgrade");
	values[2] = CStringGetTextDatum(checksum);
	values[3] = more ? CStringGetTextDatum(more) : (Datum) 0;
	(void) read_rows(sql, 4, types, values, nulls, SPI_OK_SELECT,
					 read_one_text, &result);
	return result;
}

/*
 * The transaction ids of migrations (migrate.xact): the rows a row's xmin
 * points at one of them were written by a revision, so that data rules can
 * tell a history's own rows (seed data) from the application's.  Record
 * the current (sub)transaction's id and its committed children, if it
 * wrote anything: call it in the (sub)transaction that ran revision SQL,
 * right before it ends.  As 64-bit ids, with the epoch of now.
 */
void
CatalogRecordMigrationXids(void)
{
	static const char *const sql =
	"INSERT INTO migrate.xact (xid) SELECT pg_catalog.unnest($1::pg_catalog.xid8[])"
	" ON CONFLICT DO NOTHING";
	TransactionId xid = GetCurrentTransactionIdIfAny();
	TransactionId *children;
	int			nchildren = xactGetCommittedChildren(&children);
	Datum	   *ids;
	int			n = 0;
	uint32		epoch = EpochFromFullTransactionId(ReadNextFullTransactionId());
	Oid			types[1] = {XID8ARRAYOID};
	Datum		values[1];
	CatalogAccess access;

	if ((!TransactionIdIsValid(xid) && nchildren == 0) || !catalog_has("xact"))
		return;
	ids = palloc(sizeof(Datum) * (nchildren + 1));
	if (TransactionIdIsValid(xid))
		ids[n++] = FullTransactionIdGetDatum(FullTransactionIdFromEpochAndXid(epoch, xid));
	for (int i = 0; i < nchildren; i++)
		ids[n++] = FullTransactionIdGetDatum(FullTransactionIdFromEpochAndXid(epoch, children[i]));
	values[0] = PointerGetDatum(construct_array(ids, n, XID8OID, sizeof(uint64),
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	catalog_begin(&access);
	run_generic(sql, 1, types, values, NULL, SPI_OK_INSERT);
	catalog_end(&access);
}

/*
 * Is relid marked in migrate.seed_table: it held only the history's own
 * rows when a migration last changed its data (see CatalogMarkSeedTable)?
 */
bool
CatalogSeedTable(Oid relid)
{
	static const char *const sql =
	"SELECT true FROM migrate.seed_table WHERE relid OPERATOR(pg_catalog.=) $1";
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	Datum		marked = BoolGetDatum(false);

	if (!catalog_has("seed_table"))
		return false;
	(void) read_rows(sql, 1, types, values, NULL, SPI_OK_SELECT,
					 read_one_datum, &marked);
	return DatumGetBool(marked);
}

/*
 * Mark relid as holding only the history's own rows, or unmark it, right
 * before a migration changes its data, in the migration's transaction.
 * Unmarking also forgets the marks of tables dropped since.
 */
void
CatalogMarkSeedTable(Oid relid, bool seed)
{
	static const char *const mark_sql =
	"INSERT INTO migrate.seed_table (relid) VALUES ($1) ON CONFLICT DO NOTHING";
	static const char *const unmark_sql =
	"DELETE FROM migrate.seed_table WHERE relid OPERATOR(pg_catalog.=) $1"
	" OR NOT EXISTS (SELECT FROM pg_catalog.pg_class c"
	"  WHERE c.oid OPERATOR(pg_catalog.=) migrate.seed_table.relid)";
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	CatalogAccess access;

	if (!catalog_has("seed_table"))
		return;
	catalog_begin(&access);
	run(seed ? mark_sql : unmark_sql, 1, types, values, NULL, false,
		seed ? SPI_OK_INSERT : SPI_OK_DELETE);
	catalog_end(&access);
}

/*
 * Are all these transaction ids (of rows a table holds, all normal and
 * not frozen, so of this epoch or the one before) in migrate.xact?  One
 * indexed look per id, whatever the size of migrate.xact.
 */
bool
CatalogAreMigrationXids(const TransactionId *xids, int n)
{
	static const char *const sql =
	"SELECT pg_catalog.count(*) FROM migrate.xact"
	" WHERE xid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.xid8[])";
	FullTransactionId next = ReadNextFullTransactionId();
	uint32		epoch = EpochFromFullTransactionId(next);
	Datum	   *ids = palloc(sizeof(Datum) * Max(n, 1));
	Oid			types[1] = {XID8ARRAYOID};
	Datum		values[1];
	Datum		found = (Datum) 0;

	if (!catalog_has("xact"))
		return false;
	for (int i = 0; i < n; i++)
	{
		/* an id above the next one is from the epoch before */
		uint32		e = (xids[i] <= XidFromFullTransactionId(next) || epoch == 0) ?
			epoch : epoch - 1;

		ids[i] = FullTransactionIdGetDatum(FullTransactionIdFromEpochAndXid(e, xids[i]));
	}
	values[0] = PointerGetDatum(construct_array(ids, n, XID8OID, sizeof(uint64),
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	(void) read_rows(sql, 1, types, values, NULL, SPI_OK_SELECT,
					 read_one_datum, &found);
	return DatumGetInt64(found) == n;
}

/*
 * Remove an unapplied revision that nothing depends on (the caller checked,
 * under CatalogLock): the revision, its edges and progress; and log it,
 * direction "forget", with what it was (message and checksum) in detail.
 */
void
CatalogForgetRevision(const CatalogRevision *rev)
{
	static const char *const sql[] = {
		"DELETE FROM migrate.parent WHERE revision OPERATOR(pg_catalog.=) $1",
		"DELETE FROM migrate.dependency WHERE revision OPERATOR(pg_catalog.=) $1",
		"DELETE FROM migrate.revision WHERE id OPERATOR(pg_catalog.=) $1",
	};
	static const char *const log_sql =
	"INSERT INTO migrate.log (revision, direction, stamped, role, started_at,"
	" duration, statements, outcome, detail)"
	" VALUES ($1, 'forget', false, $2, pg_catalog.clock_timestamp(), '0', 0,"
	" 'success', $3)";
	Oid			types[3] = {TEXTOID, NAMEOID, TEXTOID};
	Datum		values[3];
	char	   *role = GetUserNameFromId(GetUserId(), false);
	CatalogAccess access;

	values[0] = CStringGetTextDatum(rev->id);
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(role));
	values[2] = CStringGetTextDatum(psprintf("message \"%s\", checksum %s",
											 rev->message, rev->checksum));
	catalog_begin(&access);
	for (int i = 0; i < lengthof(sql); i++)
		run(sql[i], 1, types, values, NULL, false, SPI_OK_DELETE);
	run(log_sql, 3, types, values, NULL, false, SPI_OK_INSERT);
	catalog_end(&access);
	CatalogClearProgress(rev->id);
}

/*
 * The number of heads when migrate.settled says that every revision is
 * applied and nothing changed since (see CatalogSettle); 0 when it does
 * not know.  Column 2 of migrate.settled is "heads".  The caller holds
 * CatalogLock, so the latest snapshot sees every committed change.
 */
int
CatalogSettledHeads(void)
{
	Oid			nsp = get_namespace_oid("migrate", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("settled", nsp) : InvalidOid;
	Relation	rel;
	Snapshot	snapshot;
	TableScanDesc scan;
	HeapTuple	tup;
	int			heads = 0;

	/* a plain heap scan: on a fresh connection SPI would cost more */
	if (!OidIsValid(relid))
		return 0;
	rel = table_open(relid, AccessShareLock);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	if ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, 2, RelationGetDescr(rel), &isnull);

		heads = isnull ? 0 : DatumGetInt32(d);
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	return heads;
}

/*
 * Note that every revision is applied and the graph has "heads" heads:
 * the caller read the whole graph under CatalogLock.  Any later change of
 * the graph or the applied set deletes the note (migrate_catalog_changed).
 * Skipped where nothing may be written (a read-only transaction, a
 * standby).
 */
void
CatalogSettle(int heads)
{
	static const char *const sql =
	"INSERT INTO migrate.settled (heads) VALUES ($1)"
	" ON CONFLICT (one) DO UPDATE SET heads = excluded.heads,"
	" settled_at = pg_catalog.now()";
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(heads)};
	CatalogAccess access;

	if (XactReadOnly || RecoveryInProgress() || !catalog_has("settled"))
		return;
	catalog_begin(&access);
	run(sql, 1, types, values, NULL, false, SPI_OK_INSERT);
	catalog_end(&access);
}

/*
 * Is "digest" the digest of the folder noted by CatalogNoteFolder, with
 * no change of the revisions since?  A plain heap scan, as in
 * CatalogSettledHeads: on a fresh connection SPI would cost more.
 */
bool
CatalogFolderLoaded(const char *digest)
{
	Oid			nsp = get_namespace_oid("migrate", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("loaded_folder", nsp) : InvalidOid;
	Relation	rel;
	Snapshot	snapshot;
	TableScanDesc scan;
	HeapTuple	tup;
	bool		same = false;

	if (!OidIsValid(relid))
		return false;
	rel = table_open(relid, AccessShareLock);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	if ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, 2, RelationGetDescr(rel), &isnull);

		same = !isnull && strcmp(TextDatumGetCString(d), digest) == 0;
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	return same;
}

/*
 * Note that this transaction loads the folder of this digest: called
 * before the transaction loads its files, it takes CatalogLock, so that
 * no other change of the revisions comes between the loads and the
 * commit; the loads' own changes leave the note alone (it carries this
 * transaction's xid), any later change deletes it
 * (migrate_catalog_changed).  A transaction that fails takes its note
 * with it.
 */
void
CatalogNoteFolder(const char *digest)
{
	static const char *const sql =
	"INSERT INTO migrate.loaded_folder (digest) VALUES ($1)"
	" ON CONFLICT (one) DO UPDATE SET digest = excluded.digest,"
	" loaded_at = pg_catalog.now()";
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(digest)};
	CatalogAccess access;

	if (!catalog_has("loaded_folder"))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("noting the loaded folder needs migrate 0.2.0"),
				 errhint("Run ALTER EXTENSION migrate UPDATE.")));
	CatalogLock();
	catalog_begin(&access);
	run(sql, 1, types, values, NULL, false, SPI_OK_INSERT);
	catalog_end(&access);
}

/* The squashed revision that replaced id (migrate.replaced), or NULL. */
char *
CatalogReplacedBy(const char *id)
{
	static const char *const sql =
	"SELECT replaced_by FROM migrate.replaced WHERE revision OPERATOR(pg_catalog.=) $1";
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(id)};
	char	   *by = NULL;

	if (!catalog_has("replaced"))
		return NULL;
	(void) read_rows(sql, 1, types, values, NULL, SPI_OK_SELECT,
					 read_one_text, &by);
	return by;
}

/*
 * Make revision "by" (stored already) stand for the revisions "replaced"
 * (the caller checked, under CatalogLock, that they are all applied or
 * none is): edges of other revisions that name one of them name "by"
 * instead, their own rows go (edges, applied rows, progress), and
 * migrate.replaced maps each id to "by".
 */
void
CatalogReplace(const char *by, List *replaced)
{
	static const char *const sql[] = {
		"INSERT INTO migrate.parent (revision, parent, position)"
		" SELECT p.revision, $1, pg_catalog.min(p.position) FROM migrate.parent p"
		" WHERE p.parent OPERATOR(pg_catalog.=) ANY ($2)"
		"   AND p.revision OPERATOR(pg_catalog.<>) ALL ($2)"
		" GROUP BY p.revision ON CONFLICT DO NOTHING",
		"INSERT INTO migrate.dependency (revision, dependency, position)"
		" SELECT d.revision, $1, pg_catalog.min(d.position) FROM migrate.dependency d"
		" WHERE d.dependency OPERATOR(pg_catalog.=) ANY ($2)"
		"   AND d.revision OPERATOR(pg_catalog.<>) ALL ($2)"
		" GROUP BY d.revision ON CONFLICT DO NOTHING",
		"DELETE FROM migrate.parent WHERE parent OPERATOR(pg_catalog.=) ANY ($2)"
		" OR revision OPERATOR(pg_catalog.=) ANY ($2)",
		"DELETE FROM migrate.dependency WHERE dependency OPERATOR(pg_catalog.=) ANY ($2)"
		" OR revision OPERATOR(pg_catalog.=) ANY ($2)",
		"DELETE FROM migrate.applied WHERE revision OPERATOR(pg_catalog.=) ANY ($2)",
		"DELETE FROM migrate.progress WHERE revision OPERATOR(pg_catalog.=) ANY ($2)",
		"DELETE FROM migrate.revision WHERE id OPERATOR(pg_catalog.=) ANY ($2)",
		"INSERT INTO migrate.replaced (revision, replaced_by)"
		" SELECT pg_catalog.unnest($2), $1"
		" ON CONFLICT (revision) DO UPDATE SET replaced_by = excluded.replaced_by,"
		" replaced_at = pg_catalog.now()",
	};
	static const int expected[] = {
		SPI_OK_INSERT, SPI_OK_INSERT, SPI_OK_DELETE, SPI_OK_DELETE,
		SPI_OK_DELETE, SPI_OK_DELETE, SPI_OK_DELETE, SPI_OK_INSERT
	};
	Oid			types[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2];
	const char **ids = palloc(sizeof(char *) * Max(list_length(replaced), 1));
	ListCell   *lc;
	CatalogAccess access;

	if (!catalog_has("replaced"))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("squashed revisions need migrate 0.2.0"),
				 errhint("Run ALTER EXTENSION migrate UPDATE.")));
	foreach(lc, replaced)
		ids[foreach_current_index(lc)] = lfirst(lc);
	values[0] = CStringGetTextDatum(by);
	values[1] = cstring_array(ids, list_length(replaced));
	catalog_begin(&access);
	for (int i = 0; i < lengthof(sql); i++)
		run(sql[i], 2, types, values, NULL, false, expected[i]);
	catalog_end(&access);
}

/* Forget the progress of a revision whose step is now recorded. */
void
CatalogClearProgress(const char *id)
{
	static const char *const sql =
	"DELETE FROM migrate.progress WHERE revision OPERATOR(pg_catalog.=) $1";
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	CatalogAccess access;

	if (!catalog_has("progress"))
		return;
	values[0] = CStringGetTextDatum(id);
	catalog_begin(&access);
	run(sql, 1, types, values, NULL, false, SPI_OK_DELETE);
	catalog_end(&access);
}

/* Did this session record steps since CatalogSessionLock(true)? */
bool
CatalogSessionRecorded(void)
{
	return session_recorded;
}

/*
 * Take (lock = true, waiting for it) or release migrate's advisory lock at
 * session level, for a client that runs revisions outside a transaction
 * block between its calls (client_support.c).  The key is CatalogLock's:
 * a session holding it at session level is granted it again at
 * transaction level, every other session waits.  Returns false when
 * releasing a lock that was not held.
 */
bool
CatalogSessionLock(bool lock)
{
	LOCKTAG		tag;

	session_recorded = false;
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, MIGRATE_LOCK_KEY1,
						 MIGRATE_LOCK_KEY2, 2);
	if (lock)
	{
		/* a runner only once the lock is granted (lock_timeout may fire) */
		(void) LockAcquire(&tag, ExclusiveLock, true, false);
		RunnerSession(true);
		return true;
	}
	RunnerSession(false);
	return LockRelease(&tag, ExclusiveLock, true);
}

/* Does this backend hold migrate's advisory lock (at either level)? */
bool
CatalogSessionLockHeld(void)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, MIGRATE_LOCK_KEY1,
						 MIGRATE_LOCK_KEY2, 2);
	return LockHeldByMe(&tag, ExclusiveLock);
}

/* read_rows reader: a CatalogRuleSetting (rule, severity) into a List. */
static void
read_rule_setting(const CatalogRow *row, void *arg)
{
	List	  **list = arg;
	CatalogRuleSetting *set = palloc(sizeof(CatalogRuleSetting));

	set->rule = row_text(row, 1);
	set->severity = row_text(row, 2);
	*list = lappend(*list, set);
}

/*
 * Per-database rule severities (migrate.rule), for the linter.
 */
List *
CatalogRuleSettings(void)
{
	static const char *const sql =
	"SELECT rule, severity FROM migrate.rule ORDER BY rule";
	List	   *result = NIL;

	(void) read_rows(sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_rule_setting, &result);
	return result;
}

/* Set a rule's severity for this database; NULL goes back to the default. */
void
CatalogSetRuleSeverity(const char *rule, const char *severity)
{
	static const char *const upsert_sql =
	"INSERT INTO migrate.rule (rule, severity, set_by) VALUES ($1, $2, $3)"
	" ON CONFLICT (rule) DO UPDATE SET severity = excluded.severity,"
	" set_at = pg_catalog.now(), set_by = excluded.set_by";
	static const char *const delete_sql =
	"DELETE FROM migrate.rule WHERE rule OPERATOR(pg_catalog.=) $1";
	Oid			types[3] = {TEXTOID, TEXTOID, NAMEOID};
	Datum		values[3];
	CatalogAccess access;

	values[0] = CStringGetTextDatum(rule);
	values[1] = severity ? CStringGetTextDatum(severity) : (Datum) 0;
	values[2] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	catalog_begin(&access);
	if (severity)
		run(upsert_sql, 3, types, values, NULL, false, SPI_OK_INSERT);
	else
		run(delete_sql, 1, types, values, NULL, false, SPI_OK_DELETE);
	catalog_end(&access);
}

/*
 * The DDL guard's tables: the managed schemas, the protected objects, the
 * drift records and the schema fingerprint (see guard.c).
 */

/*
 * The text columns of every row of migrate.<table>, as arrays of C strings
 * (NULL for a null), read with a plain heap scan under the latest
 * snapshot: the DDL guard asks this for every DDL statement, and SPI would
 * cost more than the statement's own catalog work.
 */
static List *
scan_text_rows(const char *table, int ncols)
{
	Oid			nsp = get_namespace_oid("migrate", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;
	Relation	rel;
	Snapshot	snapshot;
	TableScanDesc scan;
	HeapTuple	tup;
	List	   *rows = NIL;

	if (!OidIsValid(relid))
		return NIL;
	rel = table_open(relid, AccessShareLock);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		char	  **row = palloc(sizeof(char *) * ncols);

		for (int c = 0; c < ncols; c++)
		{
			bool		isnull;
			Datum		d = heap_getattr(tup, c + 1, RelationGetDescr(rel), &isnull);

			row[c] = isnull ? NULL : TextDatumGetCString(d);
		}
		rows = lappend(rows, row);
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	return rows;
}

/*
 * The backend's copy of the guard's scope.  A statement trigger on the two
 * tables (migrate.guard_scope_changed) sends a relcache invalidation for
 * them on every change, and the callback below marks the copy stale; a
 * copy that is replaced may still be in use by a caller, so its memory is
 * handed to the transaction rather than freed at once.
 */
static GuardScope *cached_scope = NULL;
static MemoryContext cached_scope_context = NULL;
static Oid	cached_scope_relids[2];

static void
scope_invalidated(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == cached_scope_relids[0] ||
		relid == cached_scope_relids[1])
		cached_scope = NULL;
}

/* The managed schemas and the protected objects, for one DDL statement. */
GuardScope *
CatalogGuardScope(void)
{
	static bool registered = false;
	Oid			nsp = get_namespace_oid("migrate", true);
	GuardScope *scope;
	MemoryContext old;
	ListCell   *lc;

	if (!registered)
	{
		CacheRegisterRelcacheCallback(scope_invalidated, (Datum) 0);
		registered = true;
	}
	if (cached_scope != NULL)
		return cached_scope;
	if (cached_scope_context != NULL)
		MemoryContextSetParent(cached_scope_context, CurTransactionContext);
	cached_scope_context = AllocSetContextCreate(CacheMemoryContext,
												 "migrate guard scope",
												 ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cached_scope_context);
	cached_scope_relids[0] = OidIsValid(nsp) ? get_relname_relid("managed_schema", nsp) : InvalidOid;
	cached_scope_relids[1] = OidIsValid(nsp) ? get_relname_relid("protected", nsp) : InvalidOid;
	scope = palloc0(sizeof(GuardScope));
	foreach(lc, scan_text_rows("managed_schema", 1))
		scope->schemas = lappend(scope->schemas, ((char **) lfirst(lc))[0]);
	foreach(lc, scan_text_rows("protected", 4))
	{
		char	  **row = lfirst(lc);
		CatalogProtected *p = palloc0(sizeof(CatalogProtected));

		p->schema = row[0];
		p->table = row[1];
		p->column = row[2];
		p->reason = row[3];
		scope->protected = lappend(scope->protected, p);
	}
	MemoryContextSwitchTo(old);
	cached_scope = scope;
	return scope;
}

/*
 * migrate.guard_scope_changed(): statement trigger on migrate.managed_schema
 * and migrate.protected: every backend's copy of the scope goes stale.
 */
PG_FUNCTION_INFO_V1(migrate_guard_scope_changed);

Datum
migrate_guard_scope_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("migrate.guard_scope_changed() must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}

/* Add schemas to the managed scope (revision: the one running, or NULL). */
void
CatalogAddManagedSchema(const char *schema, const char *revision)
{
	static const char *const sql =
	"INSERT INTO migrate.managed_schema (name, revision) VALUES ($1, $2)"
	" ON CONFLICT (name) DO NOTHING";
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	CatalogAccess access;

	values[0] = CStringGetTextDatum(schema);
	values[1] = revision ? CStringGetTextDatum(revision) : (Datum) 0;
	catalog_begin(&access);
	run(sql, 2, types, values, revision ? NULL : " n", false, SPI_OK_INSERT);
	catalog_end(&access);
}

/* Protect an object, or change its reason; returns false if it was new. */
bool
CatalogProtect(const CatalogProtected *p)
{
	static const char *const sql =
	"INSERT INTO migrate.protected AS p (schema_name, table_name, column_name, reason, protected_by)"
	" VALUES ($1, $2, $3, $4, $5)"
	" ON CONFLICT (schema_name, table_name, column_name) DO UPDATE"
	" SET reason = excluded.reason, protected_at = pg_catalog.now(),"
	" protected_by = excluded.protected_by"
	" RETURNING (p.xmax OPERATOR(pg_catalog.<>) '0'::pg_catalog.xid)";
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, NAMEOID};
	Datum		values[5];
	Datum		existed = (Datum) 0;

	values[0] = CStringGetTextDatum(p->schema);
	values[1] = CStringGetTextDatum(p->table);
	values[2] = CStringGetTextDatum(p->column);
	values[3] = CStringGetTextDatum(p->reason);
	values[4] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	(void) read_rows(sql, 5, types, values, NULL, SPI_OK_INSERT_RETURNING,
					 read_one_datum, &existed);
	return DatumGetBool(existed);
}

/* Unprotect an object; false if it was not protected. */
bool
CatalogUnprotect(const CatalogProtected *p)
{
	static const char *const sql =
	"DELETE FROM migrate.protected WHERE schema_name OPERATOR(pg_catalog.=) $1"
	" AND table_name OPERATOR(pg_catalog.=) $2"
	" AND column_name OPERATOR(pg_catalog.=) $3";
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	CatalogAccess access;
	int			rows;

	values[0] = CStringGetTextDatum(p->schema);
	values[1] = CStringGetTextDatum(p->table);
	values[2] = CStringGetTextDatum(p->column);
	catalog_begin(&access);
	rows = run(sql, 3, types, values, NULL, false, SPI_OK_DELETE);
	catalog_end(&access);
	return rows > 0;
}

enum
{
	PROT_SCHEMA = 1, PROT_TABLE, PROT_COLUMN, PROT_REASON, PROT_AT, PROT_BY
};

/* read_rows reader: a CatalogProtected into a List. */
static void
read_protected(const CatalogRow *row, void *arg)
{
	List	  **list = arg;
	CatalogProtected *p = palloc0(sizeof(CatalogProtected));

	p->schema = row_text(row, PROT_SCHEMA);
	p->table = row_text(row, PROT_TABLE);
	p->column = row_text(row, PROT_COLUMN);
	p->reason = row_text(row, PROT_REASON);
	p->at = row_timestamp(row, PROT_AT);
	p->by = row_text(row, PROT_BY);
	*list = lappend(*list, p);
}

/* Every protected object, in name order, with who protected it when. */
List *
CatalogProtectedList(void)
{
	static const char *const sql =
	"SELECT schema_name, table_name, column_name, reason, protected_at,"
	" protected_by::pg_catalog.text FROM migrate.protected ORDER BY 1, 2, 3";
	List	   *result = NIL;

	(void) read_rows(sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_protected, &result);
	return result;
}

/* read_rows reader: the three text columns of a row, as an array, into a List. */
static void
read_text_row3(const CatalogRow *row, void *arg)
{
	List	  **list = arg;
	char	  **texts = palloc0(sizeof(char *) * 3);

	for (int c = 0; c < 3; c++)
		texts[c] = row_text(row, c + 1);
	*list = lappend(*list, texts);
}

/* The managed schemas, for migrate_managed_schemas(): rows as text. */
List *
CatalogManagedSchemaList(void)
{
	static const char *const sql =
	"SELECT name, since::pg_catalog.text, revision FROM migrate.managed_schema ORDER BY 1";
	List	   *result = NIL;

	(void) read_rows(sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_text_row3, &result);
	return result;
}

static const char *const drift_insert_sql =
"INSERT INTO migrate.drift (role, application, command_tag, object_type,"
" object_identity, schema_name, statement, blocked, rule)"
" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/* Record one drift row in the current transaction. */
void
CatalogRecordDrift(const CatalogDrift *d)
{
	Oid			types[9] = {NAMEOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID, BOOLOID, TEXTOID};
	Datum		values[9];
	char		nulls[9];
	const char *texts[9] = {NULL, d->application, d->command_tag,
		d->object_type, d->object_identity, d->schema_name, d->statement,
	NULL, d->rule};
	CatalogAccess access;

	for (int i = 0; i < 9; i++)
	{
		nulls[i] = (i == 0 || i == 7 || texts[i]) ? ' ' : 'n';
		values[i] = texts[i] ? CStringGetTextDatum(texts[i]) : (Datum) 0;
	}
	values[0] = DirectFunctionCall1(namein, CStringGetDatum(d->role));
	values[7] = BoolGetDatum(d->blocked);
	catalog_begin(&access);
	run(drift_insert_sql, 9, types, values, nulls, false, SPI_OK_INSERT);
	catalog_end(&access);
}

/* The same insert as a self-contained statement, for a worker to run. */
char *
CatalogDriftSql(const CatalogDrift *d)
{
	StringInfoData buf;
	const char *texts[7] = {d->application, d->command_tag, d->object_type,
	d->object_identity, d->schema_name, d->statement, d->rule};

	initStringInfo(&buf);
	appendStringInfo(&buf,
					 "INSERT INTO migrate.drift (role, application, command_tag,"
					 " object_type, object_identity, schema_name, statement,"
					 " rule, blocked) VALUES (%s",
					 quote_literal_cstr(d->role));
	for (int i = 0; i < 7; i++)
		appendStringInfo(&buf, ", %s",
						 texts[i] ? quote_literal_cstr(texts[i]) : "NULL");
	appendStringInfo(&buf, ", %s)", d->blocked ? "true" : "false");
	return buf.data;
}

enum
{
	DRIFT_ID = 1, DRIFT_AT, DRIFT_ROLE, DRIFT_APPLICATION, DRIFT_COMMAND_TAG,
	DRIFT_OBJECT_TYPE, DRIFT_OBJECT_IDENTITY, DRIFT_STATEMENT, DRIFT_BLOCKED,
	DRIFT_RULE, DRIFT_ACKNOWLEDGED
};

/* read_rows reader: a CatalogDrift into a List. */
static void
read_drift(const CatalogRow *row, void *arg)
{
	List	  **list = arg;
	CatalogDrift *d = palloc0(sizeof(CatalogDrift));

	d->id = row_text(row, DRIFT_ID);
	d->at = row_timestamp(row, DRIFT_AT);
	d->role = row_text(row, DRIFT_ROLE);
	d->application = row_text(row, DRIFT_APPLICATION);
	d->command_tag = row_text(row, DRIFT_COMMAND_TAG);
	d->object_type = row_text(row, DRIFT_OBJECT_TYPE);
	d->object_identity = row_text(row, DRIFT_OBJECT_IDENTITY);
	d->statement = row_text(row, DRIFT_STATEMENT);
	d->blocked = row_bool(row, DRIFT_BLOCKED);
	d->rule = row_text(row, DRIFT_RULE);
	d->acknowledged = row_bool(row, DRIFT_ACKNOWLEDGED);
	*list = lappend(*list, d);
}

/* Drift records, oldest first; acknowledged ones only if asked. */
List *
CatalogDriftList(bool include_acknowledged)
{
	static const char *const sql =
	"SELECT id::pg_catalog.text, at, role::pg_catalog.text, application, command_tag, object_type,"
	" object_identity, statement, blocked, rule, acknowledged_at IS NOT NULL"
	" FROM migrate.drift WHERE $1 OR acknowledged_at IS NULL ORDER BY at, id";
	Oid			types[1] = {BOOLOID};
	Datum		values[1] = {BoolGetDatum(include_acknowledged)};
	List	   *result = NIL;

	(void) read_rows(sql, 1, types, values, NULL, SPI_OK_SELECT,
					 read_drift, &result);
	return result;
}

/* read_rows reader: a row of migrate.log as C strings, into a List. */
static void
read_log_row(const CatalogRow *row, void *arg)
{
	List	  **list = arg;
	char	  **cols = palloc(sizeof(char *) * CATALOG_LOG_COLUMNS);

	for (int c = 0; c < CATALOG_LOG_COLUMNS; c++)
		cols[c] = row_text(row, c + 1);
	*list = lappend(*list, cols);
}

/*
 * The rows of migrate.log, newest first: of one revision (or all when
 * revision is NULL), at most "limit" (all when negative).  Each row is an
 * array of CATALOG_LOG_COLUMNS C strings (NULL for a null), in the order of
 * migrate_log's result columns.
 */
List *
CatalogLogRows(const char *revision, int limit)
{
	static const char *const sql =
	"SELECT l.id::pg_catalog.text, l.revision, l.direction, l.stamped::pg_catalog.text,"
	" l.role::pg_catalog.text, l.started_at::pg_catalog.text, l.duration::pg_catalog.text,"
	" l.statements::pg_catalog.text, l.outcome, l.failed_statement::pg_catalog.text,"
	" l.sqlstate, l.error"
	" FROM migrate.log l WHERE $1 IS NULL OR l.revision OPERATOR(pg_catalog.=) $1"
	" ORDER BY l.id DESC LIMIT $2";
	Oid			types[2] = {TEXTOID, INT8OID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	List	   *result = NIL;

	values[0] = revision ? CStringGetTextDatum(revision) : (Datum) 0;
	nulls[0] = revision ? ' ' : 'n';
	values[1] = Int64GetDatum(limit);
	nulls[1] = limit < 0 ? 'n' : ' ';
	(void) read_rows(sql, 2, types, values, nulls, SPI_OK_SELECT,
					 read_log_row, &result);
	return result;
}

/*
 * Acknowledge drift: the rows with these ids (a uuid[] datum), or every
 * unacknowledged row when ids is 0.  Returns how many rows it marked.
 */
int
CatalogAckDrift(Datum ids, const char *note)
{
	static const char *const sql =
	"UPDATE migrate.drift SET acknowledged_at = pg_catalog.now(),"
	" acknowledged_by = $3, note = $2"
	" WHERE acknowledged_at IS NULL"
	" AND ($1 IS NULL OR id OPERATOR(pg_catalog.=) ANY ($1))";
	Oid			types[3] = {UUIDARRAYOID, TEXTOID, NAMEOID};
	Datum		values[3];
	char		nulls[3] = {ids ? ' ' : 'n', note ? ' ' : 'n', ' '};
	CatalogAccess access;
	int			rows;

	values[0] = ids;
	values[1] = note ? CStringGetTextDatum(note) : (Datum) 0;
	values[2] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	catalog_begin(&access);
	rows = run(sql, 3, types, values, nulls, false, SPI_OK_UPDATE);
	catalog_end(&access);
	return rows;
}

/*
 * The effects logged for the last run of a revision (either direction,
 * stamps left out), as the text of a JSON object {direction, started_at,
 * effects}, or NULL when it never ran.
 */
char *
CatalogRevisionEffects(const char *id)
{
	static const char *const sql =
	"SELECT pg_catalog.jsonb_build_object('direction', l.direction,"
	" 'started_at', l.started_at, 'effects', l.effects)::pg_catalog.text"
	" FROM migrate.log l"
	" WHERE l.revision OPERATOR(pg_catalog.=) $1 AND NOT l.stamped"
	"  AND l.outcome OPERATOR(pg_catalog.=) 'success'"
	" ORDER BY l.id DESC LIMIT 1";
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(id)};
	char	   *result = NULL;

	(void) read_rows(sql, 1, types, values, NULL, SPI_OK_SELECT,
					 read_one_text, &result);
	return result;
}

/* read_rows reader: a CatalogEffect (revision, action, object) into a List. */
static void
read_effect(const CatalogRow *row, void *arg)
{
	List	  **list = arg;
	CatalogEffect *e = palloc(sizeof(CatalogEffect));

	e->revision = row_text(row, 1);
	e->action = row_text(row, 2);
	e->object = row_text(row, 3);
	if (e->action && e->object)
		*list = lappend(*list, e);
}

/*
 * The effects logged by the last upgrade of each applied revision, in the
 * order the upgrades ran: List of CatalogEffect.
 */
List *
CatalogAppliedEffects(void)
{
	static const char *const sql =
	"SELECT l.revision, e OPERATOR(pg_catalog.->>) 'action',"
	" e OPERATOR(pg_catalog.->>) 'object'"
	" FROM (SELECT DISTINCT ON (g.revision) g.id, g.revision, g.effects"
	"       FROM migrate.log g JOIN migrate.applied a"
	"        ON a.revision OPERATOR(pg_catalog.=) g.revision"
	"       WHERE g.direction OPERATOR(pg_catalog.=) 'upgrade'"
	"        AND g.outcome OPERATOR(pg_catalog.=) 'success' AND NOT g.stamped"
	"       ORDER BY g.revision, g.id DESC) l,"
	" pg_catalog.jsonb_array_elements(l.effects) WITH ORDINALITY AS x(e, n)"
	" WHERE l.effects IS NOT NULL"
	" ORDER BY l.id, x.n";
	List	   *result = NIL;

	(void) read_rows(sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_effect, &result);
	return result;
}

/*
 * A hash of the managed schemas' catalog state: relations (with their
 * storage options and partition bounds), columns, defaults, constraints,
 * indexes, views, sequences, statistics objects, functions, triggers,
 * types (enum labels, domain and range definitions), policies, comments,
 * owners and privileges, as definitions and names (never OIDs, so that a
 * restored database hashes the same); not extensions nor their members,
 * which their own scripts manage.  Computed with search_path pinned (catalog_begin) so
 * that every name in a definition is qualified the same way whatever the
 * session's path.
 */
static const char *const fingerprint_sql =
"WITH s AS (SELECT n.oid, n.nspname, n.nspowner, n.nspacl FROM pg_catalog.pg_namespace n"
"           JOIN migrate.managed_schema m ON m.name OPERATOR(pg_catalog.=) n.nspname::pg_catalog.text),"
" e AS (SELECT classid, objid FROM pg_catalog.pg_depend"
"       WHERE deptype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\"),"
" r AS (SELECT c.oid, s.nspname, c.relname, c.relkind, c.relpersistence, c.reloptions,"
"       c.relowner, c.relacl, c.relpartbound"
"       FROM pg_catalog.pg_class c JOIN s ON c.relnamespace OPERATOR(pg_catalog.=) s.oid"
"       WHERE (c.tableoid, c.oid) NOT IN (SELECT * FROM e)),"
" x(line) AS ("
"  SELECT pg_catalog.concat_ws(' ', 'rel', nspname, relname, relkind, relpersistence,"
"    reloptions, pg_catalog.pg_get_userbyid(relowner), pg_catalog.pg_get_expr(relpartbound, oid),"
"    (SELECT pg_catalog.string_agg(pg_catalog.format('%s=%s%s', a.grantee::pg_catalog.regrole,"
"      a.privilege_type, a.is_grantable), ','"
"      ORDER BY a.grantee::pg_catalog.regrole::pg_catalog.text, a.privilege_type)"
"     FROM pg_catalog.aclexplode(COALESCE(relacl, pg_catalog.acldefault(CASE relkind WHEN 'S' THEN 's'"
"      ELSE 'r' END::pg_catalog.\"char\", relowner))) a)) FROM r"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'part', r.nspname, r.relname, ip.relname)"
"   FROM r JOIN pg_catalog.pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) r.oid"
"   JOIN pg_catalog.pg_class ip ON ip.oid OPERATOR(pg_catalog.=) i.inhparent"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'col', r.nspname, r.relname, a.attname,"
"    pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,"
"    a.attgenerated, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attcollation::pg_catalog.regcollation,"
"    (SELECT pg_catalog.string_agg(pg_catalog.format('%s=%s%s', g.grantee::pg_catalog.regrole,"
"      g.privilege_type, g.is_grantable), ','"
"      ORDER BY g.grantee::pg_catalog.regrole::pg_catalog.text, g.privilege_type) FROM pg_catalog.aclexplode(a.attacl) g))"
"   FROM r JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.oid"
"   LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid"
"    AND d.adnum OPERATOR(pg_catalog.=) a.attnum"
"   WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'con', r.nspname, r.relname, k.conname,"
"    pg_catalog.pg_get_constraintdef(k.oid))"
"   FROM r JOIN pg_catalog.pg_constraint k ON k.conrelid OPERATOR(pg_catalog.=) r.oid"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'idx', pg_catalog.pg_get_indexdef(i.indexrelid))"
"   FROM r JOIN pg_catalog.pg_index i ON i.indexrelid OPERATOR(pg_catalog.=) r.oid"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'view', r.nspname, r.relname,"
"    pg_catalog.pg_get_viewdef(r.oid))"
"   FROM r WHERE r.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.\"char\"[])"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'seq', r.nspname, r.relname, q.seqtypid::pg_catalog.regtype,"
"    q.seqincrement, q.seqmin, q.seqmax, q.seqstart, q.seqcache, q.seqcycle)"
"   FROM r JOIN pg_catalog.pg_sequence q ON q.seqrelid OPERATOR(pg_catalog.=) r.oid"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'stx', pg_catalog.pg_get_statisticsobjdef(t.oid))"
"   FROM r JOIN pg_catalog.pg_statistic_ext t ON t.stxrelid OPERATOR(pg_catalog.=) r.oid"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'trg', pg_catalog.pg_get_triggerdef(t.oid))"
"   FROM r JOIN pg_catalog.pg_trigger t ON t.tgrelid OPERATOR(pg_catalog.=) r.oid"
"   WHERE NOT t.tgisinternal"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'pol', r.nspname, r.relname, p.polname,"
"    p.polcmd, p.polpermissive, pg_catalog.pg_get_expr(p.polqual, p.polrelid),"
"    pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))"
"   FROM r JOIN pg_catalog.pg_policy p ON p.polrelid OPERATOR(pg_catalog.=) r.oid"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'fn', s.nspname, p.proname,"
"    pg_catalog.pg_get_function_identity_arguments(p.oid),"
"    pg_catalog.pg_get_function_result(p.oid), p.prokind, p.provolatile,"
"    pg_catalog.md5(p.prosrc), pg_catalog.pg_get_userbyid(p.proowner),"
"    (SELECT pg_catalog.string_agg(pg_catalog.format('%s=%s%s', g.grantee::pg_catalog.regrole,"
"      g.privilege_type, g.is_grantable), ','"
"      ORDER BY g.grantee::pg_catalog.regrole::pg_catalog.text, g.privilege_type)"
"     FROM pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) g))"
"   FROM s JOIN pg_catalog.pg_proc p ON p.pronamespace OPERATOR(pg_catalog.=) s.oid"
"   WHERE (p.tableoid, p.oid) NOT IN (SELECT * FROM e)"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'type', s.nspname, t.typname, t.typtype,"
"    (SELECT pg_catalog.string_agg(e.enumlabel::pg_catalog.text, ',' ORDER BY e.enumsortorder)"
"     FROM pg_catalog.pg_enum e WHERE e.enumtypid OPERATOR(pg_catalog.=) t.oid),"
"    pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,"
"    (SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', k.conname, pg_catalog.pg_get_constraintdef(k.oid)),"
"      ',' ORDER BY k.conname) FROM pg_catalog.pg_constraint k WHERE k.contypid OPERATOR(pg_catalog.=) t.oid),"
"    (SELECT pg_catalog.concat_ws(' ', g.rngsubtype::pg_catalog.regtype,"
"      (SELECT oc.opcname FROM pg_catalog.pg_opclass oc WHERE oc.oid OPERATOR(pg_catalog.=) g.rngsubopc),"
"      g.rngcollation::pg_catalog.regcollation, g.rngcanonical::pg_catalog.regproc,"
"      g.rngsubdiff::pg_catalog.regproc, g.rngmultitypid::pg_catalog.regtype)"
"     FROM pg_catalog.pg_range g WHERE g.rngtypid OPERATOR(pg_catalog.=) t.oid),"
"    pg_catalog.pg_get_userbyid(t.typowner),"
"    (SELECT pg_catalog.string_agg(pg_catalog.format('%s=%s%s', g.grantee::pg_catalog.regrole,"
"      g.privilege_type, g.is_grantable), ','"
"      ORDER BY g.grantee::pg_catalog.regrole::pg_catalog.text, g.privilege_type)"
"     FROM pg_catalog.aclexplode(COALESCE(t.typacl, pg_catalog.acldefault('T', t.typowner))) g))"
"   FROM s JOIN pg_catalog.pg_type t ON t.typnamespace OPERATOR(pg_catalog.=) s.oid"
"   WHERE t.typtype OPERATOR(pg_catalog.<>) 'b'::pg_catalog.\"char\""
"    AND (t.tableoid, t.oid) NOT IN (SELECT * FROM e)"
"    AND (t.typrelid OPERATOR(pg_catalog.=) 0::pg_catalog.oid OR (SELECT c.relkind FROM pg_catalog.pg_class c"
"     WHERE c.oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c'::pg_catalog.\"char\")"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'nsp', s.nspname, pg_catalog.pg_get_userbyid(s.nspowner),"
"    (SELECT pg_catalog.string_agg(pg_catalog.format('%s=%s%s', g.grantee::pg_catalog.regrole,"
"      g.privilege_type, g.is_grantable), ','"
"      ORDER BY g.grantee::pg_catalog.regrole::pg_catalog.text, g.privilege_type)"
"     FROM pg_catalog.aclexplode(COALESCE(s.nspacl, pg_catalog.acldefault('n', s.nspowner))) g))"
"   FROM s"
"  UNION ALL SELECT pg_catalog.concat_ws(' ', 'cmt', io.type, io.identity, d.description)"
"   FROM pg_catalog.pg_description d,"
"    LATERAL pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid) io"
"   WHERE (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"          AND d.objoid IN (SELECT oid FROM r))"
"    OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass"
"        AND d.objoid IN (SELECT p.oid FROM pg_catalog.pg_proc p JOIN s ON p.pronamespace OPERATOR(pg_catalog.=) s.oid"
"         WHERE (p.tableoid, p.oid) NOT IN (SELECT * FROM e)))"
"    OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass"
"        AND d.objoid IN (SELECT t.oid FROM pg_catalog.pg_type t JOIN s ON t.typnamespace OPERATOR(pg_catalog.=) s.oid"
"         WHERE (t.tableoid, t.oid) NOT IN (SELECT * FROM e)))"
"    OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass"
"        AND d.objoid IN (SELECT k.oid FROM pg_catalog.pg_constraint k JOIN r ON k.conrelid OPERATOR(pg_catalog.=) r.oid))"
"    OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass"
"        AND d.objoid IN (SELECT t.oid FROM pg_catalog.pg_trigger t JOIN r ON t.tgrelid OPERATOR(pg_catalog.=) r.oid))"
"    OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass"
"        AND d.objoid IN (SELECT p.oid FROM pg_catalog.pg_policy p JOIN r ON p.polrelid OPERATOR(pg_catalog.=) r.oid)))"
" SELECT line FROM x ORDER BY line";

/*
 * The fingerprint of the managed schemas as they are now: the MD5 of their
 * lines (fingerprint_sql) in order, joined by newlines.  Citus's shards
 * are never in it, whatever the session shows.  It runs at the end of
 * every upgrade, when the backend holds the most memory, so as little as
 * possible here grows with the schema: its sorts and hashes run with
 * work_mem at its minimum (the whole schema's spill to disk), and the
 * lines are hashed as a cursor fetches them, FINGERPRINT_FETCH at a time.
 * Joining them into one string first cost several times its size at once
 * (12 MB at 3,000 tables, with work_mem at 1MB), and malloc kept that
 * memory after.
 */
#define FINGERPRINT_FETCH 1000

char *
CatalogFingerprint(void)
{
	CatalogAccess access;
	SPIPlanPtr	plan;
	Portal		portal;
	pg_cryptohash_ctx *md5;
	uint8		digest[MD5_DIGEST_LENGTH];
	char	   *hex = palloc(MD5_DIGEST_LENGTH * 2 + 1);
	bool		first = true;

	CitusHideShards();
	catalog_begin(&access);
	(void) set_config_option("work_mem", "64", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	md5 = pg_cryptohash_create(PG_MD5);
	if (pg_cryptohash_init(md5) < 0)
		elog(ERROR, "could not initialize MD5 context: %s",
			 pg_cryptohash_error(md5));
	plan = SPI_prepare(fingerprint_sql, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for the fingerprint: %s",
			 SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, false);
	do
	{
		SPI_cursor_fetch(portal, true, FINGERPRINT_FETCH);
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[i],
										  SPI_tuptable->tupdesc, 1, &isnull);
			text	   *line;

			if (isnull)
				continue;		/* as string_agg skips it */
			line = DatumGetTextPP(d);
			if ((!first &&
				 pg_cryptohash_update(md5, (const uint8 *) "\n", 1) < 0) ||
				pg_cryptohash_update(md5, (const uint8 *) VARDATA_ANY(line),
									 VARSIZE_ANY_EXHDR(line)) < 0)
				elog(ERROR, "could not update MD5 hash: %s",
					 pg_cryptohash_error(md5));
			first = false;
		}
		SPI_freetuptable(SPI_tuptable);
	} while (SPI_processed > 0);
	SPI_cursor_close(portal);
	SPI_freeplan(plan);
	if (pg_cryptohash_final(md5, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finalize MD5 hash: %s",
			 pg_cryptohash_error(md5));
	pg_cryptohash_free(md5);
	catalog_end(&access);
	hex[hex_encode((const char *) digest, MD5_DIGEST_LENGTH, hex)] = '\0';
	return hex;
}

/* The fingerprint stored by the last migration, or NULL. */
char *
CatalogStoredFingerprint(void)
{
	static const char *const sql = "SELECT hash FROM migrate.fingerprint";
	char	   *hash = NULL;

	(void) read_rows(sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_one_text, &hash);
	return hash;
}

/* Store the fingerprint of the managed schemas as they are now. */
void
CatalogStoreFingerprint(void)
{
	static const char *const sql =
	"INSERT INTO migrate.fingerprint (hash) VALUES ($1)"
	" ON CONFLICT (one) DO UPDATE SET hash = excluded.hash,"
	" taken_at = pg_catalog.now()";
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	CatalogAccess access;

	values[0] = CStringGetTextDatum(CatalogFingerprint());
	catalog_begin(&access);
	run(sql, 1, types, values, NULL, false, SPI_OK_INSERT);
	catalog_end(&access);
}

enum
{
	ALLOW_REVISION = 1, ALLOW_DIRECTION, ALLOW_STARTED_AT, ALLOW_ROLE,
	ALLOW_STATEMENT, ALLOW_LINE, ALLOW_RULE, ALLOW_MARKER, ALLOW_REASON
};

/* read_rows reader: a CatalogAllowance into a List. */
static void
read_allowance(const CatalogRow *row, void *arg)
{
	List	  **list = arg;
	CatalogAllowance *a = palloc(sizeof(CatalogAllowance));

	a->revision = row_text(row, ALLOW_REVISION);
	a->direction = row_text(row, ALLOW_DIRECTION);
	a->started_at = row_timestamp(row, ALLOW_STARTED_AT);
	a->role = row_text(row, ALLOW_ROLE);
	a->statement = row_int32(row, ALLOW_STATEMENT);
	a->line = row_int32(row, ALLOW_LINE);
	a->rule = row_text(row, ALLOW_RULE);
	a->marker = row_text(row, ALLOW_MARKER);
	a->reason = row_text(row, ALLOW_REASON);
	*list = lappend(*list, a);
}

/*
 * The allow/approve markers that silenced safety findings while revisions
 * ran, from the success rows of migrate.log, oldest first; only those of
 * one revision unless it is NULL.
 */
List *
CatalogAllowances(const char *revision)
{
	static const char *const sql =
	"SELECT l.revision, l.direction, l.started_at, l.role::pg_catalog.text,"
	" (a.e OPERATOR(pg_catalog.->>) 'statement')::pg_catalog.int4,"
	" (a.e OPERATOR(pg_catalog.->>) 'line')::pg_catalog.int4,"
	" a.e OPERATOR(pg_catalog.->>) 'rule', a.e OPERATOR(pg_catalog.->>) 'marker',"
	" a.e OPERATOR(pg_catalog.->>) 'reason'"
	" FROM migrate.log l,"
	" pg_catalog.jsonb_array_elements(l.allowances) WITH ORDINALITY AS a(e, n)"
	" WHERE l.allowances IS NOT NULL"
	"   AND ($1 IS NULL OR l.revision OPERATOR(pg_catalog.=) $1)"
	" ORDER BY l.id, a.n";
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char		nulls[1] = {revision ? ' ' : 'n'};
	List	   *result = NIL;

	values[0] = revision ? CStringGetTextDatum(revision) : (Datum) 0;
	(void) read_rows(sql, 1, types, values, nulls, SPI_OK_SELECT,
					 read_allowance, &result);
	return result;
}

/*
 * Fleets (pg_migrate --atomic): the member of an atomic fleet run that
 * this transaction is.  The row becomes visible when the member's
 * prepared transaction commits, which tells pg_migrate fleet recover that
 * the fleet's decision was to commit.
 */
void
CatalogRecordFleetMember(const char *fleet, int member, int members)
{
	static const char *const sql =
	"INSERT INTO migrate.fleet_member (fleet, member, members)"
	" VALUES ($1, $2, $3)";
	Oid			types[3] = {TEXTOID, INT4OID, INT4OID};
	Datum		values[3];
	CatalogAccess access;

	values[0] = CStringGetTextDatum(fleet);
	values[1] = Int32GetDatum(member);
	values[2] = Int32GetDatum(members);
	catalog_begin(&access);
	run(sql, 3, types, values, NULL, false, SPI_OK_INSERT);
	catalog_end(&access);
}

/*
 * The committed members of the fleets named in fleets (a text[]), rows of
 * three texts (fleet, member, members), for migrate_fleet_members().
 */
List *
CatalogFleetMembers(Datum fleets)
{
	static const char *const sql =
	"SELECT fleet, member::pg_catalog.text, members::pg_catalog.text"
	" FROM migrate.fleet_member"
	" WHERE fleet OPERATOR(pg_catalog.=) ANY ($1) ORDER BY 1, 2";
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1] = {fleets};
	List	   *result = NIL;

	(void) read_rows(sql, 1, types, values, NULL, SPI_OK_SELECT,
					 read_text_row3, &result);
	return result;
}

/*
 * The prepared transactions of pg_migrate --atomic runs in this database
 * (gid migrate_<fleet>_<member>_<members>): rows of three texts (gid,
 * prepared at, age), for migrate_check().
 */
List *
CatalogPreparedFleetXacts(void)
{
	static const char *const sql =
	"SELECT x.gid, x.prepared::pg_catalog.text,"
	" pg_catalog.date_trunc('second', pg_catalog.now() OPERATOR(pg_catalog.-) x.prepared)::pg_catalog.text"
	" FROM pg_catalog.pg_prepared_xacts x"
	" WHERE x.gid OPERATOR(pg_catalog.~) '^migrate_[0-9a-f]+_[0-9]+_[0-9]+$'"
	" AND x.database OPERATOR(pg_catalog.=) pg_catalog.current_database()"
	" ORDER BY x.prepared";
	List	   *result = NIL;

	(void) read_rows(sql, 0, NULL, NULL, NULL, SPI_OK_SELECT,
					 read_text_row3, &result);
	return result;
}
