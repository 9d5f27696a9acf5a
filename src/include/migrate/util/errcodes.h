/*-------------------------------------------------------------------------
 *
 * errcodes.h
 *	  The SQLSTATEs that migrate raises for its own errors.
 *
 * Class "MG" is ours (classes starting with I-Z are implementation
 * defined).  Errors raised by the SQL of a revision keep their own
 * SQLSTATE.  README.md lists every code; keep the two in step.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_ERRCODES_H
#define MIGRATE_ERRCODES_H

#include "utils/elog.h"

/* not an error: the progress message of migrate.report_progress */
#define ERRCODE_MIGRATE_PROGRESS				MAKE_SQLSTATE('M','G','0','0','0')

/* target resolution */
#define ERRCODE_MIGRATE_MULTIPLE_HEADS			MAKE_SQLSTATE('M','G','0','0','1')
#define ERRCODE_MIGRATE_UNDEFINED_REVISION		MAKE_SQLSTATE('M','G','0','0','2')
#define ERRCODE_MIGRATE_AMBIGUOUS_REVISION		MAKE_SQLSTATE('M','G','0','0','3')
#define ERRCODE_MIGRATE_UNDEFINED_BRANCH		MAKE_SQLSTATE('M','G','0','0','4')
#define ERRCODE_MIGRATE_NOT_IN_BRANCH			MAKE_SQLSTATE('M','G','0','0','5')
#define ERRCODE_MIGRATE_INVALID_DOWNGRADE		MAKE_SQLSTATE('M','G','0','0','6')
#define ERRCODE_MIGRATE_INVALID_UPGRADE			MAKE_SQLSTATE('M','G','0','0','7')
#define ERRCODE_MIGRATE_AMBIGUOUS_WALK			MAKE_SQLSTATE('M','G','0','0','8')
#define ERRCODE_MIGRATE_WALKED_TOO_FAR			MAKE_SQLSTATE('M','G','0','0','9')
#define ERRCODE_MIGRATE_OVERLAPPING_TARGETS		MAKE_SQLSTATE('M','G','0','1','0')
#define ERRCODE_MIGRATE_INVALID_TARGET			MAKE_SQLSTATE('M','G','0','1','1')
#define ERRCODE_MIGRATE_INVALID_RANGE			MAKE_SQLSTATE('M','G','0','1','2')

/* graph validation */
#define ERRCODE_MIGRATE_CYCLE					MAKE_SQLSTATE('M','G','1','0','1')
#define ERRCODE_MIGRATE_DUPLICATE_REVISION		MAKE_SQLSTATE('M','G','1','0','2')
#define ERRCODE_MIGRATE_DUPLICATE_LABEL			MAKE_SQLSTATE('M','G','1','0','3')
#define ERRCODE_MIGRATE_INVALID_ID				MAKE_SQLSTATE('M','G','1','0','4')
#define ERRCODE_MIGRATE_UNDEFINED_PARENT		MAKE_SQLSTATE('M','G','1','0','5')
#define ERRCODE_MIGRATE_NOT_A_HEAD				MAKE_SQLSTATE('M','G','1','0','6')
#define ERRCODE_MIGRATE_APPLIED_REVISION_CHANGED MAKE_SQLSTATE('M','G','1','0','7')
#define ERRCODE_MIGRATE_INVALID_FILE			MAKE_SQLSTATE('M','G','1','0','8')
#define ERRCODE_MIGRATE_FORBIDDEN_STATEMENT		MAKE_SQLSTATE('M','G','1','0','9')
#define ERRCODE_MIGRATE_CANNOT_FORGET			MAKE_SQLSTATE('M','G','1','1','0')
#define ERRCODE_MIGRATE_REPLACED				MAKE_SQLSTATE('M','G','1','1','1')

/* execution */
#define ERRCODE_MIGRATE_NON_TRANSACTIONAL		MAKE_SQLSTATE('M','G','2','0','1')
#define ERRCODE_MIGRATE_ISOLATION_LEVEL			MAKE_SQLSTATE('M','G','2','0','2')
#define ERRCODE_MIGRATE_NOT_INSTALLED			MAKE_SQLSTATE('M','G','2','0','3')

/* safety linter */
#define ERRCODE_MIGRATE_LINT_REFUSED			MAKE_SQLSTATE('M','G','3','0','1')
#define ERRCODE_MIGRATE_LINT_STOPPED			MAKE_SQLSTATE('M','G','3','0','2')
#define ERRCODE_MIGRATE_UNDEFINED_RULE			MAKE_SQLSTATE('M','G','3','0','3')
#define ERRCODE_MIGRATE_INVALID_SEVERITY		MAKE_SQLSTATE('M','G','3','0','4')

/* DDL guard */
#define ERRCODE_MIGRATE_DDL_BLOCKED				MAKE_SQLSTATE('M','G','4','0','1')
#define ERRCODE_MIGRATE_PROTECTED_OBJECT		MAKE_SQLSTATE('M','G','4','0','2')
#define ERRCODE_MIGRATE_REWRITE_BLOCKED			MAKE_SQLSTATE('M','G','4','0','3')
#define ERRCODE_MIGRATE_NOT_PROTECTED			MAKE_SQLSTATE('M','G','4','0','4')

/* verify, impact, preconditions */
#define ERRCODE_MIGRATE_AMBIGUOUS_OBJECT		MAKE_SQLSTATE('M','G','5','0','1')
#define ERRCODE_MIGRATE_PRECONDITION_FAILED		MAKE_SQLSTATE('M','G','5','0','2')
#define ERRCODE_MIGRATE_VERIFY_FAILED			MAKE_SQLSTATE('M','G','5','0','3')

/* tests */
#define ERRCODE_MIGRATE_INJECTED_FAILURE		MAKE_SQLSTATE('M','G','9','0','0')

#endif							/* MIGRATE_ERRCODES_H */
