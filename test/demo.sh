#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install packages, build and
# install the extension, start a throwaway cluster on 127.0.0.1 in
# tmp_demo/ of the checkout, CREATE EXTENSION migrate, load the example
# revisions of test/examples/, upgrade to head, and show the history.
# The cluster is stopped at the end; set MIGRATE_DEMO_KEEP=1 to keep it
# running (the script then prints how to connect and how to stop it).
source "$(dirname "$0")/lib.sh"

ensure_packages
build_install
make_workdir tmp_demo
start_cluster data

psql_demo() { psql -X -v ON_ERROR_STOP=1 -d postgres "$@"; }

echo "== CREATE EXTENSION migrate"
psql_demo -q -c "CREATE EXTENSION migrate"

echo "== loading test/examples/"
for file in "$TOP"/test/examples/*.sql; do
	echo "SELECT 'loaded ' || migrate_load(:'file') || '  ($(basename "$file"))';" |
		psql_demo -qAt -v file="$(cat "$file")"
done

echo "== SELECT * FROM migrate_upgrade('head')"
psql_demo -c "SELECT step, revision, message, statements FROM migrate_upgrade('head')"

echo "== SELECT * FROM migrate_history()"
psql_demo -c "SELECT revision, parents, branch_labels, message, applied, markers FROM migrate_history()"

echo "== SELECT * FROM migrate_current(); SELECT migrate_at_head()"
psql_demo -c "SELECT revision, message, markers, applied_by FROM migrate_current()" -c "SELECT migrate_at_head()"

if [ "${MIGRATE_DEMO_KEEP:-0}" = 1 ]; then
	trap - EXIT
	echo "The cluster keeps running: psql -h $PGHOST -p $PGPORT -U postgres postgres"
	echo "Stop it with: kill -INT \$(head -1 $WORK/data/postmaster.pid)"
fi
