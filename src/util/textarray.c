/*-------------------------------------------------------------------------
 *
 * textarray.c
 *	  text[] datums to and from Lists of C strings, for the SQL functions'
 *	  arguments and results and for the catalog's array columns.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "migrate/util/textarray.h"

/* The elements of a text[] as C strings; "what" names it if one is NULL. */
List *
TextArrayToList(ArrayType *array, const char *what)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *result = NIL;

	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s cannot contain NULL", what)));
		result = lappend(result, TextDatumGetCString(elems[i]));
	}
	return result;
}

/* A List of C strings as a text[] datum. */
Datum
TextArrayFromList(List *strings)
{
	int			n = list_length(strings);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, strings)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}
