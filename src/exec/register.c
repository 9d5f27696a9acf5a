/*-------------------------------------------------------------------------
 *
 * register.c
 *	  Adding and updating revisions: validation of ids, parents,
 *	  dependencies, labels and SQL, then storage through catalog.c.
 *
 * Registration costs O(1) catalog lookups per revision (the whole graph is
 * loaded only when an existing revision's edges change, to refuse cycles),
 * so registering thousands of revisions takes seconds.
 *
 * An applied revision may change only its message and branch labels:
 * changing its SQL (by checksum over tokens), parents, dependencies or
 * transactional flag is refused.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/pg_prng.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "migrate/analysis/lint.h"
#include "migrate/catalog/catalog.h"
#include "migrate/exec/register.h"
#include "migrate/model/graph.h"
#include "migrate/model/sqltext.h"
#include "migrate/model/target.h"
#include "migrate/util/errcodes.h"

static char *resolve_reference(const char *ref, const char *role);
static char *generate_id(void);
static bool is_keyword(const char *word);
static bool lists_equal(List *a, List *b);
static List *resolve_edges(List *refs, const char *role, const char *self);
static void check_no_duplicates(List *items, const char *what);
static bool string_member(List *strings, const char *s);
static bool check_squash(RevisionSpec *spec);

/* Words of the target syntax, which no id or label may take. */
static bool
is_keyword(const char *word)
{
	return strcmp(word, "head") == 0 || strcmp(word, "heads") == 0 ||
		strcmp(word, "base") == 0 || strcmp(word, "current") == 0;
}

/* A 12-digit lowercase hex id that no revision has. */
static char *
generate_id(void)
{
	for (;;)
	{
		char	   *id = psprintf("%012llx", (unsigned long long)
								  (pg_prng_uint64(&pg_global_prng_state) &
								   UINT64CONST(0xffffffffffff)));

		if (CatalogLabelOwner(id) == NULL)
			return id;
	}
}

/*
 * A parent or dependency as written: an exact id, a unique prefix of at
 * least four characters, or (for dependencies) a branch label.
 */
static char *
resolve_reference(const char *ref, const char *role)
{
	CatalogRevision *rev;
	char	   *owner_of_replaced;
	List	   *matches;

	if (!GraphValidId(ref))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_ID),
				 errmsg("invalid %s \"%s\"", role, ref),
				 errdetail("A revision id is 1 to 64 letters, digits, underscores or dots.")));
	if ((rev = CatalogGetRevision(ref)) != NULL)
		return rev->id;
	if ((owner_of_replaced = CatalogReplacedBy(ref)) != NULL)
		return owner_of_replaced;	/* squashed: its squash stands for it */
	if (strcmp(role, "dependency") == 0)
	{
		char	   *owner = CatalogLabelOwner(ref);

		if (owner)
			return owner;
	}
	matches = strlen(ref) >= 4 ? CatalogMatchPrefix(ref) : NIL;
	if (list_length(matches) == 1)
		return linitial(matches);
	if (list_length(matches) > 1)
	{
		StringInfoData buf;
		ListCell   *lc;

		initStringInfo(&buf);
		foreach(lc, matches)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
							 (char *) lfirst(lc));
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_AMBIGUOUS_REVISION),
				 errmsg("revision prefix \"%s\" is ambiguous", ref),
				 errdetail("It matches these revisions: %s.", buf.data),
				 errhint("Write more characters of the revision id.")));
	}
	ereport(ERROR,
			(errcode(ERRCODE_MIGRATE_UNDEFINED_PARENT),
			 errmsg("%s revision \"%s\" does not exist", role, ref),
			 errhint("Register the %s first; migrate_history() lists the revisions.",
					 role)));
	return NULL;				/* not reached */
}

/*
 * Parents or dependencies as written, resolved to full ids: no duplicates,
 * and not the revision itself.
 */
static List *
resolve_edges(List *refs, const char *role, const char *self)
{
	List	   *resolved = NIL;
	ListCell   *lc;

	foreach(lc, refs)
	{
		char	   *id = resolve_reference(lfirst(lc), role);

		if (strcmp(id, self) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_CYCLE),
					 errmsg("revision \"%s\" names itself as a %s", self, role),
					 errhint("A revision comes after its parents and dependencies; name another one.")));
		resolved = lappend(resolved, id);
	}
	check_no_duplicates(resolved, role);
	return resolved;
}

