/*-------------------------------------------------------------------------
 *
 * sqltext.c
 *	  Revision SQL as the server's own scanner and raw parser see it:
 *	  splitting into statements, the statements no revision may hold, and
 *	  checksums over the token stream.
 *
 * Nothing here runs SQL or reads the catalog.  Errors raised by the scanner
 * or the parser get a context line naming the script and the line, and
 * their cursor position is moved onto the script itself.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "commands/defrem.h"
#include "lib/stringinfo.h"
#include "common/keywords.h"
#include "nodes/parsenodes.h"
#include "parser/gramparse.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "tcop/utility.h"

#include "migrate/model/sqltext.h"
#include "migrate/util/errcodes.h"

typedef struct ScriptErrorContext
{
	const char *sql;
	const char *what;
} ScriptErrorContext;

static void script_error_callback(void *arg);
static int	skip_space_and_comments(const char *sql, int pos);
static const char *non_transactional_reason(Node *stmt);
static void hash_tokens(pg_cryptohash_ctx *ctx, const char *sql);

/* 1-based line number of byte offset "offset" in sql. */
int
SqlLineOf(const char *sql, int offset)
{
	int			line = 1;

	for (int i = 0; i < offset && sql[i]; i++)
		if (sql[i] == '\n')
			line++;
	return line;
}

/*
 * Error context for scanner and parser errors: report the line, and show
 * the script itself with the cursor instead of the calling query.
 */
static void
script_error_callback(void *arg)
{
	ScriptErrorContext *ctx = arg;
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(ctx->sql);
		errcontext("%s, line %d", ctx->what, SqlLineOf(ctx->sql, pos - 1));
	}
	else
		errcontext("%s", ctx->what);
}

/* Offset of the first token at or after pos. */
static int
skip_space_and_comments(const char *sql, int pos)
{
	for (;;)
	{
		while (sql[pos] == ' ' || sql[pos] == '\t' || sql[pos] == '\n' ||
			   sql[pos] == '\r' || sql[pos] == '\f' || sql[pos] == '\v')
			pos++;
		if (sql[pos] == '-' && sql[pos + 1] == '-')
		{
			while (sql[pos] && sql[pos] != '\n')
				pos++;
		}
		else if (sql[pos] == '/' && sql[pos + 1] == '*')
		{
			int			depth = 1;

			pos += 2;
			while (sql[pos] && depth > 0)
			{
				if (sql[pos] == '/' && sql[pos + 1] == '*')
					depth++, pos += 2;
				else if (sql[pos] == '*' && sql[pos + 1] == '/')
					depth--, pos += 2;
				else
					pos++;
			}
		}
		else
			return pos;
	}
}

/*
 * Split a script into statements with the raw parser.  "what" names the
 * script in error messages ("upgrade SQL of revision \"x\"").  Refuses psql
 * meta-commands, which the parser would only call a syntax error.
 */
List *
SqlSplit(const char *sql, const char *what)
{
	ScriptErrorContext ctx = {sql, what};
	ErrorContextCallback callback;
	List	   *raw;
	List	   *result = NIL;
	ListCell   *lc;
	int			number = 0;
	int			counted = 0;	/* lines are counted up to this offset */
	int			line = 1;

	callback.callback = script_error_callback;
	callback.arg = &ctx;
	callback.previous = error_context_stack;
	error_context_stack = &callback;

	if (strchr(sql, '\\') != NULL)
		hash_tokens(NULL, sql);	/* a meta-command is a clearer error */
	raw = raw_parser(sql, RAW_PARSE_DEFAULT);

	error_context_stack = callback.previous;

	foreach(lc, raw)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		SqlStatement *st = palloc0(sizeof(SqlStatement));
		int			start = skip_space_and_comments(sql, rs->stmt_location);
		int			end = rs->stmt_len > 0 ? rs->stmt_location + rs->stmt_len
		: (int) strlen(sql);

		while (end > start && (sql[end - 1] == ' ' || sql[end - 1] == '\n' ||
							   sql[end - 1] == '\t' || sql[end - 1] == '\r'))
			end--;
		st->text = pnstrdup(sql + start, end - start);
		st->number = ++number;
		for (; counted < start; counted++)
			if (sql[counted] == '\n')
				line++;
		st->line = line;
		st->parsetree = rs->stmt;
		result = lappend(result, st);
	}
	return result;
}

