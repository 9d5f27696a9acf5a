/*-------------------------------------------------------------------------
 *
 * cmd_run.c
 *	  The commands of pg_migrate that change the database: load, upgrade,
 *	  downgrade and stamp.
 *
 * load sends the folder's files with migrate_load_file (migrate_load that
 * leaves an unchanged file alone), parents and dependencies first, in one
 * transaction, through a libpq pipeline (one network round trip per batch
 * of files rather than per file).  A refused file rolls back the whole
 * load and is named in the error.  Before the files goes the folder's
 * digest: when the last load was of the same files and no revision
 * changed since, none is sent.
 *
 * upgrade and downgrade load, then take migrate's lock at session level
 * (migrate_lock_session) and ask the server for the plan (migrate_plan).
 * A plan of transactional revisions only is one call of migrate_upgrade
 * or migrate_downgrade: one transaction.  A plan with non-transactional
 * revisions or commit points (a revision that needs what an earlier one
 * did committed, see migrate_plan) runs in order: each stretch of
 * transactional revisions between them in one transaction
 * (migrate_steps), each non-transactional revision by this client at top
 * level, statement by statement, then recorded with migrate_record.  A failed statement stops the run; a CONCURRENTLY build
 * that fails leaves an invalid index, which is dropped and reported.  One
 * that was interrupted (the client or its session killed, a crash) left
 * one too: it is dropped before the statement runs again.
 *
 * Ctrl-C cancels the running statement (connection.c); a run also stops
 * before its next revision or statement, after cleaning up as after a
 * failure.  What completed stays recorded.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "commands.h"
#include "common/logging.h"
#include "connection.h"
#include "digest_cache.h"
#include "fe_utils/string_utils.h"
#include "output.h"
#include "revdir.h"
#include "util.h"

#define LOAD_BATCH 200

/* One revision of a plan, as migrate_plan gives it. */
typedef struct PlanStep
{
	char	   *id;
	char	   *message;
	bool		transactional;
	char	  **statements;		/* non-transactional only */
	int			nstatements;
	char	  **lines;
	int			nlines;
	char	   *commit_before;	/* why to commit before it, or NULL */
} PlanStep;

/* What a move did, for the summary and --json. */
typedef struct MoveReport
{
	PQExpBufferData json;		/* the "steps" array's elements */
	int			nsteps;
	bool		upgrade;
	int			pending;		/* lines printed as the server ran them, not
								 * yet returned by the call */
	PlanStep   *plan;
	int			nplan;
} MoveReport;

static MoveReport *progress_report;	/* of the move under way */

static bool load_dir(PGconn *conn, int *nloaded, bool commit,
					 bool downgrade);
static bool skip_changed_applied(PGconn *conn, RevDir *d);
static void print_plan(PlanStep *plan, int nplan, const char *target,
					   bool upgrade);
static bool refuse_data_loss(PGconn *conn, const char *target);
static int	dry_run(PGconn *conn, PlanStep *plan, int nplan,
					const char *target, bool upgrade, int nloaded);
static bool load_batch(PGconn *conn, RevDir *d, int from, int to,
					   bool *failed);
static bool pipeline_command(PGconn *conn, const char *sql);
static void report_step(MoveReport *rep, const char *id, const char *message,
						const char *statements, double ms, bool transactional);
static bool report_rows(MoveReport *rep, PGresult *res);
static void report_statements_ran(int k, bool upgrade);
static bool run_non_transactional(PGconn *conn, PlanStep *step, bool upgrade,
								  MoveReport *rep);
static char *plan_ids(PlanStep *steps, int from, int to);
static PGresult *invalid_indexes(PGconn *conn);
static void drop_new_invalid_indexes(PGconn *conn, PGresult *before);
static bool drop_leftover_index(PGconn *conn, const char *sql);

/* Send a statement without parameters in the current pipeline. */
static bool
pipeline_command(PGconn *conn, const char *sql)
{
	if (!PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0))
	{
		pg_log_error("could not send query: %s", PQerrorMessage(conn));
		return false;
	}
	return true;
}

/*
 * Send files from..to-1 and a sync, and read their results.  Reports a
 * refused file (the first), and sets *failed.  Returns false when the
 * connection broke.
 */
static bool
load_batch(PGconn *conn, RevDir *d, int from, int to, bool *failed)
{
	for (int i = from; i < to; i++)
	{
		const char *params[2] = {d->files[i].text, d->files[i].load_id};

		if (!PQsendQueryParams(conn, "SELECT pg_catalog.migrate_load_file($1, $2)",
							   2, NULL, params, NULL, NULL, 0))
		{
			pg_log_error("could not send file \"%s\": %s", d->files[i].path,
						 PQerrorMessage(conn));
			return false;
		}
	}
	if (!PQpipelineSync(conn))
	{
		pg_log_error("could not send query: %s", PQerrorMessage(conn));
		return false;
	}
	for (int i = from; i < to; i++)
	{
		PGresult   *res = PQgetResult(conn);
		ExecStatusType st = PQresultStatus(res);

		if (res == NULL)
		{
			pg_log_error("connection to the server was lost: %s", PQerrorMessage(conn));
			return false;
		}
		if (st == PGRES_FATAL_ERROR && !*failed)
		{
			report_result_error(res, psprintf("could not load file \"%s\"",
											  d->files[i].path));
			if (run_error.file == NULL)
				run_error.file = pg_strdup(d->files[i].path);
			*failed = true;
		}
		else if (st == PGRES_TUPLES_OK && opts.verbosity > 0)
			pg_log_info("loaded revision %s from \"%s\"", PQgetvalue(res, 0, 0),
						d->files[i].path);
		PQclear(res);
		res = PQgetResult(conn);	/* the NULL that ends each query */
		if (res != NULL)
			PQclear(res);
	}
	{
		PGresult   *res = PQgetResult(conn);

		if (res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC)
		{
			pg_log_error("unexpected result from the server: %s", PQerrorMessage(conn));
			PQclear(res);
			return false;
		}
		PQclear(res);
	}
	return true;
}