static bool
lists_equal(List *a, List *b)
{
	ListCell   *la,
			   *lb;

	if (list_length(a) != list_length(b))
		return false;
	forboth(la, a, lb, b)
		if (strcmp(lfirst(la), lfirst(lb)) != 0)
		return false;
	return true;
}

static void
check_no_duplicates(List *items, const char *what)
{
	ListCell   *la,
			   *lb;

	foreach(la, items)
		for_each_cell(lb, items, lnext(items, la))
		if (strcmp(lfirst(la), lfirst(lb)) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s \"%s\" is listed twice", what,
							(char *) lfirst(la))));
}

/* refs, with each id that a squash replaced mapped to the squash. */
static List *
map_replaced(List *refs)
{
	List	   *mapped = NIL;
	ListCell   *lc;

	foreach(lc, refs)
	{
		char	   *by = GraphValidId(lfirst(lc)) ? CatalogReplacedBy(lfirst(lc)) : NULL;

		mapped = lappend(mapped, by ? by : lfirst(lc));
	}
	return mapped;
}

/*
 * The parents and dependencies of spec as this database knows them: an id
 * that a squashed revision replaced stands for the squash.
 */
void
RegisterMapReplaced(RevisionSpec *spec)
{
	spec->parents = map_replaced(spec->parents);
	spec->depends_on = map_replaced(spec->depends_on);
}

/*
 * The statements of a section that starts at line "first" of its revision
 * file (0: not from a file), numbered with the lines of the file, for the
 * errors of the checks at load.
 */
static List *
lines_in_file(List *statements, int first)
{
	ListCell   *lc;

	if (first > 1)
		foreach(lc, statements)
			((SqlStatement *) lfirst(lc))->line += first - 1;
	return statements;
}

/* Does the stored revision id start its sections where spec does? */
static bool
same_section_lines(const char *id, RevisionSpec *spec)
{
	int			up;
	int			down;

	CatalogSectionLines(id, &up, &down);
	return up == Max(spec->upgrade_line, 1) && down == Max(spec->downgrade_line, 1);
}

/*
 * Validate and store a revision; returns its id.  With "update", an
 * existing revision of the same id is updated (migrate_load); without, it
 * is an error (migrate_revision).
 */
