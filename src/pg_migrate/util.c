/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Files, folders and strings for pg_migrate.
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
#include "common/sha2.h"
#include "migrate/common/revision_header.h"
#include "util.h"

/*
 * The whole file as a NUL-terminated string, or NULL after an error.  One
 * allocation of the file's size, read with read(2): a folder of 100,000
 * files is read file by file, and stdio's buffers and a fixed-size first
 * allocation would cost more than the reading.
 */
char *
read_file(const char *path, size_t *len)
{
	int			fd = open(path, O_RDONLY | PG_BINARY, 0);
	struct stat st;
	char	   *buf;
	size_t		size = 0;
	size_t		cap;
	ssize_t		got;

	if (fd < 0)
	{
		pg_log_error("could not open file \"%s\": %m", path);
		return NULL;
	}
	if (fstat(fd, &st) != 0)
	{
		pg_log_error("could not stat file \"%s\": %m", path);
		close(fd);
		return NULL;
	}
	/* one byte more than the size, to see the end without another call */
	cap = (S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t) st.st_size : 8192) + 1;
	buf = pg_malloc(cap + 1);
	while ((got = read(fd, buf + size, cap - size)) > 0)
	{
		size += got;
		/* all that fstat said: no call to read the end */
		if (S_ISREG(st.st_mode) && size == (size_t) st.st_size && size > 0)
			break;
		if (size == cap)
		{
			cap *= 2;
			buf = pg_realloc(buf, cap + 1);
		}
	}
	if (got < 0)
	{
		pg_log_error("could not read file \"%s\": %m", path);
		close(fd);
		pg_free(buf);
		return NULL;
	}
	close(fd);
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
		/* the directory entry says what it is, except on some file systems */
#ifdef DT_REG
		if (de->d_type != DT_REG)
#endif
		{
			bool		regular;

			full = join_path(path, de->d_name);
			regular = stat(full, &st) == 0 && S_ISREG(st.st_mode);
			pg_free(full);
			if (!regular)
				continue;
		}
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

/*
 * Words separated by spaces, tabs or commas, as the server splits the
 * values of header directives (common/revision_header.c).
 */
char	  **
split_words(const char *s, int *n)
{
	char	  **words = pg_malloc(sizeof(char *) * (strlen(s) / 2 + 2));
	const char *p = s;
	const char *end = s + strlen(s);
	const char *word;
	int			len;

	*n = 0;
	while (RevisionWordNext(&p, end, &word, &len))
		words[(*n)++] = pg_strdup_range(word, word + len);
	words[*n] = NULL;
	return words;
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
 * Finish a SHA-256 of ctx (ok: did every step so far succeed?) and free
 * ctx: "sha256:" and the hash in hex, or NULL if a step failed.
 */
char *
sha256_finish(pg_cryptohash_ctx *ctx, bool ok)
{
	uint8		hash[PG_SHA256_DIGEST_LENGTH];
	char	   *out;

	ok = ok && pg_cryptohash_final(ctx, hash, sizeof(hash)) == 0;
	pg_cryptohash_free(ctx);
	if (!ok)
		return NULL;
	out = pg_malloc(strlen("sha256:") + 2 * sizeof(hash) + 1);
	strcpy(out, "sha256:");
	for (int i = 0; i < (int) sizeof(hash); i++)
		sprintf(out + strlen("sha256:") + 2 * i, "%02x", hash[i]);
	return out;
}
