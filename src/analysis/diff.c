/*-------------------------------------------------------------------------
 *
 * diff.c
 *	  The changes that take the objects of one schema snapshot (the live
 *	  schemas) to those of another (the desired ones), as upgrade SQL and
 *	  the SQL that undoes each change, safe by construction.
 *
 * Objects are matched by kind and name and compared by definition (see
 * snapshot.c).  Each change knows its own inverse, built from the "from"
 * snapshot, so the downgrade (the inverses in reverse order) recreates
 * what the upgrade dropped exactly as the catalog had it.
 *
 * The upgrade follows the patterns the linter asks for: a NOT NULL on an
 * existing table goes through CHECK (col IS NOT NULL) NOT VALID, VALIDATE
 * in a later revision, SET NOT NULL and the CHECK dropped; checks and
 * foreign keys on existing tables are added NOT VALID and validated in a
 * later revision; indexes on existing tables are built CONCURRENTLY in a
 * non-transactional revision (unique and primary keys then attached USING
 * INDEX) after the validations, in a non-transactional revision whose
 * statements each commit on their own; enum values are added in a revision
 * of their own that runs first.  Hence the phases of diff.h.  What cannot be made safe (a type
 * change that rewrites, a dropped column) is generated all the same:
 * DiffLint runs the linter over each phase and writes its findings as
 * comments above the statements.
 *
 * Dependencies are ordered by steps (drops of dependents before what they
 * depend on, creations the other way round) and, within a step, by the
 * creation order of the objects (their OIDs: the desired script created
 * them in an order that worked).
 *
 * Owners and privileges are compared where they differ, after everything
 * is created; what the upgrade drops (or drops and creates again) gets its
 * owner and privileges back at the end of the downgrade of the change
 * that drops it (apply_restores).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"

#include "migrate/analysis/diff.h"
#include "migrate/analysis/lint.h"
#include "migrate/model/sqltext.h"
#include "migrate/util/errcodes.h"
#include "migrate/util/subxact.h"

/* Steps within the phases (the phase decides first); see DiffCompare. */
enum
{
	/* main: renames, then drops, dependents first */
	STEP_RENAME = 5,
	STEP_DROP_GRANT = 6,
	STEP_DROP_COMMENT = 9,
	STEP_DROP_TRIGGER = 10,
	STEP_DROP_POLICY = 11,
	STEP_DETACH = 12,
	STEP_DROP_VIEW = 13,
	STEP_DROP_FK = 14,
	STEP_DROP_CONSTRAINT = 15,
	STEP_DROP_INDEX = 16,
	STEP_DROP_SEQOWNER = 17,
	STEP_DROP_COLUMN = 20,
	STEP_DROP_TABLE = 21,
	STEP_DROP_SEQUENCE = 22,
	STEP_DROP_FUNCTION = 23,
	STEP_DROP_TYPE = 24,
	STEP_DROP_EXTENSION = 25,
	/* main: creations, what others depend on first */
	STEP_EXTENSION = 29,
	STEP_TYPE = 30,
	STEP_SEQUENCE = 31,
	STEP_FUNCTION = 32,
	STEP_TABLE = 40,
	STEP_ADD_COLUMN = 41,
	STEP_ALTER_COLUMN = 42,
	STEP_SEQOWNER = 45,
	STEP_SQL_FUNCTION = 46,
	STEP_CONSTRAINT = 50,
	STEP_NOT_NULL_CHECK = 51,
	STEP_INDEX = 52,
	STEP_STATISTICS = 53,
	STEP_ATTACH = 54,
	STEP_VIEW = 60,
	STEP_TRIGGER = 61,
	STEP_POLICY = 62,
	STEP_RLS = 63,
	STEP_VIEW_INDEX = 64,
	STEP_OWNER = 70,
	STEP_GRANT = 71,
	/* online: validations, then concurrent builds, then comments */
	STEP_VALIDATE = 80,
	STEP_SET_NOT_NULL = 81,
	STEP_DROP_NOT_NULL_CHECK = 82,
	STEP_IDENTITY = 83,
	STEP_CONCURRENT_DROP = 85,
	STEP_CONCURRENT_INDEX = 86,
	STEP_CONCURRENT_KEY = 87,
	STEP_COMMENT = 90
};

typedef struct DiffCx
{
	SchemaSnapshot *from;
	SchemaSnapshot *to;
	List	   *changes;
	int			seq;
	List	   *forced;			/* "schema.name" of unchanged views that must
								 * be dropped and created again */
	List	   *restores;		/* DiffRestore: owners and privileges of
								 * dropped objects */
} DiffCx;

/*
 * What the downgrade does after it recreates a dropped object: give it
 * back its owner, grant its privileges again.  Appended to the downgrade
 * of the change that drops "object".
 */
typedef struct DiffRestore
{
	bool		owner;
	const char *kind;			/* the kind of the change that drops it */
	char	   *object;
	char	   *sql;
	char	   *revoke;			/* privileges: what takes them back */
	char	   *table;			/* a column's: its table, which may be the one dropped */
	int64		ord;
} DiffRestore;

static const char *const phase_names[] = {NULL, "enum", "main", "online"};

const char *
DiffPhaseName(DiffPhase phase)
{
	return phase_names[phase];
}

static DiffChange *
add(DiffCx *cx, DiffPhase phase, int step, int64 ord, const char *kind,
	char *object, char *upgrade, char *downgrade)
{
	DiffChange *c = palloc0(sizeof(DiffChange));

	c->phase = phase;
	c->step = step;
	c->ord = ord;
	c->seq = cx->seq++;
	c->kind = kind;
	c->object = object;
	c->upgrade = upgrade;
	c->downgrade = downgrade;
	cx->changes = lappend(cx->changes, c);
	return c;
}

static void
add_finding(DiffChange *c, const char *finding, const char *hint)
{
	c->finding = c->finding ? psprintf("%s\n%s", c->finding, finding) : pstrdup(finding);
	if (hint)
		c->hint = c->hint ? psprintf("%s\n%s", c->hint, hint) : pstrdup(hint);
}

static char *
qname(const char *schema, const char *name)
{
	return (char *) quote_qualified_identifier(schema, name);
}

static char *
qrel(SnapObject *o)
{
	return qname(o->schema, o->tbl);
}

/* An identifier of at most NAMEDATALEN - 1 bytes, as the server clips it. */
static char *
clip_name(char *name)
{
	int			len = strlen(name);

	if (len >= NAMEDATALEN)
		name[pg_mbcliplen(name, len, NAMEDATALEN - 1)] = '\0';
	return name;
}

/* The definition without a trailing ";" (pg_get_viewdef) or " NOT VALID". */
static char *
strip_suffix(const char *def, const char *suffix)
{
	int			len = strlen(def);
	int			slen = strlen(suffix);
	char	   *s = pstrdup(def);

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	if (len >= slen && strcmp(s + len - slen, suffix) == 0)
		s[len - slen] = '\0';
	return s;
}

static bool
is_true(const char *s)
{
	return s && strcmp(s, "true") == 0;
}

static bool
streq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The objects of a kind on one table, in creation order. */
static int
ord_cmp(const void *a, const void *b)
{
	int64		x = (*(SnapObject *const *) a)->ord;
	int64		y = (*(SnapObject *const *) b)->ord;

	return x < y ? -1 : x > y ? 1 : 0;
}

