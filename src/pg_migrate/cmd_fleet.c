/*-------------------------------------------------------------------------
 *
 * cmd_fleet.c
 *	  One command on many databases: pg_migrate upgrade, downgrade,
 *	  current and check over a fleet, and pg_migrate fleet recover.
 *
 * The databases of a fleet come from repeated -d, from --dbs-file (one
 * connection string per line) and from --dbs-query (a query run on the
 * one -d database, whose first column is a connection string).  Each
 * database is handled by a child process (fork) that runs the same code
 * as a single-database run (cmd_move, cmd_current, cmd_check) with its
 * stdout and stderr going to temporary files, and writes what it did
 * (status, revisions before and after, count, time, error) to a third
 * one; the parent runs at most -j children at a time, relays each
 * child's messages prefixed with the database, and prints the summary:
 * one row per database, or JSON with --json.  A database that cannot be
 * reached or refuses fails alone: its child exits, the others go on.
 *
 * Order: --canary N runs the first N databases first, and stops the
 * rollout if one of them fails.  Without --continue-on-error, the first
 * failure stops the rollout too (the running ones finish; the others are
 * "not started").  A rerun runs nothing where the target is applied
 * ("at_target").
 *
 * --atomic runs an upgrade or downgrade on every database or none, with
 * two-phase commit, in three passes over the fleet:
 *	 1. check: every server has max_prepared_transactions > 0, every plan
 *		is transactional; any refusal or unreachable database stops here,
 *		before anything changed;
 *	 2. prepare: on each database that has something to run, in one
 *		transaction: the load, migrate_fleet_member (a row in
 *		migrate.fleet_member that becomes visible when this member
 *		commits), migrate_upgrade or migrate_downgrade, then PREPARE
 *		TRANSACTION 'migrate_<fleet>_<member>_<members>'.  If one fails,
 *		the prepared ones are rolled back (ROLLBACK PREPARED);
 *	 3. commit: once all are prepared, COMMIT PREPARED on each.
 * A client killed between 2 and 3 leaves prepared transactions in doubt
 * (migrate_check reports them); fleet recover finds them over the same
 * databases: a fleet whose members are all prepared or committed (a
 * visible migrate.fleet_member row) is committed, any other rolled back.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <ctype.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "common/logging.h"
#include "connection.h"
#include "fe_utils/string_utils.h"
#include "output.h"
#include "util.h"

/* What became of a database of the fleet. */
typedef enum MemberStatus
{
	MS_PENDING,					/* not run (yet) */
	MS_DONE,					/* revisions ran */
	MS_AT_TARGET,				/* nothing to run */
	MS_OK,						/* a reading command succeeded */
	MS_PROBLEMS,				/* check, dry run: problems found */
	MS_FAILED,
	MS_NOT_STARTED,				/* the rollout stopped before it */
	MS_PREPARED,				/* --atomic: prepared, not committed */
	MS_COMMITTED,				/* --atomic: committed */
	MS_ROLLED_BACK,				/* --atomic: prepared, then rolled back */
	MS_IN_DOUBT					/* --atomic: commit failed; recover */
} MemberStatus;

static const char *const status_names[] = {
	"pending", "done", "at_target", "ok", "problems", "failed",
	"not_started", "prepared", "committed", "rolled_back", "in_doubt"
};

/* A database of the fleet and what a pass did there. */
typedef struct Member
{
	char	   *conninfo;		/* as given */
	char	   *name;			/* as shown: without a password */
	MemberStatus status;
	char	   *from;			/* current revisions before, comma-separated */
	char	   *to;				/* after */
	int			nrun;			/* revisions run; -1 unknown */
	int			nplan;			/* --atomic: revisions planned */
	double		ms;
	char	   *error;			/* the first error message */
	char	   *output;			/* the child's stdout */
	char	   *gid;			/* --atomic: the prepared transaction */
	char	   *data;			/* recover: the pass's findings, a line each */
	char	   *saved_data;	/* recover: the prepared gids of pass 1 */
} Member;

/* A pass's work on one database, run in a child; false if it failed. */
typedef bool (*FleetJob) (Member *m);

/* The fleet options (after the command). */
static struct
{
	int			jobs;
	int			canary;
	bool		continue_on_error;
	bool		atomic;
	const char *dbs_file;
	const char *dbs_query;
	bool		given;			/* any of them */
} fleet = {1};

/* The command being run, for the jobs (children inherit them). */
static const char *fleet_target;
static bool fleet_upgrade;
static int	fleet_move_flags;
static const char *fleet_command;
static char *fleet_ids_param;	/* recover: the fleet ids, a text[] literal */

static MemberStatus prior_status;	/* in a child: the member's status
										 * before this pass */
static int	jobs_done;			/* progress: databases finished */
static int	jobs_total;

static bool fleet_capable(const char *command);
static char *display_name(const char *conninfo);
static Member *fleet_members(int *n);
static char *current_ids(PGconn *conn, int *napplied);
static void write_field(FILE *f, const char *key, const char *value);
static void read_fields(FILE *f, Member *m);
static char *read_all(FILE *f);
static pid_t start_child(Member *m, FleetJob job, FILE **files);
static void collect_child(Member *m, int status, FILE **files);
static bool run_jobs(Member *ms, int *which, int n, FleetJob job,
					 bool stop_on_failure, const char *not_started);
static void print_summary(Member *ms, int n, double ms_total, bool ok,
						  const char *fleet_id);
static int	fleet_move(Member *ms, int n);
static bool atomic_capacity(Member *ms, int n);
static int	fleet_atomic(Member *ms, int n);
static int	fleet_read(Member *ms, int n);
static int	fleet_recover(Member *ms, int n);

/* The commands that run on a fleet. */
static bool
fleet_capable(const char *command)
{
	return strcmp(command, "upgrade") == 0 || strcmp(command, "downgrade") == 0 ||
		strcmp(command, "current") == 0 || strcmp(command, "check") == 0 ||
		strcmp(command, "fleet") == 0;
}

/*
 * Take the fleet options out of a command's arguments: -j N, --jobs=N,
 * --canary=N, --continue-on-error, --atomic, --dbs-file=FILE,
 * --dbs-query=SQL (also with the value as the next argument).  Returns the
 * number of arguments left; exits on a bad option.
 */
