/*-------------------------------------------------------------------------
 *
 * cmd_import.c
 *	  import FORMAT SRC: another tool's migrations as revision files.
 *
 *	  dbmate          <version>_<name>.sql with "-- migrate:up" and
 *	                  "-- migrate:down" sections
 *	  golang-migrate  <version>_<title>.up.sql and .down.sql
 *	  flyway          V<version>__<description>.sql, with optional undo
 *	                  files U<version>__<description>.sql
 *	  sqitch          sqitch.plan, deploy/<change>.sql, revert/<change>.sql;
 *	                  [requires] become depends-on; a change or tag name
 *	                  that would lead out of SRC is refused
 *
 * The revisions form a chain in the source's order (version order; plan
 * order for Sqitch); their ids come from the source versions (dbmate and
 * golang-migrate: the version; Flyway: "V" and the version; Sqitch: the
 * change name), so that a database migrated by the old tool can be
 * stamped at the same place.  Files are named with a 5-digit sequence and
 * a slug of the message, in an empty or new DIR.  Lines that only open or
 * close a transaction (BEGIN; COMMIT;) are dropped: a revision runs in a
 * transaction of its own.  A revision holding a statement that cannot run
 * in a transaction is marked "-- migrate:transactional false".
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <unistd.h>

#include "commands.h"
#include "common/logging.h"
#include "output.h"
#include "revdir.h"
#include "util.h"

/* One migration of the source, before it is written. */
typedef struct Imported
{
	char	   *id;
	char	   *message;
	char	   *upgrade;
	char	   *downgrade;
	char	  **deps;
	int			ndeps;
	bool		force_non_transactional;
	char	   *sort_key;		/* version, for sorting */
} Imported;

typedef struct ImportList
{
	Imported   *items;
	int			n;
	int			cap;
} ImportList;

static Imported *add_item(ImportList *list);
static char *strip_transaction_lines(const char *sql, const char *path);
static int	compare_versions(const char *a, const char *b);
static char *words_of(const char *name);
static int	import_dbmate(const char *src, ImportList *list);
static int	import_golang(const char *src, ImportList *list);
static int	import_flyway(const char *src, ImportList *list);
static bool sqitch_name_stays_inside(const char *name);
static int	import_sqitch(const char *src, ImportList *list);
static int	write_all(ImportList *list, const char *format, const char *src);
static bool is_non_transactional_sql(const char *sql);

static Imported *
add_item(ImportList *list)
{
	if (list->n == list->cap)
	{
		list->cap = list->cap ? 2 * list->cap : 32;
		list->items = pg_realloc(list->items, sizeof(Imported) * list->cap);
	}
	memset(&list->items[list->n], 0, sizeof(Imported));
	return &list->items[list->n++];
}

/* "add_users_table" -> "add users table" */
static char *
words_of(const char *name)
{
	char	   *s = pg_strdup(name);

	for (char *p = s; *p; p++)
		if (*p == '_' || *p == '-')
			*p = ' ';
	return s;
}

/*
 * Compare versions as Flyway and golang-migrate do: numeric parts
 * separated by "." or "_", compared as numbers.
 */
static int
compare_versions(const char *a, const char *b)
{
	while (*a || *b)
	{
		unsigned long long x = 0,
					y = 0;
		int			dx = 0,
					dy = 0;

		while (isdigit((unsigned char) *a))
		{
			x = x * 10 + (*a++ - '0');
			dx++;
		}
		while (isdigit((unsigned char) *b))
		{
			y = y * 10 + (*b++ - '0');
			dy++;
		}
		if (x != y)
			return x < y ? -1 : 1;
		if (dx == 0 || dy == 0)
		{
			if (*a != *b)
				return (unsigned char) *a < (unsigned char) *b ? -1 : 1;
			if (*a)
			{
				a++;
				b++;
			}
			continue;
		}
		if (*a == '.' || *a == '_')
			a++;
		if (*b == '.' || *b == '_')
			b++;
	}
	return 0;
}

