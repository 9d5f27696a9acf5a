/*-------------------------------------------------------------------------
 *
 * citus.c
 *	  What Citus's metadata says about a table: distributed (and by which
 *	  column, over how many shards), reference, or Citus local; and its
 *	  rows and size, which live in the shards on the workers, not in the
 *	  empty shell table the coordinator holds.
 *
 * migrate does not link with Citus.  The metadata is read from Citus's
 * catalog tables (pg_catalog.pg_dist_partition, pg_dist_shard) by column
 * name, without a lock beyond ACCESS SHARE on those; without Citus they
 * do not exist and every table is CITUS_NONE.  Rows and sizes come from
 * queries that Citus runs on the shards (SPI, in a subtransaction, so that
 * an unreachable worker or a missing privilege is an unknown size, -1,
 * never an error of the caller).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/primnodes.h"
#include "parser/parse_relation.h"
#include "storage/proc.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "migrate/catalog/citus.h"
#include "migrate/util/subxact.h"

/* Is Citus installed in this database? */
bool
CitusPresent(void)
{
	return OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE));
}

/*
 * Within the current GUC nest level: hide Citus's shards from this
 * session's catalog queries, whatever citus.show_shards_for_app_name_prefixes
 * says (a session that shows them would see each shard placed on this node
 * as a table of its own: drift that is not, in the fingerprint).
 */
void
CitusHideShards(void)
{
	if (GetConfigOption("citus.show_shards_for_app_name_prefixes", true, false))
		(void) set_config_option("citus.show_shards_for_app_name_prefixes", "",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
}

/* Number of rows of pg_dist_shard that belong to relid. */
static int
shard_count(Oid relid)
{
	Oid			shardrel = get_relname_relid("pg_dist_shard", PG_CATALOG_NAMESPACE);
	Relation	rel;
	AttrNumber	att;
	TableScanDesc scan;
	HeapTuple	tup;
	int			n = 0;

	if (!OidIsValid(shardrel))
		return 0;
	rel = table_open(shardrel, AccessShareLock);
	att = attnameAttNum(rel, "logicalrelid", false);
	if (att > 0)
	{
		scan = table_beginscan_catalog(rel, 0, NULL);
		while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
		{
			bool		isnull;
			Datum		d = heap_getattr(tup, att, RelationGetDescr(rel), &isnull);

			if (!isnull && DatumGetObjectId(d) == relid)
				n++;
		}
		table_endscan(scan);
	}
	table_close(rel, AccessShareLock);
	return n;
}

/*
 * What Citus makes of relid (CITUS_NONE without Citus), and, when the
 * caller asks, its distribution column and shard count.
 */
CitusKind
CitusTableLookup(Oid relid, CitusTable *table)
{
	Oid			partrel = get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
	Relation	rel;
	AttrNumber	a_relid,
				a_method,
				a_key,
				a_repmodel,
				a_colocation;
	TableScanDesc scan;
	HeapTuple	tup;
	CitusTable	result = {CITUS_NONE, 0, 0};

	if (table)
		*table = result;
	if (!OidIsValid(partrel) || !OidIsValid(relid))
		return CITUS_NONE;
	rel = table_open(partrel, AccessShareLock);
	a_relid = attnameAttNum(rel, "logicalrelid", false);
	a_method = attnameAttNum(rel, "partmethod", false);
	a_key = attnameAttNum(rel, "partkey", false);
	a_repmodel = attnameAttNum(rel, "repmodel", false);
	a_colocation = attnameAttNum(rel, "colocationid", false);
	if (a_relid <= 0 || a_method <= 0 || a_key <= 0 || a_repmodel <= 0 ||
		a_colocation <= 0)
	{
		table_close(rel, AccessShareLock);
		return CITUS_NONE;
	}
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		char		method;
		char		repmodel;
		Datum		d = heap_getattr(tup, a_relid, desc, &isnull);

		if (isnull || DatumGetObjectId(d) != relid)
			continue;
		method = DatumGetChar(heap_getattr(tup, a_method, desc, &isnull));
		repmodel = DatumGetChar(heap_getattr(tup, a_repmodel, desc, &isnull));
		if (method != 'n')
			result.kind = CITUS_DISTRIBUTED;
		else if (repmodel == 't')
			result.kind = CITUS_REFERENCE;
		else if (DatumGetInt32(heap_getattr(tup, a_colocation, desc, &isnull)) != 0)
			result.kind = CITUS_DISTRIBUTED;	/* single shard, no column */
		else
			result.kind = CITUS_LOCAL;
		d = heap_getattr(tup, a_key, desc, &isnull);
		if (!isnull)
		{
			Node	   *key = stringToNode(TextDatumGetCString(d));

			if (key && IsA(key, Var))
				result.distcol = ((Var *) key)->varattno;
		}
		break;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	if (result.kind != CITUS_NONE && table)
	{
		result.shards = shard_count(relid);
		*table = result;
	}
	return result.kind;
}

/* A query's one float8 (or int8) result, run by Citus, for SubxactRun. */
typedef struct CitusQuery
{
	const char *sql;
	Oid			relid;			/* $1, a regclass */
	double		result;			/* -1: unknown */
} CitusQuery;

static void
citus_query_in(void *arg)
{
	CitusQuery *q = arg;
	Oid			types[1] = {REGCLASSOID};
	Datum		values[1] = {ObjectIdGetDatum(q->relid)};
	bool		isnull;
	Datum		d;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(q->sql, 1, types, values, NULL, true, 1) ==
		SPI_OK_SELECT && SPI_processed == 1)
	{
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						  &isnull);
		if (!isnull)
			q->result = SPI_gettypeid(SPI_tuptable->tupdesc, 1) == INT8OID ?
				(double) DatumGetInt64(d) : DatumGetFloat8(d);
	}
	SPI_finish();
}