/*
 * How each file of the folder compares with the database, in one query:
 * rows (file index, revision, state, applied) from migrate_file_state, in
 * file order.  NULL after reporting a failure.
 */
PGresult *
folder_states(PGconn *conn, const RevDir *d)
{
	PQExpBufferData texts;
	PQExpBufferData ids;
	const char *params[2];
	PGresult   *res;

	initPQExpBuffer(&texts);
	initPQExpBuffer(&ids);
	appendPQExpBufferChar(&texts, '{');
	appendPQExpBufferChar(&ids, '{');
	for (int i = 0; i < d->nfiles; i++)
	{
		appendPGArray(&texts, d->files[i].text);
		if (d->files[i].load_id)
			appendPGArray(&ids, d->files[i].load_id);
		else
			appendPQExpBufferStr(&ids, i > 0 ? ",NULL" : "NULL");
	}
	appendPQExpBufferChar(&texts, '}');
	appendPQExpBufferChar(&ids, '}');
	params[0] = texts.data;
	params[1] = ids.data;
	res = db_query(conn,
				   "SELECT u.n, f.revision, f.state, f.applied"
				   " FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
				   " pg_catalog.unnest($2::pg_catalog.text[]))"
				   " WITH ORDINALITY AS u(script, id, n),"
				   " LATERAL pg_catalog.migrate_file_state(u.script, u.id) f"
				   " ORDER BY u.n",
				   2, params, "could not compare the folder with the database");
	termPQExpBuffer(&texts);
	termPQExpBuffer(&ids);
	return res;
}

/*
 * For a downgrade: leave out the files of applied revisions that changed
 * since (their load would be refused), and say that the downgrade uses the
 * SQL stored in the database.  False after reporting a failure.
 */
static bool
skip_changed_applied(PGconn *conn, RevDir *d)
{
	PGresult   *res = folder_states(conn, d);
	int			kept = 0;

	if (res == NULL)
		return false;
	for (int i = 0; i < d->nfiles; i++)
	{
		if (strcmp(PQgetvalue(res, i, 2), "changed") == 0 &&
			strcmp(PQgetvalue(res, i, 3), "t") == 0)
		{
			pg_log_warning("file \"%s\" of applied revision \"%s\" changed since it was applied; not loading it",
						   d->files[i].path, PQgetvalue(res, i, 1));
			pg_log_warning_detail("The downgrade runs the downgrade SQL stored in the database when the revision was loaded.");
			continue;
		}
		d->files[kept++] = d->files[i];
	}
	d->nfiles = kept;
	PQclear(res);
	return true;
}

/*
 * Does the database hold the folder of this digest as its last load left
 * it (migrate_folder_loaded)?  *may_note: may this role note a load
 * (migrate_note_folder)?  A server older than the digest knows neither.
 * False after reporting a failure.
 */
static bool
folder_loaded(PGconn *conn, const char *digest, bool *loaded, bool *may_note)
{
	PGresult   *res;

	*loaded = *may_note = false;
	res = PQexecParams(conn,
					   "SELECT pg_catalog.migrate_folder_loaded($1),"
					   " pg_catalog.has_function_privilege('pg_catalog.migrate_note_folder(pg_catalog.text)', 'EXECUTE')",
					   1, NULL, &digest, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		*loaded = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		*may_note = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	}
	else if (PQstatus(conn) != CONNECTION_OK ||
			 strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE) ?
					PQresultErrorField(res, PG_DIAG_SQLSTATE) : "", "42883") != 0)
	{
		report_result_error(res, "could not compare the folder with the database");
		PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}

/*
 * Load every file of the folder, parents and dependencies first, in one
 * transaction; without "commit", that transaction stays open (a dry run
 * rolls it back).  With "downgrade", files of applied revisions that
 * changed are left out (skip_changed_applied).  Returns false after
 * reporting an error.
 *
 * First the folder's digest (revdir_digest): when the database says that
 * its last load was of this very folder and no revision changed since,
 * loading would change nothing, and no file is sent.  When the files are
 * the ones that the last run read (their signature, digest_cache.c), the
 * digest that run computed is asked first, and no file is read either.  Otherwise a load of
 * the whole folder notes its digest (migrate_note_folder, first in the
 * load's transaction) for the next run.
 */
