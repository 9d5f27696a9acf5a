#!/usr/bin/env bash
# migrate's benchmarks, in one run on fresh databases of a throwaway
# cluster, each figure the median of RUNS runs (default 3) and set against
# a baseline measured in the same run:
#   - upgrade and downgrade of N = 100, 1,000, 10,000 revisions with
#     migrate_upgrade('head') / migrate_downgrade('base'), against the same
#     SQL through psql -1 -f (the physical limit);
#   - registering N revisions (migrate_revision with explicit parents);
#   - the no-op migrate_upgrade('head') at the largest N, against SELECT 1
#     (pgbench latency), on one connection and on a fresh one per call;
#   - the backend's peak memory during the largest upgrade, against that
#     of psql -1 -f of the same SQL.
# Not a test: it prints figures.  Usage: test/bench/bench.sh [N...]
# (default 100 1000 10000); RUNS=5 for more runs.
source "$(dirname "$0")/../lib.sh"

SIZES=${*:-100 1000 10000}
RUNS=${RUNS:-3}
ensure_packages
build_install
make_workdir tmp_bench
start_cluster data
# one transaction holds a lock on every table it creates
as_cluster_user psql -X -q -d postgres -c "ALTER SYSTEM SET max_locks_per_transaction = 2048" \
	-c "ALTER SYSTEM SET shared_buffers = '512MB'"
as_cluster_user pg_ctl -D "$WORK/data" -l "$WORK/data.log" -w restart >/dev/null

B="$WORK/bench"
mkdir -p "$B"
PSQL="psql -X -q -v ON_ERROR_STOP=1"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

fresh_db() {
	$PSQL -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null
}

# Write the SQL files for N revisions: plain upgrade and downgrade scripts
# (the baseline) and the registration script.
generate() {
	local n=$1
	fresh_db gen
	$PSQL -d gen -f "$TOP/test/bench/workload.sql"
	$PSQL -d gen -At -c "SELECT string_agg(w_up(i), E'\n' ORDER BY i) FROM generate_series(1, $n) i" > "$B/up_$n.sql"
	$PSQL -d gen -At -c "SELECT string_agg(w_down(i), E'\n' ORDER BY i DESC) FROM generate_series(1, $n) i" > "$B/down_$n.sql"
	$PSQL -d gen -At -c "SELECT string_agg(format('SELECT migrate_revision(%L, %L, %L, parents => %L, id => %L);',
			'revision ' || i, w_up(i), w_down(i), CASE WHEN i = 1 THEN '{}' ELSE ARRAY['w' || (i - 1)] END, 'w' || i), E'\n')
		FROM generate_series(1, $n) i" > "$B/register_$n.sql"
}

declare -A R
for n in $SIZES; do
	echo "== N = $n: generating"
	generate "$n"
	# the same SQL with a commit per revision, for CALL migrate_apply
	$PSQL -d gen -At -c "SELECT string_agg('BEGIN;' || E'\n' || w_up(i) || E'\nCOMMIT;', E'\n' ORDER BY i) FROM generate_series(1, $n) i" > "$B/up_commit_$n.sql"
	for run in $(seq 1 "$RUNS"); do
		echo "== N = $n: run $run of $RUNS"
		fresh_db base
		t0=$(now); $PSQL -d base -1 -f "$B/up_$n.sql"; t1=$(now)
		$PSQL -d base -1 -f "$B/down_$n.sql"; t2=$(now)
		R[psql_up_$n]+=" $(elapsed $t0 $t1)"; R[psql_down_$n]+=" $(elapsed $t1 $t2)"

		fresh_db mig
		$PSQL -d mig -c "CREATE EXTENSION migrate"
		t0=$(now); $PSQL -d mig -1 -f "$B/register_$n.sql" >/dev/null; t1=$(now)
		R[register_$n]+=" $(elapsed $t0 $t1)"
		t0=$(now); $PSQL -d mig -c "SELECT count(*) FROM migrate_upgrade('head')" >/dev/null; t1=$(now)
		$PSQL -d mig -c "SELECT count(*) FROM migrate_downgrade('base')" >/dev/null; t2=$(now)
		R[mig_up_$n]+=" $(elapsed $t0 $t1)"; R[mig_down_$n]+=" $(elapsed $t1 $t2)"

		fresh_db base
		t0=$(now); $PSQL -d base -f "$B/up_commit_$n.sql"; t1=$(now)
		R[psql_commit_$n]+=" $(elapsed $t0 $t1)"
		fresh_db mig
		$PSQL -d mig -c "CREATE EXTENSION migrate"
		$PSQL -d mig -1 -f "$B/register_$n.sql" >/dev/null
		t0=$(now); PGOPTIONS='-c client_min_messages=warning' $PSQL -d mig -c "CALL migrate_apply('head')"; t1=$(now)
		R[mig_apply_$n]+=" $(elapsed $t0 $t1)"
	done
	LAST=$n
