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
 *	  alembic         Alembic's offline scripts: upgrade.sql (alembic
 *	                  upgrade base:heads --sql), downgrade*.sql (alembic
 *	                  downgrade <head>:base --sql), and the .py files of
 *	                  versions/ for messages, branch_labels and depends_on
 *
 * The revisions form a chain in the source's order (version order; plan
 * order for Sqitch); their ids come from the source versions (dbmate and
 * golang-migrate: the version; Flyway: "V" and the version; Sqitch: the
 * change name), so that a database migrated by the old tool can be
 * stamped at the same place.  Alembic's revisions keep their own ids and
 * parents (branches and merges), in the upgrade script's order.  Files are
 * named with a 5-digit sequence and a slug of the message, in an empty or
 * new DIR.  Lines that only open or close a transaction (BEGIN; COMMIT;),
 * outside quotes and comments, are dropped: a revision runs in a
 * transaction of its own; so are the statements on Alembic's version
 * table.  A revision holding a statement that cannot run in a transaction
 * is marked "-- migrate:transactional false".
 *
 * "adopt alembic" (cmd_adopt) stamps the revisions a database's
 * alembic_version table lists, so that migrate takes over where Alembic
 * stopped.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <unistd.h>

#include "commands.h"
#include "common/logging.h"
#include "connection.h"
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
	char	  **parents;		/* Alembic: the revision's own parents */
	int			nparents;
	char	  **labels;			/* Alembic: branch labels */
	int			nlabels;
	bool		described;		/* Alembic: read from versions/ */
} Imported;

typedef struct ImportList
{
	Imported   *items;
	int			n;
	int			cap;
	bool		own_parents;	/* items name their parents; else a chain */
} ImportList;

/* Where a scan of SQL stands at the start of a line. */
typedef struct SqlScan
{
	char		quote;			/* ', ", $ (dollar quote), * (comment), 0 */
	char		tag[64];		/* the open dollar quote, "$tag$" */
	int			depth;			/* nesting of block comments */
} SqlScan;

static Imported *add_item(ImportList *list);
static void scan_line(SqlScan *s, const char *p, const char *end);
static bool is_version_table_line(const char *line);
static char *strip_bookkeeping(const char *sql, const char *path,
							   bool version_table);
static char *strip_transaction_lines(const char *sql, const char *path);
static int	compare_versions(const char *a, const char *b);
static char *words_of(const char *name);
static int	import_dbmate(const char *src, ImportList *list);
static int	import_golang(const char *src, ImportList *list);
static int	import_flyway(const char *src, ImportList *list);
static bool sqitch_name_stays_inside(const char *name);
static int	import_sqitch(const char *src, ImportList *list);
static int	find_item(ImportList *list, const char *id);
static char **split_ids(const char *start, const char *end, int *n);
static int	alembic_read_script(const char *path, bool upgrade,
								ImportList *list);
static bool py_assignment(const char *text, const char *name, char ***values,
						  int *n, bool *bad);
static char *py_docstring(const char *text);
static int	alembic_read_versions(const char *src, ImportList *list);
static int	import_alembic(const char *src, ImportList *list);
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
 * Advance the quoting state of a scan of SQL over the line [p, end): a
 * string ('...'), a quoted identifier ("..."), a dollar quote ($tag$...$tag$)
 * or a block comment that the line opens stays open for the next line, so
 * that a line inside a function body is never taken for a statement of its
 * own.
 */