/*
 * The answers of the last few queries, by query text and relation, while
 * nothing can have changed: in the same transaction and command (lint
 * asks several rules about one table before the statement runs).
 */
#define CITUS_CACHE_SIZE 8
typedef struct CitusCached
{
	Oid			relid;
	LocalTransactionId lxid;
	CommandId	cid;
	uint32		sql_hash;
	double		result;
} CitusCached;

static CitusCached citus_cache[CITUS_CACHE_SIZE];
static int	citus_cache_next;

/*
 * Run a query about relid ($1) through Citus, in a subtransaction (kept:
 * its ACCESS SHARE locks on the shards stay, as a local table's do when
 * the linter reads it; an error rolls it back and makes the answer -1).
 */
static double
citus_query(const char *sql, Oid relid)
{
	CitusQuery	q = {sql, relid, -1};
	ErrorData  *edata;
	uint32		hash = hash_bytes((const unsigned char *) sql, strlen(sql));
	CommandId	cid = GetCurrentCommandId(false);

	for (int i = 0; i < CITUS_CACHE_SIZE; i++)
		if (citus_cache[i].relid == relid && citus_cache[i].lxid == MyProc->lxid &&
			citus_cache[i].cid == cid && citus_cache[i].sql_hash == hash)
			return citus_cache[i].result;
	edata = SubxactRun(citus_query_in, &q, true);

	if (edata)
	{
		ereport(DEBUG1,
				(errmsg_internal("could not ask Citus about relation %u: %s",
								 relid, edata->message)));
		FreeErrorData(edata);
		return -1;
	}
	citus_cache[citus_cache_next].relid = relid;
	citus_cache[citus_cache_next].lxid = MyProc->lxid;
	citus_cache[citus_cache_next].cid = cid;
	citus_cache[citus_cache_next].sql_hash = hash;
	citus_cache[citus_cache_next].result = q.result;
	citus_cache_next = (citus_cache_next + 1) % CITUS_CACHE_SIZE;
	return q.result;
}

/*
 * The rows of a Citus table, counted on its shards up to "limit" (with
 * "column", only those where it is not NULL); -1 when they cannot be
 * counted (no SELECT privilege, a worker unreachable).
 */
double
CitusCountRows(Oid relid, const char *column, double limit)
{
	char	   *name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												  get_rel_name(relid));

	return citus_query(psprintf("SELECT pg_catalog.count(*)::pg_catalog.float8 FROM"
								" (SELECT 1 FROM %s%s%s%s LIMIT %.0f) s", name,
								column ? " WHERE " : "",
								column ? quote_identifier(column) : "",
								column ? " IS NOT NULL" : "", limit),
					   relid);
}

/*
 * The rows of a Citus table by the statistics of its shards (their
 * reltuples, summed; a shard never analyzed counts none), read on the
 * workers without a lock on the table; -1 when unknown.
 */
double
CitusEstimateRows(Oid relid)
{
	return citus_query("SELECT pg_catalog.sum(GREATEST(r.result::pg_catalog.float8, 0))"
					   " FROM pg_catalog.run_command_on_shards($1,"
					   " 'SELECT reltuples FROM pg_catalog.pg_class WHERE oid = ''%s''::pg_catalog.regclass') r"
					   " WHERE r.success", relid);
}

/* Bytes of a Citus table's shards with their indexes; -1 when unknown. */
int64
CitusTotalSize(Oid relid)
{
	return (int64) citus_query("SELECT pg_catalog.citus_total_relation_size($1)", relid);
}

/* "distributed by tenant_id over 32 shards", "reference table", ... */
char *
CitusDescribe(Oid relid, const CitusTable *table)
{
	switch (table->kind)
	{
		case CITUS_DISTRIBUTED:
			if (table->distcol > 0)
				return psprintf("Citus table distributed by %s over %d shard%s",
								get_attname(relid, table->distcol, false),
								table->shards, table->shards == 1 ? "" : "s");
			return psprintf("Citus single-shard distributed table");
		case CITUS_REFERENCE:
			return pstrdup("Citus reference table (a copy on every node)");
		case CITUS_LOCAL:
			return pstrdup("Citus local table");
		case CITUS_NONE:
			break;
	}
	return NULL;
}
