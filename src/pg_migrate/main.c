/*-------------------------------------------------------------------------
 *
 * main.c
 *	  pg_migrate, the command-line client of the migrate extension: the
 *	  command line, and the call of one command.
 *
 *	  pg_migrate [OPTION]... COMMAND [ARG]...
 *
 * The options that every command sees (connection, -D, --json, -q, -v)
 * may come before or after the command.  A command's arguments are
 * checked before connecting; commands that only read or write files
 * (init, revision, merge, import) never connect.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "commands.h"
#include "common/logging.h"
#include "connection.h"
#include "digest_cache.h"
#include "getopt_long.h"

Options		opts;

static void usage(const char *progname);
static bool need_args(const char *command, int have, int min, int max);
static int	take_global_options(int nargs, char **args);
static void add_dbname(const char *dbname);

/* Keep every -d: several make a fleet (cmd_fleet.c). */
static void
add_dbname(const char *dbname)
{
	opts.dbnames = pg_realloc(opts.dbnames,
							  sizeof(char *) * (opts.ndbnames + 1));
	opts.dbnames[opts.ndbnames++] = dbname;
	opts.dbname = dbname;
}

static void
usage(const char *progname)
{
	printf("%s moves a PostgreSQL database between revisions with the migrate extension.\n\n",
		   progname);
	printf("Usage:\n");
	printf("  %s [OPTION]... COMMAND [ARG]...\n", progname);
	printf("\nOptions:\n");
	printf("  -d, --dbname=CONNSTR   database name, connection string or URI\n");
	printf("  -h, --host=HOSTNAME    database server host or socket directory\n");
	printf("  -p, --port=PORT        database server port\n");
	printf("  -U, --username=USER    database user name\n");
	printf("  -w, --no-password      never prompt for password\n");
	printf("  -W, --password         force password prompt\n");
	printf("  -D, --dir=DIR          folder of revision files (default: ./migrations)\n");
	printf("      --json             machine-readable output\n");
	printf("  -q, --quiet            print errors only\n");
	printf("  -v, --verbose          say more\n");
	printf("  -V, --version          output version information, then exit\n");
	printf("  -?, --help             show this help, then exit\n");
	printf("\nCommands:\n");
	printf("  init                         create DIR\n");
	printf("  revision -m MSG [--id ID] [--parents ID...] [--depends-on ID...]\n"
		   "           [--branch-label LABEL] [--non-transactional]\n"
		   "                               write a new revision file in DIR\n");
	printf("  revision --autogenerate -m MSG --schema FILE|DIR [-n SCHEMA]...\n"
		   "                               write the revision files that take the database\n"
		   "                               to the desired schema (migrate_diff)\n");
	printf("  merge -m MSG [--id ID] ID... write a revision file that merges heads\n");
	printf("  squash -m MSG [--id ID] TARGET\n"
		   "                               replace TARGET and the revisions before it with one file\n");
	printf("  load                         send DIR's revision files to the database\n");
	printf("  upgrade [TARGET] [--dry-run] load, then upgrade (default: head)\n");
	printf("  downgrade TARGET [--dry-run] [--force]\n"
		   "                               load, then downgrade; --force lets it drop data\n");
	printf("  stamp TARGET...              set the applied revisions without running SQL\n");
	printf("  current                      the applied revisions without applied child\n");
	printf("  heads                        the heads of the revision graph\n");
	printf("  branches                     the branch points\n");
	printf("  history [RANGE] [--graph]    the revisions, newest first\n");
	printf("  show ID                      one revision in full\n");
	printf("  check                        compare DIR with the database and list problems\n"
		   "                               (exit status 3 if any)\n");
	printf("  verify [TARGET]              upgrade, downgrade, upgrade each unapplied revision\n"
		   "                               up to TARGET (default: heads), all rolled back;\n"
		   "                               exit status 3 if any is not ok\n");
	printf("  check --schema FILE|DIR [-n SCHEMA]...\n"
		   "                               the differences between the database and the\n"
		   "                               desired schema (exit status 3 if any)\n");
	printf("  forget ID                    remove an unapplied revision from the database\n");
	printf("  drift [--all]                DDL recorded outside migrations (exit 3 while any is not acknowledged)\n");
	printf("  drift ack [ID...] [--note N] acknowledge those drift records, or all of them\n");
	printf("  protect OBJECT REASON        protect table, table.column or schema.table[.column]\n");
	printf("  unprotect OBJECT             stop protecting it\n");
	printf("  impact OBJECT                what depends on a schema, table or column\n");
	printf("  sql TARGET [--from REV]      the script an upgrade or downgrade would run\n");
	printf("  log [ID] [-n N]              the run log, newest first: what ran when, by whom, how long\n");
	printf("  lint [--pending] [FILE...]   lint revision files (default: all of DIR; --pending: not applied here)\n");
	printf("  import FORMAT SRC            convert a dbmate, golang-migrate, flyway,\n"
		   "                               sqitch or alembic folder into revision files in DIR\n");
	printf("  adopt alembic [TABLE]        load, then stamp what Alembic's version table lists\n");
	printf("  baseline [-m MSG] [--id ID] [--schema S]...\n"
		   "                               write the database's schema (pg_dump) as a root\n"
		   "                               revision in an empty DIR, then load and stamp it\n");
	printf("\nFleets (upgrade, downgrade, current, check on several databases; after the command):\n");
	printf("  -d CONNSTR -d CONNSTR ...    each -d is a database of the fleet\n");
	printf("  --dbs-file=FILE              one connection string per line (# comments)\n");
	printf("  --dbs-query=SQL              connection strings from a query run on -d\n");
	printf("  -j, --jobs=N                 N databases at a time (default 1)\n");
	printf("  --canary=N                   the first N databases first; stop if one fails\n");
	printf("  --continue-on-error          go on after a database fails\n");
	printf("  --atomic                     upgrade or downgrade every database or none\n"
		   "                               (two-phase commit)\n");
	printf("  fleet recover                resolve the prepared transactions a killed\n"
		   "                               --atomic run left\n");
	printf("\nTargets: head, heads, base, an id or a prefix of 4+ characters, LABEL@head,\n"
		   "+N, -N, ID+N, head-1 ...  Exit status: 0 success, 1 failure, 2 usage error,\n"
		   "3 check, lint or verify found problems.\n");
	printf("\nConnection options and PG* environment variables work as in psql.\n");
}