static bool
load_dir(PGconn *conn, int *nloaded, bool commit, bool downgrade)
{
	RevDir		d;
	bool		failed = false;
	bool		ok = true;
	PGresult   *res;
	char	   *digest = NULL;
	char	   *signature = NULL;
	char	   *asked = NULL;
	bool		settled = false;
	bool		loaded = false;
	bool		may_note = false;
	int			nfiles;

	*nloaded = 0;
	/* the digest that the same files gave last time: no file is read */
	if (dir_exists(opts.dir))
	{
		Lookup		l = digest_cache_lookup(opts.dir);

		signature = l.signature;
		settled = l.settled;
		if ((asked = l.digest) != NULL)
		{
			if (!folder_loaded(conn, asked, &loaded, &may_note))
				return false;
			if (loaded)
			{
				if (opts.verbosity > 0)
					pg_log_info("the %d revision files of \"%s\" are loaded as they are (folder %s, files unchanged since they were read)",
								l.nfiles, opts.dir, asked);
				*nloaded = l.nfiles;
				return commit || db_command(conn, "BEGIN", 0, NULL,
											"could not begin a transaction");
			}
		}
	}

	if (revdir_read(opts.dir, &d, false) != 0)
		return false;
	if (d.nfiles > 0 && (digest = revdir_digest(&d)) != NULL)
	{
		if (signature && settled)
			digest_cache_put(opts.dir, signature, digest, d.nfiles);
		/* the database was asked about this digest already */
		if ((asked == NULL || strcmp(asked, digest) != 0) &&
			!folder_loaded(conn, digest, &loaded, &may_note))
			return false;
	}
	if (loaded)
	{
		if (opts.verbosity > 0)
			pg_log_info("the %d revision files of \"%s\" are loaded as they are (folder %s)",
						d.nfiles, opts.dir, digest);
		*nloaded = d.nfiles;
		return commit || db_command(conn, "BEGIN", 0, NULL,
									"could not begin a transaction");
	}
	if (revdir_order(&d) != 0)
		return false;
	nfiles = d.nfiles;
	if (downgrade && d.nfiles > 0 && !skip_changed_applied(conn, &d))
		return false;
	if (d.nfiles == 0)
		return commit || db_command(conn, "BEGIN", 0, NULL,
									"could not begin a transaction");

	if (!PQenterPipelineMode(conn))
	{
		pg_log_error("could not enter pipeline mode: %s", PQerrorMessage(conn));
		return false;
	}
	ok = pipeline_command(conn, "BEGIN");
	/* note a load of the whole folder only, and only one that commits */
	if (!(commit && may_note && digest && d.nfiles == nfiles))
		digest = NULL;
	if (ok && digest &&
		!PQsendQueryParams(conn, "SELECT pg_catalog.migrate_note_folder($1)",
						   1, NULL, (const char *const *) &digest, NULL, NULL, 0))
	{
		pg_log_error("could not send query: %s", PQerrorMessage(conn));
		ok = false;
	}
	for (int from = 0; ok && !failed && from < d.nfiles; from += LOAD_BATCH)
	{
		if (CancelRequested)
		{
			pg_log_error("load canceled");
			failed = true;
			break;
		}
		/* the results of BEGIN and the note come first, with the first batch */
		if (from == 0)
		{
			ok = PQpipelineSync(conn);
			for (int k = 0; ok && k < (digest ? 2 : 1); k++)
			{
				res = PQgetResult(conn);
				ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
					PQresultStatus(res) == PGRES_TUPLES_OK;
				if (!ok)
					report_result_error(res, "could not begin the load");
				PQclear(res);
				while ((res = PQgetResult(conn)) != NULL)
					PQclear(res);
			}
			if (ok)
			{
				res = PQgetResult(conn);	/* the sync */
				PQclear(res);
			}
			if (!ok)
				break;
		}
		ok = load_batch(conn, &d, from, Min(from + LOAD_BATCH, d.nfiles), &failed);
	}
	if (ok)
	{
		ok = pipeline_command(conn, failed ? "ROLLBACK" :
							  commit ? "COMMIT" : "SAVEPOINT pg_migrate_dry_run") &&
			PQpipelineSync(conn);
		if (ok)
		{
			res = PQgetResult(conn);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
			{
				report_result_error(res, "could not commit the load");
				failed = true;
			}
			PQclear(res);
			while ((res = PQgetResult(conn)) != NULL)
				PQclear(res);
			res = PQgetResult(conn);	/* the sync */
			PQclear(res);
		}
	}
	if (!PQexitPipelineMode(conn) && ok)
	{
		pg_log_error("could not leave pipeline mode: %s", PQerrorMessage(conn));
		ok = false;
	}
	if (ok && !failed)
		*nloaded = d.nfiles;
	return ok && !failed;
}

/*
 * For the reading commands that show the folder with the database (heads,
 * branches): load the folder in a transaction that the caller rolls back.
 */
bool
load_folder_uncommitted(PGconn *conn)
{
	RevDir		d;
	int			n;

	/* without a folder: the database alone */
	if (revdir_read(opts.dir, &d, true) != 0 || d.nfiles == 0)
		return db_command(conn, "BEGIN", 0, NULL, "could not begin a transaction");
	return load_dir(conn, &n, false, false);
}

int
cmd_load(PGconn *conn)
{
	int			n;

	if (!load_dir(conn, &n, true, false))
		return EXIT_FAILED;
	if (opts.json)
		printf("{\"loaded\": %d}\n", n);
	else if (opts.verbosity >= 0)
		printf("loaded %d revision file%s from \"%s\"\n", n, n == 1 ? "" : "s",
			   opts.dir);
	return EXIT_OK;
}

/*
 * progress_hook: the server ran a revision (migrate.report_progress, an
 * INFO "upgraded revision "ID"" with detail "N statements, T ms"), while
 * the call goes on: print its line now.
 */
static void
print_progress(const char *message, const char *detail)
{
	MoveReport *rep = progress_report;
	const char *q = strchr(message, '"');
	char	   *id;
	const char *msg = "";
	double		ms = 0;
	int			n;

	if (rep == NULL || q == NULL)
		return;
	id = pg_strdup(q + 1);
	if (strchr(id, '"'))
		*strchr(id, '"') = '\0';
	if (detail)
		(void) sscanf(detail, "%d statements, %lf ms", &n, &ms);
	for (int i = 0; i < rep->nplan; i++)
		if (strcmp(rep->plan[i].id, id) == 0)
			msg = rep->plan[i].message;
	printf("%s %s%s%s (%.1f ms)\n", rep->upgrade ? "upgraded" : "downgraded",
		   id, msg[0] ? ", " : "", msg, ms);
	fflush(stdout);
	rep->pending++;
	pg_free(id);
}

