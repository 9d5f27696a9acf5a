#!/usr/bin/env bash
# Run the whole test suite on a fresh Debian 12 machine: install packages,
# build with -Werror, install, start a throwaway cluster, and run the
# regression tests (pg_regress), the isolation tests
# (pg_isolation_regress), the TAP tests (prove) and the check of the
# source tree's layers (test/layers.pl), the real histories and, when
# Citus is installed, the Citus test (test/citus/run.sh).  Ends with a line
# "N passed, N failed" and exits non-zero if anything failed.
source "$(dirname "$0")/lib.sh"

ensure_packages
build_install
make_workdir
cp -r "$TOP/sql" "$TOP/expected" "$TOP/test" "$TOP/t" "$TOP/README.md" "$WORK/"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK"
start_cluster regress

PGXS_DIR=$(cd "$(dirname "$($PG_CONFIG --pgxs)")/../.." && pwd)
REGRESS_TESTS=$(make -s -C "$TOP" print-regress)
ISOLATION_TESTS=$(make -s -C "$TOP" print-isolation)
passed=0
failed=0

# run_suite NAME PROGRAM INPUTDIR DBNAME TESTS...: run a pg_regress-style
# suite, print its diffs on failure, and count its "... ok" and
# "... FAILED" lines
run_suite() {
	local name=$1 program=$2 inputdir=$3 dbname=$4
	shift 4
	echo "== $name tests"
	if ! (cd "$WORK" && as_cluster_user "$program" --inputdir="$inputdir" \
		--outputdir="$WORK/$name" --host=$PGHOST --port=$PGPORT --user=postgres \
		--dbname="$dbname" "$@" 2>&1) | tee "$WORK/$name.out"; then
		[ -f "$WORK/$name/regression.diffs" ] && cat "$WORK/$name/regression.diffs"
	fi
	passed=$((passed + $(grep -cE '\.\.\. ok' "$WORK/$name.out" || true)))
	failed=$((failed + $(grep -cE '\.\.\. FAILED' "$WORK/$name.out" || true)))
}

run_suite regress "$PGXS_DIR/src/test/regress/pg_regress" "$WORK" \
	contrib_regression $REGRESS_TESTS
run_suite isolation "$PGXS_DIR/src/test/isolation/pg_isolation_regress" \
	"$WORK/test/isolation" isolation_regression $ISOLATION_TESTS
stop_clusters

echo "== static checks"
# run_check NAME COMMAND...: a check of the source tree, counted as a test
run_check() {
	local name=$1
	shift
	if "$@" >"$WORK/$name.log" 2>&1; then
		echo "test $name ... ok"
		passed=$((passed + 1))
	else
		cat "$WORK/$name.log"
		echo "test $name ... FAILED"
		failed=$((failed + 1))
	fi
}
run_check search_path_safe perl "$TOP/test/security/search_path_safe.pl" "$TOP/src"

echo "== TAP tests"
mkdir -p "$WORK/tap"
[ "$(id -u)" = 0 ] && chown postgres: "$WORK/tap"
# (from $WORK: the cluster user may not be able to enter the checkout)
if (cd "$WORK" && as_cluster_user env TESTDIR="$WORK/tap" PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
	prove -I "$PGXS_DIR/src/test/perl" -I "$WORK/t" "$WORK"/t/*.pl 2>&1) | tee "$WORK/tap.out"; then :; fi
tap_ok=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$WORK/tap.out")
tap_bad=$( (grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$WORK/tap.out" || true) | awk '{s += substr($2, 1, index($2, "/") - 1)} END {print s + 0}')
grep -q '^Result: PASS' "$WORK/tap.out" || tap_bad=$((tap_bad > 0 ? tap_bad : 1))
passed=$((passed + ${tap_ok:-0} - tap_bad))
failed=$((failed + tap_bad))

echo "== layers"
if perl "$TOP/test/layers.pl" "$TOP/src"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

# Real histories (test/histories/run.sh): the round trips with the linter
# off and with default settings are counted.  A history that cannot be
# downloaded is reported "unavailable" and not counted.
echo "== real histories"
set +e
bash "$TOP/test/histories/run.sh" 2>&1 | tee "$WORK/histories.out"
hist_rc=${PIPESTATUS[0]}
set -e
hist_ok=$(grep -cE '^test .* \.\.\. ok$' "$WORK/histories.out" || true)
hist_bad=$(grep -cE '^test .* \.\.\. FAILED$' "$WORK/histories.out" || true)
[ "$hist_rc" != 0 ] && [ "$hist_bad" = 0 ] && hist_bad=1
passed=$((passed + hist_ok))
failed=$((failed + hist_bad))

# Citus (test/citus/run.sh): a coordinator and two workers; each test file
# that passes counts once.  Without Citus in this server's tree (and no
# CITUS_SRC to build it from) it says so and counts nothing.
echo "== Citus"
set +e
bash "$TOP/test/citus/run.sh" 2>&1 | tee "$WORK/citus.out"
citus_rc=${PIPESTATUS[0]}
set -e
citus_ok=$(grep -cE '^test citus/.* \.\.\. ok$' "$WORK/citus.out" || true)
citus_bad=$(grep -cE '^test citus/.* \.\.\. FAILED$' "$WORK/citus.out" || true)
[ "$citus_rc" != 0 ] && [ "$citus_bad" = 0 ] && citus_bad=1
passed=$((passed + citus_ok))
failed=$((failed + citus_bad))

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
