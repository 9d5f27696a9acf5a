/*
 * drift.h
 *	  Drift problems for migrate_check() (see drift.c).
 */
#ifndef MIGRATE_DRIFT_H
#define MIGRATE_DRIFT_H

extern void DriftProblems(void (*problem) (void *arg, const char *what,
										   const char *detail), void *arg);

#endif							/* MIGRATE_DRIFT_H */
