/*-------------------------------------------------------------------------
 *
 * util.h
 *	  Files, folders and strings for pg_migrate (see util.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_UTIL_H
#define PG_MIGRATE_UTIL_H

#include "pg_migrate.h"

#include "common/cryptohash.h"

extern char *read_file(const char *path, size_t *len);
extern bool write_file(const char *path, const char *text, bool exclusive);
extern bool dir_exists(const char *path);
extern bool make_dir(const char *path);
extern char **list_dir(const char *path, const char *suffix, int *n);
extern char *join_path(const char *dir, const char *name);
extern char **split_words(const char *s, int *n);
extern double now_ms(void);
extern char *pg_strdup_range(const char *start, const char *end);
extern char *sha256_finish(pg_cryptohash_ctx *ctx, bool ok);

#endif							/* PG_MIGRATE_UTIL_H */