static int
compare_items(const void *a, const void *b)
{
	return compare_versions(((const Imported *) a)->sort_key,
							((const Imported *) b)->sort_key);
}

/*
 * Drop the lines that only say BEGIN; / START TRANSACTION; / COMMIT; /
 * END; / ROLLBACK;: a revision is run in a transaction of its own.
 */
static char *
strip_transaction_lines(const char *sql, const char *path)
{
	PQExpBufferData out;
	const char *p = sql;

	initPQExpBuffer(&out);
	while (*p)
	{
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		char	   *line = pg_strdup_range(p, end);
		char	   *t = line;
		char	   *e;

		while (*t == ' ' || *t == '\t')
			t++;
		e = t + strlen(t);
		while (e > t && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == ';'))
			e--;
		*e = '\0';
		if (pg_strcasecmp(t, "BEGIN") == 0 || pg_strcasecmp(t, "COMMIT") == 0 ||
			pg_strcasecmp(t, "END") == 0 || pg_strcasecmp(t, "ROLLBACK") == 0 ||
			pg_strcasecmp(t, "START TRANSACTION") == 0 ||
			pg_strcasecmp(t, "BEGIN TRANSACTION") == 0 ||
			pg_strcasecmp(t, "COMMIT TRANSACTION") == 0)
		{
			if (opts.verbosity > 0)
				pg_log_info("dropped \"%s\" from \"%s\"", t, path);
		}
		else
			appendBinaryPQExpBuffer(&out, p, end - p + (eol ? 1 : 0));
		pg_free(line);
		p = eol ? eol + 1 : end;
	}
	return out.data;
}

/* dbmate: <version>_<name>.sql with -- migrate:up / -- migrate:down. */
static int
import_dbmate(const char *src, ImportList *list)
{
	int			n;
	char	  **names = list_dir(src, ".sql", &n);

	if (names == NULL)
		return -1;
	for (int i = 0; i < n; i++)
	{
		char	   *path = join_path(src, names[i]);
		char	   *text = read_file(path, NULL);
		const char *us = strchr(names[i], '_');
		Imported   *it;
		PQExpBufferData up,
					down;
		PQExpBuffer cur = NULL;
		const char *p;
		bool		non_tx = false;

		if (text == NULL)
			return -1;
		if (us == NULL || us == names[i])
		{
			pg_log_warning("skipping \"%s\": not named <version>_<name>.sql", path);
			continue;
		}
		initPQExpBuffer(&up);
		initPQExpBuffer(&down);
		for (p = text; *p;)
		{
			const char *eol = strchr(p, '\n');
			const char *end = eol ? eol : p + strlen(p);
			const char *t = p;

			while (t < end && (*t == ' ' || *t == '\t'))
				t++;
			if (end - t >= 13 && strncmp(t, "-- migrate:up", 13) == 0 &&
				(end - t == 13 || t[13] == ' ' || t[13] == '\t' || t[13] == '\r'))
			{
				cur = &up;
				if (strstr(pg_strdup_range(t, end), "transaction:false"))
					non_tx = true;
			}
			else if (end - t >= 15 && strncmp(t, "-- migrate:down", 15) == 0)
				cur = &down;
			else if (cur)
				appendBinaryPQExpBuffer(cur, p, end - p + (eol ? 1 : 0));
			p = eol ? eol + 1 : end;
		}
		if (cur == NULL)
		{
			pg_log_error("file \"%s\" has no \"-- migrate:up\" line", path);
			return -1;
		}
		it = add_item(list);
		it->id = pg_strdup_range(names[i], us);
		it->sort_key = it->id;
		it->message = words_of(pg_strdup_range(us + 1, names[i] + strlen(names[i]) - 4));
		it->upgrade = strip_transaction_lines(up.data, path);
		it->downgrade = strip_transaction_lines(down.data, path);
		it->force_non_transactional = non_tx;
	}
	return 0;
}

