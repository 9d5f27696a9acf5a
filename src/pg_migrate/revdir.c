/*-------------------------------------------------------------------------
 *
 * revdir.c
 *	  The folder of revision files: reading their headers, putting them in
 *	  an order where parents and dependencies come first, finding the
 *	  folder's heads, and writing new files.
 *
 * The header syntax is the server's: "-- migrate:key value" lines before
 * "-- migrate:upgrade" (or dbmate's "-- migrate:up"), read by the same
 * code (common/revision_header.c).  The client reads only what it needs
 * to order the files; the server parses and checks every file again when
 * it is loaded.
 *
 * A file without "-- migrate:revision" is a dbmate file: its parent is
 * whatever was loaded before it, so it comes after the file before it in
 * name order, and its id is the version that starts its name (the digits
 * before the first "_"), when that is a valid id.
 *
 * Files are found by id, squashed id or label through sorted arrays
 * (RevDirIndex), so that reading and ordering a folder of n files costs
 * O(n log n), not O(n^2): folders of 100,000 files exist.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/cryptohash.h"
#include "common/logging.h"
#include "common/sha2.h"
#include "migrate/common/revision_header.h"
#include "revdir.h"
#include "util.h"

/* A name (an id, a squashed id, a label) and the file that has it. */
typedef struct IndexEntry
{
	const char *name;
	int			file;
} IndexEntry;

/*
 * The files of a RevDir by id, by the ids their squash replaces, and by
 * label, each sorted by name then file, for the files and nfiles it was
 * built for: a caller that reorders or drops files (revdir_order, a
 * downgrade that leaves out changed files) makes it stale, and the next
 * lookup builds it again.
 */
typedef struct RevDirIndex
{
	const RevFile *files;
	int			nfiles;
	IndexEntry *ids;
	int			nids;
	IndexEntry *replaced;
	int			nreplaced;
	IndexEntry *labels;
	int			nlabels;
} RevDirIndex;

static int	resolve_ref(const RevDir *d, const char *ref, bool labels);
static void drop_replaced(RevDir *d);
static RevDirIndex *dir_index(const RevDir *d);
static int	sort_entries(IndexEntry *entries, int n);

/* A revision id: 1 to 64 of [A-Za-z0-9_.], not a keyword of targets. */
bool
valid_id(const char *id)
{
	size_t		len = strlen(id);

	if (len == 0 || len > 64)
		return false;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char) *p) && *p != '_' && *p != '.')
			return false;
	return strcmp(id, "head") != 0 && strcmp(id, "heads") != 0 &&
		strcmp(id, "base") != 0 && strcmp(id, "current") != 0;
}

/* 12 lowercase hex digits, as the server generates them. */
char *
generate_id(void)
{
	uint8		bytes[6];
	char	   *id = pg_malloc(13);

	if (!pg_strong_random(bytes, sizeof(bytes)))
	{
		struct timeval tv;

		gettimeofday(&tv, NULL);
		srandom((unsigned) (tv.tv_sec ^ tv.tv_usec ^ getpid()));
		for (int i = 0; i < 6; i++)
			bytes[i] = (uint8) random();
	}
	for (int i = 0; i < 6; i++)
		snprintf(id + 2 * i, 3, "%02x", bytes[i]);
	return id;
}

/* Lower-case letters and digits of message joined by "_", at most maxlen. */
char *
slugify(const char *message, int maxlen)
{
	char	   *slug = pg_malloc(maxlen + 1);
	int			len = 0;

	for (const char *p = message; *p && len < maxlen; p++)
	{
		if (isalnum((unsigned char) *p) && !IS_HIGHBIT_SET(*p))
			slug[len++] = pg_ascii_tolower((unsigned char) *p);
		else if (len > 0 && slug[len - 1] != '_')
			slug[len++] = '_';
	}
	while (len > 0 && slug[len - 1] == '_')
		len--;
	slug[len] = '\0';
	if (len == 0)
		strcpy(slug, "revision");
	return slug;
}

