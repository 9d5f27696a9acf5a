/*
 * guc.h
 *	  Configuration parameters of migrate (see guc.c).
 */
#ifndef MIGRATE_GUC_H
#define MIGRATE_GUC_H

/* migrate.enforce */
typedef enum GuardEnforce
{
	GUARD_ENFORCE_OFF,
	GUARD_ENFORCE_WARN,
	GUARD_ENFORCE_ERROR
} GuardEnforce;

extern int	migrate_lock_timeout;
extern int	migrate_statement_timeout;
extern char *migrate_debug_fail_at;
extern int	migrate_lock_retries;
extern int	migrate_lock_retry_delay;
extern int	migrate_enforce;
extern bool migrate_report_progress;
extern int	migrate_verify_max_rows;

extern void GucInit(void);

#endif							/* MIGRATE_GUC_H */
