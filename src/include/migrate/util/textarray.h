/*
 * textarray.h
 *	  text[] datums to and from Lists of C strings (see textarray.c).
 */
#ifndef MIGRATE_TEXTARRAY_H
#define MIGRATE_TEXTARRAY_H

#include "nodes/pg_list.h"
#include "utils/array.h"

extern List *TextArrayToList(ArrayType *array, const char *what);
extern Datum TextArrayFromList(List *strings);

#endif							/* MIGRATE_TEXTARRAY_H */
