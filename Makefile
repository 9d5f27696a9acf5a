# PGXS build of the migrate extension.
#
# The regression, isolation and TAP suites need a running cluster; the
# script test/check.sh builds, installs, starts a throwaway cluster and runs
# all of them (see README.md).

MODULE_big = migrate
OBJS = \
	src/apply.o \
	src/catalog.o \
	src/client_support.o \
	src/common/revision_header.o \
	src/drift.o \
	src/executor.o \
	src/functions.o \
	src/graph.o \
	src/guard.o \
	src/guard_targets.o \
	src/guc.o \
	src/lint.o \
	src/lint_functions.o \
	src/lint_rules.o \
	src/migrate.o \
	src/offline.o \
	src/protect.o \
	src/register.o \
	src/revfile.o \
	src/sqltext.o \
	src/target.o \
	src/textarray.o \
	src/worker.o

EXTENSION = migrate
DATA = migrate--0.1.0.sql
PGFILEDESC = "migrate - schema migrations inside the database"

REGRESS = install graph targets upgrade failure fault apply stamp checksum revfile \
	offline privileges check lint lint_catalog \
	guard guard_rules guard_protect
REGRESS_OPTS = --inputdir=. --load-extension=migrate

ISOLATION = concurrent_upgrade guard_scope
ISOLATION_OPTS = --inputdir=test/isolation

PG_CPPFLAGS = -I$(srcdir)/src

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
$(OBJS): $(wildcard $(srcdir)/src/*.h $(srcdir)/src/common/*.h)