static List *
children(SchemaSnapshot *snap, const char *kind, const char *schema, const char *tbl)
{
	int			lo = 0,
				hi = snap->count;
	SnapObject	key;
	List	   *result = NIL;
	SnapObject **arr;
	int			n;

	memset(&key, 0, sizeof(key));
	key.kind = kind;
	key.schema = (char *) schema;
	key.tbl = (char *) tbl;
	key.name = "";
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (SnapObjectCompare(snap->objects[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < snap->count; lo++)
	{
		SnapObject *o = snap->objects[lo];

		if (strcmp(o->kind, kind) != 0 || !streq(o->schema, schema) ||
			!streq(o->tbl, tbl))
			break;
		result = lappend(result, o);
	}
	n = list_length(result);
	if (n < 2)
		return result;
	arr = palloc(sizeof(SnapObject *) * n);
	for (int i = 0; i < n; i++)
		arr[i] = list_nth(result, i);
	qsort(arr, n, sizeof(SnapObject *), ord_cmp);
	result = NIL;
	for (int i = 0; i < n; i++)
		result = lappend(result, arr[i]);
	return result;
}

/* A relation that holds columns and indexes: a table or materialized view. */
static SnapObject *
find_rel(SchemaSnapshot *snap, const char *schema, const char *name)
{
	SnapObject *o = SnapshotFind(snap, "table", schema, NULL, name);

	return o ? o : SnapshotFind(snap, "matview", schema, NULL, name);
}

/* Is the relation recreated (a materialized view whose query changed)? */
static bool
rel_recreated(DiffCx *cx, const char *schema, const char *name)
{
	SnapObject *f = find_rel(cx->from, schema, name);
	SnapObject *t = find_rel(cx->to, schema, name);

	return f && t && (f->kind != t->kind || strcmp(f->def, t->def) != 0) &&
		(strcmp(f->kind, "matview") == 0 || strcmp(t->kind, "matview") == 0);
}

/* Does the relation stay (with its data) through the change? */
static bool
rel_kept(DiffCx *cx, const char *schema, const char *name)
{
	return find_rel(cx->from, schema, name) && find_rel(cx->to, schema, name) &&
		!rel_recreated(cx, schema, name);
}

/* Does the table lose or retype a column (indexes on it may go with it)? */
static bool
columns_change(DiffCx *cx, const char *schema, const char *tbl)
{
	ListCell   *lc;

	foreach(lc, children(cx->from, "column", schema, tbl))
	{
		SnapObject *f = lfirst(lc);
		SnapObject *t = SnapshotFind(cx->to, "column", schema, tbl, f->name);

		if (t == NULL || !streq(f->attr[0], t->attr[0]) || !streq(f->attr[1], t->attr[1]))
			return true;
	}
	return false;
}

/*
 * The USING clause of a type change: none when the server converts by an
 * assignment cast (so that it can tell a change that needs no rewrite),
 * else an explicit cast.
 */
static char *
type_using(const char *col, const char *from, const char *to)
{
	Oid			from_type,
				to_type;
	int32		typmod;

	parseTypeString(from, &from_type, &typmod, true);
	parseTypeString(to, &to_type, &typmod, true);
	if (OidIsValid(from_type) && OidIsValid(to_type) &&
		can_coerce_type(1, &from_type, &to_type, COERCION_ASSIGNMENT))
		return "";
	return psprintf(" USING %s::%s", col, to);
}

/* A column as CREATE TABLE and ADD COLUMN write it. */
static char *
column_spec(SnapObject *c, bool with_not_null, bool with_default)
{
	StringInfoData b;

	initStringInfo(&b);
	appendStringInfo(&b, "%s %s", quote_identifier(c->name), c->attr[0]);
	if (c->attr[1])
		appendStringInfo(&b, " COLLATE %s", c->attr[1]);
	if (c->attr[5])
		appendStringInfo(&b, " GENERATED ALWAYS AS (%s) STORED", c->attr[5]);
	else if (c->attr[2] && with_default)
		appendStringInfo(&b, " DEFAULT %s", c->attr[2]);
	if (c->attr[4] && c->attr[4][0] == 'a')
		appendStringInfoString(&b, " GENERATED ALWAYS AS IDENTITY");
	else if (c->attr[4] && c->attr[4][0] == 'd')
		appendStringInfoString(&b, " GENERATED BY DEFAULT AS IDENTITY");
	if (with_not_null && is_true(c->attr[3]))
		appendStringInfoString(&b, " NOT NULL");
	return b.data;
}

/*
 * Storage options ("key=value", \x01 between) as SET (...) takes them, or
 * their keys as RESET (...) does.
 */
static char *
reloptions_sql(const char *opts, bool keys_only)
{
	StringInfoData b;
	char	   *s = pstrdup(opts);
	char	   *save = NULL;

	initStringInfo(&b);
	for (char *o = strtok_r(s, "\x01", &save); o; o = strtok_r(NULL, "\x01", &save))
	{
		char	   *eq = strchr(o, '=');

		if (eq)
			*eq = '\0';
		appendStringInfo(&b, "%s%s", b.len ? ", " : "", o);
		if (eq && !keys_only)
			appendStringInfo(&b, " = %s", quote_literal_cstr(eq + 1));
	}
	return b.data;
}

/* Does the option list ("key=value", \x01 between) set that key? */
static bool
has_option(const char *opts, const char *key)
{
	char	   *s = pstrdup(opts ? opts : "");
	char	   *save = NULL;

	for (char *o = strtok_r(s, "\x01", &save); o; o = strtok_r(NULL, "\x01", &save))
	{
		char	   *eq = strchr(o, '=');

		if (eq)
			*eq = '\0';
		if (strcmp(o, key) == 0)
			return true;
	}
	return false;
}

/* The keys of "opts" that "other" has not: what RESET takes, or NULL. */
static char *
reloptions_gone(const char *opts, const char *other)
{
	StringInfoData b;
	char	   *s = pstrdup(opts ? opts : "");
	char	   *save = NULL;

	initStringInfo(&b);
	for (char *o = strtok_r(s, "\x01", &save); o; o = strtok_r(NULL, "\x01", &save))
	{
		char	   *eq = strchr(o, '=');

		if (eq)
			*eq = '\0';
		if (!has_option(other, o))
			appendStringInfo(&b, "%s%s", b.len ? ", " : "", o);
	}
	return b.len ? b.data : NULL;
}

/* ALTER TABLE ... SET/RESET that takes a table's options from "from" to "to". */
static char *
reloptions_change_sql(const char *q, const char *from, const char *to)
{
	char	   *gone = reloptions_gone(from, to);
	StringInfoData b;

	initStringInfo(&b);
	if (to)
		appendStringInfo(&b, "ALTER TABLE %s SET (%s)", q, reloptions_sql(to, false));
	if (gone)
		appendStringInfo(&b, "%sALTER TABLE %s RESET (%s)", b.len ? ";\n" : "", q, gone);
	return b.data;
}

static char *
create_table_sql(SchemaSnapshot *snap, SnapObject *t)
{
	StringInfoData b;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&b);
	appendStringInfo(&b, "CREATE %sTABLE %s ",
					 streq(t->attr[1], "u") ? "UNLOGGED " : "",
					 qname(t->schema, t->name));
	if (t->attr[5])
	{
		/* a partition: its columns are its parent's */
		char	   *bound = strchr(t->attr[5], '\x01');

		appendStringInfo(&b, "PARTITION OF %.*s %s",
						 (int) (bound - t->attr[5]), t->attr[5], bound + 1);
	}
	else
	{
		appendStringInfoChar(&b, '(');
		foreach(lc, children(snap, "column", t->schema, t->name))
		{
			appendStringInfo(&b, "%s\n\t%s", first ? "" : ",",
							 column_spec(lfirst(lc), true, true));
			first = false;
		}
		appendStringInfoString(&b, "\n)");
	}
	if (t->attr[3])
		appendStringInfo(&b, " PARTITION BY %s", t->attr[3]);
	if (t->attr[4])
		appendStringInfo(&b, "\nWITH (%s)", reloptions_sql(t->attr[4], false));
	return b.data;
}

static char *
add_constraint_sql(SnapObject *k, bool not_valid)
{
	char	   *def = not_valid ? strip_suffix(k->def, " NOT VALID") : k->def;

	return psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s%s", qrel(k),
					quote_identifier(k->name), def, not_valid ? " NOT VALID" : "");
}

static char *
drop_constraint_sql(SnapObject *k)
{
	return psprintf("ALTER TABLE %s DROP CONSTRAINT %s", qrel(k), quote_identifier(k->name));
}

static char *
create_view_sql(SnapObject *v)
{
	return psprintf("CREATE %sVIEW %s AS\n%s",
					strcmp(v->kind, "matview") == 0 ? "MATERIALIZED " : "",
					qname(v->schema, v->name), strip_suffix(v->def, ";"));
}

static char *
drop_view_sql(SnapObject *v)
{
	return psprintf("DROP %sVIEW %s",
					strcmp(v->kind, "matview") == 0 ? "MATERIALIZED " : "",
					qname(v->schema, v->name));
}

/*
 * Everything a relation carries that a DROP takes with it: for the
 * downgrade of a dropped table or materialized view (foreign keys are
 * changes of their own, so that they come back after every table).
 */
static void
append_carried(DiffCx *cx, StringInfo b, SnapObject *rel)
{
	ListCell   *lc;

	foreach(lc, children(cx->from, "constraint", rel->schema, rel->name))
	{
		SnapObject *k = lfirst(lc);

		if (!streq(k->attr[0], "f"))
			appendStringInfo(b, ";\n%s", add_constraint_sql(k, false));
	}
	foreach(lc, children(cx->from, "index", rel->schema, rel->name))
	{
		SnapObject *i = lfirst(lc);

		/* (a partition's index attached to its parent's comes with PARTITION OF) */
		if (!is_true(i->attr[1]))
			appendStringInfo(b, ";\n%s", i->def);
	}
	foreach(lc, children(cx->from, "statistics", rel->schema, rel->name))
		appendStringInfo(b, ";\n%s", ((SnapObject *) lfirst(lc))->def);
	foreach(lc, children(cx->from, "trigger", rel->schema, rel->name))
		appendStringInfo(b, ";\n%s", ((SnapObject *) lfirst(lc))->def);
	foreach(lc, children(cx->from, "policy", rel->schema, rel->name))
		appendStringInfo(b, ";\n%s", ((SnapObject *) lfirst(lc))->def);
	if (is_true(rel->attr[2]))
		appendStringInfo(b, ";\nALTER TABLE %s ENABLE ROW LEVEL SECURITY",
						 qname(rel->schema, rel->name));
}

/* ---- enums ---- */

static List *
enum_labels(const char *def)
{
	List	   *result = NIL;
	char	   *s = pstrdup(def);
	char	   *p;

	if (*s == '\0')
		return NIL;
	while ((p = strchr(s, '\x01')) != NULL)
	{
		*p = '\0';
		result = lappend(result, s);
		s = p + 1;
	}
	return lappend(result, s);
}

static bool
list_has_str(List *l, const char *s)
{
	ListCell   *lc;

	foreach(lc, l)
		if (strcmp(lfirst(lc), s) == 0)
		return true;
	return false;
}

static char *
enum_list_sql(List *labels)
{
	StringInfoData b;
	ListCell   *lc;

	initStringInfo(&b);
	foreach(lc, labels)
		appendStringInfo(&b, "%s%s", b.len ? ", " : "", quote_literal_cstr(lfirst(lc)));
	return b.data;
}

/*
 * Recreate enum e with these labels, moving the columns of kept tables
 * that use it (through text): the columns as "cols" snapshot has them.
 */
static char *
enum_recreate_sql(DiffCx *cx, SnapObject *e, List *labels, SchemaSnapshot *cols,
				  bool kept_only)
{
	char	   *qe = qname(e->schema, e->name);
	char	   *qarr = psprintf("%s[]", qe);
	char	   *old = clip_name(psprintf("%s__migrate_old", e->name));
	StringInfoData b;

	initStringInfo(&b);
	appendStringInfo(&b, "ALTER TYPE %s RENAME TO %s;\n", qe, quote_identifier(old));
	appendStringInfo(&b, "CREATE TYPE %s AS ENUM (%s)", qe, enum_list_sql(labels));
	for (int i = 0; i < cols->count; i++)
	{
		SnapObject *c = cols->objects[i];
		bool		array;
		char	   *qt;

		if (strcmp(c->kind, "column") != 0)
			continue;
		if (streq(c->attr[0], qe))
			array = false;
		else if (streq(c->attr[0], qarr))
			array = true;
		else
			continue;
		if (kept_only && (!rel_kept(cx, c->schema, c->tbl) ||
						  !SnapshotFind(cx->to, "column", c->schema, c->tbl, c->name) ||
						  !SnapshotFind(cx->from, "column", c->schema, c->tbl, c->name)))
			continue;
		qt = qrel(c);
		if (c->attr[2])
			appendStringInfo(&b, ";\nALTER TABLE %s ALTER COLUMN %s DROP DEFAULT",
							 qt, quote_identifier(c->name));
		appendStringInfo(&b, ";\nALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::pg_catalog.text%s::%s",
						 qt, quote_identifier(c->name), array ? qarr : qe,
						 quote_identifier(c->name), array ? "[]" : "", array ? qarr : qe);
		if (c->attr[2])
			appendStringInfo(&b, ";\nALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
							 qt, quote_identifier(c->name), c->attr[2]);
	}
	appendStringInfo(&b, ";\nDROP TYPE %s", qname(e->schema, old));
	return b.data;
}