/*
 * Read f->text's header into f.  Returns 0, or -1 after reporting a file
 * that has no upgrade section.
 */
int
revdir_parse(RevFile *f)
{
	const char *p = f->text;

	f->transactional = true;
	f->message = "";
	while (*p)
	{
		const char *eol = strchr(p, '\n');
		int			len = eol ? eol - p : (int) strlen(p);
		RevisionDirective d;

		if (RevisionDirectiveParse(p, len, &d))
		{
			char	   *value;

			if (d.kind == REVISION_DIRECTIVE_UPGRADE)
			{
				const char *cursor = d.value;
				const char *word;
				int			wordlen;

				while (RevisionWordNext(&cursor, d.value + d.valuelen,
										&word, &wordlen))
					if (wordlen == 17 && strncmp(word, "transaction:false", 17) == 0)
						f->transactional = false;
				break;
			}
			value = pg_strdup_range(d.value, d.value + d.valuelen);
			switch (d.kind)
			{
				case REVISION_DIRECTIVE_REVISION:
					f->id = value;
					break;
				case REVISION_DIRECTIVE_PARENTS:
					f->parents = split_words(value, &f->nparents);
					f->parents_given = true;
					break;
				case REVISION_DIRECTIVE_DEPENDS_ON:
					f->deps = split_words(value, &f->ndeps);
					break;
				case REVISION_DIRECTIVE_BRANCH_LABELS:
					f->labels = split_words(value, &f->nlabels);
					break;
				case REVISION_DIRECTIVE_TRANSACTIONAL:
					/* a wrong value is the server's to report, at load */
					(void) RevisionBoolParse(d.value, d.valuelen,
											 &f->transactional);
					break;
				case REVISION_DIRECTIVE_MESSAGE:
					f->message = value;
					break;
				case REVISION_DIRECTIVE_REPLACES:
					f->replaces = split_words(value, &f->nreplaces);
					break;
				default:
					break;
			}
		}
		if (eol == NULL)
		{
			pg_log_error("file \"%s\" is not a revision file: it has no \"-- migrate:upgrade\" line",
						 f->path);
			if (run_error.file == NULL)
				run_error.file = pg_strdup(f->path);
			pg_log_error_hint("A revision file has header lines such as \"-- migrate:revision <id>\", then \"-- migrate:upgrade\" and its SQL.");
			return -1;
		}
		p = eol + 1;
	}
	if (*p == '\0')
	{
		pg_log_error("file \"%s\" is not a revision file: it has no \"-- migrate:upgrade\" line",
					 f->path);
		if (run_error.file == NULL)
			run_error.file = pg_strdup(f->path);
		pg_log_error_hint("A revision file has header lines such as \"-- migrate:revision <id>\", then \"-- migrate:upgrade\" and its SQL.");
		return -1;
	}
	if (f->id == NULL)
	{
		const char *us = strchr(f->name, '_');
		char	   *version = us ? pg_strdup_range(f->name, us) : NULL;

		if (version && valid_id(version))
			f->load_id = version;
	}
	return 0;
}

/*
 * Split f->text into its upgrade and downgrade SQL, as the server does: the
 * lines after "-- migrate:upgrade" (or "up") up to "-- migrate:downgrade"
 * (or "down"), and the lines after that.  *up_line and *down_line are the
 * lines of those directives, so that line L of a section is line
 * *_line + L of the file.  *downgrade is NULL (and *down_line 0) when the
 * file has no downgrade section.  Call after revdir_parse.
 */
