#!/usr/bin/env bash
# The curve of long histories: what each operation of migrate costs at N
# revisions, for each N given (default 1,000 and 10,000; the README's
# figures add 100,000), each set against a baseline measured in the same
# run on the same cluster:
#   - load: "psql -1 -f" of migrate_load() of every file, and pg_migrate
#     load of the folder (then again, unchanged: the folder's digest), vs
#     "psql -1 -f" of INSERTs of the same texts into a plain table;
#   - plan: migrate_plan('head') and migrate_preview('head') of the N
#     pending revisions, on a fresh connection (psql -c), vs reading every
#     revision row on a fresh connection (SELECT of migrate.revision);
#   - CALL migrate_apply('head') vs psql -f of the same SQL with a commit
#     per revision;
#   - the no-op upgrade: migrate_upgrade('head') on one connection and on a
#     fresh one per call (pgbench, -C) vs SELECT 1 the same way; pg_migrate
#     upgrade head vs psql -c 'SELECT 1' (a process, a connection, a query);
#   - history and check: migrate_history() and migrate_check() on a fresh
#     connection, and pg_migrate check, vs reading every revision row.
# Every figure is the median of RUNS runs (default 3), except the loads and
# the apply, which run once per N.  "per rev." is the figure divided by N:
# constant across N means linear.
#
# WORKLOAD=light (default): revision 1 creates a table, every other one
# inserts a row into it (the cost is migrate's own); WORKLOAD=tables: the
# benchmark workload of bench.sh (workload.sql: a table per revision,
# columns, indexes, rows), where PostgreSQL's DDL dominates.
#
# Not a test: it prints figures.  Usage: test/bench/scale.sh [N...]
source "$(dirname "$0")/../lib.sh"

SIZES=${*:-1000 10000}
RUNS=${RUNS:-3}
WORKLOAD=${WORKLOAD:-light}
ensure_packages
build_install
make_workdir tmp_scale
start_cluster data
as_cluster_user psql -X -q -d postgres -c "ALTER SYSTEM SET max_locks_per_transaction = 2048" \
	-c "ALTER SYSTEM SET shared_buffers = '512MB'"
as_cluster_user pg_ctl -D "$WORK/data" -l "$WORK/data.log" -w restart >/dev/null