/* golang-migrate: <version>_<title>.up.sql and <version>_<title>.down.sql */
static int
import_golang(const char *src, ImportList *list)
{
	int			n;
	char	  **names = list_dir(src, ".sql", &n);

	if (names == NULL)
		return -1;
	for (int i = 0; i < n; i++)
	{
		const char *name = names[i];
		size_t		len = strlen(name);
		bool		up = len > 7 && strcmp(name + len - 7, ".up.sql") == 0;
		bool		down = len > 9 && strcmp(name + len - 9, ".down.sql") == 0;
		const char *us = strchr(name, '_');
		const char *stem_end = name + len - (up ? 7 : 9);
		char	   *version;
		char	   *path = join_path(src, name);
		char	   *text;
		Imported   *it = NULL;

		if ((!up && !down) || !isdigit((unsigned char) name[0]))
		{
			pg_log_warning("skipping \"%s\": not named <version>_<title>.up.sql or .down.sql",
						   path);
			continue;
		}
		version = pg_strdup_range(name, us && us < stem_end ? us : stem_end);
		if ((text = read_file(path, NULL)) == NULL)
			return -1;
		for (int k = 0; k < list->n; k++)
			if (strcmp(list->items[k].id, version) == 0)
				it = &list->items[k];
		if (it == NULL)
		{
			it = add_item(list);
			it->id = version;
			it->sort_key = version;
			it->message = us && us < stem_end ? words_of(pg_strdup_range(us + 1, stem_end)) : "";
		}
		if (up)
		{
			if (it->upgrade)
			{
				pg_log_error("two up files for version %s in \"%s\"", version, src);
				return -1;
			}
			it->upgrade = strip_transaction_lines(text, path);
		}
		else
		{
			if (it->downgrade)
			{
				pg_log_error("two down files for version %s in \"%s\"", version, src);
				return -1;
			}
			it->downgrade = strip_transaction_lines(text, path);
		}
	}
	for (int k = 0; k < list->n; k++)
		if (list->items[k].upgrade == NULL)
		{
			pg_log_error("version %s in \"%s\" has a down file and no up file",
						 list->items[k].id, src);
			return -1;
		}
	return 0;
}

/* Flyway: V<version>__<description>.sql and U<version>__<description>.sql */
static int
import_flyway(const char *src, ImportList *list)
{
	int			n;
	char	  **names = list_dir(src, ".sql", &n);

	if (names == NULL)
		return -1;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++)
		{
			const char *name = names[i];
			const char *sep = strstr(name, "__");
			char	   *version;
			char	   *id;
			char	   *path = join_path(src, name);
			char	   *text;
			Imported   *it = NULL;
			bool		valid = sep != NULL && sep > name + 1 &&
				(name[0] == 'V' || name[0] == 'U');

			for (const char *v = name + 1; valid && v < sep; v++)
				valid = isdigit((unsigned char) *v) || *v == '.' || *v == '_';
			if (!valid)
			{
				if (pass == 0)
				{
					if (name[0] == 'R' && sep == name + 1)
						pg_log_warning("skipping repeatable migration \"%s\": migrate has no repeatable revisions",
									   path);
					else
						pg_log_warning("skipping \"%s\": not named V<version>__<description>.sql",
									   path);
				}
				continue;
			}
			if ((pass == 0) != (name[0] == 'V'))
				continue;
			version = pg_strdup_range(name + 1, sep);
			for (char *v = version; *v; v++)
				if (*v == '_')
					*v = '.';
			id = psprintf("V%s", version);
			if ((text = read_file(path, NULL)) == NULL)
				return -1;
			for (int k = 0; k < list->n; k++)
				if (strcmp(list->items[k].id, id) == 0)
					it = &list->items[k];
			if (pass == 0)
			{
				if (it != NULL)
				{
					pg_log_error("two migrations with version %s in \"%s\"", version, src);
					return -1;
				}
				it = add_item(list);
				it->id = id;
				it->sort_key = version;
				it->message = words_of(pg_strdup_range(sep + 2, name + strlen(name) - 4));
				it->upgrade = strip_transaction_lines(text, path);
			}
			else if (it == NULL)
				pg_log_warning("skipping undo file \"%s\": there is no V%s migration",
							   path, version);
			else
				it->downgrade = strip_transaction_lines(text, path);
		}
	return 0;
}

