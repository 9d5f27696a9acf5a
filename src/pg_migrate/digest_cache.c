/*-------------------------------------------------------------------------
 *
 * digest_cache.c
 *	  The folder's digest without reading its files: the digest that the
 *	  last reading of the very same files gave, found by their signature.
 *
 * A run with nothing to do (an upgrade with every file loaded and
 * applied) sends the database only the folder's digest (revdir_digest),
 * but computing that digest reads every file: at 10,000 files, opening and
 * reading them is most of the run.  The folder's signature is a SHA-256
 * over what stat(2) says of each of its *.sql files, in name order: name,
 * size, modification and change times to the nanosecond, inode and
 * device; no file is opened.  A run that has read the folder and computed
 * its digest keeps "signature digest files" in a file of the user's cache
 * folder ($XDG_CACHE_HOME/pg_migrate, or ~/.cache/pg_migrate) named by the
 * hash of the folder's absolute path; the next run whose signature is the
 * same takes the digest from there.  A cache file that another user owns
 * is not read.
 *
 * Every write to a file sets its change time, which no user can set back,
 * so a changed file changes the signature; except, as git knows of its
 * index, two writes within one tick of the file system's clock with the
 * reading between them.  So a signature is kept only when every file was
 * last changed more than 2 seconds before it was taken: a later write
 * cannot share those times.  The cache is only ever a shortcut: a cache
 * folder that cannot be written keeps nothing, a cache file that cannot
 * be read or says something else is a miss, and neither is an error.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "digest_cache.h"
#include "util.h"

/* how long before the signature a file must have been changed last */
#define SETTLED_SECONDS 2

#ifdef __APPLE__
#define st_mtim st_mtimespec
#define st_ctim st_ctimespec
#endif

/* the lookup that digest_cache_prefetch started, if any */
static pthread_t prefetcher;
static bool prefetching = false;
static Lookup prefetched;

/* What the signature takes of one file. */
typedef struct FileStat
{
	char	   *name;
	int64		fields[7];		/* size, mtime, ctime (s, ns), inode, device */
} FileStat;

static int
compare_file_stats(const void *a, const void *b)
{
	return strcmp(((const FileStat *) a)->name, ((const FileStat *) b)->name);
}

/*
 * The signature of dir's *.sql files (see above): the same files as
 * list_dir's, each stat'ed relative to the open folder.  NULL when the
 * folder cannot be read or a file cannot be stat'ed.  *settled: was every
 * file changed last more than SETTLED_SECONDS before now, so that the
 * signature may be kept?
 */