B="$WORK/bench"
mkdir -p "$B"
PSQL="psql -X -q -v ON_ERROR_STOP=1"
export PGOPTIONS='-c client_min_messages=warning'

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", b - a}'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# timed KEY COMMAND...: run the command, add its wall time to R[KEY]
declare -A R
timed() {
	local key=$1 t0 t1
	shift
	t0=$(now)
	"$@" >/dev/null
	t1=$(now)
	R[$key]+=" $(elapsed "$t0" "$t1")"
}
# repeated KEY COMMAND...: RUNS times
repeated() {
	for _ in $(seq 1 "$RUNS"); do timed "$@"; done
}
fresh_db() {
	$PSQL -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
	[ -z "${2:-}" ] || $PSQL -d "$1" -c "CREATE EXTENSION migrate"
}
# pgbench latency in ms of one SQL file, 5 s
lat() { pgbench -n -T 5 "$@" 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p'; }

# The N revisions: the folder of revision files, and the SQL of the
# baselines, from the same up/down texts.
generate() {
	local n=$1
	fresh_db gen
	if [ "$WORKLOAD" = tables ]; then
		$PSQL -d gen -f "$TOP/test/bench/workload.sql"
	else
		$PSQL -d gen -c "CREATE FUNCTION w_up(i int) RETURNS text LANGUAGE sql IMMUTABLE
			AS \$\$ SELECT CASE WHEN i = 1 THEN 'CREATE TABLE scale_t (i int);'
				ELSE format('INSERT INTO scale_t VALUES (%s);', i) END \$\$" \
			-c "CREATE FUNCTION w_down(i int) RETURNS text LANGUAGE sql IMMUTABLE
			AS \$\$ SELECT CASE WHEN i = 1 THEN 'DROP TABLE scale_t;'
				ELSE format('DELETE FROM scale_t WHERE i = %s;', i) END \$\$"
	fi
	$PSQL -d gen -c "CREATE TABLE f AS SELECT i, lpad(i::text, 6, '0') || '_revision_' || i || '.sql' AS name,
		format(E'-- migrate:revision w%s\n%s-- migrate:message revision %s\n\n-- migrate:upgrade\n%s\n\n-- migrate:downgrade\n%s\n',
			i, CASE WHEN i > 1 THEN format(E'-- migrate:parents w%s\n', i - 1) ELSE '' END, i, w_up(i), w_down(i)) AS text
		FROM generate_series(1, $n) i"
	rm -rf "$B/files_$n"
	mkdir -p "$B/files_$n"
	$PSQL -d gen -At -c "SELECT string_agg('-- @@file ' || name || E'\n' || text, '' ORDER BY i) FROM f" |
		awk -v d="$B/files_$n" '/^-- @@file / {if (f) close(f); f = d "/" $3; next} {print > f}'
	$PSQL -d gen -At -c "SELECT string_agg(format('SELECT migrate_load(%L);', text), E'\n' ORDER BY i) FROM f" > "$B/load_$n.sql"
	$PSQL -d gen -At -c "SELECT 'CREATE TABLE files (name text PRIMARY KEY, text text NOT NULL);' || E'\n' ||
		string_agg(format('INSERT INTO files VALUES (%L, %L);', name, text), E'\n' ORDER BY i) FROM f" > "$B/insert_$n.sql"
	$PSQL -d gen -At -c "SELECT string_agg('BEGIN;' || E'\n' || w_up(i) || E'\nCOMMIT;', E'\n' ORDER BY i) FROM generate_series(1, $n) i" > "$B/up_commit_$n.sql"
}

# the no-op as a deploy script types it (a count(*) would add an aggregate's
# catalog lookups, 0.6 ms on a fresh connection)
echo "SELECT * FROM migrate_upgrade('head');" > "$B/noop.sql"
echo "SELECT 1;" > "$B/select1.sql"
READ="SELECT count(*), sum(length(upgrade) + length(downgrade)) FROM migrate.revision"
for n in $SIZES; do
	echo "== N = $n: generating ($WORKLOAD)"
	generate "$n"

	echo "== N = $n: load"
	fresh_db base
	timed insert_$n $PSQL -d base -1 -f "$B/insert_$n.sql"
	fresh_db sqlload x
	timed load_sql_$n $PSQL -d sqlload -1 -f "$B/load_$n.sql"
	fresh_db mig x
	timed load_cli_$n pg_migrate -q -d mig -D "$B/files_$n" load
	repeated load_cli_again_$n pg_migrate -q -d mig -D "$B/files_$n" load

	echo "== N = $n: plan"
	repeated read_pending_$n $PSQL -d mig -c "$READ"
	repeated plan_$n $PSQL -d mig -c "SELECT count(*) FROM migrate_plan('head')"
	repeated preview_$n $PSQL -d mig -c "SELECT count(*) FROM migrate_preview('head')"

	echo "== N = $n: apply"
	fresh_db base
	timed psql_commit_$n $PSQL -d base -f "$B/up_commit_$n.sql"
	timed apply_$n $PSQL -d mig -c "CALL migrate_apply('head')"

	echo "== N = $n: no-op, history, check"
	$PSQL -d mig -c "SELECT count(*) FROM migrate_upgrade('head')" >/dev/null	# the first no-op notes it
	for _ in $(seq 1 "$RUNS"); do
		R[noop_$n]+=" $(lat -d mig -f "$B/noop.sql")"
		R[select1_$n]+=" $(lat -d mig -f "$B/select1.sql")"
		R[noop_cold_$n]+=" $(lat -C -d mig -f "$B/noop.sql")"
		R[select1_cold_$n]+=" $(lat -C -d mig -f "$B/select1.sql")"
		timed cli_noop_$n pg_migrate -q -d mig -D "$B/files_$n" upgrade head
		timed psql_select1_$n $PSQL -d mig -c "SELECT 1"
	done
	repeated read_$n $PSQL -d mig -c "$READ"
	repeated history_$n $PSQL -d mig -c "SELECT count(*) FROM migrate_history()"
	repeated check_$n $PSQL -d mig -c "SELECT count(*) FROM migrate_check()"
	repeated cli_check_$n pg_migrate -q -d mig -D "$B/files_$n" check
	rm -rf "$B/files_$n" "$B"/*_"$n".sql
done

m() { echo "${R[$1]}" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
perrev() { awk -v a="$1" -v n="$2" 'BEGIN {printf "%.1f", a * 1e6 / n}'; }
echo
echo "migrate at scale: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
echo "$(postgres --version), workload $WORKLOAD, medians of $RUNS runs (loads and apply: one run), seconds; per rev. in microseconds"
# row LABEL KEY BASELINE-LABEL BASELINE-KEY: one line per N
row() {
	for n in $SIZES; do
		printf '%-34s %8s %9.4f %8s   %-28s %9.4f %6s\n' "$1" "$n" "$(m $2_$n)" \
			"$(perrev "$(m $2_$n)" "$n")" "$3" "$(m $4_$n)" "$(ratio "$(m $2_$n)" "$(m $4_$n)")"
	done
}
printf '\n%-34s %8s %9s %8s   %-28s %9s %6s\n' operation N seconds "per rev." baseline seconds ratio
row "load: psql -1 -f migrate_load" load_sql "psql -1 -f INSERTs" insert
row "load: pg_migrate load" load_cli "psql -1 -f INSERTs" insert
row "load: pg_migrate load, unchanged" load_cli_again "psql -c 'SELECT 1'" psql_select1
row "migrate_plan('head'), N pending" plan "psql -c SELECT revisions" read_pending
row "migrate_preview('head'), N pending" preview "psql -c SELECT revisions" read_pending
row "CALL migrate_apply('head')" apply "psql -f, commit per rev." psql_commit
row "migrate_history()" history "psql -c SELECT revisions" read
row "migrate_check()" check "psql -c SELECT revisions" read
row "pg_migrate check" cli_check "psql -c SELECT revisions" read
row "pg_migrate upgrade head, no-op" cli_noop "psql -c 'SELECT 1'" psql_select1
echo
printf '%-44s %8s %10s %10s %6s\n' "no-op migrate_upgrade('head'), pgbench" N "ms" "SELECT 1" ratio
for n in $SIZES; do
	printf '%-44s %8s %10.3f %10.3f %6s\n' "one connection" "$n" "$(m noop_$n)" "$(m select1_$n)" "$(ratio "$(m noop_$n)" "$(m select1_$n)")"
	printf '%-44s %8s %10.3f %10.3f %6s\n' "a fresh connection per call (-C)" "$n" "$(m noop_cold_$n)" "$(m select1_cold_$n)" "$(ratio "$(m noop_cold_$n)" "$(m select1_cold_$n)")"
done
