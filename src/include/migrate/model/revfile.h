/*
 * revfile.h
 *	  The revision file format (see revfile.c).
 */
#ifndef MIGRATE_REVFILE_H
#define MIGRATE_REVFILE_H

#include "migrate/exec/register.h"

extern RevisionSpec *RevisionFileParse(const char *script);

#endif							/* MIGRATE_REVFILE_H */