/* A Sqitch change name made into a revision id. */
static char *
sqitch_id(const char *name)
{
	char	   *id = pg_strdup(name);

	for (char *p = id; *p; p++)
		if (!isalnum((unsigned char) *p) && *p != '_' && *p != '.')
			*p = '_';
	if (strlen(id) > 64)
		id[64] = '\0';
	return id;
}

/*
 * Does a Sqitch change name, made into the script paths
 * deploy/<name>.sql and revert/<name>.sql, stay inside the project folder?
 * Sqitch allows "/" in change names (deploy/schemas/app.sql); a crafted
 * plan must not reach other files through "..", an absolute path or a
 * backslash.
 */
static bool
sqitch_name_stays_inside(const char *name)
{
	const char *p = name;

	if (*name == '/' || strchr(name, '\\') != NULL)
		return false;
	for (;;)
	{
		size_t		len = strcspn(p, "/");

		if (len == 0 || (len == 1 && p[0] == '.') ||
			(len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (p[len] == '\0')
			return true;
		p += len + 1;
	}
}

/*
 * Sqitch: sqitch.plan in plan order.  A change reworked later in the plan
 * has its earlier scripts in deploy/<change>@<tag>.sql, where tag is the
 * first tag after it.
 */
static int
import_sqitch(const char *src, ImportList *list)
{
	char	   *plan_path = join_path(src, "sqitch.plan");
	char	   *plan = read_file(plan_path, NULL);
	char	  **names;
	char	  **tags;
	char	  **ids;
	int			nchanges = 0;
	int			cap;
	const char *p;
	int			lineno = 0;

	if (plan == NULL)
		return -1;
	cap = strlen(plan) / 4 + 2;
	names = pg_malloc0(sizeof(char *) * cap);
	tags = pg_malloc0(sizeof(char *) * cap);
	ids = pg_malloc0(sizeof(char *) * cap);

	for (p = plan; *p;)
	{
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		char	   *line = pg_strdup_range(p, end);
		char	   *t = line;
		char	   *name_end;
		char	   *note;
		Imported   *it;
		char	   *name;

		lineno++;
		p = eol ? eol + 1 : end;
		while (*t == ' ' || *t == '\t')
			t++;
		if (t[0] == '\0' || t[0] == '\r' || t[0] == '#' || t[0] == '%')
			continue;
		if (t[0] == '@')
		{
			/* a tag: it names the earlier scripts of changes before it */
			char	   *tag_end = t + strcspn(t, " \t\r");
			char	   *tag = pg_strdup_range(t + 1, tag_end);

			if (strchr(tag, '/') != NULL || strchr(tag, '\\') != NULL)
			{
				pg_log_error("tag \"%s\" at line %d of \"%s\" would name scripts outside the project folder",
							 tag, lineno, plan_path);
				pg_log_error_detail("A Sqitch tag name cannot contain \"/\" or \"\\\".");
				return -1;
			}
			for (int k = nchanges - 1; k >= 0 && tags[k] == NULL; k--)
				tags[k] = tag;
			continue;
		}
		name_end = t + strcspn(t, " \t\r[");
		name = pg_strdup_range(t, name_end);
		if (!sqitch_name_stays_inside(name))
		{
			pg_log_error("change \"%s\" at line %d of \"%s\" would name scripts outside the project folder",
						 name, lineno, plan_path);
			pg_log_error_detail("A change name may contain \"/\" between folder names, but no empty, \".\" or \"..\" folder name, no leading \"/\" and no \"\\\".");
			return -1;
		}
		it = add_item(list);
		it->sort_key = psprintf("%d", nchanges);
		note = strchr(name_end, '#');
		it->message = note ? pg_strdup(note + 1) : name;
		if (note)
		{
			char	   *m = it->message;
			char	   *e;

			while (*m == ' ')
				m++;
			e = m + strlen(m);
			while (e > m && (e[-1] == ' ' || e[-1] == '\r'))
				e--;
			*e = '\0';
			it->message = m;
		}
		{
			char	   *open = strchr(name_end, '[');
			char	   *close = open ? strchr(open, ']') : NULL;

			if (open && (note == NULL || open < note))
			{
				int			nreq;
				char	  **reqs;

				if (close == NULL)
				{
					pg_log_error("line %d of \"%s\" has \"[\" without \"]\"", lineno, plan_path);
					return -1;
				}
				reqs = split_words(pg_strdup_range(open + 1, close), &nreq);
				it->deps = pg_malloc0(sizeof(char *) * (nreq + 1));
				for (int k = 0; k < nreq; k++)
				{
					const char *req = reqs[k];
					const char *at = strchr(req, '@');
					char	   *dep_name;
					bool		found = false;

					if (req[0] == '!')
					{
						pg_log_warning("change \"%s\" conflicts with \"%s\": migrate has no conflicts, ignored",
									   name, req + 1);
						continue;
					}
					if (strchr(req, ':'))
					{
						pg_log_warning("change \"%s\" requires \"%s\" of another project: ignored",
									   name, req);
						continue;
					}
					dep_name = at ? pg_strdup_range(req, at) : pg_strdup(req);
					/* the latest earlier change of that name */
					for (int c = nchanges - 1; c >= 0 && !found; c--)
						if (strcmp(names[c], dep_name) == 0)
						{
							it->deps[it->ndeps++] = ids[c];
							found = true;
						}
					if (!found)
					{
						pg_log_error("change \"%s\" requires \"%s\", which is not earlier in \"%s\"",
									 name, req, plan_path);
						return -1;
					}
				}
			}
		}
		/* ids: the change name; a reworked change gets a suffix */
		it->id = sqitch_id(name);
		for (int c = 0; c < nchanges; c++)
			if (strcmp(ids[c], it->id) == 0)
			{
				int			rework = 2;

				for (;;)
				{
					char	   *candidate = psprintf("%s_r%d", sqitch_id(name), rework);
					bool		taken = false;

					for (int d = 0; d < nchanges; d++)
						taken |= strcmp(ids[d], candidate) == 0;
					if (!taken)
					{
						it->id = candidate;
						break;
					}
					rework++;
				}
				break;
			}
		names[nchanges] = name;
		ids[nchanges] = it->id;
		nchanges++;
	}

	/* the scripts, now that tags are known */
	for (int c = 0; c < nchanges; c++)
	{
		Imported   *it = &list->items[c];
		bool		reworked = false;
		char	   *stem;
		char	   *deploy;
		char	   *revert;

		for (int d = c + 1; d < nchanges; d++)
			reworked |= strcmp(names[d], names[c]) == 0;
		stem = reworked && tags[c] ? psprintf("%s@%s", names[c], tags[c]) : names[c];
		deploy = join_path(src, psprintf("deploy/%s.sql", stem));
		revert = join_path(src, psprintf("revert/%s.sql", stem));
		if ((it->upgrade = read_file(deploy, NULL)) == NULL)
			return -1;
		it->upgrade = strip_transaction_lines(it->upgrade, deploy);
		if (access(revert, F_OK) == 0)
		{
			if ((it->downgrade = read_file(revert, NULL)) == NULL)
				return -1;
			it->downgrade = strip_transaction_lines(it->downgrade, revert);
		}
	}
	return 0;
}

/*
 * Does this SQL hold a statement that cannot run in a transaction block:
 * CREATE/DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY, DETACH
 * PARTITION ... CONCURRENTLY, VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM,
 * or ALTER TYPE ... ADD VALUE 'v' with 'v' used later in the same SQL?
 * A word-level scan that skips comments and quoted identifiers, for the
 * importers; the server's parser has the last word at load.
 */
static bool
is_non_transactional_sql(const char *sql)
{
	const char *p = sql;
	char		first[32] = "";
	char		second[32] = "";
	char		prev[2][32] = {"", ""};
	int			nwords = 0;
	char	  **added = pg_malloc(sizeof(char *) * (strlen(sql) / 8 + 2));
	int			nadded = 0;

	while (*p)
	{
		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*')
		{
			p += 2;
			while (*p && !(p[0] == '*' && p[1] == '/'))
				p++;
			if (*p)
				p += 2;
			continue;
		}
		if (*p == '\'' || *p == '"' || *p == '$')
		{
			char		q = *p;
			const char *start = p + 1;
			const char *end;

			if (q == '$')
			{
				const char *tag_end = strchr(p + 1, '$');
				char	   *tag;
				const char *close;
				bool		is_tag = tag_end != NULL;

				for (const char *t = p + 1; is_tag && t < tag_end; t++)
					if (!isalnum((unsigned char) *t) && *t != '_')
						is_tag = false;
				if (!is_tag)
				{
					p++;
					continue;
				}
				tag = pg_strdup_range(p, tag_end + 1);
				close = strstr(tag_end + 1, tag);
				p = close ? close + strlen(tag) : p + strlen(p);
				pg_free(tag);
				continue;
			}
			p++;
			while (*p && !(*p == q && p[1] != q))
				p += (*p == q) ? 2 : 1;
			end = p;
			if (*p)
				p++;
			if (q == '\'')
			{
				char	   *lit = pg_strdup_range(start, end);

				if (strcmp(prev[0], "VALUE") == 0 && strcmp(prev[1], "ADD") == 0)
					added[nadded++] = lit;
				else if ((strcmp(prev[0], "EXISTS") == 0) &&
						 strcmp(first, "ALTER") == 0 && strcmp(second, "TYPE") == 0)
					added[nadded++] = lit;
				else
				{
					for (int i = 0; i < nadded; i++)
						if (strcmp(added[i], lit) == 0)
							return true;
					pg_free(lit);
				}
			}
			prev[1][0] = prev[0][0] = '\0';
			continue;
		}
		if (isalpha((unsigned char) *p) || *p == '_')
		{
			char		word[32];
			int			len = 0;

			while (isalnum((unsigned char) *p) || *p == '_')
			{
				if (len < 31)
					word[len++] = pg_ascii_toupper((unsigned char) *p);
				p++;
			}
			word[len] = '\0';
			if (nwords == 0)
				strcpy(first, word);
			else if (nwords == 1)
				strcpy(second, word);
			nwords++;
			if (strcmp(word, "CONCURRENTLY") == 0)
				return true;
			if (nwords == 1 && strcmp(word, "VACUUM") == 0)
				return true;
			if (nwords == 2 && strcmp(word, "DATABASE") == 0 &&
				(strcmp(first, "CREATE") == 0 || strcmp(first, "DROP") == 0))
				return true;
			if (nwords == 2 && strcmp(word, "SYSTEM") == 0 &&
				strcmp(first, "ALTER") == 0)
				return true;
			strcpy(prev[1], prev[0]);
			strcpy(prev[0], word);
			continue;
		}
		if (*p == ';')
		{
			nwords = 0;
			first[0] = second[0] = prev[0][0] = prev[1][0] = '\0';
		}
		p++;
	}
	return false;
}

/* Write the revisions as a chain, in order, into an empty DIR. */
static int
write_all(ImportList *list, const char *format, const char *src)
{
	int			non_tx = 0;
	PQExpBufferData json;

	for (int i = 0; i < list->n; i++)
		for (int j = i + 1; j < list->n; j++)
			if (strcmp(list->items[i].id, list->items[j].id) == 0)
			{
				pg_log_error("two migrations of \"%s\" have version \"%s\"", src,
							 list->items[i].id);
				return EXIT_FAILED;
			}
	for (int i = 0; i < list->n; i++)
		if (!valid_id(list->items[i].id))
		{
			pg_log_error("version \"%s\" of \"%s\" cannot be a revision id",
						 list->items[i].id, src);
			pg_log_error_detail("A revision id is 1 to 64 letters, digits, underscores or dots.");
			return EXIT_FAILED;
		}
	if (dir_exists(opts.dir))
	{
		int			n;

		if (list_dir(opts.dir, NULL, &n) == NULL)
			return EXIT_FAILED;
		if (n > 0)
		{
			pg_log_error("directory \"%s\" is not empty", opts.dir);
			pg_log_error_hint("Import into a new or empty folder, named with -D.");
			return EXIT_FAILED;
		}
	}
	else if (!make_dir(opts.dir))
		return EXIT_FAILED;

	initPQExpBuffer(&json);
	for (int i = 0; i < list->n; i++)
	{
		Imported   *it = &list->items[i];
		NewRevision rev = {0};
		const char *parent = i > 0 ? list->items[i - 1].id : NULL;
		char	   *path;

		rev.id = it->id;
		rev.message = it->message;
		rev.parents = &parent;
		rev.nparents = i > 0 ? 1 : 0;
		/* a dependency on the parent itself says nothing more */
		for (int k = 0; k < it->ndeps; k++)
			if (parent && strcmp(it->deps[k], parent) == 0)
			{
				memmove(&it->deps[k], &it->deps[k + 1],
						sizeof(char *) * (it->ndeps - k - 1));
				it->ndeps--;
				k--;
			}
		rev.deps = (const char *const *) it->deps;
		rev.ndeps = it->ndeps;
		rev.transactional = !(it->force_non_transactional ||
							  is_non_transactional_sql(it->upgrade) ||
							  (it->downgrade && is_non_transactional_sql(it->downgrade)));
		rev.upgrade = it->upgrade;
		rev.downgrade = it->downgrade;
		rev.prefix = psprintf("%05d", i + 1);
		if (!rev.transactional)
			non_tx++;
		if ((path = revision_write(opts.dir, &rev)) == NULL)
			return EXIT_FAILED;
		if (opts.json)
		{
			appendPQExpBufferStr(&json, i ? ", {\"file\": " : "{\"file\": ");
			json_string(&json, path);
			appendPQExpBufferStr(&json, ", \"revision\": ");
			json_string(&json, it->id);
			appendPQExpBuffer(&json, ", \"transactional\": %s}",
							  rev.transactional ? "true" : "false");
		}
		else if (opts.verbosity > 0)
			printf("%s%s\n", path, rev.transactional ? "" : " (not transactional)");
	}
	if (opts.json)
		printf("{\"format\": \"%s\", \"revisions\": [%s]}\n", format, json.data);
	else if (opts.verbosity >= 0)
		printf("imported %d revision%s from \"%s\" into \"%s\"%s\n", list->n,
			   list->n == 1 ? "" : "s", src, opts.dir,
			   non_tx ? psprintf(", %d not transactional", non_tx) : "");
	termPQExpBuffer(&json);
	return EXIT_OK;
}

int
cmd_import(const char *format, const char *src)
{
	ImportList	list = {0};
	int			rc;

	if (!dir_exists(src))
	{
		pg_log_error("directory \"%s\" does not exist", src);
		return EXIT_FAILED;
	}
	if (strcmp(format, "dbmate") == 0)
		rc = import_dbmate(src, &list);
	else if (strcmp(format, "golang-migrate") == 0 || strcmp(format, "migrate") == 0)
		rc = import_golang(src, &list);
	else if (strcmp(format, "flyway") == 0)
		rc = import_flyway(src, &list);
	else if (strcmp(format, "sqitch") == 0)
		rc = import_sqitch(src, &list);
	else
	{
		pg_log_error("unrecognized import format \"%s\"", format);
		pg_log_error_hint("The formats are dbmate, golang-migrate, flyway and sqitch.");
		return EXIT_USAGE;
	}
	if (rc != 0)
		return EXIT_FAILED;
	if (list.n == 0)
	{
		pg_log_error("no migrations found in \"%s\"", src);
		return EXIT_FAILED;
	}
	if (strcmp(format, "sqitch") != 0)
		qsort(list.items, list.n, sizeof(Imported), compare_items);
	return write_all(&list, format, src);
}
