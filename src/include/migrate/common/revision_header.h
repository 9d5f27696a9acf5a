/*-------------------------------------------------------------------------
 *
 * revision_header.h
 *	  The directive lines of a revision file ("-- migrate:key value"),
 *	  shared by the extension and by pg_migrate (see revision_header.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_REVISION_HEADER_H
#define MIGRATE_REVISION_HEADER_H

/* What a directive line says; aliases map to one kind. */
typedef enum RevisionDirectiveKind
{
	REVISION_DIRECTIVE_OTHER,	/* any other key: an error in the header,
								 * a per-statement marker in SQL */
	REVISION_DIRECTIVE_REVISION,	/* revision */
	REVISION_DIRECTIVE_PARENTS, /* parents */
	REVISION_DIRECTIVE_DEPENDS_ON,	/* depends-on, depends_on */
	REVISION_DIRECTIVE_BRANCH_LABELS,	/* branch-labels, branch_labels */
	REVISION_DIRECTIVE_TRANSACTIONAL,	/* transactional */
	REVISION_DIRECTIVE_REPLACES,	/* replaces (a squashed revision) */
	REVISION_DIRECTIVE_MESSAGE, /* message */
	REVISION_DIRECTIVE_UPGRADE, /* upgrade, up (dbmate) */
	REVISION_DIRECTIVE_DOWNGRADE,	/* downgrade, down (dbmate) */
	REVISION_DIRECTIVE_REQUIRE	/* require: a precondition, in the SQL
								 * section it guards */
} RevisionDirectiveKind;

/* One directive line; key and value point into the line. */
typedef struct RevisionDirective
{
	RevisionDirectiveKind kind;
	const char *key;			/* after "migrate:", up to a blank */
	int			keylen;
	const char *value;			/* the rest, without surrounding blanks */
	int			valuelen;
} RevisionDirective;

/* Is a header directive one that belongs before the upgrade section? */
#define REVISION_DIRECTIVE_IS_HEADER(kind) \
	((kind) >= REVISION_DIRECTIVE_REVISION && \
	 (kind) <= REVISION_DIRECTIVE_MESSAGE)

extern bool RevisionDirectiveParse(const char *line, int len,
								   RevisionDirective *directive);
extern bool RevisionWordNext(const char **cursor, const char *end,
							 const char **word, int *wordlen);
extern bool RevisionBoolParse(const char *value, int len, bool *result);

#endif							/* MIGRATE_REVISION_HEADER_H */
