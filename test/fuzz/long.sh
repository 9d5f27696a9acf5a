#!/usr/bin/env bash
# A long fuzz run: test/fuzz/fuzz.sql against a throwaway cluster, seed
# after seed, for the given number of seconds (default 600).  Stops at the
# first crash or internal error and prints the seed.
#   test/fuzz/long.sh [SECONDS]
source "$(dirname "$0")/../lib.sh"

ensure_packages
build_install
make_workdir tmp_fuzz
start_cluster data
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION migrate" -f "$TOP/test/fuzz/fuzz.sql" >/dev/null

end=$((SECONDS + ${1:-600}))
total=0
seed=1
while [ $SECONDS -lt $end ]; do
	s=$(printf '0.%06d' $seed)
	if ! out=$(psql -X -qAt -c "BEGIN" -c "SELECT sqlstate || ' ' || calls FROM migrate_fuzz($s, 2000)" -c "COMMIT" 2>&1); then
		echo "seed $s: the connection failed"; echo "$out" | tail -5; exit 1
	fi
	if echo "$out" | grep -q '^XX'; then
		echo "seed $s: internal error"; echo "$out"; exit 1
	fi
	if grep -qE 'terminated by signal' "$WORK/data.log"; then
		echo "seed $s: a backend crashed"; exit 1
	fi
	total=$((total + 2000))
	seed=$((seed + 1))
done
echo "$total calls, $((seed - 1)) seeds, no crash, no internal error"