done

# The no-op upgrade at the largest N, and the backend's memory while it
# upgrades, against psql -1 -f of the same SQL: the peak of the backend's
# anonymous memory (smaps_rollup "Anonymous": its heap, not the shared
# buffers it touches), polled during the call.
echo "== no-op and memory at N = $LAST"
# peak_kb CMD...: run CMD with application_name "bench_mem" and print the
# peak anonymous memory of its backend in kB
peak_kb() {
	local peak=0 pid="" kb
	PGAPPNAME=bench_mem "$@" >/dev/null &
	local bg=$!
	while kill -0 $bg 2>/dev/null; do
		[ -z "$pid" ] && pid=$($PSQL -d postgres -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'bench_mem'")
		if [ -n "$pid" ] && [ -r "/proc/$pid/smaps_rollup" ]; then
			kb=$(awk '/^Anonymous:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)
			[ -n "$kb" ] && [ "$kb" -gt "$peak" ] && peak=$kb
		else
			sleep 0.02
		fi
	done
	wait $bg
	echo "$peak"
}
fresh_db base
psql_peak=$(peak_kb $PSQL -d base -1 -f "$B/up_$LAST.sql")
fresh_db mig
$PSQL -d mig -c "CREATE EXTENSION migrate"
$PSQL -d mig -1 -f "$B/register_$LAST.sql" >/dev/null
peak=$(peak_kb $PSQL -d mig -At -c "SELECT count(*) FROM migrate_upgrade('head')")
echo "SELECT * FROM migrate_upgrade('head');" > "$B/noop.sql"	# as a deploy script types it
echo "SELECT 1;" > "$B/select1.sql"
echo "SELECT * FROM generate_series(1, 0);" > "$B/srf.sql"
lat() { pgbench -n -d mig -T 5 "$@" 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p'; }
$PSQL -d mig -c "SELECT count(*) FROM migrate_upgrade('head')" >/dev/null	# the first no-op notes it
for run in $(seq 1 "$RUNS"); do
	R[noop]+=" $(lat -f "$B/noop.sql")"
	R[select1]+=" $(lat -f "$B/select1.sql")"
	R[srf]+=" $(lat -f "$B/srf.sql")"
	# a deploy opens a fresh connection: -C connects for each call
	R[noop_cold]+=" $(lat -C -f "$B/noop.sql")"
	R[select1_cold]+=" $(lat -C -f "$B/select1.sql")"
done

m() { echo "${R[$1]}" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "migrate benchmark: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
echo "$(postgres --version), medians of $RUNS runs, seconds unless stated"
printf '\n%8s  %10s %10s %6s   %10s %10s %6s   %10s\n' N "psql up" "migrate up" ratio "psql down" "mig. down" ratio register
for n in $SIZES; do
	printf '%8s  %10.3f %10.3f %6s   %10.3f %10.3f %6s   %10.3f\n' "$n" \
		"$(m psql_up_$n)" "$(m mig_up_$n)" "$(ratio "$(m mig_up_$n)" "$(m psql_up_$n)")" \
		"$(m psql_down_$n)" "$(m mig_down_$n)" "$(ratio "$(m mig_down_$n)" "$(m psql_down_$n)")" \
		"$(m register_$n)"
done
echo
printf '%8s  %18s %18s %6s\n' N "psql, commit/rev." "CALL migrate_apply" ratio
for n in $SIZES; do
	printf '%8s  %18.3f %18.3f %6s\n' "$n" "$(m psql_commit_$n)" "$(m mig_apply_$n)" \
		"$(ratio "$(m mig_apply_$n)" "$(m psql_commit_$n)")"
done
echo
echo "no-op migrate_upgrade('head') at N = $LAST: $(m noop) ms per call; SELECT 1: $(m select1) ms; ratio $(ratio "$(m noop)" "$(m select1)") (pgbench latency, one client)"
echo "  (an empty set-returning query, SELECT * FROM generate_series(1, 0): $(m srf) ms; ratio $(ratio "$(m noop)" "$(m srf)"))"
echo "  on a fresh connection each (pgbench -C): $(m noop_cold) ms; SELECT 1: $(m select1_cold) ms; ratio $(ratio "$(m noop_cold)" "$(m select1_cold)")"
echo "backend memory (anonymous), peak during the N = $LAST upgrade: migrate_upgrade $((peak / 1024)) MB; psql -1 -f $((psql_peak / 1024)) MB; ratio $(ratio "$peak" "$psql_peak")"