void
revdir_sections(const RevFile *f, char **upgrade, int *up_line,
				char **downgrade, int *down_line)
{
	PQExpBufferData up,
				down;
	PQExpBuffer section = NULL;
	const char *p = f->text;
	int			lineno = 0;

	initPQExpBuffer(&up);
	initPQExpBuffer(&down);
	*up_line = *down_line = 0;
	while (*p)
	{
		const char *eol = strchr(p, '\n');
		int			len = eol ? eol - p + 1 : (int) strlen(p);
		RevisionDirective d;

		lineno++;
		if (RevisionDirectiveParse(p, eol ? len - 1 : len, &d) &&
			(d.kind == REVISION_DIRECTIVE_UPGRADE ||
			 d.kind == REVISION_DIRECTIVE_DOWNGRADE))
		{
			if (d.kind == REVISION_DIRECTIVE_UPGRADE && section == NULL)
			{
				section = &up;
				*up_line = lineno;
			}
			else if (d.kind == REVISION_DIRECTIVE_DOWNGRADE && section == &up)
			{
				section = &down;
				*down_line = lineno;
			}
		}
		else if (section)
			appendBinaryPQExpBuffer(section, p, len);
		p += len;
	}
	*upgrade = up.data;
	if (*down_line > 0)
		*downgrade = down.data;
	else
	{
		*downgrade = NULL;
		termPQExpBuffer(&down);
	}
}

/*
 * Read every *.sql file of dir, in name order.  A missing folder is an
 * error unless missing_ok (then: no files).  Returns 0 or -1.
 */
int
revdir_read(const char *dir, RevDir *out, bool missing_ok)
{
	char	  **names;
	int			n;

	out->files = NULL;
	out->nfiles = 0;
	out->index = pg_malloc0(sizeof(RevDirIndex));
	if (!dir_exists(dir))
	{
		if (missing_ok)
			return 0;
		pg_log_error("directory \"%s\" does not exist", dir);
		pg_log_error_hint("Create it with \"pg_migrate init\", or name another with -D.");
		return -1;
	}
	names = list_dir(dir, ".sql", &n);
	if (names == NULL)
		return -1;
	out->files = pg_malloc0(sizeof(RevFile) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		RevFile    *f = &out->files[i];

		f->name = names[i];
		f->path = join_path(dir, names[i]);
		if ((f->text = read_file(f->path, NULL)) == NULL)
			return -1;
		if (revdir_parse(f) != 0)
			return -1;
		out->nfiles++;
	}
	drop_replaced(out);

	/* two files of one id: sorted by id, then file, they are neighbours */
	{
		IndexEntry *ids = pg_malloc(sizeof(IndexEntry) * (out->nfiles + 1));
		int			nids = 0;
		int			first = -1;
		int			second = -1;

		for (int i = 0; i < out->nfiles; i++)
			if (out->files[i].id)
				ids[nids++] = (IndexEntry) {out->files[i].id, i};
		sort_entries(ids, nids);
		for (int k = 1; k < nids; k++)
			if (strcmp(ids[k - 1].name, ids[k].name) == 0 &&
				(first < 0 || ids[k - 1].file < first))
			{
				first = ids[k - 1].file;
				second = ids[k].file;
			}
		pg_free(ids);
		if (first >= 0)
		{
			pg_log_error("files \"%s\" and \"%s\" have the same revision id \"%s\"",
						 out->files[first].path, out->files[second].path,
						 out->files[first].id);
			return -1;
		}
	}
	return 0;
}

/*
 * The digest of the folder as a load sends it (revdir_read's files, in
 * name order): SHA-256 over each file's name, id argument and text, each
 * with its length, as "sha256:" and hex.  The server compares it with the
 * one noted by the last load (migrate_folder_loaded); any change of a file
 * that a load would send, a file added, removed or renamed changes it.
 * NULL if the hash fails.
 */
char *
revdir_digest(const RevDir *d)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	bool		ok;

	if (ctx == NULL)
		return NULL;
	ok = pg_cryptohash_init(ctx) == 0;
	for (int i = 0; ok && i < d->nfiles; i++)
	{
		const RevFile *f = &d->files[i];
		const char *parts[3] = {f->name, f->load_id, f->text};

		for (int k = 0; ok && k < 3; k++)
		{
			/* the length (-1 for none) makes the encoding unambiguous */
			char		len[32];

			snprintf(len, sizeof(len), "%zd:",
					 parts[k] ? (ssize_t) strlen(parts[k]) : (ssize_t) -1);
			ok = pg_cryptohash_update(ctx, (const uint8 *) len, strlen(len)) == 0 &&
				(parts[k] == NULL ||
				 pg_cryptohash_update(ctx, (const uint8 *) parts[k], strlen(parts[k])) == 0);
		}
	}
	return sha256_finish(ctx, ok);
}