/* Print one step's progress line and add it to the JSON report. */
static void
report_step(MoveReport *rep, const char *id, const char *message,
			const char *statements, double ms, bool transactional)
{
	if (transactional && rep->pending > 0)
		rep->pending--;			/* printed as it ran */
	else if (!opts.json && opts.verbosity >= 0)
	{
		printf("%s %s%s%s (%.1f ms%s)\n",
			   rep->upgrade ? "upgraded" : "downgraded", id,
			   message[0] ? ", " : "", message, ms,
			   transactional ? "" : ", outside a transaction");
		fflush(stdout);
	}
	if (rep->nsteps++ > 0)
		appendPQExpBufferStr(&rep->json, ", ");
	appendPQExpBufferStr(&rep->json, "{\"revision\": ");
	json_string(&rep->json, id);
	appendPQExpBufferStr(&rep->json, ", \"message\": ");
	json_string(&rep->json, message);
	appendPQExpBuffer(&rep->json,
					  ", \"statements\": %s, \"duration_ms\": %.3f, \"transactional\": %s}",
					  statements, ms, transactional ? "true" : "false");
}

/* Report the rows (step, revision, message, statements, ms) of a move. */
static bool
report_rows(MoveReport *rep, PGresult *res)
{
	for (int r = 0; r < PQntuples(res); r++)
		report_step(rep, PQgetvalue(res, r, 1), PQgetvalue(res, r, 2),
					PQgetvalue(res, r, 3), atof(PQgetvalue(res, r, 4)), true);
	return true;
}

/* The ids of steps[from..to-1] as a text[] literal, for a parameter. */
static char *
plan_ids(PlanStep *steps, int from, int to)
{
	PQExpBufferData buf;

	initPQExpBuffer(&buf);
	appendPQExpBufferChar(&buf, '{');
	for (int i = from; i < to; i++)
		appendPGArray(&buf, steps[i].id);
	appendPQExpBufferChar(&buf, '}');
	return buf.data;
}

/* The invalid indexes, by oid, schema and name. */
static PGresult *
invalid_indexes(PGconn *conn)
{
	return db_query(conn,
					"SELECT i.indexrelid::pg_catalog.text, n.nspname, c.relname"
					" FROM pg_catalog.pg_index i"
					" JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid"
					" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
					" WHERE NOT i.indisvalid",
					0, NULL, "could not list invalid indexes");
}

/*
 * After a failed CONCURRENTLY statement: drop the invalid indexes that were
 * not there before it, and say so.
 */
static void
drop_new_invalid_indexes(PGconn *conn, PGresult *before)
{
	PGresult   *after = invalid_indexes(conn);

	if (after == NULL)
		return;
	for (int r = 0; r < PQntuples(after); r++)
	{
		bool		old = false;
		char	   *schema;
		char	   *name;
		char	   *sql;

		for (int b = 0; b < PQntuples(before) && !old; b++)
			old = strcmp(PQgetvalue(before, b, 0), PQgetvalue(after, r, 0)) == 0;
		if (old)
			continue;
		schema = PQescapeIdentifier(conn, PQgetvalue(after, r, 1),
									strlen(PQgetvalue(after, r, 1)));
		name = PQescapeIdentifier(conn, PQgetvalue(after, r, 2),
								  strlen(PQgetvalue(after, r, 2)));
		if (schema == NULL || name == NULL)
			continue;
		sql = psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s.%s", schema, name);
		if (db_command(conn, sql, 0, NULL, "could not drop the invalid index"))
			pg_log_warning("dropped invalid index %s.%s left by the failed statement",
						   schema, name);
		else
			pg_log_warning("invalid index %s.%s is left behind; drop it with %s",
						   schema, name, sql);
		PQfreemem(schema);
		PQfreemem(name);
		pg_free(sql);
	}
	PQclear(after);
}

/*
 * Before a CREATE INDEX CONCURRENTLY: drop the invalid index of the same
 * name on the same table that an interrupted run of it left (a crash, a
 * terminated session), which would make it fail, or be skipped with IF NOT
 * EXISTS.  The server finds it (migrate_leftover_index, the check its
 * background worker makes); the drop runs here, at top level.  False
 * after reporting a failure.
 */
static bool
drop_leftover_index(PGconn *conn, const char *sql)
{
	PGresult   *res;
	char	   *drop;
	bool		ok;

	res = db_query(conn, "SELECT pg_catalog.migrate_leftover_index($1)", 1,
				   &sql, "could not look for a leftover invalid index");
	if (res == NULL)
		return false;
	if (PQgetisnull(res, 0, 0))
	{
		PQclear(res);
		return true;
	}
	drop = psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", PQgetvalue(res, 0, 0));
	ok = db_command(conn, drop, 0, NULL,
					psprintf("could not drop invalid index %s", PQgetvalue(res, 0, 0)));
	if (ok)
		pg_log_warning("dropped invalid index %s left by an interrupted build, before building it again",
					   PQgetvalue(res, 0, 0));
	PQclear(res);
	pg_free(drop);
	return ok;
}

/*
 * After a non-transactional revision stopped before its stretch k + 1 of
 * this run: what committed, and what to do.
 */
static void
report_statements_ran(int k, bool upgrade)
{
	if (k == 1)
		pg_log_error_detail("The stretch before it committed and is recorded; the revision is not recorded as %s.",
							upgrade ? "applied" : "unapplied");
	else if (k > 1)
		pg_log_error_detail("The %d stretches before it committed and are recorded; the revision is not recorded as %s.",
							k, upgrade ? "applied" : "unapplied");
	if (k > 0)
		pg_log_error_hint("Fix the cause, then run pg_migrate again: it starts at the stretch that failed (a stretch is a statement, or the statements between two COMMITs), not again at what committed.");
}

