#!/usr/bin/env bash
# Benchmark of pg_migrate on a fleet: D databases (default 100) upgraded
# from base to the head of a folder of N revisions (default 50), by
# "pg_migrate upgrade --dbs-file FILE -j J" for J in 1, 4 and 16, against
# a shell loop that runs "pg_migrate -d DB upgrade" once per database, in
# the same run.  Between two measurements every database goes back to
# base (not timed).  Each measurement is repeated R times (default 3), the
# median is kept; the ratios are against the loop's median.
#
# Needs a running server with migrate installed, reached through the PG*
# variables (max_connections above 16), and pg_migrate on PATH:
#
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres test/bench/fleet.sh [D] [N] [R]
#
# Each revision creates a table with a key and an index.  The databases
# are named migrate_fleet_bench_NNN and dropped at the end.
set -euo pipefail

D=${1:-100}
N=${2:-50}
R=${3:-3}
WORK=$(mktemp -d /tmp/migrate-fleet-bench.XXXXXX)
PREFIX=migrate_fleet_bench_

cleanup() {
	for i in $(seq 1 "$D"); do
		psql -qX -d postgres -c "DROP DATABASE IF EXISTS $(printf '%s%03d' $PREFIX "$i")" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/migrations"
prev=""
for i in $(seq 1 "$N"); do
	id=$(printf 'f%04d' "$i")
	{
		echo "-- migrate:revision $id"
		[ -n "$prev" ] && echo "-- migrate:parents $prev"
		echo "-- migrate:message create fleet_$i"
		echo
		echo "-- migrate:upgrade"
		echo "CREATE TABLE fleet_$i (id bigint PRIMARY KEY, name text NOT NULL DEFAULT '');"
		echo "CREATE INDEX fleet_${i}_name_idx ON fleet_$i (name);"
		echo
		echo "-- migrate:downgrade"
		echo "DROP TABLE fleet_$i;"
	} > "$WORK/migrations/$(printf '%04d' "$i")_create_fleet_$i.sql"
	prev=$id
done

: > "$WORK/dbs.txt"
for i in $(seq 1 "$D"); do
	db=$(printf '%s%03d' $PREFIX "$i")
	psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	psql -qX -d postgres -c "CREATE DATABASE $db" >/dev/null
	psql -qX -d "$db" -c "SET client_min_messages = warning; CREATE EXTENSION migrate" >/dev/null
	echo "dbname=$db" >> "$WORK/dbs.txt"
done

export PGOPTIONS="-c client_min_messages=warning"
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
to_base() {
	pg_migrate -q -D "$WORK/migrations" downgrade base --force --dbs-file "$WORK/dbs.txt" -j 4 >/dev/null
}
check_head() {
	local n
	n=$(pg_migrate -D "$WORK/migrations" current --dbs-file "$WORK/dbs.txt" -j 4 | grep -c "$(printf 'f%04d' "$N") (head)")
	[ "$n" = "$D" ] || { echo "only $n of $D databases at head" >&2; exit 1; }
}

# the folder loaded once everywhere, so that every measurement loads the
# same (unchanged) files
pg_migrate -q -D "$WORK/migrations" upgrade --dbs-file "$WORK/dbs.txt" -j 4 >/dev/null
to_base

modes="loop j1 j4 j16"
for m in $modes; do : > "$WORK/$m"; done
for r in $(seq 1 "$R"); do
	for m in $modes; do
		t0=$(now)
		case $m in
			loop)
				while read -r conn; do
					pg_migrate -q -d "$conn" -D "$WORK/migrations" upgrade head >/dev/null
				done < "$WORK/dbs.txt"
				;;
			j*)
				pg_migrate -q -D "$WORK/migrations" upgrade head --dbs-file "$WORK/dbs.txt" -j "${m#j}" >/dev/null
				;;
		esac
		t1=$(now)
		check_head
		echo "$t1 - $t0" | bc -l >> "$WORK/$m"
		to_base
	done
done

loop=$(median < "$WORK/loop")
printf '%d databases x %d revisions, median of %d runs (nproc %s)\n' "$D" "$N" "$R" "$(nproc)"
printf '%-40s %10s %8s\n' "command" "seconds" "ratio"
for m in $modes; do
	t=$(median < "$WORK/$m")
	case $m in
		loop) what="shell loop, pg_migrate -d DB upgrade" ;;
		*) what="pg_migrate upgrade --dbs-file -j ${m#j}" ;;
	esac
	printf '%-40s %10.2f %8.2f\n' "$what" "$t" "$(echo "$t / $loop" | bc -l)"
done
