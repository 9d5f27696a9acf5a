#!/usr/bin/env bash
# Run the whole test suite on a fresh Debian 12 machine: install packages,
# build with -Werror, install, start a throwaway cluster, and run the
# regression tests (pg_regress), the isolation tests
# (pg_isolation_regress) and the TAP tests (prove).  Ends with a line
# "N passed, N failed" and exits non-zero if anything failed.
source "$(dirname "$0")/lib.sh"

ensure_packages
build_install
make_workdir
cp -r "$TOP/sql" "$TOP/expected" "$TOP/test" "$WORK/"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK"
start_cluster regress

PGXS_DIR=$(cd "$(dirname "$($PG_CONFIG --pgxs)")/../.." && pwd)
REGRESS_TESTS=$(make -s -C "$TOP" print-regress)
ISOLATION_TESTS=$(make -s -C "$TOP" print-isolation)
passed=0
failed=0

count() {	# count LOGFILE: add pg_regress's "... ok" and "... FAILED" lines
	local ok bad
	ok=$(grep -cE '\.\.\. ok' "$1" || true)
	bad=$(grep -cE '\.\.\. FAILED' "$1" || true)
	passed=$((passed + ok))
	failed=$((failed + bad))
}

echo "== regression tests"
cd "$WORK"
if ! as_cluster_user "$PGXS_DIR/src/test/regress/pg_regress" \
	--inputdir="$WORK" --outputdir="$WORK/regress" \
	--host=$PGHOST --port=$PGPORT --user=postgres \
	--dbname=contrib_regression $REGRESS_TESTS 2>&1 | tee "$WORK/regress.out"; then
	[ -f "$WORK/regress/regression.diffs" ] && cat "$WORK/regress/regression.diffs"
fi
count "$WORK/regress.out"

echo "== isolation tests"
if ! as_cluster_user "$PGXS_DIR/src/test/isolation/pg_isolation_regress" \
	--inputdir="$WORK/test/isolation" --outputdir="$WORK/isolation" \
	--host=$PGHOST --port=$PGPORT --user=postgres \
	--dbname=isolation_regression $ISOLATION_TESTS 2>&1 | tee "$WORK/isolation.out"; then
	[ -f "$WORK/isolation/regression.diffs" ] && cat "$WORK/isolation/regression.diffs"
fi
count "$WORK/isolation.out"
stop_clusters

echo "== TAP tests"
mkdir -p "$WORK/tap"
[ "$(id -u)" = 0 ] && chown postgres: "$WORK/tap"
if as_cluster_user env TESTDIR="$WORK/tap" PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
	prove -I "$PGXS_DIR/src/test/perl" -I "$WORK/test/t" "$WORK"/test/t/*.pl 2>&1 | tee "$WORK/tap.out"; then :; fi
tap_ok=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$WORK/tap.out")
tap_bad=$( (grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$WORK/tap.out" || true) | awk '{s += substr($2, 1, index($2, "/") - 1)} END {print s + 0}')
grep -q '^Result: PASS' "$WORK/tap.out" || tap_bad=$((tap_bad > 0 ? tap_bad : 1))
passed=$((passed + ${tap_ok:-0} - tap_bad))
failed=$((failed + tap_bad))

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