/* The id of a file: its "-- migrate:revision", or its dbmate version. */
static const char *
file_id(const RevFile *f)
{
	return f->id ? f->id : f->load_id;
}

/* Order of index entries: by name, then by file. */
static int
entry_cmp(const void *a, const void *b)
{
	const IndexEntry *x = a;
	const IndexEntry *y = b;
	int			c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->file > y->file) - (x->file < y->file);
}

/* Sort entries, and return their count. */
static int
sort_entries(IndexEntry *entries, int n)
{
	if (n > 1)
		qsort(entries, n, sizeof(IndexEntry), entry_cmp);
	return n;
}

/* Is d's index built for its files as they are now? */
static bool
index_current(const RevDir *d)
{
	RevDirIndex *ix = d->index;

	return ix->files == d->files && ix->nfiles == d->nfiles;
}

/*
 * d's index, built again when d's files changed since.  NULL for a RevDir
 * that revdir_read did not make (then lookups scan the files).
 */
static RevDirIndex *
dir_index(const RevDir *d)
{
	RevDirIndex *ix = d->index;
	int			nreplaced = 0;
	int			nlabels = 0;

	if (ix == NULL || index_current(d))
		return ix;
	pg_free(ix->ids);
	pg_free(ix->replaced);
	pg_free(ix->labels);
	for (int i = 0; i < d->nfiles; i++)
	{
		nreplaced += d->files[i].nreplaces;
		nlabels += d->files[i].nlabels;
	}
	ix->ids = pg_malloc(sizeof(IndexEntry) * (d->nfiles + 1));
	ix->replaced = pg_malloc(sizeof(IndexEntry) * (nreplaced + 1));
	ix->labels = pg_malloc(sizeof(IndexEntry) * (nlabels + 1));
	ix->nids = ix->nreplaced = ix->nlabels = 0;
	for (int i = 0; i < d->nfiles; i++)
	{
		const RevFile *f = &d->files[i];
		const char *id = f->id ? f->id : f->load_id;

		if (id)
			ix->ids[ix->nids++] = (IndexEntry) {id, i};
		for (int k = 0; k < f->nreplaces; k++)
			ix->replaced[ix->nreplaced++] = (IndexEntry) {f->replaces[k], i};
		for (int k = 0; k < f->nlabels; k++)
			ix->labels[ix->nlabels++] = (IndexEntry) {f->labels[k], i};
	}
	sort_entries(ix->ids, ix->nids);
	sort_entries(ix->replaced, ix->nreplaced);
	sort_entries(ix->labels, ix->nlabels);
	ix->files = d->files;
	ix->nfiles = d->nfiles;
	return ix;
}

/*
 * The first entry of entries[0..n-1] whose name is at least "name" (with
 * "prefix", the first that does not sort before it): its position, or n.
 */