int
fleet_take_options(const char *command, int nargs, char **args)
{
	int			kept = 0;

	for (int i = 0; i < nargs; i++)
	{
		const char *a = args[i];
		const char *name = NULL;
		const char *value = NULL;

		if (strcmp(a, "--") == 0)
		{
			while (i < nargs)
				args[kept++] = args[i++];
			break;
		}
		if (strcmp(a, "--continue-on-error") == 0)
			fleet.continue_on_error = true;
		else if (strcmp(a, "--atomic") == 0)
			fleet.atomic = true;
		else if (strncmp(a, "-j", 2) == 0 || strncmp(a, "--jobs", 6) == 0 ||
				 strncmp(a, "--canary", 8) == 0 ||
				 strncmp(a, "--dbs-file", 10) == 0 ||
				 strncmp(a, "--dbs-query", 11) == 0)
		{
			const char *eq = strchr(a, '=');

			name = a[1] == 'j' ? "-j" : pg_strdup_range(a, eq ? eq : a + strlen(a));
			if (strcmp(name, "-j") == 0 && a[2] != '\0')
				value = a + 2;
			else if (eq)
				value = eq + 1;
			else if (strcmp(name, "-j") == 0 || strcmp(name, "--jobs") == 0 ||
					 strcmp(name, "--canary") == 0 ||
					 strcmp(name, "--dbs-file") == 0 ||
					 strcmp(name, "--dbs-query") == 0)
				value = i + 1 < nargs ? args[++i] : NULL;
			else
			{
				args[kept++] = args[i];
				continue;
			}
			if (value == NULL)
			{
				pg_log_error("option \"%s\" needs a value", name);
				pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
				exit(EXIT_USAGE);
			}
			if (strcmp(name, "-j") == 0 || strcmp(name, "--jobs") == 0 ||
				strcmp(name, "--canary") == 0)
			{
				char	   *end;
				long		v = strtol(value, &end, 10);

				if (*end != '\0' || end == value || v < (name[2] == 'c' ? 0 : 1) ||
					v > 1000000)
				{
					pg_log_error("invalid value \"%s\" for option \"%s\"", value, name);
					pg_log_error_hint("Give a number of databases%s.",
									  name[2] == 'c' ? "" : ", at least 1");
					exit(EXIT_USAGE);
				}
				if (name[2] == 'c')
					fleet.canary = (int) v;
				else
					fleet.jobs = (int) v;
			}
			else if (strcmp(name, "--dbs-file") == 0)
				fleet.dbs_file = value;
			else
				fleet.dbs_query = value;
		}
		else
		{
			args[kept++] = args[i];
			continue;
		}
		fleet.given = true;
	}
	args[kept] = NULL;
	if (fleet.given && !fleet_capable(command))
	{
		pg_log_error("command \"%s\" does not run on a fleet of databases", command);
		pg_log_error_hint("The fleet options work with upgrade, downgrade, current, check and fleet recover.");
		exit(EXIT_USAGE);
	}
	if (fleet.atomic && strcmp(command, "upgrade") != 0 &&
		strcmp(command, "downgrade") != 0)
	{
		pg_log_error("option \"--atomic\" is for upgrade and downgrade");
		exit(EXIT_USAGE);
	}
	if (fleet.atomic && (fleet.canary > 0 || fleet.continue_on_error))
	{
		pg_log_error("option \"--atomic\" cannot be combined with \"--canary\" or \"--continue-on-error\"");
		pg_log_error_hint("An atomic run changes every database or none.");
		exit(EXIT_USAGE);
	}
	return kept;
}

/* Does this command line run on a fleet? */
bool
fleet_wanted(const char *command)
{
	return fleet_capable(command) && (fleet.given || opts.ndbnames > 1);
}

/*
 * How a database is shown: the connection string as given, but without a
 * password.
 */
static char *
display_name(const char *conninfo)
{
	PQconninfoOption *o;
	PQExpBufferData buf;

	if (strstr(conninfo, "password") == NULL ||
		(o = PQconninfoParse(conninfo, NULL)) == NULL)
		return pg_strdup(conninfo);
	initPQExpBuffer(&buf);
	for (PQconninfoOption *p = o; p->keyword; p++)
	{
		if (p->val == NULL || strcmp(p->keyword, "password") == 0)
			continue;
		if (buf.len > 0)
			appendPQExpBufferChar(&buf, ' ');
		appendPQExpBuffer(&buf, "%s=", p->keyword);
		appendConnStrVal(&buf, p->val);
	}
	PQconninfoFree(o);
	return buf.data;
}

/*
 * The databases of the fleet: every -d (but the directory database of
 * --dbs-query), the lines of --dbs-file, the rows of --dbs-query.  NULL
 * after reporting a failure.
 */
static Member *
fleet_members(int *n)
{
	char	  **list = NULL;
	int			nlist = 0;
	Member	   *ms;

	if (fleet.dbs_query)
	{
		ConnParams	cparams = {0};
		PGconn	   *conn;
		PGresult   *res;

		if (opts.ndbnames > 1)
		{
			pg_log_error("--dbs-query runs on one database, but %d were given with -d",
						 opts.ndbnames);
			return NULL;
		}
		cparams.dbname = opts.dbname ? opts.dbname : "";
		cparams.pghost = opts.host;
		cparams.pgport = opts.port;
		cparams.pguser = opts.user;
		cparams.prompt_password = opts.prompt_password;
		conn = connectDatabase(&cparams, "pg_migrate", false, false, false);
		/* the query's names resolve as in psql (connectDatabase empties it) */
		PQclear(PQexec(conn, "RESET search_path"));
		res = PQexec(conn, fleet.dbs_query);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			report_result_error(res, "could not run the query of --dbs-query");
			return NULL;
		}
		for (int r = 0; r < PQntuples(res); r++)
		{
			if (PQgetisnull(res, r, 0))
				continue;
			list = pg_realloc(list, sizeof(char *) * (nlist + 1));
			list[nlist++] = pg_strdup(PQgetvalue(res, r, 0));
		}
		PQclear(res);
		PQfinish(conn);
	}
	else
		for (int i = 0; i < opts.ndbnames; i++)
		{
			list = pg_realloc(list, sizeof(char *) * (nlist + 1));
			list[nlist++] = pg_strdup(opts.dbnames[i]);
		}
	if (fleet.dbs_file)
	{
		char	   *text = read_file(fleet.dbs_file, NULL);
		char	   *line;

		if (text == NULL)
			return NULL;
		for (line = text; line && *line;)
		{
			char	   *eol = strchr(line, '\n');
			char	   *start = line;
			char	   *end = eol ? eol : line + strlen(line);

			line = eol ? eol + 1 : NULL;
			while (start < end && isspace((unsigned char) *start))
				start++;
			while (end > start && isspace((unsigned char) end[-1]))
				end--;
			if (start == end || *start == '#')
				continue;
			list = pg_realloc(list, sizeof(char *) * (nlist + 1));
			list[nlist++] = pg_strdup_range(start, end);
		}
	}
	if (nlist == 0)
	{
		pg_log_error("the fleet has no database");
		pg_log_error_hint("Give databases with -d, --dbs-file or --dbs-query.");
		return NULL;
	}
	ms = pg_malloc0(sizeof(Member) * nlist);
	for (int i = 0; i < nlist; i++)
	{
		ms[i].conninfo = list[i];
		ms[i].name = display_name(list[i]);
		ms[i].nrun = -1;
	}
	*n = nlist;
	return ms;
}

/*
 * The current revisions ("base" for none), comma-separated, and the number
 * of applied revisions; NULL after reporting a failure.
 */
static char *
current_ids(PGconn *conn, int *napplied)
{
	PGresult   *res;
	char	   *ids;

	res = db_query(conn,
				   "SELECT COALESCE((SELECT pg_catalog.string_agg(c.revision, ',' ORDER BY c.revision)"
				   " FROM pg_catalog.migrate_current() c), 'base'),"
				   " (SELECT pg_catalog.count(*) FROM pg_catalog.migrate_history() h WHERE h.applied)",
				   0, NULL, "could not read the current revisions");
	if (res == NULL)
		return NULL;
	ids = pg_strdup(PQgetvalue(res, 0, 0));
	if (napplied)
		*napplied = atoi(PQgetvalue(res, 0, 1));
	PQclear(res);
	return ids;
}

/*
 * The record a child leaves: "key=value" lines, the value with
 * backslash, newline and carriage return escaped.
 */
static void
write_field(FILE *f, const char *key, const char *value)
{
	if (value == NULL)
		return;
	fprintf(f, "%s=", key);
	for (const char *p = value; *p; p++)
	{
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else
			fputc(*p, f);
	}
	fputc('\n', f);
}

/* The whole of a temporary file, from its start. */
static char *
read_all(FILE *f)
{
	PQExpBufferData buf;
	char		chunk[8192];
	size_t		got;

	initPQExpBuffer(&buf);
	rewind(f);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		appendBinaryPQExpBuffer(&buf, chunk, got);
	return buf.data;
}

