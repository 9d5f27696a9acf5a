#!/usr/bin/env bash
# Benchmark of pg_migrate: "pg_migrate upgrade head" on a folder of N
# revision files (default 1,000) into a fresh database, against
# "psql -1 -f" of the same upgrade SQL into another fresh database, in the
# same run; then the no-op "pg_migrate upgrade head" (everything applied).
# Each measurement is repeated R times (default 3), the median is kept.
#
# Needs a running server with migrate installed, reached through the PG*
# variables, and pg_migrate and psql on PATH:
#
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres test/bench/client.sh [N] [R]
#
# Each revision creates a table with a key, two columns, a check, a
# default and an index, and every fifth one adds a column and a foreign
# key to an earlier table: 2 or 4 statements per revision.
#
# SETTLE=S waits S seconds after dropping and creating the databases of a
# round: on ext4, the first of the two runs after the drop of thousands of
# files pays for skipping their recently freed inodes (up to 30 to 90 s
# after the drop), which otherwise makes the order of the runs matter more
# than what they do.
set -euo pipefail

N=${1:-1000}
R=${2:-3}
WORK=$(mktemp -d /tmp/migrate-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/migrations"
: > "$WORK/all.sql"
prev=""
for i in $(seq 1 "$N"); do
	id=$(printf 'b%05d' "$i")
	up="CREATE TABLE bench_$i (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL DEFAULT '', amount numeric CHECK (amount >= 0), created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX bench_${i}_name_idx ON bench_$i (name);"
	if [ $((i % 5)) = 0 ]; then
		up="$up
ALTER TABLE bench_$i ADD COLUMN ref_id bigint;
ALTER TABLE bench_$i ADD CONSTRAINT bench_${i}_ref_fk FOREIGN KEY (ref_id) REFERENCES bench_$((i - 1)) (id);"
	fi
	{
		echo "-- migrate:revision $id"
		[ -n "$prev" ] && echo "-- migrate:parents $prev"
		echo "-- migrate:message create bench_$i"
		echo
		echo "-- migrate:upgrade"
		echo "$up"
		echo
		echo "-- migrate:downgrade"
		echo "DROP TABLE bench_$i;"
	} > "$WORK/migrations/$(printf '%05d' "$i")_create_bench_$i.sql"
	echo "$up" >> "$WORK/all.sql"
	prev=$id
done

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

: > "$WORK/client" ; : > "$WORK/psql" ; : > "$WORK/noop" ; : > "$WORK/ratio"
for r in $(seq 1 "$R"); do
	for db in bench_client bench_psql; do
		dropdb --if-exists "$db"
		createdb "$db"
		psql -X -q -d "$db" -c 'CREATE EXTENSION migrate'
	done
	sleep "${SETTLE:-0}"
	# alternate which goes first, so that a load on the machine that
	# comes and goes does not always fall on the same one
	for which in $( [ $((r % 2)) = 1 ] && echo "client psql" || echo "psql client"); do
		t0=$(now)
		if [ "$which" = client ]; then
			pg_migrate -q -d bench_client -D "$WORK/migrations" upgrade head
		else
			psql -X -q -1 -v ON_ERROR_STOP=1 -d bench_psql -f "$WORK/all.sql"
		fi
		t1=$(now)
		echo "$t1 - $t0" | bc >> "$WORK/$which"
	done
	t2=$(now)
	pg_migrate -q -d bench_client -D "$WORK/migrations" upgrade head
	t3=$(now)
	echo "$t3 - $t2" | bc >> "$WORK/noop"
	echo "scale=3; $(tail -1 "$WORK/client") / $(tail -1 "$WORK/psql")" | bc >> "$WORK/ratio"
	echo "run $r: pg_migrate $(tail -1 "$WORK/client") s, psql -1 -f $(tail -1 "$WORK/psql") s, ratio $(echo "scale=3; $(tail -1 "$WORK/client") / $(tail -1 "$WORK/psql")" | bc), no-op $(tail -1 "$WORK/noop") s"
done
c=$(median < "$WORK/client")
p=$(median < "$WORK/psql")
o=$(median < "$WORK/noop")
echo "revisions: $N; medians of $R runs"
echo "pg_migrate upgrade head, from scratch: $c s"
echo "psql -1 -f, same SQL:                  $p s"
echo "ratio of the medians:                  $(echo "scale=3; $c / $p" | bc)"
echo "median of the ratios of each run:      $(median < "$WORK/ratio")"
echo "pg_migrate upgrade head, no-op:        $o s"
for db in bench_client bench_psql; do dropdb --if-exists "$db"; done