/* Report a wrong number of arguments; false if so. */
static bool
need_args(const char *command, int have, int min, int max)
{
	if (have < min)
	{
		pg_log_error("too few arguments for command \"%s\"", command);
		pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
		return false;
	}
	if (max >= 0 && have > max)
	{
		pg_log_error("too many arguments for command \"%s\"", command);
		pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
		return false;
	}
	return true;
}

/*
 * The options of every command may also come after the command: take them
 * out of args, leaving the command's own.  Returns the number left.
 */
static int
take_global_options(int nargs, char **args)
{
	int			kept = 0;

	for (int i = 0; i < nargs; i++)
	{
		const char *a = args[i];
		const char **target = NULL;
		const char *value = NULL;

		if (strcmp(a, "--") == 0)
		{
			while (i < nargs)
				args[kept++] = args[i++];
			break;
		}
		if (strcmp(a, "--json") == 0)
			opts.json = true;
		else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			opts.verbosity = -1;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			opts.verbosity = 1;
		else if (strcmp(a, "-w") == 0 || strcmp(a, "--no-password") == 0)
			opts.prompt_password = TRI_NO;
		else if (strcmp(a, "-W") == 0 || strcmp(a, "--password") == 0)
			opts.prompt_password = TRI_YES;
		else if (a[0] == '-' && a[1] != '\0' && strchr("dhpUD", a[1]))
		{
			switch (a[1])
			{
				case 'd':
					target = &opts.dbname;
					break;
				case 'h':
					target = &opts.host;
					break;
				case 'p':
					target = &opts.port;
					break;
				case 'U':
					target = &opts.user;
					break;
				default:
					target = &opts.dir;
					break;
			}
			value = a[2] ? a + 2 : (i + 1 < nargs ? args[++i] : NULL);
		}
		else if (strncmp(a, "--dbname=", 9) == 0 || strncmp(a, "--host=", 7) == 0 ||
				 strncmp(a, "--port=", 7) == 0 || strncmp(a, "--username=", 11) == 0 ||
				 strncmp(a, "--dir=", 6) == 0)
		{
			target = a[2] == 'd' && a[3] == 'b' ? &opts.dbname :
				a[2] == 'h' ? &opts.host : a[2] == 'p' ? &opts.port :
				a[2] == 'u' ? &opts.user : &opts.dir;
			value = strchr(a, '=') + 1;
		}
		else
		{
			args[kept++] = args[i];
			continue;
		}
		if (target)
		{
			if (value == NULL)
			{
				pg_log_error("option \"%s\" needs a value", a);
				pg_log_error_hint("Try \"pg_migrate --help\" for more information.");
				exit(EXIT_USAGE);
			}
			*target = value;
			if (target == &opts.dbname)
				add_dbname(value);
		}
	}
	args[kept] = NULL;
	return kept;
}

