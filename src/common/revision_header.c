/*-------------------------------------------------------------------------
 *
 * revision_header.c
 *	  The directive lines of a revision file, shared by the extension
 *	  (src/revfile.c parses and checks a file at load) and by pg_migrate
 *	  (src/pg_migrate/revdir.c orders a folder's files before sending
 *	  them): so that both read a header the same way.
 *
 *	  -- migrate:revision 3f9a1c2b7d10
 *	  -- migrate:parents 0a1b2c3d4e5f, 77aa00bb11cc
 *	  -- migrate:upgrade transaction:false
 *	  -- migrate:require NOT EXISTS (SELECT FROM orders WHERE person_id IS NULL)
 *
 * A directive line is optional blanks, "--", optional blanks, "migrate:",
 * the key up to the next blank, then the value without surrounding blanks
 * (a final carriage return is not part of the line).  List values are
 * words separated by blanks or commas.  Booleans take PostgreSQL's
 * spellings (true, yes, on, 1, and unique prefixes of true, false, yes,
 * no; any case).
 *
 * Nothing here allocates or reports: the callers, one in the backend and
 * one in the frontend, copy what they keep and word their own errors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "migrate/common/revision_header.h"

/* The keys, with their aliases. */
static const struct
{
	const char *key;
	RevisionDirectiveKind kind;
}			directive_keys[] =
{
	{"revision", REVISION_DIRECTIVE_REVISION},
	{"parents", REVISION_DIRECTIVE_PARENTS},
	{"depends-on", REVISION_DIRECTIVE_DEPENDS_ON},
	{"depends_on", REVISION_DIRECTIVE_DEPENDS_ON},
	{"branch-labels", REVISION_DIRECTIVE_BRANCH_LABELS},
	{"branch_labels", REVISION_DIRECTIVE_BRANCH_LABELS},
	{"transactional", REVISION_DIRECTIVE_TRANSACTIONAL},
	{"replaces", REVISION_DIRECTIVE_REPLACES},
	{"message", REVISION_DIRECTIVE_MESSAGE},
	{"upgrade", REVISION_DIRECTIVE_UPGRADE},
	{"up", REVISION_DIRECTIVE_UPGRADE},
	{"downgrade", REVISION_DIRECTIVE_DOWNGRADE},
	{"down", REVISION_DIRECTIVE_DOWNGRADE},
	{"require", REVISION_DIRECTIVE_REQUIRE},
};

#define IS_BLANK(c) ((c) == ' ' || (c) == '\t')

/*
 * Is line[0..len-1] (without its newline) a directive?  Then fill in
 * *directive and return true.
 */
bool
RevisionDirectiveParse(const char *line, int len, RevisionDirective *directive)
{
	int			i = 0;
	int			end;

	while (len > 0 && line[len - 1] == '\r')
		len--;
	while (i < len && IS_BLANK(line[i]))
		i++;
	if (len - i < 2 || line[i] != '-' || line[i + 1] != '-')
		return false;
	i += 2;
	while (i < len && IS_BLANK(line[i]))
		i++;
	if (len - i < 8 || strncmp(line + i, "migrate:", 8) != 0)
		return false;
	i += 8;
	directive->key = line + i;
	while (i < len && !IS_BLANK(line[i]))
		i++;
	directive->keylen = (line + i) - directive->key;
	while (i < len && IS_BLANK(line[i]))
		i++;
	end = len;
	while (end > i && (IS_BLANK(line[end - 1]) || line[end - 1] == '\r'))
		end--;
	directive->value = line + i;
	directive->valuelen = end - i;

	directive->kind = REVISION_DIRECTIVE_OTHER;
	for (int k = 0; k < lengthof(directive_keys); k++)
		if (strlen(directive_keys[k].key) == directive->keylen &&
			strncmp(directive_keys[k].key, directive->key,
					directive->keylen) == 0)
			directive->kind = directive_keys[k].kind;
	return true;
}

/*
 * The next word of a list value in *cursor..end-1: words are separated by
 * blanks or commas.  Returns false when there is none; else sets *word and
 * *wordlen and moves *cursor past the word.
 */
bool
RevisionWordNext(const char **cursor, const char *end, const char **word,
				 int *wordlen)
{
	const char *p = *cursor;

	while (p < end && (IS_BLANK(*p) || *p == ','))
		p++;
	if (p == end)
	{
		*cursor = p;
		return false;
	}
	*word = p;
	while (p < end && !IS_BLANK(*p) && *p != ',')
		p++;
	*wordlen = p - *word;
	*cursor = p;
	return true;
}

/* Does s[0..len-1] start a word of at least minlen letters of word? */
static bool
is_prefix_of(const char *s, int len, const char *word, int minlen)
{
	return len >= minlen && len <= (int) strlen(word) &&
		pg_strncasecmp(s, word, len) == 0;
}

/*
 * A boolean value, spelled as PostgreSQL's parse_bool accepts it.  False
 * if value[0..len-1] is none of them.
 */
bool
RevisionBoolParse(const char *value, int len, bool *result)
{
	if (is_prefix_of(value, len, "true", 1) ||
		is_prefix_of(value, len, "yes", 1) ||
		is_prefix_of(value, len, "on", 2) ||
		(len == 1 && value[0] == '1'))
		*result = true;
	else if (is_prefix_of(value, len, "false", 1) ||
			 is_prefix_of(value, len, "no", 1) ||
			 is_prefix_of(value, len, "off", 2) ||
			 (len == 1 && value[0] == '0'))
		*result = false;
	else
		return false;
	return true;
}