char *
RegisterRevision(RevisionSpec *spec, bool update)
{
	CatalogRevision *old;
	ListCell   *lc;
	char	   *checksum;
	char	   *what;
	bool		edges_changed;
	bool		squash_applied;

	CatalogLock();

	if (spec->id == NULL)
		spec->id = generate_id();
	GraphCheckId(spec->id);
	if (is_keyword(spec->id))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_INVALID_ID),
				 errmsg("invalid revision id \"%s\"", spec->id),
				 errdetail("\"head\", \"heads\", \"base\" and \"current\" are keywords of the target syntax.")));
	if (spec->message == NULL)
		spec->message = "";
	if (spec->upgrade == NULL)
		spec->upgrade = "";
	if (spec->downgrade == NULL)
		spec->downgrade = "";

	{
		char	   *by = CatalogReplacedBy(spec->id);

		if (by != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_REPLACED),
					 errmsg("revision \"%s\" was replaced by the squashed revision \"%s\"",
							spec->id, by),
					 errhint("Delete its file: revision \"%s\" holds its SQL.", by)));
	}
	RegisterMapReplaced(spec);

	/*
	 * Reloading a revision exactly as stored changes nothing: no lint, no
	 * write (a write would make every backend read the graph again).
	 */
	old = CatalogGetRevision(spec->id);
	if (old != NULL && update &&
		strcmp(old->upgrade, spec->upgrade) == 0 &&
		strcmp(old->downgrade, spec->downgrade) == 0 &&
		strcmp(old->message, spec->message) == 0 &&
		old->transactional == spec->transactional &&
		lists_equal(old->labels, spec->labels) &&
		lists_equal(old->depends_on, spec->depends_on) &&
		(!spec->parents_given || lists_equal(old->parents, spec->parents)) &&
		same_section_lines(old->id, spec))
		return spec->id;

	/* the SQL: parsed, checked, and summed */
	what = psprintf("upgrade SQL of revision \"%s\"", spec->id);
	SqlCheck(lines_in_file(SqlSplit(spec->upgrade, what), spec->upgrade_line),
			 spec->transactional, what);
	what = psprintf("downgrade SQL of revision \"%s\"", spec->id);
	SqlCheck(lines_in_file(SqlSplit(spec->downgrade, what), spec->downgrade_line),
			 spec->transactional, what);
	LintRevisionInFile(spec->id, spec->upgrade, spec->downgrade,
					   spec->transactional, spec->upgrade_line,
					   spec->downgrade_line);
	checksum = SqlChecksum(spec->upgrade, spec->downgrade);

	if (old != NULL && !update)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_DUPLICATE_REVISION),
				 errmsg("revision \"%s\" already exists", spec->id),
				 errhint("Choose another id, or leave it out to have one generated.")));
	if (old == NULL)
	{
		char	   *owner = CatalogLabelOwner(spec->id);

		if (owner)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_DUPLICATE_LABEL),
					 errmsg("revision id \"%s\" is already a branch label of revision \"%s\"",
							spec->id, owner),
					 errdetail("Branch labels and revision ids share one namespace.")));
	}

	/* parents */
	if (!spec->parents_given)
	{
		if (old != NULL)
			spec->parents = old->parents;
		else
		{
			List	   *heads = CatalogHeads();

			if (list_length(heads) > 1)
			{
				StringInfoData buf;

				initStringInfo(&buf);
				foreach(lc, heads)
					appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
									 (char *) lfirst(lc));
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_MULTIPLE_HEADS),
						 errmsg("cannot choose a parent for revision \"%s\": there are %d heads",
								spec->id, list_length(heads)),
						 errdetail("The heads are %s.", buf.data),
						 errhint("Name the parents explicitly, or join the heads with migrate_merge() first.")));
			}
			spec->parents = heads;
		}
	}
	else
		spec->parents = resolve_edges(spec->parents, "parent", spec->id);
	spec->depends_on = resolve_edges(spec->depends_on, "dependency", spec->id);

	/* branch labels: valid, unique, not anybody else's */
	check_no_duplicates(spec->labels, "branch label");
	foreach(lc, spec->labels)
	{
		char	   *label = lfirst(lc);
		char	   *owner;

		if (!GraphValidId(label) || is_keyword(label))
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_INVALID_ID),
					 errmsg("invalid branch label \"%s\"", label),
					 errdetail("A branch label is 1 to 64 letters, digits, underscores or dots, and not a keyword of the target syntax.")));
		owner = CatalogLabelOwner(label);
		if (owner && strcmp(owner, spec->id) != 0 &&
			!string_member(spec->replaces, owner))	/* a squash takes it */
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_DUPLICATE_LABEL),
					 errmsg("branch label \"%s\" is already used by revision \"%s\"",
							label, owner),
					 errdetail("Branch labels and revision ids share one namespace.")));
		if (strcmp(label, spec->id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_DUPLICATE_LABEL),
					 errmsg("branch label \"%s\" is the id of its own revision",
							label)));
	}

	edges_changed = old != NULL &&
		(!lists_equal(old->parents, spec->parents) ||
		 !lists_equal(old->depends_on, spec->depends_on));

	if (old != NULL && old->applied)
	{
		if (strcmp(old->checksum, checksum) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_APPLIED_REVISION_CHANGED),
					 errmsg("revision \"%s\" is applied and its SQL has changed",
							spec->id),
					 errdetail("The stored checksum is %.12s, the new one %.12s; whitespace and comments do not count.",
							   old->checksum, checksum),
					 errhint("Put the change in a new revision, or downgrade below \"%s\" before changing it.",
							 spec->id)));
		if (edges_changed || old->transactional != spec->transactional)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_APPLIED_REVISION_CHANGED),
					 errmsg("revision \"%s\" is applied and its %s changed",
							spec->id,
							edges_changed ? "parents or dependencies have" :
							"transactional flag has"),
					 errhint("Put the change in a new revision, or downgrade below \"%s\" before changing it.",
							 spec->id)));
	}

	squash_applied = spec->replaces != NIL && check_squash(spec);
	CatalogStoreRevision(spec, checksum, old != NULL);
	if (spec->replaces != NIL)
	{
		CatalogReplace(spec->id, spec->replaces);
		if (squash_applied)
		{
			CatalogStep step = {0};

			step.id = spec->id;
			step.message = spec->message;
			step.upgrade = true;
			step.stamped = true;
			step.started_at = GetCurrentTimestamp();
			CatalogRecordSteps(&step, 1);
		}
	}

	/* a changed edge of an existing revision may close a cycle */
	if (edges_changed)
		(void) CatalogLoadGraph(false);
	return spec->id;
}