static int
lower_bound(const IndexEntry *entries, int n, const char *name)
{
	int			lo = 0;
	int			hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strcmp(entries[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first file (in file order) whose entry is named exactly name, or -1. */
static int
index_find(const IndexEntry *entries, int n, const char *name)
{
	int			k = lower_bound(entries, n, name);

	return k < n && strcmp(entries[k].name, name) == 0 ? entries[k].file : -1;
}

/*
 * The file of d that replaces (squashes) revision id, or -1.
 */
static int
replacing_file(const RevDir *d, const char *id)
{
	RevDirIndex *ix = dir_index(d);

	if (ix)
		return index_find(ix->replaced, ix->nreplaced, id);
	for (int i = 0; i < d->nfiles; i++)
		for (int k = 0; k < d->files[i].nreplaces; k++)
			if (strcmp(d->files[i].replaces[k], id) == 0)
				return i;
	return -1;
}

/*
 * Leave out the files of revisions that a squash in the same folder
 * replaces: the squash holds their SQL (and the server refuses them once
 * it has the squash).
 */
static void
drop_replaced(RevDir *d)
{
	int			kept = 0;
	int		   *by = pg_malloc(sizeof(int) * (d->nfiles + 1));

	/* look up first: the index is of the files before any is dropped */
	for (int i = 0; i < d->nfiles; i++)
	{
		const char *id = file_id(&d->files[i]);

		by[i] = id ? replacing_file(d, id) : -1;
	}
	for (int i = 0; i < d->nfiles; i++)
	{
		if (by[i] >= 0 && by[i] != i)
		{
			pg_log_debug("skipping \"%s\": revision %s is replaced by the squash in \"%s\"",
						 d->files[i].path, file_id(&d->files[i]),
						 d->files[by[i]].path);
			continue;
		}
		d->files[kept++] = d->files[i];
	}
	d->nfiles = kept;
	pg_free(by);
}

/*
 * The file that a parent or dependency reference names: an id, a unique
 * prefix of four or more characters, or (labels) a branch label.  -1 if
 * none in the folder (it may be in the database).
 */
static int
resolve_ref(const RevDir *d, const char *ref, bool labels)
{
	size_t		len = strlen(ref);
	int			found = -1;
	RevDirIndex *ix = dir_index(d);

	if (ix)
	{
		int			k;

		if ((found = index_find(ix->ids, ix->nids, ref)) >= 0)
			return found;
		if (labels && (found = index_find(ix->labels, ix->nlabels, ref)) >= 0)
			return found;
		if ((found = replacing_file(d, ref)) >= 0)
			return found;
		if (len < 4)
			return -1;
		k = lower_bound(ix->ids, ix->nids, ref);
		if (k >= ix->nids || strncmp(ix->ids[k].name, ref, len) != 0)
			return -1;
		if (k + 1 < ix->nids && strncmp(ix->ids[k + 1].name, ref, len) == 0)
			return -1;			/* ambiguous: the server will say so */
		return ix->ids[k].file;
	}

	for (int i = 0; i < d->nfiles; i++)
	{
		const char *id = d->files[i].id ? d->files[i].id : d->files[i].load_id;

		if (id && strcmp(id, ref) == 0)
			return i;
	}
	if (labels)
		for (int i = 0; i < d->nfiles; i++)
			for (int j = 0; j < d->files[i].nlabels; j++)
				if (strcmp(d->files[i].labels[j], ref) == 0)
					return i;
	if ((found = replacing_file(d, ref)) >= 0)
		return found;
	if (len < 4)
		return -1;
	for (int i = 0; i < d->nfiles; i++)
	{
		const char *id = d->files[i].id ? d->files[i].id : d->files[i].load_id;

		if (id && strncmp(id, ref, len) == 0)
		{
			if (found >= 0)
				return -1;		/* ambiguous: the server will say so */
			found = i;
		}
	}
	return found;
}

int
revdir_find(const RevDir *d, const char *ref)
{
	return resolve_ref(d, ref, true);
}

/*
 * The files that come directly before file i: its parents and dependencies
 * in the folder, and for a dbmate file the file before it in name order.
 * Returns the count; edges[] gets the file indexes.
 */
int
revdir_edges(const RevDir *d, int i, int *edges)
{
	const RevFile *f = &d->files[i];
	int			n = 0;

	for (int k = 0; k < f->nparents; k++)
		if ((edges[n] = resolve_ref(d, f->parents[k], false)) >= 0 && edges[n] != i)
			n++;
	for (int k = 0; k < f->ndeps; k++)
		if ((edges[n] = resolve_ref(d, f->deps[k], true)) >= 0 && edges[n] != i)
			n++;
	if (f->id == NULL && !f->parents_given && i > 0)
		edges[n++] = i - 1;
	return n;
}

/*
 * Put the files in load order: each after the files it names as parents
 * or dependencies, ties broken by name.  Returns 0, or -1 after reporting
 * a cycle.
 */
int
revdir_order(RevDir *d)
{
	int			n = d->nfiles;
	int		   *indegree = pg_malloc0(sizeof(int) * (n + 1));
	int		  **succ = pg_malloc0(sizeof(int *) * (n + 1));
	int		   *nsucc = pg_malloc0(sizeof(int) * (n + 1));
	int		   *order = pg_malloc(sizeof(int) * (n + 1));
	bool	   *done = pg_malloc0(sizeof(bool) * (n + 1));
	int		   *edges;
	int			norder = 0;
	int			maxedges = 1;
	RevFile    *sorted;

	for (int i = 0; i < n; i++)
		maxedges = Max(maxedges, d->files[i].nparents + d->files[i].ndeps + 1);
	edges = pg_malloc(sizeof(int) * maxedges);
	for (int i = 0; i < n; i++)
	{
		int			ne = revdir_edges(d, i, edges);

		for (int k = 0; k < ne; k++)
		{
			int			from = edges[k];

			succ[from] = pg_realloc(succ[from], sizeof(int) * (nsucc[from] + 1));
			succ[from][nsucc[from]++] = i;
			indegree[i]++;
		}
	}

	/* Kahn's algorithm, always taking the first ready file in name order */
	{
		int		   *ready = pg_malloc(sizeof(int) * (n + 1));
		int			nready = 0;

		for (int i = 0; i < n; i++)
			if (indegree[i] == 0)
				ready[nready++] = i;
		while (nready > 0)
		{
			int			best = 0;
			int			cur;

			for (int k = 1; k < nready; k++)
				if (ready[k] < ready[best])
					best = k;
			cur = ready[best];
			ready[best] = ready[--nready];
			order[norder++] = cur;
			done[cur] = true;
			for (int k = 0; k < nsucc[cur]; k++)
				if (--indegree[succ[cur][k]] == 0)
					ready[nready++] = succ[cur][k];
		}
		pg_free(ready);
	}
	if (norder < n)
	{
		PQExpBufferData buf;

		initPQExpBuffer(&buf);
		for (int i = 0; i < n; i++)
			if (!done[i])
				appendPQExpBuffer(&buf, "%s\"%s\"", buf.len ? ", " : "",
								  d->files[i].path);
		pg_log_error("the revision files form a cycle through their parents or dependencies");
		pg_log_error_detail("These files are in or after the cycle: %s.", buf.data);
		termPQExpBuffer(&buf);
		return -1;
	}
	sorted = pg_malloc(sizeof(RevFile) * (n + 1));
	for (int i = 0; i < n; i++)
		sorted[i] = d->files[order[i]];
	pg_free(d->files);
	d->files = sorted;
	for (int i = 0; i < n; i++)
		pg_free(succ[i]);
	pg_free(succ);
	pg_free(nsucc);
	pg_free(indegree);
	pg_free(order);
	pg_free(done);
	pg_free(edges);
	return 0;
}

/*
 * The heads of the folder: files no file names as parent (a dbmate file
 * names the one before it).  Returns their count; *heads their indexes.
 */
int
revdir_heads(const RevDir *d, int **heads)
{
	bool	   *has_child = pg_malloc0(sizeof(bool) * (d->nfiles + 1));
	int			n = 0;

	for (int i = 0; i < d->nfiles; i++)
	{
		const RevFile *f = &d->files[i];

		for (int k = 0; k < f->nparents; k++)
		{
			int			p = resolve_ref(d, f->parents[k], false);

			if (p >= 0)
				has_child[p] = true;
		}
		if (f->id == NULL && !f->parents_given && i > 0)
			has_child[i - 1] = true;
	}
	*heads = pg_malloc(sizeof(int) * (d->nfiles + 1));
	for (int i = 0; i < d->nfiles; i++)
		if (!has_child[i])
			(*heads)[n++] = i;
	pg_free(has_child);
	return n;
}

/* The text of a revision file. */
char *
revision_text(const char *id, const NewRevision *rev)
{
	PQExpBufferData buf;
	char	   *message = pg_strdup(rev->message ? rev->message : "");

	for (char *p = message; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	initPQExpBuffer(&buf);
	appendPQExpBuffer(&buf, "-- migrate:revision %s\n", id);
	if (rev->nparents > 0)
	{
		appendPQExpBufferStr(&buf, "-- migrate:parents");
		for (int i = 0; i < rev->nparents; i++)
			appendPQExpBuffer(&buf, " %s", rev->parents[i]);
		appendPQExpBufferChar(&buf, '\n');
	}
	if (rev->ndeps > 0)
	{
		appendPQExpBufferStr(&buf, "-- migrate:depends-on");
		for (int i = 0; i < rev->ndeps; i++)
			appendPQExpBuffer(&buf, " %s", rev->deps[i]);
		appendPQExpBufferChar(&buf, '\n');
	}
	if (rev->nlabels > 0)
	{
		appendPQExpBufferStr(&buf, "-- migrate:branch-labels");
		for (int i = 0; i < rev->nlabels; i++)
			appendPQExpBuffer(&buf, " %s", rev->labels[i]);
		appendPQExpBufferChar(&buf, '\n');
	}
	if (!rev->transactional)
		appendPQExpBufferStr(&buf, "-- migrate:transactional false\n");
	if (rev->nreplaces > 0)
	{
		appendPQExpBufferStr(&buf, "-- migrate:replaces");
		for (int i = 0; i < rev->nreplaces; i++)
			appendPQExpBuffer(&buf, " %s", rev->replaces[i]);
		appendPQExpBufferChar(&buf, '\n');
	}
	appendPQExpBuffer(&buf, "-- migrate:message %s\n", message);
	appendPQExpBufferStr(&buf, "\n-- migrate:upgrade\n");
	if (rev->upgrade)
	{
		appendPQExpBufferStr(&buf, rev->upgrade);
		if (buf.len > 0 && buf.data[buf.len - 1] != '\n')
			appendPQExpBufferChar(&buf, '\n');
	}
	appendPQExpBufferStr(&buf, "\n-- migrate:downgrade\n");
	if (rev->downgrade)
	{
		appendPQExpBufferStr(&buf, rev->downgrade);
		if (buf.len > 0 && buf.data[buf.len - 1] != '\n')
			appendPQExpBufferChar(&buf, '\n');
	}
	pg_free(message);
	return buf.data;
}

/*
 * Write a new revision file in dir: "<prefix>_<slug>.sql", where prefix is
 * rev->prefix, or else the UTC time as YYYYMMDDHHMMSS made larger than
 * every such prefix in dir, so that names sort in creation order.
 * Returns its path, or NULL after an error.
 */
char *
revision_write(const char *dir, const NewRevision *rev)
{
	const char *id = rev->id ? rev->id : generate_id();
	char	   *text = revision_text(id, rev);
	char	   *slug = slugify(rev->message ? rev->message : "", 40);
	char		prefix[32];
	char	   *path;

	if (rev->prefix)
		snprintf(prefix, sizeof(prefix), "%s", rev->prefix);
	else
	{
		time_t		t = time(NULL);
		struct tm  *tm = gmtime(&t);
		unsigned long long stamp;
		char	  **names;
		int			n;

		strftime(prefix, sizeof(prefix), "%Y%m%d%H%M%S", tm);
		stamp = strtoull(prefix, NULL, 10);
		if ((names = list_dir(dir, NULL, &n)) == NULL)
			return NULL;
		for (int i = 0; i < n; i++)
		{
			int			digits = strspn(names[i], "0123456789");

			if (digits == 14 && strtoull(names[i], NULL, 10) >= stamp)
				stamp = strtoull(names[i], NULL, 10) + 1;
		}
		snprintf(prefix, sizeof(prefix), "%014llu", stamp);
	}
	path = join_path(dir, psprintf("%s_%s.sql", prefix, slug));
	if (!write_file(path, text, true))
		return NULL;
	return path;
}
