#!/usr/bin/env bash
# Run PostgreSQL's own regression SQL (src/test/regress of a PostgreSQL 15
# source tree, which is not in this repository) through psql three times,
# each in a throwaway cluster of its own: once without migrate (baseline),
# and twice with migrate installed and schema public managed (a revision
# ran DDL there), with the DDL guard in migrate.enforce = warn and in the
# default error mode.  Reports per mode the statements run, ERRORs by
# SQLSTATE against the baseline, what the guard blocked or warned about,
# crashes and internal errors, and wall time.  Not part of ./test/check.sh.
#
#   test/guard/regress.sh FOLDER [TEST...]
#
# FOLDER is src/test/regress of the source tree (with sql/, data/,
# parallel_schedule and regress.c).  The tests run one after the other, in
# the order of parallel_schedule (or the TESTs given), each file in its own
# psql with ON_ERROR_STOP off, with the psql variables and environment
# pg_regress would give them.  regress.c is compiled into the work folder
# as the regress library; if that fails, the files that load it are
# skipped.  MODES (default "base warn error") picks the runs.
#
# The script fails if a backend died, the server log shows TRAP, PANIC, a
# guard WARNING "could not record", or an internal error (XX000, "cache
# lookup failed", "unrecognized node type") the baseline does not have, or
# if a guarded run has an ERROR that is not in the baseline (compared per
# file and SQLSTATE) and is not one of the guard's blocks (MG401-MG403).
# In error mode, a blocked statement makes later ones fail differently
# (the table it would have dropped is still there, ...): ERRORs in or
# after a file with a block are listed for a human to read, unless the
# warn run, which blocks nothing, has them too.  The report also lists
# the files whose output in warn mode differs from the baseline's by more
# than the guard's WARNINGs (expected: the listings of event triggers,
# SECURITY DEFINER functions, triggers and locks that show migrate's own).
source "$(dirname "$0")/../lib.sh"

if [ $# -lt 1 ] || [ ! -d "$1/sql" ] || [ ! -f "$1/parallel_schedule" ]; then
	echo "usage: $0 FOLDER [TEST...]   (FOLDER: src/test/regress of a PostgreSQL 15 tree)" >&2
	exit 2
fi
SRC=$(cd "$1" && pwd)
shift
MODES=${MODES:-base warn error}

ensure_packages
build_install
make_workdir "${MIGRATE_TMP:-tmp_guard_regress}"

# The sources the server reads (COPY FROM, lo_import) go where the
# cluster user can read them; results/ is where the tests write.
mkdir -p "$WORK/src" "$WORK/lib"
cp -r "$SRC/sql" "$SRC/data" "$SRC/parallel_schedule" "$WORK/src/"
if [ $# -gt 0 ]; then
	TESTS="$*"
else
	TESTS=$(sed -n 's/^test: *//p' "$SRC/parallel_schedule" | tr -s ' \t' '\n\n')
fi
regresslib=""
if gcc -fPIC -O2 -shared -w -I"$($PG_CONFIG --includedir-server)" \
	-I"$($PG_CONFIG --includedir)" -o "$WORK/lib/regress.so" "$SRC/regress.c" \
	2>"$WORK/lib/regress.log"; then
	regresslib=yes
else
	echo "== regress.c did not compile (see $WORK/lib/regress.log): skipping the files that load it"
fi
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK"
perl "$TOP/test/lint/split.pl" "$WORK"/src/sql/*.sql >"$WORK/statements.tsv"

export PGTZ=PST8PDT PGDATESTYLE="Postgres, MDY"
export PG_ABS_SRCDIR="$WORK/src" PG_LIBDIR="$WORK/lib" PG_DLSUFFIX=.so

# Per file: name, seconds, ERROR lines in psql's output.
run_mode() {
	local mode=$1 dir="$WORK/$1"
	mkdir -p "$dir/out" "$dir/build/results"
	[ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
	export PG_ABS_BUILDDIR="$dir/build"
	start_cluster "$mode-data"
	{
		echo "log_line_prefix = '%a|%e|'"
		echo "max_prepared_transactions = 2"
		[ "$mode" = warn ] && echo "migrate.enforce = warn"
	} >>"$WORK/$mode-data/postgresql.conf"
	as_cluster_user pg_ctl -D "$WORK/$mode-data" -l "$WORK/$mode-data.log" -w restart >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 <<-EOF
		CREATE DATABASE regression TEMPLATE template0;
		ALTER DATABASE regression SET lc_messages TO 'C';
		ALTER DATABASE regression SET lc_monetary TO 'C';
		ALTER DATABASE regression SET lc_numeric TO 'C';
		ALTER DATABASE regression SET lc_time TO 'C';
		ALTER DATABASE regression SET bytea_output TO 'hex';
		ALTER DATABASE regression SET timezone_abbreviations TO 'Default';
	EOF
	if [ "$mode" != base ]; then
		psql -X -q -v ON_ERROR_STOP=1 -d regression >/dev/null <<-EOF
			SET client_min_messages = warning;
			CREATE EXTENSION migrate;
			SELECT migrate_revision('m', 'CREATE TABLE public.migrate_marker (id int)');
			SELECT * FROM migrate_upgrade('head');
			SELECT 1 / (count(*) = 1)::int FROM migrate_managed_schemas() WHERE schema_name = 'public';
		EOF
	fi
	local start=$SECONDS t0 t1 f
	: >"$dir/files.tsv"
	for t in $TESTS; do
		f="$WORK/src/sql/$t.sql"
		[ -f "$f" ] || { echo "$t	missing" >>"$dir/files.tsv"; continue; }
		if [ -z "$regresslib" ] && grep -q "PG_LIBDIR" "$f"; then
			echo "$t	skipped" >>"$dir/files.tsv"
			continue
		fi
		t0=$(date +%s%N)
		PGAPPNAME="pg_regress/$t" psql -X -a -q -d regression -f "$f" >"$dir/out/$t.out" 2>&1 || true
		t1=$(date +%s%N)
		echo "$t	$(((t1 - t0) / 1000000))	$(grep -cE '^(psql:[^ ]*: )?ERROR:' "$dir/out/$t.out" || true)" >>"$dir/files.tsv"
		if ! pg_isready -q; then
			for _ in $(seq 1 100); do pg_isready -q && break; sleep 0.2; done
		fi
	done
	echo $((SECONDS - start)) >"$dir/wall"
	if [ "$mode" != base ]; then
		psql -X -qAt -F '	' -d regression -c "SELECT blocked, coalesce(rule, ''), count(*)
			FROM migrate_drift(true) GROUP BY 1, 2 ORDER BY 1, 3 DESC" >"$dir/drift.tsv" || true
	fi
	stop_clusters
	# ERROR and WARNING lines of the server log: file, SQLSTATE, level, message
	perl -ne 'print "$1\t$2\t$3\t$4\n" if m{^pg_regress/([^|]*)\|(\w{5})\|(ERROR|WARNING|FATAL|PANIC):  (.*)}' \
		"$WORK/$mode-data.log" >"$dir/log.tsv"
}

for m in $MODES; do
	echo "== run: $m"
	run_mode "$m"
done

# The report, and the verdict.
echo
perl "$TOP/test/guard/report.pl" "$WORK" $MODES
