#!/usr/bin/env bash
# The cost of the stairway test: migrate_verify('head') over a history of N
# revisions (default 100) not applied yet, against migrate_upgrade('head')
# of the same history, on fresh databases of a throwaway cluster; each
# figure the median of RUNS runs (default 3).  Also the statuses verify
# reported (all "ok" for this workload, whose downgrades are exact).
# Not a test: it prints figures.  Usage: test/bench/verify.sh [N] (the
# workload is test/bench/workload.sql's).
source "$(dirname "$0")/../lib.sh"

N=${1:-100}
RUNS=${RUNS:-3}
ensure_packages
build_install
make_workdir tmp_bench_verify
start_cluster data
as_cluster_user psql -X -q -d postgres -c "ALTER SYSTEM SET max_locks_per_transaction = 2048"
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

fresh_db gen
$PSQL -d gen -f "$TOP/test/bench/workload.sql"
$PSQL -d gen -At -c "SELECT string_agg(format('SELECT migrate_revision(%L, %L, %L, parents => %L, id => %L);',
		'revision ' || i, w_up(i), w_down(i), CASE WHEN i = 1 THEN '{}' ELSE ARRAY['w' || (i - 1)] END, 'w' || i), E'\n')
	FROM generate_series(1, $N) i" > "$B/register.sql"

up=""
verify=""
for run in $(seq 1 "$RUNS"); do
	echo "== run $run of $RUNS"
	fresh_db mig
	$PSQL -d mig -c "CREATE EXTENSION migrate"
	$PSQL -d mig -1 -f "$B/register.sql" >/dev/null
	t0=$(now); $PSQL -d mig -c "SELECT count(*) FROM migrate_upgrade('head')" >/dev/null; t1=$(now)
	up+=" $(elapsed "$t0" "$t1")"

	fresh_db mig
	$PSQL -d mig -c "CREATE EXTENSION migrate"
	$PSQL -d mig -1 -f "$B/register.sql" >/dev/null
	t0=$(now)
	PGOPTIONS='-c client_min_messages=warning' $PSQL -d mig -At \
		-c "SELECT status, count(*) FROM migrate_verify('head') GROUP BY 1 ORDER BY 1" > "$B/statuses"
	t1=$(now)
	verify+=" $(elapsed "$t0" "$t1")"
done

mu=$(echo "$up" | median)
mv=$(echo "$verify" | median)
echo
echo "migrate_verify benchmark: $(nproc) cores, $(postgres --version), N = $N revisions, medians of $RUNS runs"
echo "statuses: $(tr '\n' ' ' < "$B/statuses")"
printf 'migrate_upgrade(head): %.3f s   migrate_verify(head): %.3f s   ratio %s\n' "$mu" "$mv" \
	"$(awk -v a="$mv" -v b="$mu" 'BEGIN {printf "%.2f", a / b}')"