int
main(int argc, char **argv)
{
	static struct option long_options[] = {
		{"dbname", required_argument, NULL, 'd'},
		{"host", required_argument, NULL, 'h'},
		{"port", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'U'},
		{"no-password", no_argument, NULL, 'w'},
		{"password", no_argument, NULL, 'W'},
		{"dir", required_argument, NULL, 'D'},
		{"json", no_argument, NULL, 1},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, '?'},
		{NULL, 0, NULL, 0}
	};
	const char *progname;
	const char *command;
	PGconn	   *conn = NULL;
	int			c;
	int			rc;
	int			nargs;
	char	  **args;
	int			move_flags = 0;
	bool		drift_all = false;
	bool		lint_pending = false;
	const char *drift_note = NULL;
	const char *log_count = NULL;

	pg_logging_init(argv[0]);
	atexit(error_json_at_exit);
	progname = get_progname(argv[0]);
	memset(&opts, 0, sizeof(opts));
	opts.dir = "migrations";
	opts.argv0 = argv[0];

	if (argc > 1)
	{
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0)
		{
			usage(progname);
			exit(EXIT_OK);
		}
		if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		{
			puts("pg_migrate (migrate) 0.1.0");
			exit(EXIT_OK);
		}
	}

	/*
	 * Options come before the command; the command's own options (-m,
	 * --parents, ...) after it, so stop at the first non-option ("+").
	 */
	while ((c = getopt_long(argc, argv, "+d:h:p:U:wWD:qvV?", long_options,
							NULL)) != -1)
	{
		switch (c)
		{
			case 'd':
				add_dbname(pg_strdup(optarg));
				break;
			case 'h':
				opts.host = pg_strdup(optarg);
				break;
			case 'p':
				opts.port = pg_strdup(optarg);
				break;
			case 'U':
				opts.user = pg_strdup(optarg);
				break;
			case 'w':
				opts.prompt_password = TRI_NO;
				break;
			case 'W':
				opts.prompt_password = TRI_YES;
				break;
			case 'D':
				opts.dir = pg_strdup(optarg);
				break;
			case 1:
				opts.json = true;
				break;
			case 'q':
				opts.verbosity = -1;
				break;
			case 'v':
				opts.verbosity = 1;
				break;
			case 'V':
				puts("pg_migrate (migrate) 0.1.0");
				exit(EXIT_OK);
			default:
				pg_log_error_hint("Try \"%s --help\" for more information.", progname);
				exit(EXIT_USAGE);
		}
	}
	if (optind >= argc)
	{
		pg_log_error("no command given");
		pg_log_error_hint("Try \"%s --help\" for more information.", progname);
		exit(EXIT_USAGE);
	}
	command = argv[optind];
	args = argv + optind + 1;
	nargs = take_global_options(argc - optind - 1, args);
	if (opts.verbosity > 0)
		pg_logging_increase_verbosity();
	/* fleets: fleet recover, and -j, --dbs-file ... of other commands */
	if (strcmp(command, "fleet") == 0)
		exit(cmd_fleet_command(nargs, args));
	nargs = fleet_take_options(command, nargs, args);

	/* commands that need no database */
	if (strcmp(command, "init") == 0)
		exit(need_args(command, nargs, 0, 0) ? cmd_init() : EXIT_USAGE);
	if (strcmp(command, "revision") == 0 && !autogenerate_requested(nargs, args))
		exit(cmd_revision(nargs + 1, args - 1));
	if (strcmp(command, "merge") == 0)
		exit(cmd_merge(nargs + 1, args - 1));
	if (strcmp(command, "squash") == 0)
		exit(cmd_squash(nargs + 1, args - 1));
	if (strcmp(command, "import") == 0)
		exit(need_args(command, nargs, 2, 2) ? cmd_import(args[0], args[1]) : EXIT_USAGE);
	/* sql TARGET --from REV: from the folder alone, for offline review */
	if (strcmp(command, "sql") == 0)
	{
		const char *from = NULL;
		int			kept = 0;

		for (int i = 0; i < nargs; i++)
		{
			if (strcmp(args[i], "--from") == 0 && i + 1 < nargs)
				from = args[++i];
			else if (strncmp(args[i], "--from=", 7) == 0)
				from = args[i] + 7;
			else if (args[i][0] == '-' && args[i][1] == '-')
			{
				pg_log_error("unrecognized option \"%s\" for command \"sql\"", args[i]);
				pg_log_error_hint("Try \"%s --help\" for more information.", progname);
				exit(EXIT_USAGE);
			}
			else
				args[kept++] = args[i];
		}
		nargs = kept;
		if (from != NULL)
			exit(need_args(command, nargs, 1, 1) ? cmd_sql_offline(args[0], from) : EXIT_USAGE);
	}

	/* check the arguments before connecting */
	/* upgrade and downgrade: --dry-run, and downgrade's --force */
	if (strcmp(command, "upgrade") == 0 || strcmp(command, "downgrade") == 0)
	{
		int			kept = 0;

		for (int i = 0; i < nargs; i++)
		{
			if (strcmp(args[i], "--dry-run") == 0)
				move_flags |= MOVE_DRY_RUN;
			else if (strcmp(args[i], "--force") == 0 &&
					 strcmp(command, "downgrade") == 0)
				move_flags |= MOVE_FORCE;
			else if (args[i][0] == '-' && args[i][1] == '-')
			{
				pg_log_error("unrecognized option \"%s\" for command \"%s\"",
							 args[i], command);
				pg_log_error_hint("Try \"%s --help\" for more information.", progname);
				exit(EXIT_USAGE);
			}
			else
				args[kept++] = args[i];
		}
		nargs = kept;
	}

	if (strcmp(command, "revision") == 0 ||
		(strcmp(command, "check") == 0 && schema_check_requested(nargs, args)))
		rc = true;				/* cmd_autogenerate.c checks them */
	else if (strcmp(command, "load") == 0 || strcmp(command, "current") == 0 ||
			 strcmp(command, "heads") == 0 || strcmp(command, "branches") == 0 ||
			 strcmp(command, "check") == 0)
		rc = need_args(command, nargs, 0, 0);
	else if (strcmp(command, "upgrade") == 0 || strcmp(command, "verify") == 0)
		rc = need_args(command, nargs, 0, 1);
	else if (strcmp(command, "downgrade") == 0 || strcmp(command, "show") == 0 ||
			 strcmp(command, "sql") == 0 || strcmp(command, "forget") == 0)
		rc = need_args(command, nargs, 1, 1);
	else if (strcmp(command, "stamp") == 0)
		rc = need_args(command, nargs, 1, -1);
	else if (strcmp(command, "adopt") == 0)
		rc = need_args(command, nargs, 1, 2);
	else if (strcmp(command, "history") == 0)
	{
		int			plain = 0;

		for (int i = 0; i < nargs; i++)
		{
			if (strcmp(args[i], "--graph") == 0)
				continue;
			if (args[i][0] == '-' && args[i][1] == '-')
			{
				pg_log_error("unrecognized option \"%s\" for command \"history\"", args[i]);
				pg_log_error_hint("Try \"%s --help\" for more information.", progname);
				exit(EXIT_USAGE);
			}
			plain++;
		}
		rc = need_args(command, plain, 0, 1);
	}
	else if (strcmp(command, "baseline") == 0)
		rc = true;
	else if (strcmp(command, "lint") == 0)
	{
		int			kept = 0;

		for (int i = 0; i < nargs; i++)
		{
			if (strcmp(args[i], "--pending") == 0)
				lint_pending = true;
			else if (args[i][0] == '-' && args[i][1] == '-')
			{
				pg_log_error("unrecognized option \"%s\" for command \"lint\"", args[i]);
				pg_log_error_hint("Try \"%s --help\" for more information.", progname);
				exit(EXIT_USAGE);
			}
			else
				args[kept++] = args[i];
		}
		nargs = kept;
		rc = true;
	}
	else if (strcmp(command, "log") == 0)
	{
		/* log [ID] [-n N] */
		int			kept = 0;

		for (int i = 0; i < nargs; i++)
		{
			if (strcmp(args[i], "-n") == 0 && i + 1 < nargs)
				log_count = args[++i];
			else if (args[i][0] == '-')
			{
				pg_log_error("unrecognized option \"%s\" for command \"log\"", args[i]);
				pg_log_error_hint("Try \"%s --help\" for more information.", progname);
				exit(EXIT_USAGE);
			}
			else
				args[kept++] = args[i];
		}
		nargs = kept;
		rc = need_args(command, nargs, 0, 1);
	}
	else if (strcmp(command, "protect") == 0)
		rc = need_args(command, nargs, 2, 2);
	else if (strcmp(command, "unprotect") == 0 || strcmp(command, "impact") == 0)
		rc = need_args(command, nargs, 1, 1);
	else if (strcmp(command, "drift") == 0)
	{
		/* drift [--all] | drift ack [ID...] [--note NOTE] */
		int			kept = 0;

		for (int i = 0; i < nargs; i++)
		{
			if (strcmp(args[i], "--all") == 0)
				drift_all = true;
			else if (strcmp(args[i], "--note") == 0 && i + 1 < nargs)
				drift_note = args[++i];
			else if (args[i][0] == '-' && args[i][1] == '-')
			{
				pg_log_error("unrecognized option \"%s\" for command \"drift\"", args[i]);
				pg_log_error_hint("Try \"%s --help\" for more information.", progname);
				exit(EXIT_USAGE);
			}
			else
				args[kept++] = args[i];
		}
		nargs = kept;
		if (nargs > 0 && strcmp(args[0], "ack") != 0)
		{
			pg_log_error("unrecognized drift command \"%s\"", args[0]);
			pg_log_error_hint("Write \"drift\" to list, \"drift ack [ID...]\" to acknowledge.");
			exit(EXIT_USAGE);
		}
		rc = true;
	}
	else
	{
		pg_log_error("unrecognized command \"%s\"", command);
		pg_log_error_hint("Try \"%s --help\" for more information.", progname);
		exit(EXIT_USAGE);
	}
	if (!rc)
		exit(EXIT_USAGE);
	if (fleet_wanted(command))
		exit(cmd_fleet(command, nargs, args, move_flags));

	/* the folder's signature is taken while the connection is made */
	if (strcmp(command, "load") == 0 || strcmp(command, "upgrade") == 0 ||
		strcmp(command, "downgrade") == 0)
		digest_cache_prefetch(opts.dir);
	if ((conn = db_connect()) == NULL)
		exit(EXIT_FAILED);

	if (strcmp(command, "load") == 0)
		rc = cmd_load(conn);
	else if (strcmp(command, "upgrade") == 0)
		rc = cmd_move(conn, nargs > 0 ? args[0] : "head", true, move_flags);
	else if (strcmp(command, "downgrade") == 0)
		rc = cmd_move(conn, args[0], false, move_flags);
	else if (strcmp(command, "stamp") == 0)
		rc = cmd_stamp(conn, nargs, args);
	else if (strcmp(command, "baseline") == 0)
		rc = cmd_baseline(conn, nargs + 1, args - 1);
	else if (strcmp(command, "adopt") == 0)
		rc = cmd_adopt(conn, args[0], nargs > 1 ? args[1] : NULL);
	else if (strcmp(command, "current") == 0)
		rc = cmd_current(conn);
	else if (strcmp(command, "heads") == 0)
		rc = cmd_heads(conn);
	else if (strcmp(command, "branches") == 0)
		rc = cmd_branches(conn);
	else if (strcmp(command, "history") == 0)
	{
		const char *range = NULL;
		bool		graph = false;

		for (int i = 0; i < nargs; i++)
			if (strcmp(args[i], "--graph") == 0)
				graph = true;
			else
				range = args[i];
		rc = cmd_history(conn, range, graph);
	}
	else if (strcmp(command, "show") == 0)
		rc = cmd_show(conn, args[0]);
	else if (strcmp(command, "revision") == 0)
		rc = cmd_autogenerate(conn, nargs, args);
	else if (strcmp(command, "check") == 0 && schema_check_requested(nargs, args))
		rc = cmd_check_schema(conn, nargs, args);
	else if (strcmp(command, "check") == 0)
		rc = cmd_check(conn);
	else if (strcmp(command, "sql") == 0)
		rc = cmd_sql(conn, args[0]);
	else if (strcmp(command, "forget") == 0)
		rc = cmd_forget(conn, args[0]);
	else if (strcmp(command, "log") == 0)
		rc = cmd_log(conn, nargs > 0 ? args[0] : NULL, log_count);
	else if (strcmp(command, "drift") == 0)
		rc = nargs > 0 ? cmd_drift_ack(conn, nargs - 1, args + 1, drift_note) :
			cmd_drift(conn, drift_all);
	else if (strcmp(command, "protect") == 0)
		rc = cmd_protect(conn, args[0], args[1]);
	else if (strcmp(command, "unprotect") == 0)
		rc = cmd_protect(conn, args[0], NULL);
	else if (strcmp(command, "impact") == 0)
		rc = cmd_impact(conn, args[0]);
	else if (strcmp(command, "verify") == 0)
		rc = cmd_verify(conn, nargs > 0 ? args[0] : "heads");
	else
		rc = cmd_lint(conn, nargs, args, lint_pending);

	db_disconnect(conn);
	/* --json: a failure without a message of its own still says so */
	if (rc == EXIT_FAILED && !run_error.set)
		error_note(0, "command \"%s\" failed", command);
	exit(rc);
}
