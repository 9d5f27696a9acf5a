/*-------------------------------------------------------------------------
 *
 * sqltext.h
 *	  Revision SQL as the server's scanner and raw parser see it (sqltext.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SQLTEXT_H
#define MIGRATE_SQLTEXT_H

#include "nodes/pg_list.h"

/* One statement of a revision's SQL. */
typedef struct SqlStatement
{
	char	   *text;			/* the statement, without the final ';' */
	int			number;			/* 1-based position in the script */
	int			line;			/* line of its first token in the script */
	struct Node *parsetree;		/* raw parse tree */
} SqlStatement;

/*
 * A stretch of a non-transactional revision: statements that run in one
 * transaction (see SqlStretches).
 */
typedef struct SqlStretch
{
	int			number;			/* 1-based */
	List	   *statements;		/* of SqlStatement */
} SqlStretch;

extern List *SqlSplit(const char *sql, const char *what);
extern bool SqlIsBoundary(struct Node *parsetree);
extern List *SqlStretches(List *statements);
extern char *SqlStretchText(SqlStretch *stretch);
extern bool SqlStretchTransactional(SqlStretch *stretch);
extern struct Node *SqlTransactionalEquivalent(struct Node *stmt,
											   const char **what);
extern void SqlCheck(List *statements, bool transactional, const char *what);
extern char *SqlChecksum(const char *upgrade, const char *downgrade);
extern int	SqlLineOf(const char *sql, int offset);
extern List *SqlStringConstants(const char *sql);

#endif							/* MIGRATE_SQLTEXT_H */