static void
scan_line(SqlScan *s, const char *p, const char *end)
{
	while (p < end)
	{
		if (s->quote == '$')
		{
			size_t		len = strlen(s->tag);

			if ((size_t) (end - p) >= len && strncmp(p, s->tag, len) == 0)
			{
				s->quote = 0;
				p += len;
			}
			else
				p++;
		}
		else if (s->quote == '*')
		{
			if (p + 1 < end && p[0] == '/' && p[1] == '*')
			{
				s->depth++;
				p += 2;
			}
			else if (p + 1 < end && p[0] == '*' && p[1] == '/')
			{
				if (--s->depth == 0)
					s->quote = 0;
				p += 2;
			}
			else
				p++;
		}
		else if (s->quote != 0)
		{
			if (*p == s->quote && p + 1 < end && p[1] == s->quote)
				p += 2;
			else
			{
				if (*p == s->quote)
					s->quote = 0;
				p++;
			}
		}
		else if (p + 1 < end && p[0] == '-' && p[1] == '-')
			return;
		else if (p + 1 < end && p[0] == '/' && p[1] == '*')
		{
			s->quote = '*';
			s->depth = 1;
			p += 2;
		}
		else if (*p == '\'' || *p == '"')
			s->quote = *p++;
		else if (*p == '$')
		{
			const char *t = p + 1;

			if (t < end && !isdigit((unsigned char) *t))
				while (t < end && (isalnum((unsigned char) *t) || *t == '_'))
					t++;
			if (t < end && *t == '$')
			{
				snprintf(s->tag, sizeof(s->tag), "%.*s", (int) (t + 1 - p), p);
				s->quote = '$';
				p = t + 1;
			}
			else
				p++;
		}
		else if (isalnum((unsigned char) *p) || *p == '_')
		{
			/* a "$" inside a word ("a$1") opens no dollar quote */
			while (p < end && (isalnum((unsigned char) *p) || *p == '_' || *p == '$'))
				p++;
		}
		else
			p++;
	}
}

/*
 * Does this line (leading blanks skipped) open a statement on Alembic's
 * version table: CREATE TABLE, INSERT INTO, UPDATE, DELETE FROM or DROP
 * TABLE of alembic_version, perhaps schema-qualified or quoted?
 */
static bool
is_version_table_line(const char *line)
{
	static const char *const verbs[] = {
		"CREATE TABLE ", "INSERT INTO ", "UPDATE ", "DELETE FROM ", "DROP TABLE "
	};

	for (int i = 0; i < lengthof(verbs); i++)
	{
		size_t		len = strlen(verbs[i]);
		const char *name;
		const char *end;
		const char *table;

		if (pg_strncasecmp(line, verbs[i], len) != 0)
			continue;
		name = line + len;
		end = name + strcspn(name, " (;\r\n");
		table = name;
		for (const char *q = name; q < end; q++)
			if (*q == '.')
				table = q + 1;
		if (*table == '"' && end > table + 1 && end[-1] == '"')
		{
			table++;
			end--;
		}
		return end - table == 15 && strncmp(table, "alembic_version", 15) == 0;
	}
	return false;
}

/*
 * Drop the lines that only say BEGIN; / START TRANSACTION; / COMMIT; /
 * END; / ROLLBACK; (a revision is run in a transaction of its own) and,
 * with version_table, the statements on Alembic's version table, each up
 * to the line that ends with ";".  Only lines that start outside quotes
 * and comments count: the BEGIN and END of a function body stay.  Leading
 * blank lines and trailing blanks go too.
 */
