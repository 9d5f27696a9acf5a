/*-------------------------------------------------------------------------
 *
 * precondition.c
 *	  Preconditions of a revision: "-- migrate:require <query>" lines in
 *	  the upgrade or downgrade SQL, each a query returning one boolean that
 *	  must be true right before that SQL runs (exec/precondition.c
 *	  evaluates them).
 *
 * The lines stay in the SQL text, like the per-statement "-- migrate:allow"
 * markers, so they are stored, summed and shown with it; here they are
 * found again and their syntax checked (at load, for a revision file).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/parsenodes.h"
#include "parser/parser.h"

#include "migrate/common/revision_header.h"
#include "migrate/model/precondition.h"
#include "migrate/util/errcodes.h"

/* The preconditions of an SQL section, in text order. */
List *
PreconditionList(const char *sql)
{
	List	   *result = NIL;
	const char *p = sql;
	int			line = 1;

	while (p && *p)
	{
		const char *eol = strchr(p, '\n');
		int			len = eol ? eol - p : (int) strlen(p);
		RevisionDirective d;

		if (RevisionDirectiveParse(p, len, &d) &&
			d.kind == REVISION_DIRECTIVE_REQUIRE)
		{
			Precondition *pc = palloc(sizeof(Precondition));

			pc->query = pnstrdup(d.value, d.valuelen);
			pc->line = line;
			result = lappend(result, pc);
		}
		p = eol ? eol + 1 : NULL;
		line++;
	}
	return result;
}

/*
 * Refuse a precondition that is not one SELECT (or VALUES) statement, at
 * line of a revision file.
 */
void
RequireCheckSyntax(const char *query, int line)
{
	List	   *stmts;

	if (query[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_FILE),
				 errmsg("invalid revision file: \"-- migrate:require\" needs a query"),
				 errdetail("At line %d.", line),
				 errhint("Write a query returning one boolean, for example \"-- migrate:require SELECT NOT EXISTS (SELECT FROM t WHERE c IS NULL)\".")));
	stmts = raw_parser(query, RAW_PARSE_DEFAULT);
	if (list_length(stmts) != 1 ||
		!IsA(((RawStmt *) linitial(stmts))->stmt, SelectStmt))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_FILE),
				 errmsg("invalid revision file: \"-- migrate:require\" must be one query"),
				 errdetail("At line %d: %s", line, query),
				 errhint("Write a query returning one boolean, for example \"-- migrate:require SELECT NOT EXISTS (SELECT FROM t WHERE c IS NULL)\".")));
}