/*
 * Why a statement cannot run inside a transaction block, or NULL if it can.
 */
static const char *
non_transactional_reason(Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_IndexStmt:
			return ((IndexStmt *) stmt)->concurrent ? "CREATE INDEX CONCURRENTLY" : NULL;
		case T_DropStmt:
			return ((DropStmt *) stmt)->concurrent ? "DROP INDEX CONCURRENTLY" : NULL;
		case T_ReindexStmt:
			{
				ReindexStmt *r = (ReindexStmt *) stmt;

				foreach(lc, r->params)
				{
					DefElem    *opt = lfirst_node(DefElem, lc);

					if (strcmp(opt->defname, "concurrently") == 0 &&
						defGetBoolean(opt))
						return "REINDEX CONCURRENTLY";
				}
				if (r->kind == REINDEX_OBJECT_SYSTEM ||
					r->kind == REINDEX_OBJECT_DATABASE)
					return "REINDEX DATABASE";
				return NULL;
			}
		case T_VacuumStmt:
			return ((VacuumStmt *) stmt)->is_vacuumcmd ? "VACUUM" : NULL;
		case T_AlterTableStmt:
			foreach(lc, ((AlterTableStmt *) stmt)->cmds)
			{
				AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

				if (cmd->subtype == AT_DetachPartition &&
					((PartitionCmd *) cmd->def)->concurrent)
					return "DETACH PARTITION CONCURRENTLY";
			}
			return NULL;
		case T_ClusterStmt:
			return ((ClusterStmt *) stmt)->relation == NULL ? "CLUSTER without a table" : NULL;
		case T_CreatedbStmt:
			return "CREATE DATABASE";
		case T_DropdbStmt:
			return "DROP DATABASE";
		case T_CreateTableSpaceStmt:
			return "CREATE TABLESPACE";
		case T_DropTableSpaceStmt:
			return "DROP TABLESPACE";
		case T_AlterSystemStmt:
			return "ALTER SYSTEM";
		default:
			return NULL;
	}
}

/*
 * The transactional equivalent of a statement, for migrate_verify, which
 * runs everything inside a transaction it rolls back: the statement itself
 * when it can run inside a transaction block; a copy of its parse tree
 * without CONCURRENTLY for CREATE INDEX, DROP INDEX, REINDEX and ALTER
 * TABLE ... DETACH PARTITION CONCURRENTLY (the same result, under stronger
 * locks); NULL, with *what naming the statement, for what has none (VACUUM,
 * CREATE DATABASE, REINDEX DATABASE, ALTER SYSTEM, ...).  *what names the
 * statement whenever the result is not stmt itself.
 */
Node *
SqlTransactionalEquivalent(Node *stmt, const char **what)
{
	const char *reason = non_transactional_reason(stmt);
	ListCell   *lc;

	*what = reason;
	if (reason == NULL)
		return stmt;
	switch (nodeTag(stmt))
	{
		case T_IndexStmt:
			{
				IndexStmt  *copy = copyObject((IndexStmt *) stmt);

				copy->concurrent = false;
				return (Node *) copy;
			}
		case T_DropStmt:
			{
				DropStmt   *copy = copyObject((DropStmt *) stmt);

				copy->concurrent = false;
				return (Node *) copy;
			}
		case T_ReindexStmt:
			{
				ReindexStmt *copy;
				List	   *params = NIL;

				if (((ReindexStmt *) stmt)->kind == REINDEX_OBJECT_SYSTEM ||
					((ReindexStmt *) stmt)->kind == REINDEX_OBJECT_DATABASE)
				{
					*what = "REINDEX DATABASE";
					return NULL;
				}
				copy = copyObject((ReindexStmt *) stmt);
				foreach(lc, copy->params)
					if (strcmp(lfirst_node(DefElem, lc)->defname, "concurrently") != 0)
						params = lappend(params, lfirst(lc));
				copy->params = params;
				return (Node *) copy;
			}
		case T_AlterTableStmt:
			{
				AlterTableStmt *copy = copyObject((AlterTableStmt *) stmt);

				foreach(lc, copy->cmds)
				{
					AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

					if (cmd->subtype == AT_DetachPartition)
						((PartitionCmd *) cmd->def)->concurrent = false;
				}
				return (Node *) copy;
			}
		default:
			return NULL;
	}
}