/* Are the old labels, in their order, among the new ones (added in place)? */
static bool
enum_kept(List *old, List *new)
{
	ListCell   *lc;
	int			pos = 0;

	foreach(lc, old)
	{
		while (pos < list_length(new) && strcmp(list_nth(new, pos), lfirst(lc)) != 0)
			pos++;
		if (pos == list_length(new))
			return false;
		pos++;
	}
	return true;
}

static void
diff_enum(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	char	   *qe;
	List	   *old,
			   *new;
	ListCell   *lc;
	DiffChange *c;
	bool		first = true;

	if (f == NULL)
	{
		qe = qname(t->schema, t->name);
		add(cx, DIFF_PHASE_MAIN, STEP_TYPE, t->ord, "enum", qe,
			psprintf("CREATE TYPE %s AS ENUM (%s)", qe, enum_list_sql(enum_labels(t->def))),
			psprintf("DROP TYPE %s", qe));
		return;
	}
	qe = qname(f->schema, f->name);
	if (t == NULL)
	{
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_TYPE, -f->ord, "enum", qe,
			psprintf("DROP TYPE %s", qe),
			psprintf("CREATE TYPE %s AS ENUM (%s)", qe, enum_list_sql(enum_labels(f->def))));
		return;
	}
	old = enum_labels(f->def);
	new = enum_labels(t->def);
	if (!enum_kept(old, new))
	{
		c = add(cx, DIFF_PHASE_MAIN, STEP_TYPE, t->ord, "enum", qe,
				enum_recreate_sql(cx, f, new, cx->from, true),
				enum_recreate_sql(cx, f, old, cx->from, true));
		add_finding(c, "enum values are removed or reordered: the type is recreated and its columns are converted through text",
					"Move the rows off the removed values first (UPDATE), then approve the change with -- migrate:approve removing-enum-value <reason>.");
		return;
	}
	/* values added: each in the enum revision, placed as in the desired type */
	for (int i = 0; i < list_length(new); i++)
	{
		char	   *label = list_nth(new, i);
		char	   *where;

		if (list_has_str(old, label))
			continue;
		/* after the one before it (there by now), or before the first old one */
		where = "";
		if (i > 0)
			where = psprintf(" AFTER %s", quote_literal_cstr(list_nth(new, i - 1)));
		else
		{
			foreach(lc, new)
			{
				if (list_has_str(old, lfirst(lc)))
				{
					where = psprintf(" BEFORE %s", quote_literal_cstr(lfirst(lc)));
					break;
				}
			}
		}
		/* the first one's inverse recreates the type without the new values */
		add(cx, DIFF_PHASE_ENUM, 1, t->ord, "enum", psprintf("%s.%s", qe, quote_literal_cstr(label)),
			psprintf("ALTER TYPE %s ADD VALUE %s%s", qe, quote_literal_cstr(label), where),
			first ? enum_recreate_sql(cx, f, old, cx->from, false) : NULL);
		first = false;
	}
}

/*
 * Domains: a new or dropped one whole; a changed default or NOT NULL by
 * ALTER DOMAIN; a changed base type or constraint by dropping and creating
 * it again (which fails while columns use it: the finding says so).
 */
static void
diff_domain(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *q = qname(o->schema, o->name);
	DiffChange *c;

	if (f && t && streq(f->attr[0], t->attr[0]))
	{
		if (!streq(f->attr[1], t->attr[1]))
			add(cx, DIFF_PHASE_MAIN, STEP_TYPE, t->ord, "domain", q,
				t->attr[1] ? psprintf("ALTER DOMAIN %s SET DEFAULT %s", q, t->attr[1]) :
				psprintf("ALTER DOMAIN %s DROP DEFAULT", q),
				f->attr[1] ? psprintf("ALTER DOMAIN %s SET DEFAULT %s", q, f->attr[1]) :
				psprintf("ALTER DOMAIN %s DROP DEFAULT", q));
		if (!streq(f->attr[2], t->attr[2]))
			add(cx, DIFF_PHASE_MAIN, STEP_TYPE, t->ord, "domain", q,
				psprintf("ALTER DOMAIN %s %s NOT NULL", q, is_true(t->attr[2]) ? "SET" : "DROP"),
				psprintf("ALTER DOMAIN %s %s NOT NULL", q, is_true(f->attr[2]) ? "SET" : "DROP"));
		return;
	}
	if (f)
	{
		c = add(cx, DIFF_PHASE_MAIN, STEP_DROP_TYPE, -f->ord, "domain", q,
				psprintf("DROP DOMAIN %s", q), pstrdup(f->def));
		if (t)
			add_finding(c, "the domain's base type or constraints change: it is dropped and created again, which fails while columns use it", NULL);
	}
	if (t)
		add(cx, DIFF_PHASE_MAIN, STEP_TYPE, t->ord, "domain", q,
			pstrdup(t->def), psprintf("DROP DOMAIN %s", q));
}

/* ---- tables and columns ---- */

/* ALTER TABLE parent ATTACH PARTITION (or DETACH) of a partition. */
static char *
partition_sql(SnapObject *t, const char *q, bool attach)
{
	char	   *bound = strchr(t->attr[5], '\x01');
	int			len = bound - t->attr[5];

	if (attach)
		return psprintf("ALTER TABLE %.*s ATTACH PARTITION %s %s", len, t->attr[5], q, bound + 1);
	return psprintf("ALTER TABLE %.*s DETACH PARTITION %s", len, t->attr[5], q);
}

static void
diff_table(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	StringInfoData b;
	char	   *q;

	if (f == NULL)
	{
		q = qname(t->schema, t->name);
		add(cx, DIFF_PHASE_MAIN, STEP_TABLE, t->ord, "table", q,
			create_table_sql(cx->to, t), psprintf("DROP TABLE %s", q));
		if (is_true(t->attr[2]))
			add(cx, DIFF_PHASE_MAIN, STEP_RLS, t->ord, "table", q,
				psprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY", q),
				psprintf("ALTER TABLE %s DISABLE ROW LEVEL SECURITY", q));
		return;
	}
	q = qname(f->schema, f->name);
	if (t == NULL)
	{
		initStringInfo(&b);
		appendStringInfoString(&b, create_table_sql(cx->from, f));
		append_carried(cx, &b, f);
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_TABLE, -f->ord, "table", q,
			psprintf("DROP TABLE %s", q), b.data);
		return;
	}
	if (!streq(f->attr[1], t->attr[1]))
	{
		bool		logged = !streq(t->attr[1], "u");

		add(cx, DIFF_PHASE_MAIN, STEP_ALTER_COLUMN, t->ord, "table", q,
			psprintf("ALTER TABLE %s SET %s", q, logged ? "LOGGED" : "UNLOGGED"),
			psprintf("ALTER TABLE %s SET %s", q, logged ? "UNLOGGED" : "LOGGED"));
	}
	if (!streq(f->attr[2], t->attr[2]))
	{
		bool		on = is_true(t->attr[2]);

		add(cx, DIFF_PHASE_MAIN, STEP_RLS, t->ord, "table", q,
			psprintf("ALTER TABLE %s %s ROW LEVEL SECURITY", q, on ? "ENABLE" : "DISABLE"),
			psprintf("ALTER TABLE %s %s ROW LEVEL SECURITY", q, on ? "DISABLE" : "ENABLE"));
	}
	if (!streq(f->attr[4], t->attr[4]))
		add(cx, DIFF_PHASE_MAIN, STEP_ALTER_COLUMN, t->ord, "table", q,
			reloptions_change_sql(q, f->attr[4], t->attr[4]),
			reloptions_change_sql(q, t->attr[4], f->attr[4]));
	if (!streq(f->attr[5], t->attr[5]))
	{
		if (f->attr[5])
			add(cx, DIFF_PHASE_MAIN, STEP_DETACH, -f->ord, "table", q,
				partition_sql(f, q, false), partition_sql(f, q, true));
		if (t->attr[5])
		{
			StringInfoData down;
			ListCell   *lc;

			/* what the detach of the downgrade leaves, ATTACH created: dropped */
			initStringInfo(&down);
			appendStringInfoString(&down, partition_sql(t, q, false));
			foreach(lc, children(cx->to, "index", t->schema, t->name))
			{
				SnapObject *i = lfirst(lc);

				if (is_true(i->attr[1]) &&
					!SnapshotFind(cx->from, "index", i->schema, i->tbl, i->name))
					appendStringInfo(&down, ";\nDROP INDEX %s", qname(i->schema, i->name));
			}
			add(cx, DIFF_PHASE_MAIN, STEP_ATTACH, t->ord, "table", q,
				partition_sql(t, q, true), down.data);
		}
	}
	if (!streq(f->attr[0], t->attr[0]) || !streq(f->attr[3], t->attr[3]))
	{
		DiffChange *c = add(cx, DIFF_PHASE_MAIN, STEP_ALTER_COLUMN, t->ord, "table", q,
							psprintf("-- %s: partitioning changed; not generated", q), NULL);

		add_finding(c, "the table's partitioning differs: the diff does not generate that change",
					"Write this change by hand: create the new table, move the data, swap the names.");
	}
}

