# PGXS build of the migrate extension.
#
# The regression, isolation and TAP suites run with "make installcheck"
# against an installed server (the TAP tests start clusters of their own);
# test/check.sh builds, installs, starts a throwaway cluster and runs all
# of them (see README.md).

MODULE_big = migrate
OBJS = \
	src/common/revision_header.o \
	src/util/guc.o \
	src/util/runner.o \
	src/util/subxact.o \
	src/util/textarray.o \
	src/model/commit_point.o \
	src/model/graph.o \
	src/model/plan.o \
	src/model/precondition.o \
	src/model/revfile.o \
	src/model/sqltext.o \
	src/model/target.o \
	src/catalog/catalog.o \
	src/catalog/snapshot.o \
	src/catalog/citus.o \
	src/analysis/diff.o \
	src/analysis/lint.o \
	src/analysis/impact.o \
	src/analysis/lint_rules.o \
	src/analysis/protect.o \
	src/analysis/statement_targets.o \
	src/exec/apply.o \
	src/exec/diff_scratch.o \
	src/exec/executor.o \
	src/exec/prepare.o \
	src/exec/offline.o \
	src/exec/precondition.o \
	src/exec/register.o \
	src/exec/verify.o \
	src/exec/worker.o \
	src/guard/drift.o \
	src/guard/guard.o \
	src/sql/client_support.o \
	src/sql/diff_functions.o \
	src/sql/functions.o \
	src/sql/lint_functions.o \
	src/sql/migrate.o \
	src/sql/verify_functions.o

EXTENSION = migrate
DATA = migrate--0.1.0.sql migrate--0.1.0--0.2.0.sql
PGFILEDESC = "migrate - schema migrations inside the database"

REGRESS = install graph targets upgrade failure fault apply stretches stamp checksum revfile \
	offline privileges check lint lint_catalog lint_data \
	guard guard_rules guard_protect security downgrade_data forget squash settled commit_points impact verify precondition effects diff diff_kinds fleet update
REGRESS_OPTS = --inputdir=.

ISOLATION = concurrent_upgrade guard_scope runner_flag lint_nowait
ISOLATION_OPTS = --inputdir=test/isolation

TAP_TESTS = 1

PG_CPPFLAGS = -I$(srcdir)/src/include

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Used by test/check.sh to list the suites.
print-regress:
	@echo $(REGRESS)
print-isolation:
	@echo $(ISOLATION)

# PGXS tracks no header dependencies: rebuild every object when a header
# changes, so that no object keeps an old struct layout.
$(OBJS): $(wildcard $(srcdir)/src/include/migrate/*/*.h)
