/*-------------------------------------------------------------------------
 *
 * digest_cache.h
 *	  The folder's digest found by its files' signature (see
 *	  digest_cache.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_DIGEST_CACHE_H
#define PG_MIGRATE_DIGEST_CACHE_H

#include "pg_migrate.h"

/* A folder's signature, and the digest the cache keeps for it. */
typedef struct Lookup
{
	const char *dir;
	char	   *signature;		/* NULL: the folder could not be read */
	bool		settled;		/* may the signature be kept? */
	char	   *digest;			/* NULL: a miss */
	int			nfiles;
} Lookup;

extern char *folder_signature(const char *dir, bool *settled);
extern void digest_cache_prefetch(const char *dir);
extern Lookup digest_cache_lookup(const char *dir);
extern void digest_cache_put(const char *dir, const char *signature,
							 const char *digest, int nfiles);

#endif							/* PG_MIGRATE_DIGEST_CACHE_H */