/* The CHECK that proves a column NOT NULL on the way to SET NOT NULL. */
static void
not_null_pattern(DiffCx *cx, SnapObject *t, const char *q, const char *col)
{
	char	   *check = (char *) quote_identifier(clip_name(psprintf("%s_%s_not_null", t->tbl, t->name)));
	char	   *add_check = psprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID",
									 q, check, col);
	char	   *drop_check = psprintf("ALTER TABLE %s DROP CONSTRAINT %s", q, check);

	add(cx, DIFF_PHASE_MAIN, STEP_NOT_NULL_CHECK, t->ord, "column", psprintf("%s.%s", q, col),
		add_check, drop_check);
	add(cx, DIFF_PHASE_ONLINE, STEP_VALIDATE, t->ord, "column", psprintf("%s.%s", q, col),
		psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", q, check), NULL);
	add(cx, DIFF_PHASE_ONLINE, STEP_SET_NOT_NULL, t->ord, "column", psprintf("%s.%s", q, col),
		psprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", q, col),
		psprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", q, col));
	add(cx, DIFF_PHASE_ONLINE, STEP_DROP_NOT_NULL_CHECK, t->ord, "column", psprintf("%s.%s", q, col),
		drop_check, add_check);
}

/* Is the table of the column a partition (in that snapshot)? */
static bool
is_partition(SchemaSnapshot *snap, SnapObject *col)
{
	SnapObject *t = SnapshotFind(snap, "table", col->schema, NULL, col->tbl);

	return t && t->attr[5];
}

static void
add_column(DiffCx *cx, SnapObject *t)
{
	char	   *q = qrel(t);
	char	   *col = (char *) quote_identifier(t->name);
	bool		nn = is_true(t->attr[3]) && !(t->attr[4] && t->attr[4][0]) && !t->attr[5];
	DiffChange *c;

	c = add(cx, DIFF_PHASE_MAIN, STEP_ADD_COLUMN, t->ord, "column", psprintf("%s.%s", q, col),
			psprintf("ALTER TABLE %s ADD COLUMN %s", q, column_spec(t, !nn, true)),
			psprintf("ALTER TABLE %s DROP COLUMN %s", q, col));
	if (nn)
	{
		if (t->attr[2] == NULL)
			add_finding(c, psprintf("column %s is NOT NULL without a default: it is added nullable, and the online revision makes it NOT NULL",
									col),
						psprintf("Backfill %s.%s (UPDATE in batches) before the online revision runs, or give the column a default.", q, col));
		not_null_pattern(cx, t, q, col);
	}
}

static void
diff_column(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *q = qrel(o);
	char	   *col = (char *) quote_identifier(o->name);
	char	   *obj = psprintf("%s.%s", q, col);
	DiffChange *c;

	if (!rel_kept(cx, o->schema, o->tbl))
		return;					/* comes and goes with its table */
	if (is_partition(cx->from, o) || is_partition(cx->to, o))
		return;					/* its parent's column: changes with it */
	if (f == NULL)
	{
		add_column(cx, t);
		return;
	}
	if (t == NULL)
	{
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_COLUMN, -f->ord, "column", obj,
			psprintf("ALTER TABLE %s DROP COLUMN %s", q, col),
			psprintf("ALTER TABLE %s ADD COLUMN %s", q, column_spec(f, true, true)));
		return;
	}
	/* a generated column whose expression changes is dropped and added */
	if (!streq(f->attr[5], t->attr[5]))
	{
		c = add(cx, DIFF_PHASE_MAIN, STEP_DROP_COLUMN, -f->ord, "column", obj,
				psprintf("ALTER TABLE %s DROP COLUMN %s", q, col),
				psprintf("ALTER TABLE %s ADD COLUMN %s", q, column_spec(f, true, true)));
		add_finding(c, "the column's generation expression changes: it is dropped and added again", NULL);
		add_column(cx, t);
		return;
	}
	if (!streq(f->attr[0], t->attr[0]) || !streq(f->attr[1], t->attr[1]))
		add(cx, DIFF_PHASE_MAIN, STEP_ALTER_COLUMN, t->ord, "column", obj,
			psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s%s", q, col, t->attr[0],
					 t->attr[1] ? psprintf(" COLLATE %s", t->attr[1]) : "",
					 type_using(col, f->attr[0], t->attr[0])),
			psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s%s", q, col, f->attr[0],
					 f->attr[1] ? psprintf(" COLLATE %s", f->attr[1]) : "",
					 type_using(col, t->attr[0], f->attr[0])));
	/* (a default goes before the sequence it uses, an identity before a default comes) */
	if (!streq(f->attr[2], t->attr[2]))
		add(cx, DIFF_PHASE_MAIN, t->attr[2] ? STEP_ALTER_COLUMN : STEP_DROP_COLUMN,
			t->attr[2] ? t->ord : -f->ord, "column", obj,
			t->attr[2] ? psprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", q, col, t->attr[2]) :
			psprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", q, col),
			f->attr[2] ? psprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", q, col, f->attr[2]) :
			psprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", q, col));
	if (!streq(f->attr[4], t->attr[4]))
	{
		const char *fi = f->attr[4] ? f->attr[4] : "";
		const char *ti = t->attr[4] ? t->attr[4] : "";
		const char *gen_t = ti[0] == 'a' ? "ALWAYS" : "BY DEFAULT";
		const char *gen_f = fi[0] == 'a' ? "ALWAYS" : "BY DEFAULT";

		if (fi[0] == '\0')
			add(cx, DIFF_PHASE_ONLINE, STEP_IDENTITY, t->ord, "column", obj,
				psprintf("ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY", q, col, gen_t),
				psprintf("ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY", q, col));
		else if (ti[0] == '\0')
			add(cx, DIFF_PHASE_MAIN, STEP_DROP_COLUMN, -f->ord, "column", obj,
				psprintf("ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY", q, col),
				psprintf("ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY", q, col, gen_f));
		else
			add(cx, DIFF_PHASE_MAIN, STEP_ALTER_COLUMN, t->ord, "column", obj,
				psprintf("ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s", q, col, gen_t),
				psprintf("ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s", q, col, gen_f));
	}
	if (!streq(f->attr[3], t->attr[3]))
	{
		/* (an identity is added after SET NOT NULL, dropped before DROP NOT NULL) */
		if (is_true(t->attr[3]))
			not_null_pattern(cx, t, q, col);
		else
			add(cx, DIFF_PHASE_MAIN, STEP_ALTER_COLUMN, t->ord, "column", obj,
				psprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", q, col),
				psprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", q, col));
	}
}

/* ---- constraints, indexes, triggers, policies ---- */

static char *
concurrent_index_sql(const char *indexdef)
{
	/* "CREATE [UNIQUE] INDEX name ON ..." */
	const char *p = strstr(indexdef, "INDEX ");

	if (p == NULL)
		return pstrdup(indexdef);
	return psprintf("%.*sINDEX CONCURRENTLY IF NOT EXISTS %s",
					(int) (p - indexdef), indexdef, p + strlen("INDEX "));
}

static void
create_constraint(DiffCx *cx, SnapObject *t, bool kept)
{
	char	   *q = qrel(t);
	char	   *obj = psprintf("%s.%s", q, quote_identifier(t->name));
	char		type = t->attr[0][0];

	if (!kept)
	{
		add(cx, DIFF_PHASE_MAIN, STEP_CONSTRAINT, t->ord, "constraint", obj,
			add_constraint_sql(t, false), drop_constraint_sql(t));
		return;
	}
	if (type == 'f' || type == 'c')
	{
		add(cx, DIFF_PHASE_MAIN, STEP_CONSTRAINT, t->ord, "constraint", obj,
			add_constraint_sql(t, true), drop_constraint_sql(t));
		if (is_true(t->attr[1]))
			add(cx, DIFF_PHASE_ONLINE, STEP_VALIDATE, t->ord, "constraint", obj,
				psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", q, quote_identifier(t->name)),
				NULL);
	}
	else if ((type == 'p' || type == 'u') && t->attr[2] && t->attr[3])
	{
		/* the index built concurrently, then attached (each on its own) */
		add(cx, DIFF_PHASE_ONLINE, STEP_CONCURRENT_KEY, t->ord, "index",
			qname(t->schema, t->attr[3]), concurrent_index_sql(t->attr[2]),
			psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", qname(t->schema, t->attr[3])));
		add(cx, DIFF_PHASE_ONLINE, STEP_CONCURRENT_KEY, t->ord, "constraint", obj,
			psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s",
					 q, quote_identifier(t->name),
					 type == 'p' ? "PRIMARY KEY" : "UNIQUE", quote_identifier(t->attr[3])),
			drop_constraint_sql(t));
	}
	else
		add(cx, DIFF_PHASE_MAIN, STEP_CONSTRAINT, t->ord, "constraint", obj,
			add_constraint_sql(t, false), drop_constraint_sql(t));
}

static void
diff_constraint(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	bool		from_kept = f && rel_kept(cx, o->schema, o->tbl);
	bool		to_kept = t && rel_kept(cx, o->schema, o->tbl);

	/* the foreign keys of a dropped table go first, and come back last */
	if (f && !from_kept && (t == NULL || !find_rel(cx->to, o->schema, o->tbl)) &&
		streq(f->attr[0], "f"))
	{
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_FK, -f->ord, "constraint",
			psprintf("%s.%s", qrel(f), quote_identifier(f->name)),
			drop_constraint_sql(f), add_constraint_sql(f, false));
		f = NULL;
	}
	if (f && t && from_kept && strcmp(f->def, t->def) != 0 &&
		strcmp(strip_suffix(f->def, " NOT VALID"), t->def) == 0)
	{
		/* only validated now */
		add(cx, DIFF_PHASE_ONLINE, STEP_VALIDATE, t->ord, "constraint",
			psprintf("%s.%s", qrel(t), quote_identifier(t->name)),
			psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", qrel(t), quote_identifier(t->name)),
			psprintf("%s;\n%s", drop_constraint_sql(f), add_constraint_sql(f, false)));
		return;
	}
	if (f && from_kept && (t == NULL || strcmp(f->def, t->def) != 0))
		add(cx, DIFF_PHASE_MAIN, streq(f->attr[0], "f") ? STEP_DROP_FK : STEP_DROP_CONSTRAINT,
			-f->ord, "constraint", psprintf("%s.%s", qrel(f), quote_identifier(f->name)),
			drop_constraint_sql(f), add_constraint_sql(f, false));
	if (t && (!to_kept || f == NULL || strcmp(f->def, t->def) != 0))
	{
		if (!find_rel(cx->to, t->schema, t->tbl))
			return;
		create_constraint(cx, t, to_kept);
	}
}