/*
 * Run a non-transactional revision's stretches at top level, one by one, as
 * migrate_plan gives them (the statements of each, ending with the call
 * that records it, so that a rerun resumes after what committed), with
 * lock_timeout and statement_timeout from migrate's parameters, then record
 * the revision.  False after reporting a failure.
 */
static bool
run_non_transactional(PGconn *conn, PlanStep *step, bool upgrade,
					  MoveReport *rep)
{
	PGresult   *saved;
	double		start = now_ms();
	bool		ok = true;
	char		count[16];
	char		duration[64];
	const char *direction = upgrade ? "upgrade" : "downgrade";

	saved = db_query(conn,
					 "SELECT pg_catalog.current_setting('lock_timeout'),"
					 " pg_catalog.current_setting('statement_timeout'),"
					 " pg_catalog.set_config('lock_timeout',"
					 "  pg_catalog.current_setting('migrate.lock_timeout'), false),"
					 " pg_catalog.set_config('statement_timeout',"
					 "  CASE pg_catalog.current_setting('migrate.statement_timeout')"
					 "  WHEN '0' THEN pg_catalog.current_setting('statement_timeout')"
					 "  ELSE pg_catalog.current_setting('migrate.statement_timeout') END, false)",
					 0, NULL, "could not set the timeouts");
	if (saved == NULL)
		return false;

	for (int k = 0; k < step->nstatements && ok; k++)
	{
		const char *sql = step->statements[k];
		PGresult   *before = NULL;
		PGresult   *res;

		if (CancelRequested)
		{
			pg_log_error("%s of revision \"%s\" canceled before statement %d",
						 direction, step->id, k + 1);
			report_statements_ran(k, upgrade);
			ok = false;
			break;
		}
		if (strcasestr(sql, "concurrently") != NULL &&
			(!drop_leftover_index(conn, sql) ||
			 (before = invalid_indexes(conn)) == NULL))
		{
			ok = false;
			break;
		}
		if (opts.verbosity > 0)
			pg_log_info("%s of revision %s, statement %d: %s", direction,
						step->id, k + 1, sql);
		/* the simple protocol: a stretch of several statements is one transaction */
		res = PQexec(conn, sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
			PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			report_result_error(res, psprintf("%s of revision \"%s\" failed at statement %d (line %s)",
											  direction, step->id, k + 1,
											  k < step->nlines ? step->lines[k] : "?"));
			if (run_error.revision == NULL)
				error_note_position(step->id, k + 1,
									k < step->nlines ? atoi(step->lines[k]) : 0);
			report_statements_ran(k, upgrade);
			if (before)
				drop_new_invalid_indexes(conn, before);
			ok = false;
		}
		PQclear(res);
		if (before)
			PQclear(before);
	}

	{
		const char *params[2] = {PQgetvalue(saved, 0, 0), PQgetvalue(saved, 0, 1)};

		if (PQstatus(conn) == CONNECTION_OK &&
			!db_command(conn,
						"SELECT pg_catalog.set_config('lock_timeout', $1, false),"
						" pg_catalog.set_config('statement_timeout', $2, false)",
						2, params, "could not restore the timeouts"))
			ok = false;
	}
	PQclear(saved);
	if (!ok)
		return false;

	snprintf(count, sizeof(count), "%d", step->nstatements);
	snprintf(duration, sizeof(duration), "%.3f milliseconds", now_ms() - start);
	{
		const char *params[4] = {step->id, direction, count, duration};

		if (!db_command(conn,
						"SELECT pg_catalog.migrate_record($1, $2, $3::pg_catalog.int4,"
						" $4::pg_catalog.interval)",
						4, params,
						psprintf("revision \"%s\" ran, but could not be recorded", step->id)))
			return false;
	}
	report_step(rep, step->id, step->message, count, now_ms() - start, false);
	return true;
}

/* "plan: upgrade to "head", 2 revisions" and a line per revision. */
static void
print_plan(PlanStep *plan, int nplan, const char *target, bool upgrade)
{
	if (opts.json || opts.verbosity < 0 || nplan == 0)
		return;
	printf("plan: %s to \"%s\", %d revision%s\n",
		   upgrade ? "upgrade" : "downgrade", target, nplan,
		   nplan == 1 ? "" : "s");
	for (int i = 0; i < nplan; i++)
	{
		if (plan[i].commit_before)
			printf("  (commit: %s)\n", plan[i].commit_before);
		printf("  %s%s%s%s\n", plan[i].id, plan[i].message[0] ? ", " : "",
			   plan[i].message,
			   plan[i].transactional ? "" : " (outside a transaction)");
	}
	fflush(stdout);
}

/*
 * The revision ids of a plan as a JSON array, then the commit points:
 * ', "commits": [{"before": ID, "why": ...}, ...]'.
 */
static void
json_plan(PQExpBuffer out, PlanStep *plan, int nplan)
{
	bool		first = true;

	appendPQExpBufferChar(out, '[');
	for (int i = 0; i < nplan; i++)
	{
		if (i > 0)
			appendPQExpBufferStr(out, ", ");
		json_string(out, plan[i].id);
	}
	appendPQExpBufferStr(out, "], \"commits\": [");
	for (int i = 0; i < nplan; i++)
	{
		if (plan[i].commit_before == NULL)
			continue;
		appendPQExpBufferStr(out, first ? "{\"before\": " : ", {\"before\": ");
		json_string(out, plan[i].id);
		appendPQExpBufferStr(out, ", \"why\": ");
		json_string(out, plan[i].commit_before);
		appendPQExpBufferChar(out, '}');
		first = false;
	}
	appendPQExpBufferChar(out, ']');
}

