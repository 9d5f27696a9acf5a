/*-------------------------------------------------------------------------
 *
 * revfile.c
 *	  The revision file format: plain SQL with directive comments.
 *
 *	  -- migrate:revision 3f9a1c2b7d10
 *	  -- migrate:parents 0a1b2c3d4e5f 77aa00bb11cc	(absent: a root)
 *	  -- migrate:depends-on 77aa00bb11cc
 *	  -- migrate:branch-labels billing
 *	  -- migrate:transactional false
 *	  -- migrate:message add persons.hipaa_certified
 *	  -- migrate:upgrade
 *	  ...SQL...
 *	  -- migrate:downgrade
 *	  ...SQL...
 *
 * dbmate's "-- migrate:up" and "-- migrate:down" (with its option
 * "transaction:false") are aliases.  A file without "-- migrate:revision"
 * is taken as a dbmate file: its id is the one given to migrate_load, or
 * else derived from its checksum, and its parent is the graph's single
 * head, so a folder of dbmate files loaded in order forms a chain.
 *
 * Header directives must come before the upgrade section and appear once;
 * an unrecognized header directive is an error (a typo must not silently
 * turn into a root revision).  Within the SQL sections, other
 * "-- migrate:" comments (per-statement markers) are kept as SQL comments.
 * Directive lines, list values and booleans are read by
 * src/common/revision_header.c, which pg_migrate shares.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "migrate/common/revision_header.h"
#include "migrate/model/precondition.h"
#include "migrate/model/revfile.h"
#include "migrate/model/sqltext.h"
#include "migrate/util/errcodes.h"

typedef enum FileSection
{
	SECTION_HEADER,
	SECTION_UPGRADE,
	SECTION_DOWNGRADE
} FileSection;

static List *split_words(const char *value);
static bool directive(const char *line, int len, RevisionDirectiveKind *kind,
					  char **key, char **value);
static void file_error(int line, const char *fmt, const char *arg)
			pg_attribute_noreturn();

/* ERROR for a malformed file, at a line. */
static void
file_error(int line, const char *fmt, const char *arg)
{
	ereport(ERROR,
			(errcode(ERRCODE_MIGRATE_INVALID_FILE),
			 errmsg("invalid revision file: %s", psprintf(fmt, arg)),
			 errdetail("At line %d.", line),
			 errhint("A revision file has header directives such as \"-- migrate:revision <id>\", then \"-- migrate:upgrade\" and its SQL, then optionally \"-- migrate:downgrade\" and its SQL.")));
}

/* Words of a directive value, separated by spaces, tabs or commas. */
static List *
split_words(const char *value)
{
	List	   *words = NIL;
	const char *p = value;
	const char *end = value + strlen(value);
	const char *word;
	int			len;

	while (RevisionWordNext(&p, end, &word, &len))
		words = lappend(words, pnstrdup(word, len));
	return words;
}

/*
 * Is this line "-- migrate:key value"?  Returns its kind, key and the
 * trimmed value.
 */
static bool
directive(const char *line, int len, RevisionDirectiveKind *kind,
		  char **key, char **value)
{
	RevisionDirective d;

	if (!RevisionDirectiveParse(line, len, &d))
		return false;
	*kind = d.kind;
	*key = pnstrdup(d.key, d.keylen);
	*value = pnstrdup(d.value, d.valuelen);
	return true;
}

/*
 * Parse the text of a revision file into a RevisionSpec.
 */
