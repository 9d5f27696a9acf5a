#!/usr/bin/env bash
# The DDL guard's overhead, in one run on one throwaway cluster, each figure
# the median of RUNS runs (default 3), against a database without the
# extension measured in the same run:
#   - a DDL-heavy loop (CREATE TABLE, ALTER TABLE ADD COLUMN, CREATE INDEX,
#     COMMENT, DROP TABLE; N rounds in one DO block): in a database without
#     migrate; in one with migrate where the loop's schema is not managed
#     (the scope check only); and in one where it is managed (each statement
#     linted and recorded as drift; DROP TABLE only of tables created in the
#     same transaction, which the guard lets through);
#   - pgbench's default TPC-B workload (DML fires no event trigger).
# Not a test: it prints figures.  Usage: test/bench/guard.sh [N] (default
# 2000); RUNS=5 for more runs, SECONDS_PGBENCH=30 for longer pgbench runs.
source "$(dirname "$0")/../lib.sh"

N=${1:-2000}
RUNS=${RUNS:-3}
PGBENCH_TIME=${SECONDS_PGBENCH:-15}
ensure_packages
build_install
make_workdir tmp_bench_guard
start_cluster data

PSQL="psql -X -q -v ON_ERROR_STOP=1"
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

# the loop, in schema $1, one transaction per round so that DROP TABLE
# drops a table created in the same transaction
loop_sql() {
	cat <<SQL
CREATE PROCEDURE ddl_loop(n int) LANGUAGE plpgsql AS \$\$
BEGIN
	FOR i IN 1 .. n LOOP
		EXECUTE format('CREATE TABLE $1.t%s (id int)', i);
		EXECUTE format('ALTER TABLE $1.t%s ADD COLUMN v text', i);
		EXECUTE format('CREATE INDEX t%s_v ON $1.t%s (v)', i, i);
		EXECUTE format('COMMENT ON TABLE $1.t%s IS %L', i, 'round ' || i);
		EXECUTE format('DROP TABLE $1.t%s', i);
		COMMIT;
	END LOOP;
END \$\$;
SQL
}

setup() {
	$PSQL -d postgres -c "DROP DATABASE IF EXISTS plain" -c "CREATE DATABASE plain" \
		-c "DROP DATABASE IF EXISTS unmanaged" -c "CREATE DATABASE unmanaged" \
		-c "DROP DATABASE IF EXISTS managed" -c "CREATE DATABASE managed"
	$PSQL -d plain -c "CREATE SCHEMA s"
	loop_sql s | $PSQL -d plain
	$PSQL -d unmanaged -c "CREATE EXTENSION migrate" -c "CREATE SCHEMA s" \
		-c "SELECT migrate_revision('other', 'CREATE SCHEMA app; CREATE TABLE app.t (id int)')" \
		-c "SELECT count(*) FROM migrate_upgrade('head')"
	loop_sql s | $PSQL -d unmanaged
	$PSQL -d managed -c "CREATE EXTENSION migrate" \
		-c "SELECT migrate_revision('s', 'CREATE SCHEMA s; CREATE TABLE s.keep (id int)')" \
		-c "SELECT count(*) FROM migrate_upgrade('head')"
	loop_sql s | $PSQL -d managed
}

# the order of the databases rotates from run to run, so that none is
# always first after the setup; a short loop in each warms it up
declare -A T
ORDERS=("plain unmanaged managed" "unmanaged managed plain" "managed plain unmanaged")
for run in $(seq 1 "$RUNS"); do
	echo "== run $run of $RUNS"
	setup
	for db in plain unmanaged managed; do
		$PSQL -d $db -c "CALL ddl_loop(50)" -c "DROP PROCEDURE ddl_loop"
		loop_sql s | $PSQL -d $db
	done
	for db in ${ORDERS[$(((run - 1) % 3))]}; do
		t0=$(now)
		$PSQL -d $db -c "CALL ddl_loop($N)"
		t1=$(now)
		T[$db]="${T[$db]:-} $(elapsed "$t0" "$t1")"
	done
	echo "   drift rows recorded in managed: $($PSQL -d managed -At -c 'SELECT count(*) FROM migrate.drift')"
done

echo "== pgbench (TPC-B, 1 client, ${PGBENCH_TIME}s per run)"
pgbench -q -i -s 5 plain >/dev/null 2>&1
pgbench -q -i -s 5 managed >/dev/null 2>&1
declare -A P
for run in $(seq 1 "$RUNS"); do
	order="plain managed"
	[ $((run % 2)) = 0 ] && order="managed plain"
	for db in $order; do
		tps=$(pgbench -n -T "$PGBENCH_TIME" -c 1 $db 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
		P[$db]="${P[$db]:-} $tps"
	done
done

echo
echo "DDL loop, $N rounds of 5 statements (seconds, median of $RUNS):"
p=$(echo "${T[plain]}" | median); u=$(echo "${T[unmanaged]}" | median); m=$(echo "${T[managed]}" | median)
printf "  without migrate %8.3f\n  unmanaged schema %8.3f  (%sx)\n  managed schema   %8.3f  (%sx)\n" \
	"$p" "$u" "$(ratio "$u" "$p")" "$m" "$(ratio "$m" "$p")"
echo "  runs: without${T[plain]} / unmanaged${T[unmanaged]} / managed${T[managed]}"
echo "pgbench TPC-B (tps, median of $RUNS):"
pp=$(echo "${P[plain]}" | median); pm=$(echo "${P[managed]}" | median)
printf "  without migrate %8.1f\n  with migrate     %8.1f  (%sx)\n" "$pp" "$pm" "$(ratio "$pm" "$pp")"
echo "  runs: without${P[plain]} / with${P[managed]}"