/* Read a child's record into m. */
static void
read_fields(FILE *f, Member *m)
{
	char	   *text = read_all(f);

	for (char *line = text; line && *line;)
	{
		char	   *eol = strchr(line, '\n');
		char	   *eq = strchr(line, '=');
		char	   *value;
		char	   *w;

		if (eol)
			*eol = '\0';
		if (eq == NULL)
			break;
		*eq = '\0';
		value = w = eq + 1;
		for (char *r = value; *r; r++)
		{
			if (*r == '\\' && r[1] == 'n')
				*w++ = '\n', r++;
			else if (*r == '\\' && r[1] == 'r')
				*w++ = '\r', r++;
			else if (*r == '\\' && r[1] == '\\')
				*w++ = '\\', r++;
			else
				*w++ = *r;
		}
		*w = '\0';
		if (strcmp(line, "status") == 0)
		{
			for (int s = 0; s < lengthof(status_names); s++)
				if (strcmp(value, status_names[s]) == 0)
					m->status = (MemberStatus) s;
		}
		else if (strcmp(line, "from") == 0)
			m->from = pg_strdup(value);
		else if (strcmp(line, "to") == 0)
			m->to = pg_strdup(value);
		else if (strcmp(line, "nrun") == 0)
			m->nrun = atoi(value);
		else if (strcmp(line, "nplan") == 0)
			m->nplan = atoi(value);
		else if (strcmp(line, "ms") == 0)
			m->ms = atof(value);
		else if (strcmp(line, "error") == 0)
			m->error = pg_strdup(value);
		else if (strcmp(line, "data") == 0)
			m->data = pg_strdup(value);
		line = eol ? eol + 1 : NULL;
	}
	pg_free(text);
}

/*
 * Fork a child that runs job for m with stdout in files[0], stderr in
 * files[1], and writes its record to files[2]; -1 after reporting a
 * failure.
 */
static pid_t
start_child(Member *m, FleetJob job, FILE **files)
{
	pid_t		pid;

	for (int i = 0; i < 3; i++)
		if ((files[i] = tmpfile()) == NULL)
		{
			pg_log_error("could not create a temporary file: %m");
			return -1;
		}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
	{
		pg_log_error("could not fork: %m");
		return -1;
	}
	if (pid == 0)
	{
		double		start = now_ms();
		bool		ok;
		char		num[64];

		if (dup2(fileno(files[0]), 1) < 0 || dup2(fileno(files[1]), 2) < 0)
			_exit(EXIT_FAILED);
		opts.dbname = m->conninfo;
		prior_status = m->status;
		m->status = MS_PENDING;
		ok = job(m);
		fflush(stdout);
		fflush(stderr);
		if (m->status == MS_PENDING)
			m->status = ok ? MS_OK : MS_FAILED;
		write_field(files[2], "status", status_names[m->status]);
		write_field(files[2], "from", m->from);
		write_field(files[2], "to", m->to);
		snprintf(num, sizeof(num), "%d", m->nrun);
		write_field(files[2], "nrun", num);
		snprintf(num, sizeof(num), "%d", m->nplan);
		write_field(files[2], "nplan", num);
		snprintf(num, sizeof(num), "%.3f", now_ms() - start);
		write_field(files[2], "ms", num);
		write_field(files[2], "error", m->error);
		write_field(files[2], "data", m->data);
		fflush(files[2]);
		_exit(ok ? EXIT_OK : EXIT_FAILED);
	}
	return pid;
}

/*
 * After a child ended: read its record and output, relay its messages
 * (each line prefixed with the database), and take its first error
 * message as the member's error.
 */