static void
diff_index(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	bool		kept = rel_kept(cx, o->schema, o->tbl);
	char	   *qi = qname(o->schema, o->name);
	SnapObject *rel = find_rel(cx->to, o->schema, o->tbl);
	SnapObject *from_rel = find_rel(cx->from, o->schema, o->tbl);

	/* (no CONCURRENTLY on a partitioned table's index) */
	bool		main_drop = !kept || columns_change(cx, o->schema, o->tbl) ||
		(from_rel && streq(from_rel->attr[0], "p"));

	/*
	 * A partition's index attached to its parent's comes and goes with it
	 * (and with ATTACH PARTITION); one that DETACH leaves behind is dropped.
	 */
	if ((f && is_true(f->attr[1])) || (t && is_true(t->attr[1])))
	{
		if (f && t == NULL && kept && rel && rel->attr[5] == NULL &&
			SnapshotFind(cx->from, "table", o->schema, NULL, o->tbl)->attr[5])
			add(cx, DIFF_PHASE_MAIN, STEP_DROP_INDEX, -f->ord, "index", qi,
				psprintf("DROP INDEX %s", qi), NULL);
		return;
	}
	if (f && kept)
	{
		if (main_drop)
			add(cx, DIFF_PHASE_MAIN, STEP_DROP_INDEX, -f->ord, "index", qi,
				psprintf("DROP INDEX %s", qi), pstrdup(f->def));
		else
			add(cx, DIFF_PHASE_ONLINE, STEP_CONCURRENT_DROP, -f->ord, "index", qi,
				psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", qi),
				concurrent_index_sql(f->def));
	}
	if (t && find_rel(cx->to, t->schema, t->tbl))
	{
		if (kept && streq(rel->attr[0], "p"))
		{
			/* no CONCURRENTLY on a partitioned table */
			DiffChange *c = add(cx, DIFF_PHASE_MAIN, STEP_INDEX, t->ord, "index", qi,
								pstrdup(t->def), psprintf("DROP INDEX %s", qi));

			add_finding(c, "an index on a partitioned table cannot be built concurrently: it is built in the main revision", NULL);
		}
		else if (kept)
			add(cx, DIFF_PHASE_ONLINE, STEP_CONCURRENT_INDEX, t->ord, "index", qi,
				concurrent_index_sql(t->def),
				psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", qi));
		else
			add(cx, DIFF_PHASE_MAIN,
				SnapshotFind(cx->to, "matview", t->schema, NULL, t->tbl) ? STEP_VIEW_INDEX : STEP_INDEX,
				t->ord, "index", qi, pstrdup(t->def), psprintf("DROP INDEX %s", qi));
	}
}

static void
diff_trigger_or_policy(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	bool		trigger = strcmp(o->kind, "trigger") == 0;
	char	   *drop = psprintf("DROP %s %s ON %s", trigger ? "TRIGGER" : "POLICY",
								quote_identifier(o->name), qrel(o));
	char	   *obj = psprintf("%s ON %s", quote_identifier(o->name), qrel(o));
	bool		on_view = SnapshotFind(f ? cx->from : cx->to, "view", o->schema, NULL, o->tbl) != NULL;
	bool		kept = on_view ? (f && t) : rel_kept(cx, o->schema, o->tbl);

	if (f && kept)
		add(cx, DIFF_PHASE_MAIN, trigger ? STEP_DROP_TRIGGER : STEP_DROP_POLICY, -f->ord,
			o->kind, obj, drop, pstrdup(f->def));
	if (t && (find_rel(cx->to, t->schema, t->tbl) || on_view))
		add(cx, DIFF_PHASE_MAIN, trigger ? STEP_TRIGGER : STEP_POLICY, t->ord, o->kind, obj,
			pstrdup(t->def), drop);
}

/* ---- views, sequences, functions, comments ---- */

static void
diff_view(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	if (f)
	{
		StringInfoData b;

		initStringInfo(&b);
		appendStringInfoString(&b, create_view_sql(f));
		if (strcmp(f->kind, "matview") == 0)
			append_carried(cx, &b, f);
		else
		{
			ListCell   *lc;

			foreach(lc, children(cx->from, "trigger", f->schema, f->name))
				appendStringInfo(&b, ";\n%s", ((SnapObject *) lfirst(lc))->def);
		}
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_VIEW, -f->ord, f->kind,
			qname(f->schema, f->name), drop_view_sql(f), b.data);
	}
	if (t)
		add(cx, DIFF_PHASE_MAIN, STEP_VIEW, t->ord, t->kind, qname(t->schema, t->name),
			create_view_sql(t), drop_view_sql(t));
}

static void
diff_sequence(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *q = qname(o->schema, o->name);

	if (f && t)
		add(cx, DIFF_PHASE_MAIN, STEP_SEQUENCE, t->ord, "sequence", q,
			psprintf("ALTER SEQUENCE %s %s", q, t->def),
			psprintf("ALTER SEQUENCE %s %s", q, f->def));
	else if (t)
		add(cx, DIFF_PHASE_MAIN, STEP_SEQUENCE, t->ord, "sequence", q,
			psprintf("CREATE SEQUENCE %s %s", q, t->def), psprintf("DROP SEQUENCE %s", q));
	else
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_SEQUENCE, -f->ord, "sequence", q,
			psprintf("DROP SEQUENCE %s", q), psprintf("CREATE SEQUENCE %s %s", q, f->def));
}

static void
diff_seqowner(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *q = qname(o->schema, o->name);
	char	   *owned_f = f ? psprintf("ALTER SEQUENCE %s OWNED BY %s", q, f->def) :
		psprintf("ALTER SEQUENCE %s OWNED BY NONE", q);
	char	   *owned_t = t ? psprintf("ALTER SEQUENCE %s OWNED BY %s", q, t->def) :
		psprintf("ALTER SEQUENCE %s OWNED BY NONE", q);

	if (t)
		add(cx, DIFF_PHASE_MAIN, STEP_SEQOWNER, t->ord, "sequence", q, owned_t, owned_f);
	else
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_SEQOWNER, -f->ord, "sequence", q, owned_t, owned_f);
}

static char *
drop_function_sql(SnapObject *p)
{
	return psprintf("DROP %s %s", streq(p->attr[1], "p") ? "PROCEDURE" : "FUNCTION", p->attr[2]);
}

/*
 * Does the function's signature name the row type of a relation of the
 * snapshot (it must then come after the relation, and go before it)?
 */
static bool
uses_rowtype(SchemaSnapshot *snap, SnapObject *fn)
{
	char	   *sig = psprintf("%s %s", fn->attr[2], fn->attr[0] ? fn->attr[0] : "");

	for (int i = 0; i < snap->count; i++)
	{
		SnapObject *r = snap->objects[i];
		char	   *q;
		char	   *p;

		if (strcmp(r->kind, "table") != 0 && strcmp(r->kind, "view") != 0 &&
			strcmp(r->kind, "matview") != 0)
			continue;
		q = qname(r->schema, r->name);
		for (p = strstr(sig, q); p; p = strstr(p + 1, q))
		{
			char		next = p[strlen(q)];

			if (!isalnum((unsigned char) next) && next != '_' && next != '"' && next != '$' &&
				(p == sig || (p[-1] != '.' && p[-1] != '_' && !isalnum((unsigned char) p[-1]))))
				return true;
		}
	}
	return false;
}

static void
diff_function(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = t ? t : f;
	int			step = streq(o->attr[3], "sql") || (t && uses_rowtype(cx->to, t)) ?
		STEP_SQL_FUNCTION : STEP_FUNCTION;
	int			drop_step = f && uses_rowtype(cx->from, f) ? STEP_DROP_VIEW : STEP_DROP_FUNCTION;

	if (f && t && streq(f->attr[0], t->attr[0]) && streq(f->attr[1], t->attr[1]))
	{
		add(cx, DIFF_PHASE_MAIN, step, t->ord, "function", t->attr[2],
			strip_suffix(t->def, "\n"), strip_suffix(f->def, "\n"));
		return;
	}
	if (f)
		add(cx, DIFF_PHASE_MAIN, drop_step, -f->ord, "function", f->attr[2],
			drop_function_sql(f), strip_suffix(f->def, "\n"));
	if (t)
		add(cx, DIFF_PHASE_MAIN, step, t->ord, "function", t->attr[2],
			strip_suffix(t->def, "\n"), drop_function_sql(t));
}

static void
diff_comment(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *target = psprintf("COMMENT ON %s %s IS ", o->attr[0], o->attr[1]);
	char	   *set_f = f ? psprintf("%s%s", target, quote_literal_cstr(f->def)) :
		psprintf("%sNULL", target);
	char	   *set_t = t ? psprintf("%s%s", target, quote_literal_cstr(t->def)) :
		psprintf("%sNULL", target);

	if (t)
		add(cx, DIFF_PHASE_ONLINE, STEP_COMMENT, t->ord, "comment", o->name, set_t, set_f);
	else
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_COMMENT, -f->ord, "comment", o->name, set_t, set_f);
}

/* ---- composite and range types, statistics, extensions ---- */

/*
 * Composite types: created and dropped whole; attributes added, dropped
 * or retyped by ALTER TYPE (the def lists them in order, "name\x02type",
 * \x01 between).
 */
static char *
attribute_type(List *attrs, const char *name)
{
	ListCell   *lc;
	size_t		len = strlen(name);

	foreach(lc, attrs)
	{
		char	   *a = lfirst(lc);

		if (strncmp(a, name, len) == 0 && a[len] == '\x02')
			return a + len + 1;
	}
	return NULL;
}