RevisionSpec *
RevisionFileParse(const char *script)
{
	RevisionSpec *spec = palloc0(sizeof(RevisionSpec));
	StringInfoData up,
				down;
	FileSection section = SECTION_HEADER;
	bool		seen_upgrade = false,
				seen_downgrade = false,
				seen_message = false,
				seen_transactional = false,
				seen_deps = false,
				seen_labels = false,
				seen_replaces = false;
	const char *p = script;
	int			lineno = 0;

	initStringInfo(&up);
	initStringInfo(&down);
	spec->transactional = true;

	while (*p)
	{
		const char *eol = strchr(p, '\n');
		int			len = eol ? eol - p : (int) strlen(p);
		RevisionDirectiveKind kind;
		char	   *key;
		char	   *value;

		lineno++;
		if (directive(p, len, &kind, &key, &value))
		{
			bool		is_up = kind == REVISION_DIRECTIVE_UPGRADE;
			bool		is_down = kind == REVISION_DIRECTIVE_DOWNGRADE;

			if (is_up || is_down)
			{
				ListCell   *lc;

				if (is_up && (seen_upgrade || seen_downgrade))
					file_error(lineno, "\"-- migrate:%s\" appears twice or after the downgrade section", key);
				if (is_down && seen_downgrade)
					file_error(lineno, "\"-- migrate:%s\" appears twice", key);
				if (is_down && !seen_upgrade)
					file_error(lineno, "\"-- migrate:%s\" comes before the upgrade section", key);
				foreach(lc, split_words(value))
				{
					char	   *opt = lfirst(lc);

					if (strcmp(opt, "transaction:false") == 0)
					{
						spec->transactional = false;
						seen_transactional = true;
					}
					else if (strcmp(opt, "transaction:true") != 0)
						file_error(lineno, "unrecognized section option \"%s\"", opt);
				}
				section = is_up ? SECTION_UPGRADE : SECTION_DOWNGRADE;
				if (is_up)
					spec->upgrade_line = lineno + 1;
				else
					spec->downgrade_line = lineno + 1;
				seen_upgrade |= is_up;
				seen_downgrade |= is_down;
			}
			else if (REVISION_DIRECTIVE_IS_HEADER(kind))
			{
				if (section != SECTION_HEADER)
					file_error(lineno, "header directive \"-- migrate:%s\" inside an SQL section", key);
				if (kind == REVISION_DIRECTIVE_REVISION)
				{
					List	   *words = split_words(value);

					if (spec->id)
						file_error(lineno, "\"-- migrate:%s\" appears twice", key);
					if (list_length(words) != 1)
						file_error(lineno, "\"-- migrate:revision\" needs exactly one id%s", "");
					spec->id = linitial(words);
				}
				else if (kind == REVISION_DIRECTIVE_PARENTS)
				{
					if (spec->parents_given)
						file_error(lineno, "\"-- migrate:%s\" appears twice", key);
					spec->parents = split_words(value);
					spec->parents_given = true;
				}
				else if (kind == REVISION_DIRECTIVE_DEPENDS_ON)
				{
					if (seen_deps)
						file_error(lineno, "\"-- migrate:%s\" appears twice", key);
					spec->depends_on = split_words(value);
					seen_deps = true;
				}
				else if (kind == REVISION_DIRECTIVE_BRANCH_LABELS)
				{
					if (seen_labels)
						file_error(lineno, "\"-- migrate:%s\" appears twice", key);
					spec->labels = split_words(value);
					seen_labels = true;
				}
				else if (kind == REVISION_DIRECTIVE_REPLACES)
				{
					if (seen_replaces)
						file_error(lineno, "\"-- migrate:%s\" appears twice", key);
					spec->replaces = split_words(value);
					seen_replaces = true;
				}
				else if (kind == REVISION_DIRECTIVE_TRANSACTIONAL)
				{
					if (seen_transactional)
						file_error(lineno, "\"-- migrate:%s\" appears twice", key);
					if (!RevisionBoolParse(value, strlen(value),
										   &spec->transactional))
						file_error(lineno, "\"-- migrate:transactional\" must be true or false, not \"%s\"", value);
					seen_transactional = true;
				}
				else
				{
					if (seen_message)
						file_error(lineno, "\"-- migrate:%s\" appears twice", key);
					spec->message = value;
					seen_message = true;
				}
			}
			else if (kind == REVISION_DIRECTIVE_REQUIRE)
			{
				if (section == SECTION_HEADER)
					file_error(lineno, "\"-- migrate:require\" belongs in the upgrade or downgrade section whose run it guards%s", "");
				RequireCheckSyntax(value, lineno);
				appendBinaryStringInfo(section == SECTION_UPGRADE ? &up : &down,
									   p, eol ? len + 1 : len);
			}
			else if (section == SECTION_HEADER)
				file_error(lineno, "unrecognized directive \"-- migrate:%s\"", key);
			else
				appendBinaryStringInfo(section == SECTION_UPGRADE ? &up : &down,
									   p, eol ? len + 1 : len);
		}
		else if (section == SECTION_HEADER)
		{
			const char *q = p;

			while (q < p + len && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q < p + len && !(q[0] == '-' && q + 1 < p + len && q[1] == '-'))
				file_error(lineno, "SQL before the \"-- migrate:upgrade\" line%s", "");
		}
		else
			appendBinaryStringInfo(section == SECTION_UPGRADE ? &up : &down,
								   p, eol ? len + 1 : len);
		p = eol ? eol + 1 : p + len;
	}

	if (!seen_upgrade)
		file_error(Max(lineno, 1), "there is no \"-- migrate:upgrade\" line%s", "");
	spec->upgrade = up.data;
	spec->downgrade = down.data;
	if (spec->message == NULL)
		spec->message = "";
	return spec;
}
