#!/usr/bin/env bash
# migrate_diff's speed: two schemas of N tables each (default 1,000), the
# live one populated by a script and the desired one a script that changes
# one table in ten (a column added, a default changed, an index added, a
# check dropped), diffed in the backend: the time of the migrate_diff call
# (desired script run in its subtransaction, both snapshots, comparison,
# SQL generation and linting), measured inside the server, median of RUNS
# runs (default 3).  Each table has a primary key, a NOT NULL column, a
# default, a check, a foreign key to the table before it, an index and a
# comment.  Not a test: it prints figures.  Usage: test/bench/diff.sh [N]
source "$(dirname "$0")/../lib.sh"

N=${1:-1000}
RUNS=${RUNS:-3}
ensure_packages
build_install
make_workdir tmp_bench_diff
start_cluster data
# the desired script creates N tables in one (sub)transaction
as_cluster_user psql -X -q -d postgres -c "ALTER SYSTEM SET max_locks_per_transaction = 1024"
as_cluster_user pg_ctl -D "$WORK/data" -l "$WORK/data.log" -w restart >/dev/null

PSQL="psql -X -q -v ON_ERROR_STOP=1"
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# schema_sql CHANGED: the DDL of the N tables; CHANGED=1 changes one in ten
schema_sql() {
	awk -v n="$N" -v changed="$1" 'BEGIN {
		print "CREATE SCHEMA app;"
		for (i = 1; i <= n; i++) {
			c = changed && i % 10 == 0
			line = "CREATE TABLE app.t" i " (id bigint PRIMARY KEY, name text NOT NULL, v integer DEFAULT " (c ? 1 : 0)
			if (c) line = line ", note text"
			if (i > 1) line = line ", ref bigint CONSTRAINT t" i "_ref_fk REFERENCES app.t" (i - 1)
			if (!c) line = line ", CONSTRAINT t" i "_v_check CHECK (v >= 0)"
			print line ");"
			print "CREATE INDEX t" i "_name_idx ON app.t" i " (name);"
			if (c) print "CREATE INDEX t" i "_v_idx ON app.t" i " (v);"
			print "COMMENT ON TABLE app.t" i " IS '\''table " i "'\'';"
		}
	}'
}

$PSQL -c "CREATE EXTENSION migrate"
schema_sql 0 > "$WORK/live.sql"
schema_sql 1 > "$WORK/desired.sql"
$PSQL -f "$WORK/live.sql"
$PSQL -c "INSERT INTO migrate.managed_schema (name) VALUES ('app')" -c "ANALYZE"
cat > "$WORK/timed.sql" <<'SQL'
CREATE FUNCTION pg_temp.timed(desired text, OUT seconds numeric, OUT changes bigint) LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz := clock_timestamp();
BEGIN
	SELECT count(*) INTO changes FROM migrate_diff(desired);
	seconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3);
END
$$;
\set desired `cat DESIRED`
SELECT seconds || ' ' || changes FROM pg_temp.timed(:'desired');
SQL
sed -i "s|DESIRED|$WORK/desired.sql|" "$WORK/timed.sql"
times=""
for r in $(seq "$RUNS"); do
	out=$($PSQL -At -f "$WORK/timed.sql")
	times="$times ${out% *}"
	changes=${out#* }
done
echo "migrate_diff, $N tables each side, $changes changes: median $(echo "$times" | median) s (runs:$times)"