/*
 * Before a downgrade without --force: refuse it when it would drop data
 * the application wrote, naming every table, column and schema and how
 * many rows (migrate_preview, the check that migrate_downgrade makes
 * itself).  False after reporting the refusal or a failure.
 */
static bool
refuse_data_loss(PGconn *conn, const char *target)
{
	const char *params[1] = {target};
	PGresult   *res;
	int			n;

	res = db_query(conn,
				   "SELECT revision, statement, line, message"
				   " FROM pg_catalog.migrate_preview($1, 'downgrade')"
				   " WHERE rule OPERATOR(pg_catalog.=) 'destructive-downgrade-without-export'",
				   1, params, "could not check what the downgrade drops");
	if (res == NULL)
		return false;
	n = PQntuples(res);
	if (n > 0)
	{
		pg_log_error("downgrade would drop data in %d place%s", n,
					 n == 1 ? "" : "s");
		for (int r = 0; r < n; r++)
			pg_log_error_detail("Revision \"%s\", statement %s (line %s): %s.",
								PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
								PQgetvalue(res, r, 2), PQgetvalue(res, r, 3));
		pg_log_error_hint("Export the data first in the downgrade, or run \"pg_migrate downgrade %s --force\" to let it go.",
						  target);
	}
	PQclear(res);
	return n == 0;
}

/*
 * --dry-run: the plan and the findings that would stop it, judged against
 * the database as it is now (migrate_preview).  The load happened in a
 * transaction that is rolled back: nothing changes.  Exit status 3 when
 * something would stop the run.
 */