static void
collect_child(Member *m, int status, FILE **files)
{
	char	   *err;
	MemberStatus before = m->status;

	m->status = MS_PENDING;
	m->error = NULL;
	read_fields(files[2], m);
	m->output = read_all(files[0]);
	err = read_all(files[1]);
	if (m->status == MS_PENDING)
		m->status = MS_FAILED;	/* the child ended without a record */
	if (m->status == MS_FAILED && m->error == NULL)
	{
		const char *e = strstr(err, "error: ");
		const char *eol;

		if (e)
		{
			e += 7;
			eol = strchr(e, '\n');
			m->error = eol ? pg_strdup_range(e, eol) : pg_strdup(e);
		}
		else if (WIFSIGNALED(status))
			m->error = psprintf("the worker was killed by signal %d", WTERMSIG(status));
		else
			m->error = psprintf("the worker exited with status %d",
								WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	if (before == MS_PREPARED && m->status == MS_FAILED)
		m->status = MS_IN_DOUBT;
	for (char *line = err; line && *line;)
	{
		char	   *eol = strchr(line, '\n');

		fprintf(stderr, "%s: %.*s\n", m->name,
				eol ? (int) (eol - line) : (int) strlen(line), line);
		line = eol ? eol + 1 : NULL;
	}
	pg_free(err);
	for (int i = 0; i < 3; i++)
		fclose(files[i]);
}

/*
 * Run job on the members ms[which[0..n-1]], at most fleet.jobs at a time.
 * With stop_on_failure, the first failure starts no more: those left get
 * MS_NOT_STARTED and the error not_started.  Ctrl-C does the same.  True
 * if every job succeeded.
 */
static bool
run_jobs(Member *ms, int *which, int n, FleetJob job, bool stop_on_failure,
		 const char *not_started)
{
	int			nslots = Max(Min(fleet.jobs, n), 1);
	pid_t	   *pids = pg_malloc0(sizeof(pid_t) * nslots);
	int		   *slot_member = pg_malloc0(sizeof(int) * nslots);
	double	   *slot_start = pg_malloc0(sizeof(double) * nslots);
	FILE	 **files = pg_malloc0(sizeof(FILE *) * 3 * nslots);
	int			next = 0;
	int			running = 0;
	bool		all_ok = true;
	bool		stop = false;

	while (running > 0 || (next < n && !stop))
	{
		int			status;
		pid_t		pid;
		int			s;

		if (CancelRequested && !stop)
		{
			stop = true;
			not_started = "not started: canceled";
		}
		for (s = 0; s < nslots && next < n && !stop; s++)
		{
			if (pids[s] != 0)
				continue;
			slot_member[s] = which[next++];
			slot_start[s] = now_ms();
			pids[s] = start_child(&ms[slot_member[s]], job, &files[3 * s]);
			if (pids[s] < 0)
				exit(EXIT_FAILED);
			running++;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0)
		{
			if (errno == EINTR)
				continue;
			pg_log_error("could not wait for a worker: %m");
			exit(EXIT_FAILED);
		}
		for (s = 0; s < nslots && pids[s] != pid; s++)
			;
		if (s == nslots)
			continue;
		pids[s] = 0;
		running--;
		{
			Member	   *m = &ms[slot_member[s]];
			bool		ok;

			collect_child(m, status, &files[3 * s]);
			/* the wall time, also of a child that ended without a record */
			m->ms = now_ms() - slot_start[s];
			ok = m->status != MS_FAILED && m->status != MS_IN_DOUBT &&
				m->status != MS_PROBLEMS;
			jobs_done++;
			if (!opts.json && opts.verbosity >= 0 && jobs_total > 1 &&
				(!ok || opts.verbosity > 0))
			{
				printf("[%d/%d] %s: %s%s%s\n", jobs_done, jobs_total, m->name,
					   status_names[m->status], m->error ? ": " : "",
					   m->error ? m->error : "");
				fflush(stdout);
			}
			if (!ok)
			{
				all_ok = false;
				if (stop_on_failure)
					stop = true;
			}
		}
	}
	for (; next < n; next++)
	{
		ms[which[next]].status = MS_NOT_STARTED;
		ms[which[next]].error = pg_strdup(not_started);
		all_ok = false;
	}
	pg_free(pids);
	pg_free(slot_member);
	pg_free(slot_start);
	pg_free(files);
	return all_ok;
}

/* The comma-separated ids as a JSON array. */
static void
json_ids(PQExpBuffer out, const char *ids)
{
	appendPQExpBufferChar(out, '[');
	if (ids && strcmp(ids, "base") != 0)
	{
		int			n;
		char	  **items;

		/* ids have no comma ([A-Za-z0-9_.]) */
		char	   *copy = pg_strdup(ids);

		for (char *p = copy; *p; p++)
			if (*p == ',')
				*p = ' ';
		items = split_words(copy, &n);
		for (int i = 0; i < n; i++)
		{
			if (i > 0)
				appendPQExpBufferStr(out, ", ");
			json_string(out, items[i]);
		}
	}
	appendPQExpBufferChar(out, ']');
}

/*
 * The summary of an upgrade or downgrade: one row per database (from, to,
 * revisions, time, error) as an aligned table, or JSON.
 */
static void
print_summary(Member *ms, int n, double ms_total, bool ok, const char *fleet_id)
{
	const char *heads[] = {"database", "status", "from", "to", "revisions",
	"time", "error"};
	char	 ***cells;
	int			widths[7];
	int			counts[lengthof(status_names)] = {0};

	if (opts.json)
	{
		PQExpBufferData out;

		initPQExpBuffer(&out);
		appendPQExpBuffer(&out, "{\"command\": \"%s\", \"target\": ",
						  fleet_upgrade ? "upgrade" : "downgrade");
		json_string(&out, fleet_target);
		appendPQExpBuffer(&out, ", \"atomic\": %s, \"fleet\": ",
						  fleet.atomic ? "true" : "false");
		json_string(&out, fleet_id);
		appendPQExpBuffer(&out, ", \"ok\": %s, \"databases\": [",
						  ok ? "true" : "false");
		for (int i = 0; i < n; i++)
		{
			appendPQExpBuffer(&out, "%s{\"database\": ", i > 0 ? ", " : "");
			json_string(&out, ms[i].name);
			appendPQExpBuffer(&out, ", \"status\": \"%s\", \"from\": ",
							  status_names[ms[i].status]);
			if (ms[i].from)
				json_ids(&out, ms[i].from);
			else
				appendPQExpBufferStr(&out, "null");
			appendPQExpBufferStr(&out, ", \"to\": ");
			if (ms[i].to)
				json_ids(&out, ms[i].to);
			else
				appendPQExpBufferStr(&out, "null");
			if (ms[i].nrun >= 0)
				appendPQExpBuffer(&out, ", \"revisions\": %d", ms[i].nrun);
			else
				appendPQExpBufferStr(&out, ", \"revisions\": null");
			appendPQExpBuffer(&out, ", \"duration_ms\": %.3f, \"error\": ", ms[i].ms);
			json_string(&out, ms[i].error);
			appendPQExpBufferChar(&out, '}');
		}
		appendPQExpBuffer(&out, "], \"duration_ms\": %.3f}", ms_total);
		printf("%s\n", out.data);
		termPQExpBuffer(&out);
		return;
	}
	if (opts.verbosity < 0)
		return;

	cells = pg_malloc(sizeof(char **) * n);
	for (int c = 0; c < 7; c++)
		widths[c] = strlen(heads[c]);
	for (int i = 0; i < n; i++)
	{
		Member	   *m = &ms[i];

		cells[i] = pg_malloc(sizeof(char *) * 7);
		cells[i][0] = m->name;
		cells[i][1] = (char *) status_names[m->status];
		cells[i][2] = m->from ? m->from : "";
		cells[i][3] = m->to ? m->to : "";
		cells[i][4] = m->nrun >= 0 ? psprintf("%d", m->nrun) : "";
		cells[i][5] = m->status == MS_NOT_STARTED ? "" : psprintf("%.1f ms", m->ms);
		cells[i][6] = m->error ? m->error : "";
		for (int c = 0; c < 6; c++)
			widths[c] = Max(widths[c], (int) strlen(cells[i][c]));
		counts[m->status]++;
	}
	for (int c = 0; c < 6; c++)
		printf("%-*s | ", widths[c], heads[c]);
	printf("%s\n", heads[6]);
	for (int c = 0; c < 7; c++)
	{
		for (int k = 0; k < (c < 6 ? widths[c] : (int) strlen(heads[c])); k++)
			putchar('-');
		fputs(c < 6 ? "-+-" : "\n", stdout);
	}
	for (int i = 0; i < n; i++)
		for (int c = 0; c < 7; c++)
		{
			if (c < 6)
				printf("%-*s | ", widths[c], cells[i][c]);
			else
				printf("%s\n", cells[i][c]);
		}
	printf("%d database%s", n, n == 1 ? "" : "s");
	for (int s = 0; s < lengthof(status_names); s++)
		if (counts[s] > 0)
			printf(", %d %s", counts[s], status_names[s]);
	printf(" in %.1f ms%s%s\n", ms_total, fleet_id ? ", fleet " : "",
		   fleet_id ? fleet_id : "");
}

/*
 * The job of an upgrade or downgrade: cmd_move, with the current
 * revisions and the number of applied revisions before and after.
 */
static bool
job_move(Member *m)
{
	PGconn	   *conn = db_connect();
	int			before;
	int			after;
	int			rc;

	if (conn == NULL || (m->from = current_ids(conn, &before)) == NULL)
		return false;
	rc = cmd_move(conn, fleet_target, fleet_upgrade, fleet_move_flags);
	if (PQstatus(conn) == CONNECTION_OK &&
		(m->to = current_ids(conn, &after)) != NULL)
		m->nrun = after > before ? after - before : before - after;
	db_disconnect(conn);
	if (fleet_move_flags & MOVE_DRY_RUN)
		m->status = rc == EXIT_OK ? MS_OK : rc == EXIT_PROBLEMS ? MS_PROBLEMS : MS_FAILED;
	else if (rc == EXIT_OK)
		m->status = m->nrun == 0 ? MS_AT_TARGET : MS_DONE;
	else
		m->status = MS_FAILED;
	return rc == EXIT_OK;
}

/* upgrade or downgrade on a fleet, without --atomic. */
static int
fleet_move(Member *ms, int n)
{
	int		   *which = pg_malloc(sizeof(int) * n);
	int			canary = Min(fleet.canary, n);
	bool		ok = true;
	double		start = now_ms();

	for (int i = 0; i < n; i++)
		which[i] = i;
	if (canary > 0)
	{
		ok = run_jobs(ms, which, canary, job_move, true,
					  "not started: the canary group failed");
		if (!ok)
			for (int i = canary; i < n; i++)
			{
				ms[i].status = MS_NOT_STARTED;
				ms[i].error = pg_strdup("not started: the canary group failed");
			}
	}
	if (ok && canary < n)
		ok = run_jobs(ms, which + canary, n - canary, job_move,
					  !fleet.continue_on_error,
					  "not started: the rollout stopped after a failure");
	/* dry runs: each database's plan */
	if ((fleet_move_flags & MOVE_DRY_RUN) || opts.verbosity > 0)
		for (int i = 0; i < n; i++)
			for (char *line = ms[i].output; line && *line && !opts.json;)
			{
				char	   *eol = strchr(line, '\n');

				printf("%s: %.*s\n", ms[i].name,
					   eol ? (int) (eol - line) : (int) strlen(line), line);
				line = eol ? eol + 1 : NULL;
			}
	print_summary(ms, n, now_ms() - start, ok, NULL);
	return ok ? EXIT_OK : EXIT_FAILED;
}

/*
 * --atomic, pass 1: can the database take part?  Its server has
 * max_prepared_transactions > 0, and its plan has no non-transactional
 * revision.  Nothing changes (the load is rolled back).
 */
static bool
job_atomic_check(Member *m)
{
	PGconn	   *conn = db_connect();
	const char *params[2] = {fleet_target, fleet_upgrade ? "upgrade" : "downgrade"};
	PGresult   *res;
	bool		ok;

	if (conn == NULL || (m->from = current_ids(conn, NULL)) == NULL)
		return false;
	res = db_query(conn,
				   "SELECT pg_catalog.current_setting('max_prepared_transactions')::pg_catalog.int4,"
				   " (SELECT pg_catalog.count(*) FROM pg_catalog.pg_prepared_xacts)",
				   0, NULL, "could not read max_prepared_transactions");
	if (res == NULL)
		return false;
	/* the server, its limit and the slots in use, for fleet_atomic */
	m->data = psprintf("%s:%s %s %s", PQhost(conn), PQport(conn),
					   PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	if (atoi(PQgetvalue(res, 0, 0)) == 0)
	{
		pg_log_error("max_prepared_transactions is 0 on the server of database \"%s\": --atomic needs two-phase commit",
					 PQdb(conn));
		pg_log_error_hint("Set max_prepared_transactions to at least the number of databases of the fleet on that server, and restart it.");
		return false;
	}
	PQclear(res);
	res = db_query(conn,
				   "SELECT s.p IS NOT NULL,"
				   " s.p IS NOT NULL AND pg_catalog.has_function_privilege(s.p, 'EXECUTE')"
				   " FROM (SELECT pg_catalog.to_regprocedure("
				   "'pg_catalog.migrate_fleet_member(pg_catalog.text, pg_catalog.int4, pg_catalog.int4)') AS p) s",
				   0, NULL, "could not look for migrate_fleet_member");
	if (res == NULL)
		return false;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
	{
		pg_log_error("the migrate extension of database \"%s\" is older than 0.2.0: --atomic needs migrate_fleet_member",
					 PQdb(conn));
		pg_log_error_hint("Run ALTER EXTENSION migrate UPDATE in that database.");
		return false;
	}
	if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
	{
		pg_log_error("permission denied for function migrate_fleet_member in database \"%s\"",
					 PQdb(conn));
		pg_log_error_hint("Grant EXECUTE on migrate_fleet_member(text, integer, integer) to the role that upgrades, as on migrate_upgrade.");
		return false;
	}
	PQclear(res);
	ok = fleet_upgrade ? load_folder_uncommitted(conn) :
		db_command(conn, "BEGIN", 0, NULL, "could not begin a transaction");
	if (!ok)
		return false;
	res = db_query(conn,
				   "SELECT revision, transactional FROM pg_catalog.migrate_plan($1, $2)",
				   2, params, psprintf("could not plan the %s", params[1]));
	if (res == NULL)
		return false;
	m->nplan = PQntuples(res);
	for (int r = 0; r < PQntuples(res); r++)
		if (strcmp(PQgetvalue(res, r, 1), "t") != 0)
		{
			pg_log_error("revision \"%s\" runs outside a transaction: it cannot be part of an atomic fleet %s",
						 PQgetvalue(res, r, 0), params[1]);
			pg_log_error_hint("Run this %s without --atomic.", params[1]);
			return false;
		}
	PQclear(res);
	(void) db_command(conn, "ROLLBACK", 0, NULL, "could not roll back");
	db_disconnect(conn);
	m->status = m->nplan == 0 ? MS_AT_TARGET : MS_OK;
	return true;
}

/*
 * --atomic, pass 2: in one transaction, load, record the member, run the
 * plan (migrate_upgrade or migrate_downgrade), then PREPARE TRANSACTION
 * m->gid.
 */
static bool
job_atomic_prepare(Member *m)
{
	PGconn	   *conn = db_connect();
	PGresult   *res;
	char	   *gid;
	char		member[32];
	char		members[32];
	const char *params[3];
	bool		ok;

	if (conn == NULL)
		return false;
	ok = fleet_upgrade ? load_folder_uncommitted(conn) :
		db_command(conn, "BEGIN", 0, NULL, "could not begin a transaction");
	if (!ok)
		return false;
	/* the gid is migrate_<fleet>_<member>_<members> */
	if (sscanf(m->gid, "migrate_%*[0-9a-f]_%31[0-9]_%31[0-9]", member, members) != 2)
		return false;
	params[0] = pg_strdup_range(m->gid + 8, strchr(m->gid + 8, '_'));
	params[1] = member;
	params[2] = members;
	if (!db_command(conn,
					"SELECT pg_catalog.migrate_fleet_member($1, $2::pg_catalog.int4, $3::pg_catalog.int4)",
					3, params, "could not record the member of the fleet"))
		return false;
	params[0] = fleet_target;
	params[1] = (fleet_move_flags & MOVE_FORCE) ? "true" : "false";
	res = db_query(conn, fleet_upgrade ?
				   "SELECT pg_catalog.count(*) FROM pg_catalog.migrate_upgrade($1)" :
				   "SELECT pg_catalog.count(*) FROM pg_catalog.migrate_downgrade($1, $2::pg_catalog.bool)",
				   fleet_upgrade ? 1 : 2, params,
				   psprintf("could not %s to \"%s\"",
							fleet_upgrade ? "upgrade" : "downgrade", fleet_target));
	if (res == NULL)
		return false;
	m->nrun = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if ((m->to = current_ids(conn, NULL)) == NULL)
		return false;
	gid = PQescapeLiteral(conn, m->gid, strlen(m->gid));
	if (gid == NULL ||
		!db_command(conn, psprintf("PREPARE TRANSACTION %s", gid), 0, NULL,
					"could not prepare the transaction"))
		return false;
	PQfreemem(gid);
	db_disconnect(conn);
	m->status = MS_PREPARED;
	return true;
}

/*
 * COMMIT PREPARED or ROLLBACK PREPARED of m->gid.  A rollback of a member
 * that failed looks for its prepared transaction first: the PREPARE may
 * have gone through before the failure (a lost connection).
 */
static bool
finish_prepared(Member *m, bool commit)
{
	PGconn	   *conn = db_connect();
	char	   *gid;
	MemberStatus was = prior_status;

	if (conn == NULL)
		return false;
	if (!commit && was != MS_PREPARED)
	{
		const char *params[1] = {m->gid};
		PGresult   *res = db_query(conn,
								   "SELECT 1 FROM pg_catalog.pg_prepared_xacts x"
								   " WHERE x.gid OPERATOR(pg_catalog.=) $1",
								   1, params, "could not look for the prepared transaction");

		if (res == NULL)
			return false;
		if (PQntuples(res) == 0)
		{
			/* nothing was prepared: the member stays as it was */
			PQclear(res);
			db_disconnect(conn);
			m->status = was;
			return true;
		}
		PQclear(res);
	}
	gid = PQescapeLiteral(conn, m->gid, strlen(m->gid));
	if (gid == NULL ||
		!db_command(conn, psprintf("%s PREPARED %s", commit ? "COMMIT" : "ROLLBACK", gid),
					0, NULL, commit ? "could not commit the prepared transaction" :
					"could not roll back the prepared transaction"))
		return false;
	PQfreemem(gid);
	db_disconnect(conn);
	m->status = commit ? MS_COMMITTED : MS_ROLLED_BACK;
	return true;
}

static bool
job_commit_prepared(Member *m)
{
	return finish_prepared(m, true);
}

static bool
job_rollback_prepared(Member *m)
{
	return finish_prepared(m, false);
}

/*
 * After the check of --atomic: does each server have room for the
 * prepared transactions of its members (max_prepared_transactions less
 * those prepared now)?  A server is its host and port as the connection
 * reached it.  If not, the members there fail, the others are not
 * started, and false.
 */
static bool
atomic_capacity(Member *ms, int n)
{
	bool		ok = true;
	bool	   *over = pg_malloc0(sizeof(bool) * n);

	for (int i = 0; i < n; i++)
	{
		char		server[1024];
		int			max;
		int			used;
		int			needed = 0;
		bool		first = true;

		if (ms[i].status != MS_OK || ms[i].data == NULL ||
			sscanf(ms[i].data, "%1023s %d %d", server, &max, &used) != 3)
			continue;
		for (int j = 0; j < n; j++)
		{
			char		other[1024];

			if (ms[j].status == MS_OK && ms[j].data &&
				sscanf(ms[j].data, "%1023s", other) == 1 &&
				strcmp(server, other) == 0)
			{
				first &= j >= i;
				needed++;
			}
		}
		if (needed <= max - used)
			continue;
		if (first)
		{
			pg_log_error("the server at %s has room for %d more prepared transaction%s, but %d databases of the fleet are there",
						 server, Max(max - used, 0), max - used == 1 ? "" : "s", needed);
			pg_log_error_detail("max_prepared_transactions is %d there, and %d transaction%s prepared now.",
								max, used, used == 1 ? " is" : "s are");
			pg_log_error_hint("Raise max_prepared_transactions on that server and restart it, or run the fleet in smaller groups.");
		}
		ms[i].error = psprintf("the server at %s has room for %d more prepared transactions, the fleet needs %d",
							   server, Max(max - used, 0), needed);
		over[i] = true;
		ok = false;
	}
	for (int i = 0; i < n; i++)
		if (over[i])
			ms[i].status = MS_FAILED;
	pg_free(over);
	if (!ok)
		for (int i = 0; i < n; i++)
			if (ms[i].status != MS_FAILED)
			{
				ms[i].status = MS_NOT_STARTED;
				ms[i].error = pg_strdup("not started: another database of the atomic fleet was refused");
			}
	return ok;
}

/*
 * upgrade or downgrade --atomic: check every database, prepare on every
 * database with something to run, then commit them all, or roll back the
 * prepared ones if one failed (see the header comment).
 */
static int
fleet_atomic(Member *ms, int n)
{
	int		   *which = pg_malloc(sizeof(int) * n);
	int			nwhich = 0;
	unsigned char rnd[6];
	char		fleet_id[13];
	double		start = now_ms();
	bool		ok;

	for (int i = 0; i < n; i++)
		which[i] = i;
	jobs_done = 0;
	ok = run_jobs(ms, which, n, job_atomic_check, false, "not started");
	if (!ok)
	{
		for (int i = 0; i < n; i++)
			if (ms[i].status != MS_FAILED)
			{
				ms[i].status = MS_NOT_STARTED;
				ms[i].error = pg_strdup("not started: another database of the atomic fleet was refused");
			}
		print_summary(ms, n, now_ms() - start, false, NULL);
		return EXIT_FAILED;
	}

	if (!atomic_capacity(ms, n))
	{
		print_summary(ms, n, now_ms() - start, false, NULL);
		return EXIT_FAILED;
	}

	if (!pg_strong_random(rnd, sizeof(rnd)))
	{
		pg_log_error("could not generate a random fleet id");
		return EXIT_FAILED;
	}
	for (int i = 0; i < (int) sizeof(rnd); i++)
		snprintf(fleet_id + 2 * i, 3, "%02x", rnd[i]);
	for (int i = 0; i < n; i++)
		if (ms[i].status == MS_OK)
			which[nwhich++] = i;
		else
		{
			ms[i].to = ms[i].from;
			ms[i].nrun = 0;
		}
	for (int k = 0; k < nwhich; k++)
		ms[which[k]].gid = psprintf("migrate_%s_%d_%d", fleet_id, k + 1, nwhich);
	if (nwhich > 0 && opts.verbosity > 0)
		pg_log_info("fleet %s: preparing on %d database%s", fleet_id, nwhich,
					nwhich == 1 ? "" : "s");

	jobs_done = 0;
	ok = run_jobs(ms, which, nwhich, job_atomic_prepare, true,
				  "not started: another database of the atomic fleet failed");
	if (ok && nwhich > 0 && getenv("MIGRATE_TEST_KILL_AFTER_PREPARE") != NULL)
	{
		/* test hook: the client dies between PREPARE and COMMIT */
		fflush(NULL);
		raise(SIGKILL);
	}
	if (ok)
	{
		/* all are prepared: the commit runs even after Ctrl-C */
		CancelRequested = false;
		jobs_done = 0;
		ok = run_jobs(ms, which, nwhich, job_commit_prepared, false, "");
		for (int k = 0; k < nwhich; k++)
			if (ms[which[k]].status == MS_FAILED)
			{
				ms[which[k]].status = MS_IN_DOUBT;
				ms[which[k]].error = psprintf("%s; run pg_migrate fleet recover",
											  ms[which[k]].error);
			}
	}
	else
	{
		int			nprepared = 0;

		for (int k = 0; k < nwhich; k++)
			if (ms[which[k]].status == MS_PREPARED ||
				ms[which[k]].status == MS_FAILED)
				which[nprepared++] = which[k];
			else if (ms[which[k]].status == MS_NOT_STARTED)
				ms[which[k]].to = NULL;
		/* the rollback runs even after Ctrl-C */
		CancelRequested = false;
		jobs_done = 0;
		(void) run_jobs(ms, which, nprepared, job_rollback_prepared, false, "");
		for (int i = 0; i < n; i++)
		{
			if (ms[i].status == MS_ROLLED_BACK)
			{
				ms[i].to = ms[i].from;
				ms[i].nrun = 0;
			}
			else if (ms[i].status == MS_FAILED && ms[i].gid)
			{
				/* failed before its PREPARE: nothing changed there */
				ms[i].to = ms[i].from;
				ms[i].nrun = 0;
			}
			else if (ms[i].status == MS_AT_TARGET)
				ms[i].status = MS_NOT_STARTED;
		}
		ok = false;
	}
	print_summary(ms, n, now_ms() - start, ok, nwhich > 0 ? fleet_id : NULL);
	return ok ? EXIT_OK : EXIT_FAILED;
}

/* The job of current and check: the command, its output captured. */
static bool
job_read(Member *m)
{
	PGconn	   *conn = db_connect();
	int			rc;

	if (conn == NULL)
		return false;
	rc = strcmp(fleet_command, "current") == 0 ? cmd_current(conn) : cmd_check(conn);
	db_disconnect(conn);
	m->status = rc == EXIT_OK ? MS_OK : rc == EXIT_PROBLEMS ? MS_PROBLEMS : MS_FAILED;
	return rc == EXIT_OK;
}

/*
 * current and check on a fleet: each database's output, its lines
 * prefixed with the database; with --json, an array of {database, status,
 * result, error}, result being the command's own JSON.
 */
static int
fleet_read(Member *ms, int n)
{
	int		   *which = pg_malloc(sizeof(int) * n);
	bool		failed = false;
	bool		problems = false;

	for (int i = 0; i < n; i++)
		which[i] = i;
	(void) run_jobs(ms, which, n, job_read, false, "");
	if (opts.json)
		printf("[");
	for (int i = 0; i < n; i++)
	{
		Member	   *m = &ms[i];

		failed |= m->status == MS_FAILED;
		problems |= m->status == MS_PROBLEMS;
		if (opts.json)
		{
			PQExpBufferData out;
			size_t		len = strlen(m->output);

			while (len > 0 && isspace((unsigned char) m->output[len - 1]))
				m->output[--len] = '\0';
			initPQExpBuffer(&out);
			appendPQExpBuffer(&out, "%s{\"database\": ", i > 0 ? ", " : "");
			json_string(&out, m->name);
			appendPQExpBuffer(&out, ", \"status\": \"%s\", \"result\": %s, \"error\": ",
							  status_names[m->status], len > 0 ? m->output : "null");
			json_string(&out, m->error);
			appendPQExpBufferChar(&out, '}');
			fputs(out.data, stdout);
			termPQExpBuffer(&out);
			continue;
		}
		if (m->status == MS_FAILED)
			printf("%s: failed: %s\n", m->name, m->error);
		for (char *line = m->output; line && *line;)
		{
			char	   *eol = strchr(line, '\n');

			printf("%s: %.*s\n", m->name,
				   eol ? (int) (eol - line) : (int) strlen(line), line);
			line = eol ? eol + 1 : NULL;
		}
	}
	if (opts.json)
		printf("]\n");
	return failed ? EXIT_FAILED : problems ? EXIT_PROBLEMS : EXIT_OK;
}

/*
 * upgrade, downgrade, current, check on the fleet of the command line.
 */
int
cmd_fleet(const char *command, int nargs, char **args, int move_flags)
{
	Member	   *ms;
	int			n;

	if ((ms = fleet_members(&n)) == NULL)
		return EXIT_FAILED;
	jobs_total = n;
	fleet_command = command;
	fleet_move_flags = move_flags;
	/* Ctrl-C: the children cancel their queries, the parent starts no more */
	setup_cancel_handler(NULL);
	if (strcmp(command, "current") == 0 || strcmp(command, "check") == 0)
		return fleet_read(ms, n);
	fleet_upgrade = strcmp(command, "upgrade") == 0;
	fleet_target = nargs > 0 ? args[0] : "head";
	if (fleet.atomic && (move_flags & MOVE_DRY_RUN))
	{
		pg_log_error("option \"--atomic\" cannot be combined with \"--dry-run\"");
		return EXIT_USAGE;
	}
	return fleet.atomic ? fleet_atomic(ms, n) : fleet_move(ms, n);
}

/*
 * recover, pass 1: the prepared transactions of fleets in this database,
 * a gid a line in m->data.
 */
static bool
job_list_prepared(Member *m)
{
	PGconn	   *conn = db_connect();
	PGresult   *res;
	PQExpBufferData buf;

	if (conn == NULL)
		return false;
	res = db_query(conn,
				   "SELECT x.gid FROM pg_catalog.pg_prepared_xacts x"
				   " WHERE x.gid OPERATOR(pg_catalog.~) '^migrate_[0-9a-f]+_[0-9]+_[0-9]+$'"
				   " AND x.database OPERATOR(pg_catalog.=) pg_catalog.current_database()"
				   " ORDER BY x.gid",
				   0, NULL, "could not list the prepared transactions");
	if (res == NULL)
		return false;
	initPQExpBuffer(&buf);
	for (int r = 0; r < PQntuples(res); r++)
		appendPQExpBuffer(&buf, "%s\n", PQgetvalue(res, r, 0));
	m->data = buf.data;
	PQclear(res);
	db_disconnect(conn);
	m->status = MS_OK;
	return true;
}

/*
 * recover, pass 2: the members of the fleets fleet_ids_param that
 * committed in this database, "fleet member members" a line in m->data.
 */
static bool
job_list_committed(Member *m)
{
	PGconn	   *conn = db_connect();
	PGresult   *res;
	PQExpBufferData buf;
	const char *params[1] = {fleet_ids_param};

	if (conn == NULL)
		return false;
	res = db_query(conn,
				   "SELECT f.fleet, f.member, f.members"
				   " FROM pg_catalog.migrate_fleet_members($1::pg_catalog.text[]) f",
				   1, params, "could not list the committed members of fleets");
	if (res == NULL)
		return false;
	initPQExpBuffer(&buf);
	for (int r = 0; r < PQntuples(res); r++)
		appendPQExpBuffer(&buf, "%s %s %s\n", PQgetvalue(res, r, 0),
						  PQgetvalue(res, r, 1), PQgetvalue(res, r, 2));
	m->data = buf.data;
	PQclear(res);
	db_disconnect(conn);
	m->status = MS_OK;
	return true;
}

/*
 * recover, pass 3: run the decisions in m->data, a line each: "c GID" to
 * commit, "r GID" to roll back; m->data becomes what was done, a line
 * each: "committed GID" or "rolled_back GID" or "failed GID".
 */
static bool
job_resolve(Member *m)
{
	PGconn	   *conn = db_connect();
	PQExpBufferData buf;
	bool		ok = true;

	if (conn == NULL)
		return false;
	initPQExpBuffer(&buf);
	for (char *line = m->data; line && *line;)
	{
		char	   *eol = strchr(line, '\n');
		char	   *gid = pg_strdup_range(line + 2, eol ? eol : line + strlen(line));
		bool		commit = line[0] == 'c';
		char	   *lit = PQescapeLiteral(conn, gid, strlen(gid));
		bool		done;

		done = lit != NULL &&
			db_command(conn, psprintf("%s PREPARED %s", commit ? "COMMIT" : "ROLLBACK", lit),
					   0, NULL, psprintf("could not %s prepared transaction \"%s\"",
										 commit ? "commit" : "roll back", gid));
		appendPQExpBuffer(&buf, "%s %s\n",
						  !done ? "failed" : commit ? "committed" : "rolled_back", gid);
		ok &= done;
		if (lit)
			PQfreemem(lit);
		line = eol ? eol + 1 : NULL;
	}
	m->data = buf.data;
	db_disconnect(conn);
	m->status = ok ? MS_OK : MS_FAILED;
	return ok;
}

/* A fleet seen by recover. */
typedef struct FleetSeen
{
	char		id[32];
	int			members;
	bool	   *prepared;		/* by member number, 1-based */
	bool	   *committed;
	bool		commit;			/* the decision */
	char	   *reason;
} FleetSeen;

/* The fleet of id, added to *fleets if new. */
static FleetSeen *
fleet_seen(FleetSeen **fleets, int *nfleets, const char *id, int members)
{
	FleetSeen  *f;

	for (int i = 0; i < *nfleets; i++)
		if (strcmp((*fleets)[i].id, id) == 0)
			return &(*fleets)[i];
	*fleets = pg_realloc(*fleets, sizeof(FleetSeen) * (*nfleets + 1));
	f = &(*fleets)[(*nfleets)++];
	memset(f, 0, sizeof(FleetSeen));
	strlcpy(f->id, id, sizeof(f->id));
	f->members = members;
	f->prepared = pg_malloc0(sizeof(bool) * (members + 1));
	f->committed = pg_malloc0(sizeof(bool) * (members + 1));
	return f;
}

/*
 * fleet recover: find the prepared transactions that atomic runs left in
 * the fleet's databases, and commit each fleet whose members are all
 * prepared or committed, roll back the others.
 */
static int
fleet_recover(Member *ms, int n)
{
	int		   *which = pg_malloc(sizeof(int) * n);
	FleetSeen  *fleets = NULL;
	int			nfleets = 0;
	int			nwhich = 0;
	bool		ok;
	PQExpBufferData ids;
	PQExpBufferData out;
	int			ncommitted = 0;
	int			nrolledback = 0;
	int			nfailed = 0;

	for (int i = 0; i < n; i++)
		which[i] = i;
	ok = run_jobs(ms, which, n, job_list_prepared, false, "");
	if (!ok)
	{
		pg_log_error("could not list the prepared transactions of every database; nothing was resolved");
		return EXIT_FAILED;
	}
	for (int i = 0; i < n; i++)
		for (char *line = ms[i].data; line && *line;)
		{
			char		id[32];
			int			member;
			int			members;
			char	   *eol = strchr(line, '\n');

			if (sscanf(line, "migrate_%31[0-9a-f]_%d_%d", id, &member, &members) == 3 &&
				members > 0 && member >= 1 && member <= members)
				fleet_seen(&fleets, &nfleets, id, members)->prepared[member] = true;
			line = eol ? eol + 1 : NULL;
		}
	if (nfleets == 0)
	{
		if (opts.json)
			printf("{\"command\": \"fleet recover\", \"transactions\": []}\n");
		else if (opts.verbosity >= 0)
			printf("no prepared transaction of a fleet in %d database%s\n", n,
				   n == 1 ? "" : "s");
		return EXIT_OK;
	}

	/* the members that committed (their migrate.fleet_member row shows) */
	initPQExpBuffer(&ids);
	appendPQExpBufferChar(&ids, '{');
	for (int f = 0; f < nfleets; f++)
		appendPGArray(&ids, fleets[f].id);
	appendPQExpBufferChar(&ids, '}');
	fleet_ids_param = ids.data;
	for (int i = 0; i < n; i++)
		ms[i].saved_data = ms[i].data;
	jobs_done = 0;
	ok = run_jobs(ms, which, n, job_list_committed, false, "");
	if (!ok)
	{
		pg_log_error("could not read the committed members of every database; nothing was resolved");
		return EXIT_FAILED;
	}
	for (int i = 0; i < n; i++)
		for (char *line = ms[i].data; line && *line;)
		{
			char		id[32];
			int			member;
			int			members;
			char	   *eol = strchr(line, '\n');

			if (sscanf(line, "%31s %d %d", id, &member, &members) == 3 &&
				members > 0 && member >= 1 && member <= members)
				fleet_seen(&fleets, &nfleets, id, members)->committed[member] = true;
			line = eol ? eol + 1 : NULL;
		}

	/* decide */
	for (int f = 0; f < nfleets; f++)
	{
		FleetSeen  *fs = &fleets[f];
		int			missing = 0;
		bool		any_committed = false;

		for (int k = 1; k <= fs->members; k++)
		{
			any_committed |= fs->committed[k];
			if (!fs->prepared[k] && !fs->committed[k] && missing == 0)
				missing = k;
		}
		fs->commit = any_committed || missing == 0;
		fs->reason = any_committed ?
			psprintf("a member of fleet %s committed", fs->id) :
			missing == 0 ?
			psprintf("all %d members of fleet %s are prepared", fs->members, fs->id) :
			psprintf("member %d of %d of fleet %s is neither prepared nor committed",
					 missing, fs->members, fs->id);
	}

	/* resolve */
	nwhich = 0;
	for (int i = 0; i < n; i++)
	{
		PQExpBufferData act;

		initPQExpBuffer(&act);
		for (char *line = ms[i].saved_data; line && *line;)
		{
			char		id[32];
			char	   *eol = strchr(line, '\n');

			if (sscanf(line, "migrate_%31[0-9a-f]_", id) == 1)
				appendPQExpBuffer(&act, "%c %.*s\n",
								  fleet_seen(&fleets, &nfleets, id, 1)->commit ? 'c' : 'r',
								  eol ? (int) (eol - line) : (int) strlen(line), line);
			line = eol ? eol + 1 : NULL;
		}
		ms[i].data = act.data;
		if (act.len > 0)
			which[nwhich++] = i;
	}
	jobs_done = 0;
	jobs_total = nwhich;
	ok = run_jobs(ms, which, nwhich, job_resolve, false, "");

	initPQExpBuffer(&out);
	if (opts.json)
		appendPQExpBufferStr(&out, "{\"command\": \"fleet recover\", \"transactions\": [");
	for (int k = 0; k < nwhich; k++)
	{
		Member	   *m = &ms[which[k]];

		for (char *line = m->data; line && *line;)
		{
			char	   *eol = strchr(line, '\n');
			char	   *word = pg_strdup_range(line, strchr(line, ' '));
			char	   *gid = pg_strdup_range(strchr(line, ' ') + 1,
											  eol ? eol : line + strlen(line));
			char		id[32] = "";
			FleetSeen  *fs;

			(void) sscanf(gid, "migrate_%31[0-9a-f]_", id);
			fs = fleet_seen(&fleets, &nfleets, id, 1);
			ncommitted += strcmp(word, "committed") == 0;
			nrolledback += strcmp(word, "rolled_back") == 0;
			nfailed += strcmp(word, "failed") == 0;
			if (opts.json)
			{
				appendPQExpBufferStr(&out, out.data[out.len - 1] == '[' ? "{\"database\": " : ", {\"database\": ");
				json_string(&out, m->name);
				appendPQExpBufferStr(&out, ", \"gid\": ");
				json_string(&out, gid);
				appendPQExpBufferStr(&out, ", \"fleet\": ");
				json_string(&out, id);
				appendPQExpBuffer(&out, ", \"action\": \"%s\", \"reason\": ", word);
				json_string(&out, fs->reason);
				appendPQExpBufferChar(&out, '}');
			}
			else if (opts.verbosity >= 0)
				appendPQExpBuffer(&out, "%s: %s %s (%s)\n", m->name,
								  strcmp(word, "rolled_back") == 0 ? "rolled back" : word,
								  gid, fs->reason);
			line = eol ? eol + 1 : NULL;
		}
	}
	if (opts.json)
		appendPQExpBufferStr(&out, "]}\n");
	else if (opts.verbosity >= 0)
		appendPQExpBuffer(&out, "%d prepared transaction%s: %d committed, %d rolled back, %d failed\n",
						  ncommitted + nrolledback + nfailed,
						  ncommitted + nrolledback + nfailed == 1 ? "" : "s",
						  ncommitted, nrolledback, nfailed);
	fputs(out.data, stdout);
	termPQExpBuffer(&out);
	return ok && nfailed == 0 ? EXIT_OK : EXIT_FAILED;
}

/* fleet SUBCOMMAND: recover. */
int
cmd_fleet_command(int nargs, char **args)
{
	Member	   *ms;
	int			n;

	nargs = fleet_take_options("fleet", nargs, args);
	if (nargs != 1 || strcmp(args[0], "recover") != 0)
	{
		pg_log_error(nargs == 0 ? "no fleet command given" : "unrecognized fleet command \"%s\"",
					 nargs > 0 ? args[0] : "");
		pg_log_error_hint("Write \"pg_migrate fleet recover\" with the databases of the fleet.");
		return EXIT_USAGE;
	}
	if ((ms = fleet_members(&n)) == NULL)
		return EXIT_FAILED;
	jobs_total = n;
	setup_cancel_handler(NULL);
	return fleet_recover(ms, n);
}