char *
folder_signature(const char *dir, bool *settled)
{
	DIR		   *dp;
	struct dirent *de;
	struct timespec now;
	FileStat   *files;
	int			n = 0;
	int			cap = 256;
	bool		ok = true;
	pg_cryptohash_ctx *ctx;

	*settled = false;
	if (clock_gettime(CLOCK_REALTIME, &now) != 0 || (dp = opendir(dir)) == NULL)
		return NULL;
	files = pg_malloc(sizeof(FileStat) * cap);
	while (ok && (errno = 0, de = readdir(dp)) != NULL)
	{
		size_t		len = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.' || len < 4 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (fstatat(dirfd(dp), de->d_name, &st, 0) != 0)
		{
			ok = false;
			break;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (n == cap)
			files = pg_realloc(files, sizeof(FileStat) * (cap *= 2));
		files[n].name = pg_strdup(de->d_name);
		files[n].fields[0] = st.st_size;
		files[n].fields[1] = st.st_mtim.tv_sec;
		files[n].fields[2] = st.st_mtim.tv_nsec;
		files[n].fields[3] = st.st_ctim.tv_sec;
		files[n].fields[4] = st.st_ctim.tv_nsec;
		files[n].fields[5] = st.st_ino;
		files[n].fields[6] = st.st_dev;
		n++;
	}
	ok = ok && errno == 0;
	closedir(dp);
	qsort(files, n, sizeof(FileStat), compare_file_stats);

	ctx = ok ? pg_cryptohash_create(PG_SHA256) : NULL;
	ok = ctx != NULL && pg_cryptohash_init(ctx) == 0;
	*settled = ok;
	for (int i = 0; i < n; i++)
	{
		if (files[i].fields[1] >= now.tv_sec - SETTLED_SECONDS ||
			files[i].fields[3] >= now.tv_sec - SETTLED_SECONDS)
			*settled = false;
		/* the name with its terminating NUL: no name runs into its fields */
		ok = ok &&
			pg_cryptohash_update(ctx, (const uint8 *) files[i].name, strlen(files[i].name) + 1) == 0 &&
			pg_cryptohash_update(ctx, (const uint8 *) files[i].fields, sizeof(files[i].fields)) == 0;
		pg_free(files[i].name);
	}
	pg_free(files);
	if (ctx == NULL)
		return NULL;
	return sha256_finish(ctx, ok);
}

/*
 * The cache file of dir: in the cache folder, made if missing (make is
 * false: only named), the hash of dir's absolute path.  NULL when there is
 * no cache folder.
 */
static char *
cache_file(const char *dir, bool make)
{
	const char *base = getenv("XDG_CACHE_HOME");
	char	   *folder;
	char	   *abs;
	char	   *name;
	char	   *path;
	pg_cryptohash_ctx *ctx;

	if (base != NULL && base[0] == '/')
		folder = psprintf("%s/pg_migrate", base);
	else if ((base = getenv("HOME")) != NULL && base[0] == '/')
		folder = psprintf("%s/.cache/pg_migrate", base);
	else
		return NULL;
	if (make && mkdir(folder, 0700) != 0 && errno != EEXIST)
	{
		/* ~/.cache itself may be missing */
		char	   *parent = pg_strdup(folder);

		*strrchr(parent, '/') = '\0';
		if ((mkdir(parent, 0700) != 0 && errno != EEXIST) ||
			mkdir(folder, 0700) != 0)
		{
			pg_free(parent);
			pg_free(folder);
			return NULL;
		}
		pg_free(parent);
	}
	if ((abs = realpath(dir, NULL)) == NULL ||
		(ctx = pg_cryptohash_create(PG_SHA256)) == NULL)
	{
		free(abs);
		pg_free(folder);
		return NULL;
	}
	name = sha256_finish(ctx,
						 pg_cryptohash_init(ctx) == 0 &&
						 pg_cryptohash_update(ctx, (const uint8 *) abs, strlen(abs)) == 0);
	free(abs);
	path = name ? psprintf("%s/%s", folder, name + strlen("sha256:")) : NULL;
	pg_free(name);
	pg_free(folder);
	return path;
}

/*
 * The digest that dir had when its signature was l->signature, and its
 * number of files; l->digest stays NULL on a miss.
 */
static void
cache_read(Lookup *l)
{
	char	   *path = cache_file(l->dir, false);
	FILE	   *f;
	char		line[1024];
	char		sig[300];
	char		digest[300];
	int			n;
	struct stat st;

	if (path == NULL)
		return;
	f = fopen(path, "r");
	pg_free(path);
	if (f == NULL)
		return;
	/* only a file of this user's: another could make it say anything */
	if (fstat(fileno(f), &st) != 0 || st.st_uid != geteuid())
	{
		fclose(f);
		return;
	}
	if (fgets(line, sizeof(line), f) != NULL &&
		sscanf(line, "%299s %299s %d", sig, digest, &n) == 3 &&
		strcmp(sig, l->signature) == 0 && n >= 0)
	{
		l->digest = pg_strdup(digest);
		l->nfiles = n;
	}
	fclose(f);
}

/* The signature of l->dir and what the cache keeps for it. */
static void *
lookup(void *arg)
{
	Lookup	   *l = (Lookup *) arg;

	if ((l->signature = folder_signature(l->dir, &l->settled)) != NULL)
		cache_read(l);
	return NULL;
}

/*
 * Start the lookup of dir in a thread of its own, to run while the client
 * connects: at 10,000 files, the stat(2) of each is as long as a
 * connection.  It opens no file but the cache's and reports nothing.
 */
void
digest_cache_prefetch(const char *dir)
{
	if (prefetching || dir == NULL)
		return;
	memset(&prefetched, 0, sizeof(prefetched));
	prefetched.dir = pg_strdup(dir);
	prefetching = pthread_create(&prefetcher, NULL, lookup, &prefetched) == 0;
}

/*
 * Look dir up (the prefetched lookup when it was of dir): its signature,
 * whether it may be kept (settled) and, on a hit, the digest and number of
 * files that the cache keeps for it.
 */
Lookup
digest_cache_lookup(const char *dir)
{
	Lookup		l;

	if (prefetching && strcmp(prefetched.dir, dir) == 0)
	{
		prefetching = false;
		if (pthread_join(prefetcher, NULL) == 0)
			return prefetched;
	}
	memset(&l, 0, sizeof(l));
	l.dir = dir;
	lookup(&l);
	return l;
}

/*
 * Keep digest and nfiles as what dir had at this signature: written to a
 * new file that then takes the cache file's name, so that a reader sees
 * the old line or the new one, never a mix.  Failures are ignored.
 */
void
digest_cache_put(const char *dir, const char *signature, const char *digest,
				 int nfiles)
{
	char	   *path = cache_file(dir, true);
	char	   *tmp;
	FILE	   *f;
	bool		ok;

	if (path == NULL)
		return;
	tmp = psprintf("%s.%d", path, (int) getpid());
	if ((f = fopen(tmp, "w")) != NULL)
	{
		ok = fprintf(f, "%s %s %d\n", signature, digest, nfiles) > 0;
		ok = fclose(f) == 0 && ok;
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	pg_free(tmp);
	pg_free(path);
}