static int
dry_run(PGconn *conn, PlanStep *plan, int nplan, const char *target,
		bool upgrade, int nloaded)
{
	const char *direction = upgrade ? "upgrade" : "downgrade";
	const char *params[2] = {target, direction};
	PGresult   *res;
	int			n;

	res = db_query(conn,
				   "SELECT revision, statement, line, rule, severity, message, hint"
				   " FROM pg_catalog.migrate_preview($1, $2)",
				   2, params, psprintf("could not check the %s", direction));
	(void) db_command(conn, "ROLLBACK", 0, NULL, "could not roll back the load");
	if (res == NULL)
		return EXIT_FAILED;
	n = PQntuples(res);
	if (opts.json)
	{
		PQExpBufferData out;

		initPQExpBuffer(&out);
		appendPQExpBuffer(&out, "{\"command\": \"%s\", \"target\": ", direction);
		json_string(&out, target);
		appendPQExpBuffer(&out, ", \"dry_run\": true, \"loaded\": %d, \"plan\": ",
						  nloaded);
		json_plan(&out, plan, nplan);
		appendPQExpBufferStr(&out, ", \"findings\": [");
		for (int r = 0; r < n; r++)
		{
			appendPQExpBuffer(&out, "%s{\"revision\": ", r > 0 ? ", " : "");
			json_string(&out, PQgetvalue(res, r, 0));
			appendPQExpBuffer(&out, ", \"statement\": %s, \"line\": %s, \"rule\": ",
							  PQgetvalue(res, r, 1), PQgetvalue(res, r, 2));
			json_string(&out, PQgetvalue(res, r, 3));
			appendPQExpBufferStr(&out, ", \"severity\": ");
			json_string(&out, PQgetvalue(res, r, 4));
			appendPQExpBufferStr(&out, ", \"message\": ");
			json_string(&out, PQgetvalue(res, r, 5));
			appendPQExpBufferStr(&out, ", \"hint\": ");
			json_string(&out, PQgetvalue(res, r, 6));
			appendPQExpBufferChar(&out, '}');
		}
		appendPQExpBufferStr(&out, "]}");
		printf("%s\n", out.data);
		json_printed = true;
		termPQExpBuffer(&out);
	}
	else if (opts.verbosity >= 0)
	{
		if (nplan == 0)
			printf("nothing to %s: \"%s\" is applied\n", direction, target);
		for (int r = 0; r < n; r++)
			printf("would stop: revision %s, statement %s (line %s): %s: %s: %s\n",
				   PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
				   PQgetvalue(res, r, 2), PQgetvalue(res, r, 4),
				   PQgetvalue(res, r, 3), PQgetvalue(res, r, 5));
		printf("dry run: %s, nothing changed\n",
			   n == 0 ? "nothing would stop it" :
			   psprintf("%d finding%s would stop it", n, n == 1 ? "" : "s"));
	}
	PQclear(res);
	return n > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/*
 * Say so when another session holds migrate's lock (another migrator): the
 * load and the run wait for it, under lock_timeout.  Its key is the one of
 * CatalogLock.
 */
static void
report_lock_holder(PGconn *conn)
{
	PGresult   *res;

	if (opts.verbosity < 0)
		return;
	res = PQexec(conn,
				 "SELECT a.pid, a.usename, a.application_name, a.state,"
				 " pg_catalog.to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS')"
				 " FROM pg_catalog.pg_locks l"
				 " JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid"
				 " WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted"
				 "   AND l.database OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database"
				 "     WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())"
				 "   AND l.classid OPERATOR(pg_catalog.=) 1835624306"
				 "   AND l.objid OPERATOR(pg_catalog.=) 1635017984"
				 "   AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
		pg_log_info("waiting for migrate's lock, held by pid %s (role %s, application \"%s\", %s, transaction since %s)",
					PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
					PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3),
					PQgetisnull(res, 0, 4) ? "-" : PQgetvalue(res, 0, 4));
	PQclear(res);
}

/*
 * After a failure: when a revision needs what an earlier revision of the
 * same transaction did to be committed (an enum value it added, 55P04,
 * usable only once that transaction commits; a constraint it added NOT
 * VALID, which validate-in-same-transaction stops validating under the
 * lock the addition holds), say how to commit between them: move to the
 * revision before it first, then on.
 */
static void
hint_commit_between(PlanStep *plan, int nplan, bool upgrade)
{
	char	   *hint;

	if (run_error.sqlstate == NULL || run_error.revision == NULL ||
		!(strcmp(run_error.sqlstate, "55P04") == 0 ||
		  (strcmp(run_error.sqlstate, "MG302") == 0 && run_error.message &&
		   strstr(run_error.message, "\"validate-in-same-transaction\""))))
		return;
	for (int k = 1; k < nplan; k++)
		if (strcmp(plan[k].id, run_error.revision) == 0)
		{
			hint = psprintf("Revisions run in one transaction, and this one needs what an earlier one did committed: run \"pg_migrate %s %s\" first, which commits, then %s again.",
							upgrade ? "upgrade" : "downgrade", plan[k - 1].id,
							upgrade ? "upgrade" : "downgrade");
			pg_log_error_hint("%s", hint);
			run_error.hint = run_error.hint ?
				psprintf("%s\n%s", run_error.hint, hint) : hint;
			return;
		}
}

/*
 * upgrade [TARGET] / downgrade TARGET: load, print the plan, then move;
 * with MOVE_DRY_RUN, only say what would happen.
 */
int
cmd_move(PGconn *conn, const char *target, bool upgrade, int flags)
{
	const char *direction = upgrade ? "upgrade" : "downgrade";
	const char *params[2] = {target, direction};
	bool		dry = (flags & MOVE_DRY_RUN) != 0;
	MoveReport	rep;
	PGresult   *res;
	PlanStep   *plan;
	int			nplan;
	int			nloaded;
	bool		several = false;	/* more than one transaction */
	bool		ok = true;
	double		start = now_ms();

	memset(&rep, 0, sizeof(rep));
	rep.upgrade = upgrade;
	initPQExpBuffer(&rep.json);

	report_lock_holder(conn);
	if (!load_dir(conn, &nloaded, !dry, !upgrade))
		return EXIT_FAILED;
	if (opts.verbosity > 0)
		pg_log_info("loaded %d revision files from \"%s\"", nloaded, opts.dir);
	if ((flags & MOVE_FORCE) &&
		!db_command(conn, "SELECT pg_catalog.set_config('migrate.drop_data', 'on', false)",
					0, NULL, "could not set migrate.drop_data"))
		return EXIT_FAILED;
	if (!dry &&
		!db_command(conn, "SELECT pg_catalog.migrate_lock_session()", 0, NULL,
					"could not take migrate's lock"))
		return EXIT_FAILED;

	res = db_query(conn,
				   "SELECT revision, message, transactional, statements, lines,"
				   " commit_before FROM pg_catalog.migrate_plan($1, $2)",
				   2, params, psprintf("could not plan the %s", direction));
	if (res == NULL)
		return EXIT_FAILED;
	nplan = PQntuples(res);
	plan = pg_malloc0(sizeof(PlanStep) * (nplan + 1));
	for (int i = 0; i < nplan; i++)
	{
		plan[i].id = pg_strdup(PQgetvalue(res, i, 0));
		plan[i].message = pg_strdup(PQgetvalue(res, i, 1));
		plan[i].transactional = strcmp(PQgetvalue(res, i, 2), "t") == 0;
		if (!PQgetisnull(res, i, 5))
		{
			plan[i].commit_before = pg_strdup(PQgetvalue(res, i, 5));
			several = true;
		}
		if (!plan[i].transactional)
		{
			several = true;
			plan[i].statements = db_text_array(res, i, 3, &plan[i].nstatements);
			plan[i].lines = db_text_array(res, i, 4, &plan[i].nlines);
			if (plan[i].statements == NULL || plan[i].lines == NULL)
				ok = false;
		}
	}
	PQclear(res);
	print_plan(plan, nplan, target, upgrade);
	if (dry)
		return dry_run(conn, plan, nplan, target, upgrade, nloaded);
	if (ok && nplan > 0 && !upgrade && !(flags & MOVE_FORCE))
		ok = refuse_data_loss(conn, target);

	/* a line per revision as the server runs it, not when the call ends */
	rep.plan = plan;
	rep.nplan = nplan;
	if (ok && nplan > 0 && !opts.json && opts.verbosity >= 0 &&
		db_command(conn, "SELECT pg_catalog.set_config('migrate.report_progress', 'on', false)",
				   0, NULL, "could not ask for progress messages"))
	{
		progress_report = &rep;
		progress_hook = print_progress;
	}

	if (ok && nplan > 0 && !several)
	{
		res = db_query(conn, upgrade ?
					   "SELECT step, revision, message, statements,"
					   " pg_catalog.date_part('epoch', duration) OPERATOR(pg_catalog.*) 1000"
					   " FROM pg_catalog.migrate_upgrade($1)" :
					   "SELECT step, revision, message, statements,"
					   " pg_catalog.date_part('epoch', duration) OPERATOR(pg_catalog.*) 1000"
					   " FROM pg_catalog.migrate_downgrade($1)",
					   1, params, psprintf("could not %s to \"%s\"", direction, target));
		ok = res != NULL && report_rows(&rep, res);
		PQclear(res);
	}
	else
	{
		for (int i = 0; i < nplan && ok;)
		{
			int			j = i;

			if (CancelRequested)
			{
				pg_log_error("%s canceled before revision \"%s\"", direction,
							 plan[i].id);
				ok = false;
				break;
			}
			if (!plan[i].transactional)
			{
				ok = run_non_transactional(conn, &plan[i], upgrade, &rep);
				i++;
				continue;
			}
			while (j < nplan && plan[j].transactional &&
				   (j == i || plan[j].commit_before == NULL))
				j++;
			{
				const char *apply_params[2] = {plan_ids(plan, i, j), direction};

				res = db_query(conn,
							   "SELECT step, revision, message, statements,"
							   " pg_catalog.date_part('epoch', duration) OPERATOR(pg_catalog.*) 1000"
							   " FROM pg_catalog.migrate_steps($1::pg_catalog.text[], $2)",
							   2, apply_params,
							   psprintf("could not %s to \"%s\"", direction, target));
				ok = res != NULL && report_rows(&rep, res);
				PQclear(res);
			}
			i = j;
		}
	}
	progress_hook = NULL;
	progress_report = NULL;
	if (!ok)
		hint_commit_between(plan, nplan, upgrade);
	if (PQstatus(conn) == CONNECTION_OK)
		(void) db_command(conn, "SELECT pg_catalog.migrate_unlock_session()", 0,
						  NULL, "could not release migrate's lock");

	if (opts.json)
	{
		PQExpBufferData out;

		initPQExpBuffer(&out);
		appendPQExpBuffer(&out, "{\"command\": \"%s\", \"target\": ", direction);
		json_string(&out, target);
		appendPQExpBuffer(&out, ", \"ok\": %s, \"loaded\": %d, \"plan\": ",
						  ok ? "true" : "false", nloaded);
		json_plan(&out, plan, nplan);
		appendPQExpBuffer(&out, ", \"steps\": [%s], \"duration_ms\": %.3f, \"error\": ",
						  rep.json.data, now_ms() - start);
		if (ok)
			appendPQExpBufferStr(&out, "null");
		else
			error_print_json(&out);
		appendPQExpBufferChar(&out, '}');
		printf("%s\n", out.data);
		json_printed = true;
		termPQExpBuffer(&out);
	}
	else if (ok && opts.verbosity >= 0)
	{
		if (rep.nsteps == 0)
			printf("nothing to %s: \"%s\" is applied\n", direction, target);
		else
			printf("%s %d revision%s to \"%s\" in %.1f ms\n",
				   upgrade ? "upgraded" : "downgraded", rep.nsteps,
				   rep.nsteps == 1 ? "" : "s", target, now_ms() - start);
	}
	else if (!ok && opts.verbosity >= 0)
	{
		if (rep.pending > 0)
			printf("rolled back: the %d revision%s above that ran in the failed transaction\n",
				   rep.pending, rep.pending == 1 ? "" : "s");
		if (rep.nsteps > 0)
			printf("%s %d revision%s before the failure\n",
				   upgrade ? "upgraded" : "downgraded", rep.nsteps,
				   rep.nsteps == 1 ? "" : "s");
	}
	termPQExpBuffer(&rep.json);
	return ok ? EXIT_OK : EXIT_FAILED;
}

/*
 * forget ID: remove an unapplied revision that nothing depends on from the
 * database (migrate_forget), typically one whose file was deleted.  No
 * load first: the folder may well not have it.
 */
int
cmd_forget(PGconn *conn, const char *id)
{
	const char *params[1] = {id};
	RevDir		d;

	if (!db_command(conn, "SELECT pg_catalog.migrate_forget($1)", 1, params,
					psprintf("could not forget revision \"%s\"", id)))
		return EXIT_FAILED;
	if (opts.json)
	{
		PQExpBufferData out;

		initPQExpBuffer(&out);
		appendPQExpBufferStr(&out, "{\"forgotten\": ");
		json_string(&out, id);
		appendPQExpBufferChar(&out, '}');
		printf("%s\n", out.data);
		termPQExpBuffer(&out);
	}
	else if (opts.verbosity >= 0)
		printf("forgot revision %s\n", id);
	if (revdir_read(opts.dir, &d, true) == 0 && revdir_find(&d, id) >= 0)
		pg_log_warning("\"%s\" still has a file of revision \"%s\": the next load adds it again",
					   opts.dir, id);
	return EXIT_OK;
}

/*
 * stamp TARGET...: load, then set the applied set without running SQL.
 */
int
cmd_stamp(PGconn *conn, int ntargets, char **targets)
{
	PQExpBufferData arr;
	PGresult   *res;
	int			nloaded;
	const char *params[1];

	if (!load_dir(conn, &nloaded, true, false))
		return EXIT_FAILED;
	initPQExpBuffer(&arr);
	appendPQExpBufferChar(&arr, '{');
	for (int i = 0; i < ntargets; i++)
		appendPGArray(&arr, targets[i]);
	appendPQExpBufferChar(&arr, '}');
	params[0] = arr.data;
	if (opts.json)
	{
		int			rc = print_json_query(conn,
										  "SELECT COALESCE(pg_catalog.json_agg(s), '[]')"
										  " FROM pg_catalog.migrate_stamp($1::pg_catalog.text[]) s",
										  1, params, "could not stamp");

		termPQExpBuffer(&arr);
		return rc;
	}
	res = db_query(conn,
				   "SELECT revision, message, action"
				   " FROM pg_catalog.migrate_stamp($1::pg_catalog.text[])",
				   1, params, "could not stamp");
	termPQExpBuffer(&arr);
	if (res == NULL)
		return EXIT_FAILED;
	if (opts.verbosity >= 0)
	{
		for (int r = 0; r < PQntuples(res); r++)
			printf("%s %s%s%s\n", PQgetvalue(res, r, 2), PQgetvalue(res, r, 0),
				   PQgetvalue(res, r, 1)[0] ? ", " : "", PQgetvalue(res, r, 1));
		if (PQntuples(res) == 0)
			printf("nothing to stamp\n");
	}
	PQclear(res);
	return EXIT_OK;
}