/*
 * Refuse what no revision may hold: transaction control, COPY from or to
 * the client; and in a transactional revision, statements that cannot run
 * inside a transaction block.
 */
void
SqlCheck(List *statements, bool transactional, const char *what)
{
	ListCell   *lc;

	foreach(lc, statements)
	{
		SqlStatement *st = lfirst(lc);
		const char *reason;

		if (IsA(st->parsetree, TransactionStmt) &&
			(transactional || !SqlIsBoundary(st->parsetree)))
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_FORBIDDEN_STATEMENT),
					 errmsg("%s cannot be used in %s revision",
							GetCommandTagName(CreateCommandTag(st->parsetree)),
							transactional ? "a transactional" : "a"),
					 transactional ?
					 errdetail("Statement %d (line %d) of the %s controls the transaction; migrate runs each call in one transaction of its own.",
							   st->number, st->line, what) :
					 errdetail("Statement %d (line %d) of the %s controls the transaction in a way migrate cannot resume; BEGIN, COMMIT and COMMIT AND CHAIN only mark where one transaction ends and the next begins.",
							   st->number, st->line, what),
					 transactional ?
					 errhint("Remove the statement; work that needs transactions of its own goes into a revision marked transactional false, where COMMIT separates them.") :
					 errhint("Remove the statement; split the work with COMMIT.")));
		if (IsA(st->parsetree, CopyStmt) &&
			((CopyStmt *) st->parsetree)->filename == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_FORBIDDEN_STATEMENT),
					 errmsg("COPY to or from the client cannot be used in a revision"),
					 errdetail("Statement %d (line %d) of the %s uses STDIN or STDOUT, and no client is attached while it runs.",
							   st->number, st->line, what),
					 errhint("Load the data with INSERT statements, or COPY from a file on the server.")));
		if (transactional && (reason = non_transactional_reason(st->parsetree)))
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_FORBIDDEN_STATEMENT),
					 errmsg("%s cannot run in a transactional revision", reason),
					 errdetail("Statement %d (line %d) of the %s cannot run inside a transaction block.",
							   st->number, st->line, what),
					 errhint("Put it in a revision of its own marked non-transactional: transactional => false, or \"-- migrate:transactional false\" in a revision file.")));
	}
}

/*
 * Does the statement only mark a transaction boundary (BEGIN, START
 * TRANSACTION, COMMIT, COMMIT AND CHAIN, END)?  In a non-transactional
 * revision these split the statements into stretches (SqlStretches).
 */
bool
SqlIsBoundary(Node *parsetree)
{
	if (!IsA(parsetree, TransactionStmt))
		return false;
	switch (((TransactionStmt *) parsetree)->kind)
	{
		case TRANS_STMT_BEGIN:
		case TRANS_STMT_START:
		case TRANS_STMT_COMMIT:
			return true;
		default:
			return false;
	}
}

/*
 * The stretches of a non-transactional revision: the runs of statements
 * between boundaries (SqlIsBoundary), each run atomically in a transaction
 * of its own, numbered from 1.  Without any boundary each statement is a
 * stretch of its own, as a client's autocommit would run it.  Boundaries
 * belong to no stretch; empty runs are no stretch.
 */