static char *
composite_sql(SnapObject *o)
{
	StringInfoData b;
	ListCell   *lc;

	initStringInfo(&b);
	appendStringInfo(&b, "CREATE TYPE %s AS (", qname(o->schema, o->name));
	foreach(lc, enum_labels(o->def))
	{
		char	   *a = pstrdup(lfirst(lc));
		char	   *sep = strchr(a, '\x02');

		*sep = '\0';
		appendStringInfo(&b, "%s%s %s", foreach_current_index(lc) ? ", " : "", a, sep + 1);
	}
	appendStringInfoChar(&b, ')');
	return b.data;
}

static void
diff_composite(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *q = qname(o->schema, o->name);
	List	   *fa,
			   *ta;
	ListCell   *lc;

	if (f == NULL)
	{
		add(cx, DIFF_PHASE_MAIN, STEP_TYPE, t->ord, "composite", q,
			composite_sql(t), psprintf("DROP TYPE %s", q));
		return;
	}
	if (t == NULL)
	{
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_TYPE, -f->ord, "composite", q,
			psprintf("DROP TYPE %s", q), composite_sql(f));
		return;
	}
	fa = enum_labels(f->def);
	ta = enum_labels(t->def);
	foreach(lc, fa)
	{
		char	   *a = pstrdup(lfirst(lc));
		char	   *sep = strchr(a, '\x02');
		char	   *to;

		*sep = '\0';
		to = attribute_type(ta, a);
		if (to == NULL)
			add(cx, DIFF_PHASE_MAIN, STEP_DROP_COLUMN, -f->ord, "composite", psprintf("%s.%s", q, a),
				psprintf("ALTER TYPE %s DROP ATTRIBUTE %s", q, a),
				psprintf("ALTER TYPE %s ADD ATTRIBUTE %s %s", q, a, sep + 1));
		else if (strcmp(to, sep + 1) != 0)
			add(cx, DIFF_PHASE_MAIN, STEP_TYPE, t->ord, "composite", psprintf("%s.%s", q, a),
				psprintf("ALTER TYPE %s ALTER ATTRIBUTE %s SET DATA TYPE %s", q, a, to),
				psprintf("ALTER TYPE %s ALTER ATTRIBUTE %s SET DATA TYPE %s", q, a, sep + 1));
	}
	foreach(lc, ta)
	{
		char	   *a = pstrdup(lfirst(lc));
		char	   *sep = strchr(a, '\x02');

		*sep = '\0';
		if (attribute_type(fa, a) == NULL)
			add(cx, DIFF_PHASE_MAIN, STEP_TYPE, t->ord, "composite", psprintf("%s.%s", q, a),
				psprintf("ALTER TYPE %s ADD ATTRIBUTE %s %s", q, a, sep + 1),
				psprintf("ALTER TYPE %s DROP ATTRIBUTE %s", q, a));
	}
}

/* Range types: a changed one is dropped and created again. */
static void
diff_range(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *q = qname(o->schema, o->name);
	DiffChange *c;

	if (f)
	{
		c = add(cx, DIFF_PHASE_MAIN, STEP_DROP_TYPE, -f->ord, "range", q,
				psprintf("DROP TYPE %s", q),
				psprintf("CREATE TYPE %s AS RANGE (%s)", q, f->def));
		if (t)
			add_finding(c, "the range type changes: it is dropped and created again, which fails while columns use it", NULL);
	}
	if (t)
		add(cx, DIFF_PHASE_MAIN, STEP_TYPE, t->ord, "range", q,
			psprintf("CREATE TYPE %s AS RANGE (%s)", q, t->def),
			psprintf("DROP TYPE %s", q));
}

/* Extended statistics: dropped and created again when they change. */
static void
diff_statistics(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;

	if (f && rel_kept(cx, o->schema, o->tbl))
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_INDEX, -f->ord, "statistics", f->attr[0],
			psprintf("DROP STATISTICS %s", f->attr[0]), pstrdup(f->def));
	if (t && find_rel(cx->to, t->schema, t->tbl))
		add(cx, DIFF_PHASE_MAIN, STEP_STATISTICS, t->ord, "statistics", t->attr[0],
			pstrdup(t->def), psprintf("DROP STATISTICS %s", t->attr[0]));
}

/*
 * Extensions the desired script creates in a compared schema (their
 * members are theirs: never compared).
 */
static void
diff_extension(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *create = psprintf("CREATE EXTENSION IF NOT EXISTS %s SCHEMA %s",
								  quote_identifier(o->name), quote_identifier(o->schema));
	char	   *recreate = psprintf("%s VERSION %s", create, quote_literal_cstr(o->attr[0]));
	char	   *drop = psprintf("DROP EXTENSION %s", quote_identifier(o->name));
	char	   *qx = (char *) quote_identifier(o->name);

	if (f && t)
		add(cx, DIFF_PHASE_MAIN, STEP_EXTENSION, t->ord, "extension", qx,
			psprintf("ALTER EXTENSION %s UPDATE TO %s", quote_identifier(o->name),
					 quote_literal_cstr(t->attr[0])),
			psprintf("ALTER EXTENSION %s UPDATE TO %s", quote_identifier(o->name),
					 quote_literal_cstr(f->attr[0])));
	else if (t)
		add(cx, DIFF_PHASE_MAIN, STEP_EXTENSION, t->ord, "extension", qx,
			create, drop);
	else
		add(cx, DIFF_PHASE_MAIN, STEP_DROP_EXTENSION, -f->ord, "extension",
			qx, drop, recreate);
}

/* ---- owners and privileges ---- */

/*
 * Is the object an owner or privileges row is about ("kind\x02name", the
 * snapshot's) dropped and created again by the diff, so that it comes
 * back with the runner as owner and default privileges?
 */
static bool
target_recreated(DiffCx *cx, const char *schema, const char *target)
{
	char	   *kind = pstrdup(target ? target : "");
	char	   *name = strchr(kind, '\x02');
	SnapObject *f;
	SnapObject *t;

	if (name == NULL)
		return false;
	*name++ = '\0';
	if (strcmp(kind, "table") == 0 || strcmp(kind, "matview") == 0)
		return rel_recreated(cx, schema, name);
	f = SnapshotFind(cx->from, kind, schema, NULL, name);
	t = SnapshotFind(cx->to, kind, schema, NULL, name);
	if (f == NULL || t == NULL)
		return false;
	if (strcmp(kind, "view") == 0)
		return strcmp(f->def, t->def) != 0 ||
			list_has_str(cx->forced, psprintf("%s.%s", schema, name));
	if (strcmp(kind, "function") == 0)
		return !streq(f->attr[0], t->attr[0]) || !streq(f->attr[1], t->attr[1]);
	if (strcmp(kind, "domain") == 0)
		return !streq(f->attr[0], t->attr[0]);
	if (strcmp(kind, "range") == 0)
		return strcmp(f->def, t->def) != 0;
	if (strcmp(kind, "enum") == 0)
		return !enum_kept(enum_labels(f->def), enum_labels(t->def));
	return false;
}

/* The kind of the object an owner or privileges row is about. */
static const char *
target_kind(const char *target)
{
	const char *sep = target ? strchr(target, '\x02') : NULL;

	return sep ? pnstrdup(target, sep - target) : "";
}

static char *
current_user_ident(void)
{
	return (char *) quote_identifier(GetUserNameFromId(GetUserId(), false));
}

/*
 * Owners: changed by ALTER ... OWNER TO.  A new object owned by another
 * role than the caller is given to it after it is created; a dropped one
 * owned by another role is taken over (OWNER TO CURRENT_USER) just before
 * it is dropped, so that the downgrade gives it back.
 */
static void
diff_owner(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *alter = psprintf("ALTER %s %s OWNER TO ", o->attr[0], o->attr[1]);

	if (f && t && target_recreated(cx, o->schema, o->attr[2]))
	{
		diff_owner(cx, f, NULL);
		diff_owner(cx, NULL, t);
		return;
	}
	if (f && t)
		add(cx, DIFF_PHASE_MAIN, STEP_OWNER, t->ord, "owner", o->attr[1],
			psprintf("%s%s", alter, t->def), psprintf("%s%s", alter, f->def));
	else if (t && strcmp(t->def, current_user_ident()) != 0)
		add(cx, DIFF_PHASE_MAIN, STEP_OWNER, t->ord, "owner", o->attr[1],
			psprintf("%s%s", alter, t->def), psprintf("%sCURRENT_USER", alter));
	else if (f && strcmp(f->def, current_user_ident()) != 0)
	{
		DiffRestore *r = palloc0(sizeof(DiffRestore));

		r->owner = true;
		r->kind = target_kind(o->attr[2]);
		r->object = o->attr[1];
		r->sql = psprintf("%s%s", alter, f->def);
		cx->restores = lappend(cx->restores, r);
	}
}

/* The privileges of a grant row: "grantee\x02privilege\x02grantable" each. */
static char *
privilege_grantable(List *privs, const char *grantee, const char *priv)
{
	ListCell   *lc;

	foreach(lc, privs)
	{
		char	   *p = pstrdup(lfirst(lc));
		char	   *pr = strchr(p, '\x02');
		char	   *g;

		if (pr == NULL)
			continue;
		*pr++ = '\0';
		g = strchr(pr, '\x02');
		*g++ = '\0';
		if (strcmp(p, grantee) == 0 && strcmp(pr, priv) == 0)
			return g;
	}
	return NULL;
}

/*
 * The GRANT and REVOKE statements that take the privileges "from" to "to"
 * on the object of row o; the owner ('' grantee) is "owner".
 */