/*
 * A squashed revision (spec->replaces) stands for revisions of which this
 * database may hold some: check that it can, and say whether they are all
 * applied here (then the squash counts as applied, stamped).  It must be a
 * root that replaces a whole history from base: every replaced revision
 * present here has its parents and dependencies among the replaced, and
 * all of them are applied or none is.
 */
static bool
string_member(List *strings, const char *s)
{
	ListCell   *lc;

	foreach(lc, strings)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

static bool
check_squash(RevisionSpec *spec)
{
	int			present = 0;
	int			applied = 0;
	ListCell   *lc;

	check_no_duplicates(spec->replaces, "replaced revision");
	if (spec->parents != NIL || spec->depends_on != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_REPLACED),
				 errmsg("squashed revision \"%s\" must be a root", spec->id),
				 errdetail("A revision that replaces others stands for a history from base, so it has no parents and no dependencies."),
				 errhint("Remove \"-- migrate:parents\" and \"-- migrate:depends-on\" from its file.")));
	foreach(lc, spec->replaces)
	{
		const char *id = lfirst(lc);
		CatalogRevision *rev;
		ListCell   *le;

		if (strcmp(id, spec->id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_REPLACED),
					 errmsg("revision \"%s\" names itself as replaced", id)));
		GraphCheckId(id);
		if ((rev = CatalogGetRevision(id)) == NULL)
			continue;
		present++;
		applied += rev->applied;
		foreach(le, list_concat(list_copy(rev->parents), rev->depends_on))
			if (!string_member(spec->replaces, lfirst(le)))
				ereport(ERROR,
						(errcode(ERRCODE_MIGRATE_REPLACED),
						 errmsg("squashed revision \"%s\" replaces \"%s\" but not \"%s\", which comes before it",
								spec->id, id, (char *) lfirst(le)),
						 errhint("A squash replaces a whole history from base: squash again with the same target from the current folder.")));
	}
	if (applied > 0 && applied < list_length(spec->replaces))
		ereport(ERROR,
				(errcode(ERRCODE_MIGRATE_REPLACED),
				 errmsg_plural("squashed revision \"%s\" replaces %d revisions, of which %d is applied here",
							   "squashed revision \"%s\" replaces %d revisions, of which %d are applied here",
							   applied,
							   spec->id, list_length(spec->replaces), applied),
				 errdetail("A squash stands for all of its revisions at once: this database is part of the way through them."),
				 errhint("Upgrade this database to the last replaced revision with the files from before the squash, then load the squashed revision.")));
	return present > 0 && applied == list_length(spec->replaces);
}

/*
 * A revision without SQL whose parents are the given heads.
 */
char *
RegisterMerge(List *parents, const char *message, const char *id)
{
	RevisionGraph *g;
	RevisionSpec spec = {0};
	ListCell   *lc;

	CatalogLock();
	g = CatalogLoadGraph(false);
	if (list_length(parents) < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a merge needs at least two parents"),
				 errhint("migrate_heads() lists the heads to merge.")));
	foreach(lc, parents)
	{
		int			node = TargetResolveOne(g, lfirst(lc));

		if (node < 0)
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_NOT_A_HEAD),
					 errmsg("base cannot be merged")));
		if (!GraphIsHead(g, node))
			ereport(ERROR,
					(errcode(ERRCODE_MIGRATE_NOT_A_HEAD),
					 errmsg("revision \"%s\" is not a head", g->nodes[node].id),
					 errdetail("Only heads can be merged; \"%s\" already has a child.",
							   g->nodes[node].id),
					 errhint("migrate_heads() lists the heads.")));
		spec.parents = lappend(spec.parents, g->nodes[node].id);
	}
	check_no_duplicates(spec.parents, "parent");
	spec.parents_given = true;
	spec.id = id ? pstrdup(id) : NULL;
	spec.message = pstrdup(message ? message : "");
	spec.transactional = true;
	return RegisterRevision(&spec, false);
}
