/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Files, folders, strings and JSON for pg_migrate.
 *
 * Errors are reported here with pg_log_error and returned as false/NULL;
 * allocation failures exit (pg_malloc).
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/logging.h"

/* The whole file as a NUL-terminated string, or NULL after an error. */
char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	size_t		size = 0;
	size_t		cap = 8192;
	size_t		got;

	if (f == NULL)
	{
		pg_log_error("could not open file \"%s\": %m", path);
		return NULL;
	}
	buf = pg_malloc(cap + 1);
	while ((got = fread(buf + size, 1, cap - size, f)) > 0)
	{
		size += got;
		if (size == cap)
		{
			cap *= 2;
			buf = pg_realloc(buf, cap + 1);
		}
	}
	if (ferror(f))
	{
		pg_log_error("could not read file \"%s\": %m", path);
		fclose(f);
		pg_free(buf);
		return NULL;
	}
	fclose(f);
	buf[size] = '\0';
	if (strlen(buf) != size)
	{
		pg_log_error("file \"%s\" contains a zero byte", path);
		pg_free(buf);
		return NULL;
	}
	if (len)
		*len = size;
	return buf;
}

/* Write text to path; with exclusive, refuse to replace a file. */
bool
write_file(const char *path, const char *text, bool exclusive)
{
	int			fd;
	size_t		len = strlen(text);
	size_t		done = 0;

	fd = open(path, O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC),
			  0644);
	if (fd < 0)
	{
		pg_log_error("could not create file \"%s\": %m", path);
		return false;
	}
	while (done < len)
	{
		ssize_t		w = write(fd, text + done, len - done);

		if (w < 0)
		{
			pg_log_error("could not write file \"%s\": %m", path);
			close(fd);
			return false;
		}
		done += w;
	}
	if (close(fd) != 0)
	{
		pg_log_error("could not close file \"%s\": %m", path);
		return false;
	}
	return true;
}

bool
dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p */
bool
make_dir(const char *path)
{
	char	   *copy = pg_strdup(path);

	for (char *p = copy + 1; *p; p++)
	{
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST)
		{
			pg_log_error("could not create directory \"%s\": %m", copy);
			pg_free(copy);
			return false;
		}
		*p = '/';
	}
	if (mkdir(copy, 0755) != 0 && (errno != EEXIST || !dir_exists(copy)))
	{
		pg_log_error("could not create directory \"%s\": %m", copy);
		pg_free(copy);
		return false;
	}
	pg_free(copy);
	return true;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * The names of the regular files in path that end with suffix (NULL: all),
 * sorted bytewise, skipping hidden files.  NULL after an error.
 */
char **
list_dir(const char *path, const char *suffix, int *n)
{
	DIR		   *dir = opendir(path);
	struct dirent *de;
	char	  **names;
	int			cap = 64;

	*n = 0;
	if (dir == NULL)
	{
		pg_log_error("could not open directory \"%s\": %m", path);
		return NULL;
	}
	names = pg_malloc(sizeof(char *) * cap);
	while ((errno = 0, de = readdir(dir)) != NULL)
	{
		size_t		len = strlen(de->d_name);
		char	   *full;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (suffix && (len < strlen(suffix) ||
					   strcmp(de->d_name + len - strlen(suffix), suffix) != 0))
			continue;
		full = join_path(path, de->d_name);
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
		{
			pg_free(full);
			continue;
		}
		pg_free(full);
		if (*n == cap)
		{
			cap *= 2;
			names = pg_realloc(names, sizeof(char *) * cap);
		}
		names[(*n)++] = pg_strdup(de->d_name);
	}
	if (errno != 0)
	{
		pg_log_error("could not read directory \"%s\": %m", path);
		closedir(dir);
		return NULL;
	}
	closedir(dir);
	qsort(names, *n, sizeof(char *), compare_names);
	return names;
}

char *
join_path(const char *dir, const char *name)
{
	size_t		len = strlen(dir);

	if (len > 0 && dir[len - 1] == '/')
		return psprintf("%s%s", dir, name);
	return psprintf("%s/%s", dir, name);
}

/* Append s as a JSON string. */
void
json_string(PQExpBuffer buf, const char *s)
{
	if (s == NULL)
	{
		appendPQExpBufferStr(buf, "null");
		return;
	}
	appendPQExpBufferChar(buf, '"');
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		switch (*p)
		{
			case '"':
				appendPQExpBufferStr(buf, "\\\"");
				break;
			case '\\':
				appendPQExpBufferStr(buf, "\\\\");
				break;
			case '\n':
				appendPQExpBufferStr(buf, "\\n");
				break;
			case '\r':
				appendPQExpBufferStr(buf, "\\r");
				break;
			case '\t':
				appendPQExpBufferStr(buf, "\\t");
				break;
			default:
				if (*p < 0x20)
					appendPQExpBuffer(buf, "\\u%04x", *p);
				else
					appendPQExpBufferChar(buf, *p);
		}
	}
	appendPQExpBufferChar(buf, '"');
}

/* Words separated by spaces, tabs or commas, as the server splits them. */
char **
split_words(const char *s, int *n)
{
	char	  **words = pg_malloc(sizeof(char *) * (strlen(s) / 2 + 2));
	const char *p = s;

	*n = 0;
	while (*p)
	{
		const char *start;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != ',')
			p++;
		words[(*n)++] = pg_strdup_range(start, p);
	}
	words[*n] = NULL;
	return words;
}

/*
 * The elements of a one-dimensional text[] in its output form
 * ({a,"b c",NULL}); NULL elements become NULL pointers.
 */
char **
parse_pg_array(const char *s, int *n)
{
	char	  **elems = pg_malloc(sizeof(char *) * (strlen(s) / 2 + 2));
	const char *p = s;

	*n = 0;
	if (*p != '{')
		return elems;
	p++;
	while (*p && *p != '}')
	{
		PQExpBufferData e;
		bool		quoted = false;

		initPQExpBuffer(&e);
		if (*p == '"')
		{
			quoted = true;
			p++;
			while (*p && *p != '"')
			{
				if (*p == '\\' && p[1])
					p++;
				appendPQExpBufferChar(&e, *p++);
			}
			if (*p == '"')
				p++;
		}
		else
			while (*p && *p != ',' && *p != '}')
				appendPQExpBufferChar(&e, *p++);
		if (!quoted && strcmp(e.data, "NULL") == 0)
		{
			elems[(*n)++] = NULL;
			termPQExpBuffer(&e);
		}
		else
			elems[(*n)++] = e.data;
		if (*p == ',')
			p++;
	}
	elems[*n] = NULL;
	return elems;
}

double
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
}

char *
pg_strdup_range(const char *start, const char *end)
{
	char	   *s = pg_malloc(end - start + 1);

	memcpy(s, start, end - start);
	s[end - start] = '\0';
	return s;
}

/*
 * Does this SQL hold a statement that cannot run in a transaction block:
 * CREATE/DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY, DETACH
 * PARTITION ... CONCURRENTLY, VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM,
 * or ALTER TYPE ... ADD VALUE 'v' with 'v' used later in the same SQL?
 * A word-level scan that skips comments and quoted identifiers, for the
 * importers; the server's parser has the last word at load.
 */
bool
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