static char *
privileges_sql(SnapObject *o, const char *owner, const char *from, const char *to)
{
	List	   *fp = enum_labels(from);
	List	   *tp = enum_labels(to);
	StringInfoData b;
	ListCell   *lc;
	char	   *on = o->attr[2] ? psprintf(" (%s) ON %s %s", o->attr[2], o->attr[0], o->attr[1]) :
		psprintf(" ON %s %s", o->attr[0], o->attr[1]);

	initStringInfo(&b);
	foreach(lc, fp)
	{
		char	   *p = pstrdup(lfirst(lc));
		char	   *pr = strchr(p, '\x02');
		char	   *g;
		char	   *to_g;

		*pr++ = '\0';
		g = strchr(pr, '\x02');
		*g++ = '\0';
		to_g = privilege_grantable(tp, p, pr);
		if (to_g == NULL)
			appendStringInfo(&b, "%sREVOKE %s%s FROM %s", b.len ? ";\n" : "", pr, on,
							 p[0] ? p : owner);
		else if (is_true(g) && !is_true(to_g))
			appendStringInfo(&b, "%sREVOKE GRANT OPTION FOR %s%s FROM %s", b.len ? ";\n" : "",
							 pr, on, p[0] ? p : owner);
	}
	foreach(lc, tp)
	{
		char	   *p = pstrdup(lfirst(lc));
		char	   *pr = strchr(p, '\x02');
		char	   *g;
		char	   *from_g;

		*pr++ = '\0';
		g = strchr(pr, '\x02');
		*g++ = '\0';
		from_g = privilege_grantable(fp, p, pr);
		if (from_g == NULL || (is_true(g) && !is_true(from_g)))
			appendStringInfo(&b, "%sGRANT %s%s TO %s%s", b.len ? ";\n" : "", pr, on,
							 p[0] ? p : owner, is_true(g) ? " WITH GRANT OPTION" : "");
	}
	return b.len ? b.data : NULL;
}

/*
 * Privileges: GRANT and REVOKE where they differ.  A new object's start
 * from its default privileges (a5), a dropped one's are taken back to
 * them just before it is dropped, so that the downgrade grants them again.
 */
static void
diff_grant(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	SnapObject *o = f ? f : t;
	char	   *up;
	char	   *down;
	char	   *obj = o->attr[2] ? psprintf("%s.%s", o->attr[1], o->attr[2]) : o->attr[1];

	if (f && t && target_recreated(cx, o->schema, o->attr[5]))
	{
		diff_grant(cx, f, NULL);
		diff_grant(cx, NULL, t);
		return;
	}
	if (t)
	{
		const char *from = f ? f->def : t->attr[4];

		up = privileges_sql(t, t->attr[3], from, t->def);
		down = privileges_sql(t, t->attr[3], t->def, from);
		if (up)
			add(cx, DIFF_PHASE_MAIN, STEP_GRANT, t->ord, "grant", obj, up, down);
		return;
	}
	down = privileges_sql(f, f->attr[3], f->attr[4], f->def);
	if (down)
	{
		DiffRestore *r = palloc0(sizeof(DiffRestore));

		r->kind = target_kind(o->attr[5]);
		r->object = obj;
		r->sql = down;
		r->revoke = privileges_sql(f, f->attr[3], f->def, f->attr[4]);
		r->table = o->attr[2] ? o->attr[1] : NULL;
		r->ord = -f->ord;
		cx->restores = lappend(cx->restores, r);
	}
}

/*
 * The owners and privileges of dropped objects go back after the
 * downgrade recreates them: at the end of the downgrade of the change that
 * drops them (owners first, so that the owner's grants name it).  A
 * privilege whose object no change drops (it goes with another one, as
 * the grants of a column with its table) is revoked just before the drops
 * instead, so that its downgrade grants it again.
 */
static DiffChange *
dropping_change(DiffCx *cx, const char *kind, const char *object)
{
	ListCell   *lc;

	foreach(lc, cx->changes)
	{
		DiffChange *c = lfirst(lc);

		if (c->phase == DIFF_PHASE_MAIN && c->downgrade &&
			strcmp(c->kind, kind) == 0 && strcmp(c->object, object) == 0 &&
			((c->step >= STEP_DROP_TRIGGER && c->step <= STEP_DROP_EXTENSION &&
			  (strncmp(c->upgrade, "DROP ", 5) == 0 || strstr(c->upgrade, " DROP COLUMN ") != NULL)) ||
			 (strcmp(kind, "enum") == 0 && strstr(c->upgrade, " RENAME TO ") != NULL)))
			return c;
	}
	return NULL;
}

static void
apply_restores(DiffCx *cx)
{
	for (int pass = 0; pass < 2; pass++)
	{
		ListCell   *lc;

		foreach(lc, cx->restores)
		{
			DiffRestore *r = lfirst(lc);
			DiffChange *drop;

			if (r->owner != (pass == 0))
				continue;
			drop = dropping_change(cx, r->kind, r->object);
			if (drop == NULL && r->table)
				drop = dropping_change(cx, "table", r->table);
			if (drop)
				drop->downgrade = psprintf("%s;\n%s", drop->downgrade, r->sql);
			else if (r->revoke)
				add(cx, DIFF_PHASE_MAIN, STEP_DROP_GRANT, r->ord, "grant", r->object,
					r->revoke, r->sql);
		}
	}
}

static void
diff_object(DiffCx *cx, SnapObject *f, SnapObject *t)
{
	const char *kind = f ? f->kind : t->kind;

	if (strcmp(kind, "table") == 0)
		diff_table(cx, f, t);
	else if (strcmp(kind, "column") == 0)
		diff_column(cx, f, t);
	else if (strcmp(kind, "constraint") == 0)
		diff_constraint(cx, f, t);
	else if (strcmp(kind, "index") == 0)
		diff_index(cx, f, t);
	else if (strcmp(kind, "trigger") == 0 || strcmp(kind, "policy") == 0)
		diff_trigger_or_policy(cx, f, t);
	else if (strcmp(kind, "view") == 0 || strcmp(kind, "matview") == 0)
		diff_view(cx, f, t);
	else if (strcmp(kind, "sequence") == 0)
		diff_sequence(cx, f, t);
	else if (strcmp(kind, "seqowner") == 0)
		diff_seqowner(cx, f, t);
	else if (strcmp(kind, "function") == 0)
		diff_function(cx, f, t);
	else if (strcmp(kind, "enum") == 0)
		diff_enum(cx, f, t);
	else if (strcmp(kind, "domain") == 0)
		diff_domain(cx, f, t);
	else if (strcmp(kind, "comment") == 0)
		diff_comment(cx, f, t);
	else if (strcmp(kind, "composite") == 0)
		diff_composite(cx, f, t);
	else if (strcmp(kind, "range") == 0)
		diff_range(cx, f, t);
	else if (strcmp(kind, "statistics") == 0)
		diff_statistics(cx, f, t);
	else if (strcmp(kind, "extension") == 0)
		diff_extension(cx, f, t);
	else if (strcmp(kind, "owner") == 0)
		diff_owner(cx, f, t);
	else if (strcmp(kind, "grant") == 0)
		diff_grant(cx, f, t);
}

static int
change_cmp(const void *a, const void *b)
{
	const DiffChange *x = *(DiffChange *const *) a;
	const DiffChange *y = *(DiffChange *const *) b;

	if (x->phase != y->phase)
		return x->phase - y->phase;
	if (x->step != y->step)
		return x->step - y->step;
	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	return x->seq - y->seq;
}

/* ---- renames ---- */

/*
 * The "-- migrate:renamed OLD NEW" lines of a desired script: OLD is
 * schema.table or schema.table.column, NEW the new name (its last part
 * counts).  Plain identifiers, as the catalog spells them.
 */
List *
DiffRenames(const char *desired)
{
	const char *marker = "-- migrate:renamed ";
	const char *p = desired;
	List	   *result = NIL;

	while ((p = strstr(p, marker)) != NULL)
	{
		const char *end = strchr(p, '\n');
		char	   *line;
		char	   *old,
				   *new,
				   *save = NULL;
		List	   *parts = NIL;
		DiffRename *r;
		char	   *dot;

		p += strlen(marker);
		line = end ? pnstrdup(p, end - p) : pstrdup(p);
		old = strtok_r(line, " \t\r", &save);
		new = strtok_r(NULL, " \t\r", &save);
		if (old == NULL || new == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("malformed rename hint \"%s%s\"", marker, p),
					 errhint("Write \"-- migrate:renamed schema.table new_table\" or \"-- migrate:renamed schema.table.column new_column\".")));
		while ((dot = strchr(old, '.')) != NULL)
		{
			*dot = '\0';
			parts = lappend(parts, old);
			old = dot + 1;
		}
		parts = lappend(parts, old);
		if ((dot = strrchr(new, '.')) != NULL)
			new = dot + 1;
		if (list_length(parts) < 2 || list_length(parts) > 3)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("rename hint names \"%s\": a schema-qualified table or column is needed", line)));
		r = palloc0(sizeof(DiffRename));
		r->schema = linitial(parts);
		r->table = lsecond(parts);
		r->column = list_length(parts) == 3 ? lthird(parts) : NULL;
		r->newname = new;
		result = lappend(result, r);
	}
	return result;
}

/* The statement that makes the rename (or undoes it). */
char *
DiffRenameSql(DiffRename *r, bool reverse)
{
	if (r->column)
		return psprintf("ALTER TABLE %s RENAME COLUMN %s TO %s",
						qname(r->schema, r->table),
						quote_identifier(reverse ? r->newname : r->column),
						quote_identifier(reverse ? r->column : r->newname));
	return psprintf("ALTER TABLE %s RENAME TO %s",
					qname(r->schema, reverse ? r->newname : r->table),
					quote_identifier(reverse ? r->table : r->newname));
}

/* Does the column change its type, or go? */
static bool
column_changes(DiffCx *cx, const char *schema, const char *tbl, const char *col)
{
	SnapObject *f = SnapshotFind(cx->from, "column", schema, tbl, col);
	SnapObject *t = SnapshotFind(cx->to, "column", schema, tbl, col);

	return f && (t == NULL || !streq(f->attr[0], t->attr[0]) ||
				 !streq(f->attr[1], t->attr[1]));
}

