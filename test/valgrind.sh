#!/usr/bin/env bash
# The regression suite with the server under valgrind memcheck: every
# backend runs under valgrind, and the run fails if any of them reports an
# error that test/valgrind.supp does not suppress.  Takes a few minutes.
#   test/valgrind.sh [TEST...]
source "$(dirname "$0")/lib.sh"

PACKAGES="$PACKAGES valgrind"
ensure_packages
build_install
make_workdir tmp_valgrind
cp -r "$TOP/sql" "$TOP/expected" "$TOP/test" "$WORK/"
cat > "$WORK/postgres-valgrind" <<EOS
#!/bin/sh
exec valgrind --quiet --trace-children=yes --track-origins=yes \\
	--error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \\
	--suppressions="$WORK/test/valgrind.supp" \\
	--log-file="$WORK/valgrind.%p.log" "$BINDIR/postgres" "\$@"
EOS
chmod +x "$WORK/postgres-valgrind"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK"

PGPORT=$(free_port)
PGHOST=127.0.0.1
export PGPORT PGHOST PGUSER=postgres PGDATABASE=postgres
as_cluster_user initdb -D "$WORK/data" -U postgres --auth=trust --no-sync >"$WORK/initdb.log" 2>&1
as_cluster_user pg_ctl -D "$WORK/data" -l "$WORK/data.log" -w -t 600 -p "$WORK/postgres-valgrind" \
	-o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK -c fsync=off" start >/dev/null
CLUSTER_DIRS="$WORK/data"
trap stop_clusters EXIT

PGXS_DIR=$(cd "$(dirname "$($PG_CONFIG --pgxs)")/../.." && pwd)
status=0
(cd "$WORK" && as_cluster_user "$PGXS_DIR/src/test/regress/pg_regress" --inputdir="$WORK" \
	--outputdir="$WORK/regress" --host=$PGHOST --port=$PGPORT --user=postgres \
	--dbname=contrib_regression ${*:-$(make -s -C "$TOP" print-regress)}) || status=1
stop_clusters

errors=$( (grep -l VALGRINDERROR-BEGIN "$WORK"/valgrind.*.log 2>/dev/null || true) | wc -l)
if [ "$errors" -gt 0 ]; then
	grep -h -A30 VALGRINDERROR-BEGIN "$WORK"/valgrind.*.log | head -200
	status=1
fi
echo "$(ls "$WORK"/valgrind.*.log | wc -l) processes under valgrind, $errors with errors"
exit $status