static char *
strip_bookkeeping(const char *sql, const char *path, bool version_table)
{
	PQExpBufferData out;
	const char *p = sql;
	SqlScan		scan = {0};
	bool		in_version_statement = false;
	char	   *result;

	initPQExpBuffer(&out);
	while (*p)
	{
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		char	   *line = pg_strdup_range(p, end);
		char	   *t = line;
		char	   *e;
		bool		outside = scan.quote == 0;

		while (*t == ' ' || *t == '\t')
			t++;
		e = t + strlen(t);
		while (e > t && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		*e = '\0';
		if (outside && version_table && !in_version_statement &&
			is_version_table_line(t))
			in_version_statement = true;
		if (in_version_statement)
		{
			if (e > t && e[-1] == ';')
				in_version_statement = false;
			pg_free(line);
			p = eol ? eol + 1 : end;
			continue;
		}
		while (e > t && e[-1] == ';')
			*--e = '\0';
		if (outside &&
			(pg_strcasecmp(t, "BEGIN") == 0 || pg_strcasecmp(t, "COMMIT") == 0 ||
			 pg_strcasecmp(t, "END") == 0 || pg_strcasecmp(t, "ROLLBACK") == 0 ||
			 pg_strcasecmp(t, "START TRANSACTION") == 0 ||
			 pg_strcasecmp(t, "BEGIN TRANSACTION") == 0 ||
			 pg_strcasecmp(t, "COMMIT TRANSACTION") == 0))
		{
			if (opts.verbosity > 0)
				pg_log_info("dropped \"%s\" from \"%s\"", t, path);
		}
		else if (out.len > 0 || *t != '\0')
			appendBinaryPQExpBuffer(&out, p, end - p + (eol ? 1 : 0));
		scan_line(&scan, p, end);
		pg_free(line);
		p = eol ? eol + 1 : end;
	}
	while (out.len > 0 && isspace((unsigned char) out.data[out.len - 1]))
		out.data[--out.len] = '\0';
	if (out.len > 0)
		appendPQExpBufferChar(&out, '\n');
	result = pg_strdup(out.data);
	termPQExpBuffer(&out);
	return result;
}

static char *
strip_transaction_lines(const char *sql, const char *path)
{
	return strip_bookkeeping(sql, path, false);
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

/* The index of the item with this id, or -1. */
static int
find_item(ImportList *list, const char *id)
{
	for (int k = 0; k < list->n; k++)
		if (strcmp(list->items[k].id, id) == 0)
			return k;
	return -1;
}

/* "a, b" -> {"a", "b"}; blanks alone -> none */
static char **
split_ids(const char *start, const char *end, int *n)
{
	char	   *s = pg_strdup_range(start, end);

	for (char *p = s; *p; p++)
		if (*p == ',')
			*p = ' ';
	return split_words(s, n);
}

/*
 * Read an offline script of Alembic.  In "alembic upgrade base:heads
 * --sql", the SQL after a line "-- Running upgrade P1, P2 -> R" is R's, and
 * P1, P2 are R's parents (none for a root); in "alembic downgrade R:base
 * --sql", the SQL after "-- Running downgrade R -> ..." is R's downgrade
 * (kept from the first file that has one).  What comes before the first
 * such line is BEGIN and the version table's creation.
 */
static int
alembic_read_script(const char *path, bool upgrade, ImportList *list)
{
	char	   *text = read_file(path, NULL);
	const char *marker = upgrade ? "-- Running upgrade " : "-- Running downgrade ";
	size_t		mlen = strlen(marker);
	PQExpBufferData sec;
	int			cur = -1;
	int			nsteps = 0;
	const char *p;

	if (text == NULL)
		return -1;
	initPQExpBuffer(&sec);
	for (p = text;;)
	{
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		bool		step = strncmp(p, marker, mlen) == 0;

		if (step || *p == '\0')
		{
			/* the section before this line is complete */
			char	   *sql = strip_bookkeeping(sec.data, path, true);

			if (cur >= 0 && upgrade)
				list->items[cur].upgrade = sql;
			else if (cur >= 0)
				list->items[cur].downgrade = sql;
			else if (nsteps == 0 && sql[0] != '\0')
				pg_log_warning("ignoring SQL before the first revision of \"%s\": %s",
							   path, sql);
			resetPQExpBuffer(&sec);
		}
		if (*p == '\0')
			break;
		if (step)
		{
			const char *rest = p + mlen;
			const char *arrow = strstr(rest, "->");
			char	  **left;
			char	  **right;
			int			nleft;
			int			nright;

			if (arrow == NULL || arrow > end)
			{
				pg_log_error("line \"%s\" of \"%s\" has no \"->\"",
							 pg_strdup_range(p, end), path);
				return -1;
			}
			left = split_ids(rest, arrow, &nleft);
			right = split_ids(arrow + 2, end, &nright);
			nsteps++;
			if (upgrade)
			{
				Imported   *it;

				if (nright != 1)
				{
					pg_log_error("line \"%s\" of \"%s\" does not upgrade one revision",
								 pg_strdup_range(p, end), path);
					return -1;
				}
				if (find_item(list, right[0]) >= 0)
				{
					pg_log_error("revision %s is upgraded twice in \"%s\"", right[0], path);
					return -1;
				}
				for (int k = 0; k < nleft; k++)
					if (find_item(list, left[k]) < 0)
					{
						pg_log_error("revision %s of \"%s\" has parent %s, which is not upgraded before it",
									 right[0], path, left[k]);
						pg_log_error_hint("Write the script from base: alembic upgrade base:heads --sql.");
						return -1;
					}
				it = add_item(list);
				it->id = right[0];
				it->sort_key = it->id;
				it->message = "";
				it->parents = left;
				it->nparents = nleft;
				it->upgrade = "";
				cur = list->n - 1;
			}
			else
			{
				if (nleft != 1)
				{
					pg_log_error("line \"%s\" of \"%s\" does not downgrade one revision",
								 pg_strdup_range(p, end), path);
					return -1;
				}
				cur = find_item(list, left[0]);
				if (cur < 0)
				{
					pg_log_error("\"%s\" downgrades revision %s, which the upgrade script does not upgrade",
								 path, left[0]);
					return -1;
				}
				if (list->items[cur].downgrade != NULL)
					cur = -2;	/* read from an earlier file */
			}
		}
		else if (cur != -2)
			appendBinaryPQExpBuffer(&sec, p, end - p + (eol ? 1 : 0));
		p = eol ? eol + 1 : end;
	}
	termPQExpBuffer(&sec);
	if (nsteps == 0)
	{
		pg_log_error("\"%s\" has no line \"%s...\"", path, marker);
		pg_log_error_hint("Write it with \"alembic %s --sql\".",
						  upgrade ? "upgrade base:heads" : "downgrade <head>:base");
		return -1;
	}
	return 0;
}

/*
 * The value of the assignment "name = ..." (or "name: <type> = ...") at
 * the start of a line of a Python file outside triple-quoted strings: None
 * (*values NULL), a string, or a tuple or list of strings, perhaps over
 * several lines.  False when there is no such assignment, or when its
 * value has another form (*bad then set).
 */
static bool
py_assignment(const char *text, const char *name, char ***values, int *n,
			  bool *bad)
{
	size_t		len = strlen(name);
	bool		in_docstring = false;
	const char *p = text;

	*values = NULL;
	*n = 0;
	*bad = false;
	for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
	{
		const char *eol = p + strcspn(p, "\n");
		const char *v;
		char		close = 0;
		int			cap = 4;
		bool		inside = in_docstring;

		/* count triple quotes to know whether a line starts in a string */
		for (const char *q = p; q + 2 < eol; q++)
			if ((q[0] == '"' || q[0] == '\'') && q[1] == q[0] && q[2] == q[0])
			{
				in_docstring = !in_docstring;
				q += 2;
			}
		if (inside || strncmp(p, name, len) != 0 ||
			(p[len] != ' ' && p[len] != '=' && p[len] != ':'))
			continue;
		v = p + len;
		while (*v == ' ')
			v++;
		if (*v == ':')
			v += strcspn(v, "=\n");
		if (*v != '=' || v[1] == '=')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strncmp(v, "None", 4) == 0 && !isalnum((unsigned char) v[4]) && v[4] != '_')
			return true;
		*values = pg_malloc(sizeof(char *) * cap);
		if (*v == '(' || *v == '[')
		{
			close = *v == '(' ? ')' : ']';
			v++;
		}
		for (;;)
		{
			char		q;
			const char *start;

			while (*v == ' ' || *v == '\t' || *v == '\r' || (close && *v == '\n'))
				v++;
			if (close && *v == close)
				return true;
			if (*v == 'u' || *v == 'r')
				v++;
			if (*v != '\'' && *v != '"')
				break;
			q = *v++;
			start = v;
			while (*v && *v != q && *v != '\n')
				v++;
			if (*v != q)
				break;
			if (*n == cap)
				*values = pg_realloc(*values, sizeof(char *) * (cap *= 2));
			(*values)[(*n)++] = pg_strdup_range(start, v);
			v++;
			while (*v == ' ' || *v == '\t' || *v == '\r' || (close && *v == '\n'))
				v++;
			if (*v == ',')
				v++;
			else if (close && *v == close)
				return true;
			else if (!close)
				return true;
			else
				break;
		}
		*bad = true;
		return false;
	}
	return false;
}

/* The first line of a Python file's docstring, or "". */
static char *
py_docstring(const char *text)
{
	const char *p = text;
	const char *end;
	const char *close;
	char		quote[4];

	/* skip blank lines, comments and an encoding line */
	while (*p == '#' || isspace((unsigned char) *p))
		p = *p == '#' ? p + strcspn(p, "\n") : p + 1;
	if (*p == 'r' || *p == 'u')
		p++;
	if (!((p[0] == '"' || p[0] == '\'') && p[1] == p[0] && p[2] == p[0]))
		return "";
	memcpy(quote, p, 3);
	quote[3] = '\0';
	p += 3;
	while (isspace((unsigned char) *p))
		p++;
	end = p + strcspn(p, "\r\n");
	close = strstr(p, quote);
	if (close != NULL && close < end)
		end = close;
	while (end > p && isspace((unsigned char) end[-1]))
		end--;
	return pg_strdup_range(p, end);
}

/*
 * The revision files of the Alembic project (the .py files of SRC/versions): for each
 * revision of the upgrade script, its message (the docstring's first line),
 * branch_labels and depends_on; its down_revision must agree with the
 * script.  depends_on may name a revision or a branch label, which stands
 * for the revision that declares it.
 */
static int
alembic_read_versions(const char *src, ImportList *list)
{
	char	   *dir = join_path(src, "versions");
	char	  **names;
	char	 ***raw_deps;
	int		   *nraw;
	int			n;

	if (!dir_exists(dir))
	{
		pg_log_warning("there is no folder \"%s\": the revisions get no message, branch label or dependency",
					   dir);
		pg_log_warning_hint("Copy or link the Alembic project's versions folder there.");
		return 0;
	}
	if ((names = list_dir(dir, ".py", &n)) == NULL)
		return -1;
	raw_deps = pg_malloc0(sizeof(char **) * list->n);
	nraw = pg_malloc0(sizeof(int) * list->n);
	for (int i = 0; i < n; i++)
	{
		char	   *path = join_path(dir, names[i]);
		char	   *text = read_file(path, NULL);
		char	  **vals;
		int			nvals;
		bool		bad;
		int			k;
		Imported   *it;
		static const char *const attrs[] = {
			"revision", "down_revision", "branch_labels", "depends_on"
		};
		char	  **got[lengthof(attrs)];
		int			ngot[lengthof(attrs)];

		if (text == NULL)
			return -1;
		for (int a = 0; a < lengthof(attrs); a++)
		{
			if (!py_assignment(text, attrs[a], &vals, &nvals, &bad) && bad)
			{
				pg_log_error("cannot read the value of \"%s\" in \"%s\"", attrs[a], path);
				pg_log_error_detail("The value must be None, a string, or a tuple or list of strings.");
				return -1;
			}
			got[a] = vals;
			ngot[a] = nvals;
		}
		if (ngot[0] == 0)
			continue;			/* no revision here: a helper module */
		if (ngot[0] != 1)
		{
			pg_log_error("\"revision\" in \"%s\" is not one string", path);
			return -1;
		}
		if ((k = find_item(list, got[0][0])) < 0)
		{
			pg_log_error("revision %s of \"%s\" is not in the upgrade script", got[0][0], path);
			pg_log_error_hint("Write the upgrade script again: alembic upgrade base:heads --sql.");
			return -1;
		}
		it = &list->items[k];
		if (it->described)
		{
			pg_log_error("two files of \"%s\" define revision %s", dir, it->id);
			return -1;
		}
		it->described = true;
		/* the same parents, in any order */
		bad = ngot[1] != it->nparents;
		for (int a = 0; !bad && a < ngot[1]; a++)
		{
			bad = true;
			for (int b = 0; b < it->nparents; b++)
				if (strcmp(got[1][a], it->parents[b]) == 0)
					bad = false;
		}
		if (bad)
		{
			pg_log_error("\"%s\" and the upgrade script disagree on the parents of revision %s",
						 path, it->id);
			pg_log_error_hint("Write the upgrade script again: alembic upgrade base:heads --sql.");
			return -1;
		}
		it->message = py_docstring(text);
		it->labels = got[2];
		it->nlabels = ngot[2];
		raw_deps[k] = got[3];
		nraw[k] = ngot[3];
	}

	/* dependencies, now that every label is known */
	for (int k = 0; k < list->n; k++)
	{
		Imported   *it = &list->items[k];

		if (!it->described)
			pg_log_warning("revision %s has no file in \"%s\": it gets no message, branch label or dependency",
						   it->id, dir);
		it->deps = pg_malloc0(sizeof(char *) * (nraw[k] + 1));
		for (int d = 0; d < nraw[k]; d++)
		{
			const char *dep = raw_deps[k][d];
			int			found = find_item(list, dep);

			for (int m = 0; found < 0 && m < list->n; m++)
				for (int l = 0; l < list->items[m].nlabels; l++)
					if (strcmp(list->items[m].labels[l], dep) == 0)
						found = m;
			if (found < 0)
			{
				pg_log_error("revision %s depends on \"%s\", which is neither a revision nor a branch label",
							 it->id, dep);
				return -1;
			}
			it->deps[it->ndeps++] = list->items[found].id;
		}
	}
	return 0;
}

/*
 * Alembic: SRC holds upgrade.sql (alembic upgrade base:heads --sql), the
 * downgrade*.sql scripts (alembic downgrade <head>:base --sql, one per
 * head), and versions/, the project's revision files.
 */
static int
import_alembic(const char *src, ImportList *list)
{
	char	   *up_path = join_path(src, "upgrade.sql");
	char	  **names;
	int			n;
	int			ndown = 0;

	list->own_parents = true;
	if (access(up_path, F_OK) != 0)
	{
		pg_log_error("there is no file \"%s\"", up_path);
		pg_log_error_hint("Write it with \"alembic upgrade base:heads --sql > %s\".", up_path);
		return -1;
	}
	if (alembic_read_script(up_path, true, list) != 0)
		return -1;
	if ((names = list_dir(src, ".sql", &n)) == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (strncmp(names[i], "downgrade", 9) == 0)
		{
			if (alembic_read_script(join_path(src, names[i]), false, list) != 0)
				return -1;
			ndown++;
		}
	if (ndown == 0)
		pg_log_warning("there is no downgrade*.sql in \"%s\": the revisions get no downgrade",
					   src);
	else
		for (int k = 0; k < list->n; k++)
			if (list->items[k].downgrade == NULL)
				pg_log_warning("no downgrade*.sql of \"%s\" downgrades revision %s",
							   src, list->items[k].id);
	return alembic_read_versions(src, list);
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
		const char *chain_parent = i > 0 ? list->items[i - 1].id : NULL;
		char	   *path;

		rev.id = it->id;
		rev.message = it->message[0] ? it->message : it->id;
		if (list->own_parents)
		{
			rev.parents = (const char *const *) it->parents;
			rev.nparents = it->nparents;
		}
		else
		{
			rev.parents = &chain_parent;
			rev.nparents = i > 0 ? 1 : 0;
		}
		/* a dependency on a parent itself says nothing more */
		for (int k = 0; k < it->ndeps; k++)
			for (int m = 0; m < rev.nparents; m++)
				if (strcmp(it->deps[k], rev.parents[m]) == 0)
				{
					memmove(&it->deps[k], &it->deps[k + 1],
							sizeof(char *) * (it->ndeps - k - 1));
					it->ndeps--;
					k--;
					break;
				}
		rev.deps = (const char *const *) it->deps;
		rev.ndeps = it->ndeps;
		rev.labels = (const char *const *) it->labels;
		rev.nlabels = it->nlabels;
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
	else if (strcmp(format, "alembic") == 0)
		rc = import_alembic(src, &list);
	else
	{
		pg_log_error("unrecognized import format \"%s\"", format);
		pg_log_error_hint("The formats are dbmate, golang-migrate, flyway, sqitch and alembic.");
		return EXIT_USAGE;
	}
	if (rc != 0)
		return EXIT_FAILED;
	if (list.n == 0)
	{
		pg_log_error("no migrations found in \"%s\"", src);
		return EXIT_FAILED;
	}
	if (strcmp(format, "sqitch") != 0 && strcmp(format, "alembic") != 0)
		qsort(list.items, list.n, sizeof(Imported), compare_items);
	return write_all(&list, format, src);
}

/*
 * adopt alembic [TABLE]: take over a database that Alembic migrated.  Load
 * DIR (imported with "import alembic"), then stamp the revisions that the
 * version table (default alembic_version, found on the search_path) lists:
 * one row per head Alembic reached, so their ancestries and dependencies
 * become the applied set, and "upgrade heads" runs only what Alembic had
 * not.  The version table is left as it is.
 */
int
cmd_adopt(PGconn *conn, const char *format, const char *table)
{
	const char *params[1];
	PGresult   *res;
	char	   *qualified;
	char	  **versions;
	int			n;
	int			rc;

	if (strcmp(format, "alembic") != 0)
	{
		pg_log_error("cannot adopt a database migrated by \"%s\"", format);
		pg_log_error_hint("Only alembic is supported; with the other formats, stamp the last version: pg_migrate stamp VERSION.");
		return EXIT_USAGE;
	}
	params[0] = table ? table : "alembic_version";
	res = db_query(conn, "SELECT pg_catalog.to_regclass($1)::pg_catalog.text",
				   1, params, "could not find the version table");
	if (res == NULL)
		return EXIT_FAILED;
	if (PQgetisnull(res, 0, 0))
	{
		pg_log_error("relation \"%s\" does not exist", params[0]);
		pg_log_error_detail("Alembic keeps the revisions a database is at in that table.");
		pg_log_error_hint("Name the version table (version_table in Alembic's env.py), as in \"adopt alembic myschema.alembic_version\".");
		PQclear(res);
		return EXIT_FAILED;
	}
	/* to_regclass gave the name quoted as needed */
	qualified = pg_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = db_query(conn,
				   psprintf("SELECT version_num::pg_catalog.text FROM %s ORDER BY 1",
							qualified),
				   0, NULL, "could not read the version table");
	if (res == NULL)
		return EXIT_FAILED;
	n = PQntuples(res);
	versions = pg_malloc(sizeof(char *) * (n + 1));
	for (int r = 0; r < n; r++)
		versions[r] = pg_strdup(PQgetvalue(res, r, 0));
	PQclear(res);
	if (n == 0)
	{
		/* Alembic at base: nothing is applied, only load */
		rc = cmd_load(conn);
		if (rc == EXIT_OK && opts.verbosity >= 0 && !opts.json)
			printf("%s is empty: nothing to stamp\n", qualified);
		return rc;
	}
	if (opts.verbosity > 0)
		for (int r = 0; r < n; r++)
			pg_log_info("%s lists %s", qualified, versions[r]);
	return cmd_stamp(conn, n, versions);
}