/* Does the view read a view, or a column, that changes under it? */
static bool
view_reads_changed(DiffCx *cx, SnapObject *v)
{
	ListCell   *lc;

	if (v->attr[0] == NULL)
		return false;
	foreach(lc, enum_labels(v->attr[0]))
	{
		char	   *schema = pstrdup(lfirst(lc));
		char	   *name = strchr(schema, '\x02');
		char	   *col;
		SnapObject *f;
		SnapObject *t;

		if (name == NULL)
			continue;
		*name++ = '\0';
		if ((col = strchr(name, '\x02')) != NULL)
			*col++ = '\0';
		if (list_has_str(cx->forced, psprintf("%s.%s", schema, name)))
			return true;
		if ((f = SnapshotFind(cx->from, "view", schema, NULL, name)) != NULL ||
			(f = SnapshotFind(cx->from, "matview", schema, NULL, name)) != NULL)
		{
			t = SnapshotFind(cx->to, f->kind, schema, NULL, name);
			if (t == NULL || strcmp(f->def, t->def) != 0)
				return true;
		}
		else if (col && column_changes(cx, schema, name, col))
			return true;
	}
	return false;
}

/*
 * The unchanged views that read a view that changes (or a column that is
 * dropped or retyped), directly or through others: the server
 * refuses to change what a view depends on, so they are dropped first and
 * created again after.
 */
static void
find_forced_views(DiffCx *cx)
{
	bool		more = true;

	while (more)
	{
		more = false;
		for (int i = 0; i < cx->from->count; i++)
		{
			SnapObject *f = cx->from->objects[i];
			SnapObject *t;
			char	   *key;

			if (strcmp(f->kind, "view") != 0)
				continue;
			key = psprintf("%s.%s", f->schema, f->name);
			t = SnapshotFind(cx->to, "view", f->schema, NULL, f->name);
			if (t == NULL || strcmp(f->def, t->def) != 0 ||
				list_has_str(cx->forced, key))
				continue;
			if (view_reads_changed(cx, f))
			{
				cx->forced = lappend(cx->forced, key);
				more = true;
			}
		}
	}
}

/*
 * The changes from "from" to "to", in the order they run: by phase, then
 * step, then creation order.  The renames are applied to "from" already
 * (the live snapshot was taken after them); they come first.
 */
List *
DiffCompare(SchemaSnapshot *from, SchemaSnapshot *to, List *renames)
{
	DiffCx		cx;
	int			i = 0,
				j = 0;
	int			n;
	DiffChange **arr;
	List	   *result = NIL;
	ListCell   *lc;

	memset(&cx, 0, sizeof(cx));
	cx.from = from;
	cx.to = to;
	find_forced_views(&cx);
	foreach(lc, renames)
	{
		DiffRename *r = lfirst(lc);
		DiffChange *c;

		c = add(&cx, DIFF_PHASE_MAIN, STEP_RENAME, 0, r->column ? "column" : "table",
				r->column ? psprintf("%s.%s", qname(r->schema, r->table), quote_identifier(r->column)) :
				qname(r->schema, r->table),
				DiffRenameSql(r, false), DiffRenameSql(r, true));
		add_finding(c, "renamed as the desired script's \"-- migrate:renamed\" line says", NULL);
	}
	while (i < from->count || j < to->count)
	{
		SnapObject *f = i < from->count ? from->objects[i] : NULL;
		SnapObject *t = j < to->count ? to->objects[j] : NULL;
		int			cmp = f == NULL ? 1 : t == NULL ? -1 : SnapObjectCompare(f, t);

		if (cmp < 0)
		{
			diff_object(&cx, f, NULL);
			i++;
		}
		else if (cmp > 0)
		{
			diff_object(&cx, NULL, t);
			j++;
		}
		else
		{
			bool		same = strcmp(f->def, t->def) == 0;

			/* what a recreated relation carries is created again */
			if (same && f->tbl && rel_recreated(&cx, f->schema, f->tbl))
				same = false;
			if (same && f->tbl &&
				list_has_str(cx.forced, psprintf("%s.%s", f->schema, f->tbl)))
				same = false;
			/* and the owner and privileges of what is dropped and created again */
			if (same && (strcmp(f->kind, "owner") == 0 || strcmp(f->kind, "grant") == 0) &&
				target_recreated(&cx, f->schema, f->attr[strcmp(f->kind, "owner") == 0 ? 2 : 5]))
				same = false;
			/* so is a view that reads what changes */
			if (same && strcmp(f->kind, "view") == 0 &&
				list_has_str(cx.forced, psprintf("%s.%s", f->schema, f->name)))
				same = false;
			if (!same)
				diff_object(&cx, f, t);
			i++;
			j++;
		}
	}
	apply_restores(&cx);
	n = list_length(cx.changes);
	if (n == 0)
		return NIL;

	/*
	 * Comments come last, in the online revision (one may name an index it
	 * builds); when that has nothing else, at the end of the main one.
	 */
	foreach(lc, cx.changes)
	{
		DiffChange *c = lfirst(lc);

		if (c->phase == DIFF_PHASE_ONLINE && c->step != STEP_COMMENT)
			break;
	}
	if (lc == NULL)
		foreach(lc, cx.changes)
		{
			DiffChange *c = lfirst(lc);

			if (c->step == STEP_COMMENT)
				c->phase = DIFF_PHASE_MAIN;
		}
	arr = palloc(sizeof(DiffChange *) * n);
	i = 0;
	foreach(lc, cx.changes)
		arr[i++] = lfirst(lc);
	qsort(arr, n, sizeof(DiffChange *), change_cmp);
	for (i = 0; i < n; i++)
		result = lappend(result, arr[i]);
	return result;
}

/* ---- the linter's findings ---- */

typedef struct DiffLintArg
{
	List	   *changes;
	List	   *findings[DIFF_PHASES + 1];	/* of LintFinding, per phase */
	List	   *counts[DIFF_PHASES + 1];	/* statements per change */
} DiffLintArg;

static void
diff_lint_phases(void *arg)
{
	DiffLintArg *a = arg;
	List	   *earlier = NIL;

	for (int p = DIFF_PHASE_ENUM; p <= DIFF_PHASES; p++)
	{
		StringInfoData b;
		ListCell   *lc;
		LintOptions opts;

		initStringInfo(&b);
		foreach(lc, a->changes)
		{
			DiffChange *c = lfirst(lc);

			if ((int) c->phase != p)
				continue;
			appendStringInfo(&b, "%s;\n", c->upgrade);
			a->counts[p] = lappend_int(a->counts[p],
									   list_length(SqlSplit(c->upgrade, "generated upgrade")));
		}
		if (b.len == 0)
			continue;
		memset(&opts, 0, sizeof(opts));
		opts.mode = LINT_MODE_LIVE;
		opts.transactional = p != DIFF_PHASE_ONLINE;
		opts.in_runner = true;
		opts.earlier = earlier;
		a->findings[p] = LintScript(b.data, "generated upgrade", &opts);
		earlier = lappend(earlier, b.data);
	}
}

static char *
one_line(const char *s)
{
	char	   *r = pstrdup(s);

	for (char *p = r; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return r;
}

/* The reason of a "-- migrate:approve protected-object-change" line, or NULL. */
static char *
protected_approval(const char *desired)
{
	const char *marker = "-- migrate:approve protected-object-change";
	const char *p = strstr(desired, marker);
	const char *end;

	if (p == NULL)
		return NULL;
	p += strlen(marker);
	end = strchr(p, '\n');
	return end ? pnstrdup(p, end - p) : pstrdup(p);
}

/*
 * Lint each phase of the changes as the revision it becomes (against the
 * live catalogs as they are now, knowing what the earlier phases create, in a subtransaction that is rolled back, so that no lock
 * a rule takes outlives the call) and write the findings of warning
 * severity and above as comments above the statements that break them.
 * A change to a protected object is refused unless the desired script
 * approves it (-- migrate:approve protected-object-change <reason>); then
 * the approval is written above the statement.
 */
void
DiffLint(List *changes, const char *desired)
{
	DiffLintArg a;
	ErrorData  *edata;
	char	   *approval = protected_approval(desired);
	StringInfoData refused;

	memset(&a, 0, sizeof(a));
	a.changes = changes;
	edata = SubxactRun(diff_lint_phases, &a, false);
	if (edata)
		ReThrowError(edata);
	initStringInfo(&refused);
	for (int p = DIFF_PHASE_ENUM; p <= DIFF_PHASES; p++)
	{
		ListCell   *lc;
		int			first = 1;
		int			k = 0;

		foreach(lc, changes)
		{
			DiffChange *c = lfirst(lc);
			int			count;
			int			last;
			ListCell   *lf;
			StringInfoData comments;
			bool		approve = false;

			if ((int) c->phase != p)
				continue;
			count = list_nth_int(a.counts[p], k++);
			last = first + count - 1;
			initStringInfo(&comments);
			foreach(lf, a.findings[p])
			{
				LintFinding *fd = lfirst(lf);

				if (fd->statement < first || fd->statement > last ||
					fd->severity < LINT_WARNING || fd->style)
					continue;
				if (strcmp(fd->rule, "protected-object-change") == 0)
				{
					if (approval == NULL)
					{
						appendStringInfo(&refused, "%s%s: %s", refused.len ? "\n" : "",
										 c->object, one_line(fd->message));
						continue;
					}
					approve = true;
				}
				appendStringInfo(&comments, "-- %s (%s): %s\n", fd->rule,
								 LintSeverityName(fd->severity), one_line(fd->message));
				if (fd->hint)
					appendStringInfo(&comments, "--   hint: %s\n", one_line(fd->hint));
				add_finding(c, psprintf("%s (%s): %s", fd->rule,
										LintSeverityName(fd->severity), one_line(fd->message)),
							fd->hint ? one_line(fd->hint) : NULL);
			}
			if (c->finding && comments.len == 0)
				appendStringInfo(&comments, "-- %s\n", one_line(c->finding));
			if (approve)
				appendStringInfo(&comments, "-- migrate:approve protected-object-change%s\n",
								 approval);
			if (comments.len)
				c->upgrade = psprintf("%s%s", comments.data, c->upgrade);
			first = last + 1;
		}
	}
	if (refused.len)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_PROTECTED_OBJECT),
				 errmsg("the difference changes protected objects"),
				 errdetail("%s", refused.data),
				 errhint("Coordinate the change with the objects' owners, then add \"-- migrate:approve protected-object-change <reason>\" to the desired script.")));
}