List *
SqlStretches(List *statements)
{
	List	   *result = NIL;
	SqlStretch *current = NULL;
	bool		bounded = false;
	ListCell   *lc;

	foreach(lc, statements)
		bounded |= SqlIsBoundary(((SqlStatement *) lfirst(lc))->parsetree);
	foreach(lc, statements)
	{
		SqlStatement *st = lfirst(lc);

		if (SqlIsBoundary(st->parsetree))
		{
			current = NULL;
			continue;
		}
		if (current == NULL || !bounded)
		{
			current = palloc0(sizeof(SqlStretch));
			current->number = list_length(result) + 1;
			result = lappend(result, current);
		}
		current->statements = lappend(current->statements, st);
	}
	return result;
}

/* Can every statement of the stretch run inside a transaction block? */
bool
SqlStretchTransactional(SqlStretch *stretch)
{
	ListCell   *lc;

	foreach(lc, stretch->statements)
		if (non_transactional_reason(((SqlStatement *) lfirst(lc))->parsetree))
			return false;
	return true;
}

/* The statements of a stretch as one query string, ";" after each. */
char *
SqlStretchText(SqlStretch *stretch)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, stretch->statements)
		appendStringInfo(&buf, "%s;\n", ((SqlStatement *) lfirst(lc))->text);
	return buf.data;
}

/*
 * Feed the token stream of sql to ctx (when not NULL).  Each token is its
 * grammar code plus its value, so whitespace, comments, keyword case and
 * quoting styles of the same string do not count, and any other change
 * does.  Also refuses psql meta-commands.
 */
static void
hash_tokens(pg_cryptohash_ctx *ctx, const char *sql)
{
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			token;

	scanner = scanner_init(sql, &yyextra, &ScanKeywords, ScanKeywordTokens);
	while ((token = core_yylex(&yylval, &yylloc, scanner)) != 0)
	{
		if (token == '\\')
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_FORBIDDEN_STATEMENT),
					 errmsg("psql meta-commands cannot be used in a revision"),
					 errdetail("Found \"\\\" at line %d.",
							   SqlLineOf(sql, yylloc)),
					 errhint("Revision SQL runs in the server, where there is no psql; write plain SQL.")));
		if (ctx == NULL)
			continue;
		if (pg_cryptohash_update(ctx, (uint8 *) &token, sizeof(token)) < 0)
			elog(ERROR, "could not update checksum");
		switch (token)
		{
			case IDENT:
			case UIDENT:
			case FCONST:
			case SCONST:
			case USCONST:
			case BCONST:
			case XCONST:
			case Op:
				if (pg_cryptohash_update(ctx, (uint8 *) yylval.str,
										 strlen(yylval.str) + 1) < 0)
					elog(ERROR, "could not update checksum");
				break;
			case ICONST:
			case PARAM:
				if (pg_cryptohash_update(ctx, (uint8 *) &yylval.ival,
										 sizeof(yylval.ival)) < 0)
					elog(ERROR, "could not update checksum");
				break;
			default:
				break;
		}
	}
	scanner_finish(scanner);
}

/*
 * The values of the string constants of sql ('x', E'x', $$x$$, U&'x'), in
 * order, as the scanner reads them.
 */
List *
SqlStringConstants(const char *sql)
{
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			token;
	List	   *values = NIL;

	scanner = scanner_init(sql, &yyextra, &ScanKeywords, ScanKeywordTokens);
	while ((token = core_yylex(&yylval, &yylloc, scanner)) != 0)
		if (token == SCONST || token == USCONST)
			values = lappend(values, pstrdup(yylval.str));
	scanner_finish(scanner);
	return values;
}

/*
 * SHA-256 over the token streams of a revision's upgrade and downgrade SQL,
 * as 64 lowercase hex digits.
 */
char *
SqlChecksum(const char *upgrade, const char *downgrade)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[32];
	char	   *hex = palloc(65);
	int			separator = -1;

	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize checksum");
	hash_tokens(ctx, upgrade);
	if (pg_cryptohash_update(ctx, (uint8 *) &separator, sizeof(separator)) < 0)
		elog(ERROR, "could not update checksum");
	hash_tokens(ctx, downgrade);
	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finish checksum");
	pg_cryptohash_free(ctx);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return hex;
}
