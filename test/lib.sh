# Shared by test/check.sh and test/demo.sh: install what the build needs,
# build and install the extension, and run a throwaway PostgreSQL cluster
# on loopback in a folder of the checkout.
#
# As root (CI), packages come from apt and clusters run as the "postgres"
# OS user, since initdb and postgres refuse to run as root.  As another
# user, sudo is used for apt-get and make install only.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PACKAGES="make gcc postgresql-15 postgresql-server-dev-15 libpq-dev libssl-dev zlib1g-dev libipc-run-perl python3-alembic python3-psycopg2"
# Only t/017_client_alembic.pl needs these (the real Alembic); when apt
# cannot install them, the rest still runs and that test says it skipped.
OPTIONAL_PACKAGES="python3-alembic python3-psycopg2"

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Run a command as the user that owns the clusters.
as_cluster_user() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- env PATH="$PATH" "$@"
	else
		"$@"
	fi
}

ensure_packages() {
	local missing="" required="" optional=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
	for p in $missing; do
		case " $OPTIONAL_PACKAGES " in
		*" $p "*) optional="$optional $p" ;;
		*) required="$required $p" ;;
		esac
	done
	if [ -n "$missing" ]; then
		echo "== installing:$missing"
		as_root apt-get update -q || [ -z "$required" ]
	fi
	if [ -n "$required" ]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $required
	fi
	if [ -n "$optional" ] &&
		! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $optional; then
		echo "== could not install$optional: the Alembic test will be skipped"
	fi
	PG_CONFIG=${PG_CONFIG:-pg_config}
	BINDIR=$($PG_CONFIG --bindir)
	export PATH="$BINDIR:$PATH"
}

build_install() {
	echo "== building"
	make -C "$TOP" -s COPT=-Werror PG_CONFIG="$PG_CONFIG"
	make -C "$TOP/src/pg_migrate" -s COPT=-Werror PG_CONFIG="$PG_CONFIG"
	as_root make -C "$TOP" -s install PG_CONFIG="$PG_CONFIG"
	as_root make -C "$TOP/src/pg_migrate" -s install PG_CONFIG="$PG_CONFIG"
}

# make_workdir [NAME]: a folder the cluster user can write, NAME (default
# tmp_check; $MIGRATE_TMP overrides it, so that runs can go side by side)
# in the checkout, or a temporary folder when the checkout is not
# reachable by that user.  Sets WORK.
make_workdir() {
	WORK="$TOP/${MIGRATE_TMP:-${1:-tmp_check}}"
	rm -rf "$WORK"
	mkdir -p "$WORK"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$WORK"
		if ! runuser -u postgres -- test -w "$WORK"; then
			WORK=$(mktemp -d /tmp/migrate-check.XXXXXX)
			chown postgres: "$WORK"
			echo "== checkout not reachable by user postgres; working in $WORK"
		fi
	fi
}

free_port() {
	local port
	local base=${MIGRATE_PORT_BASE:-54330}
	for port in $(seq "$base" $((base + 70))); do
		if ! (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null; then
			echo $port
			return
		fi
	done
	echo "no free port" >&2
	return 1
}

# start_cluster NAME: initdb and start a cluster in $WORK/NAME; sets PGPORT
# and PGHOST, and registers its stop on exit.
start_cluster() {
	local dir="$WORK/$1"
	PGPORT=$(free_port)
	PGHOST=127.0.0.1
	export PGPORT PGHOST PGDATABASE=postgres
	as_cluster_user initdb -D "$dir" -U postgres --auth=trust --no-sync >"$WORK/$1-initdb.log" 2>&1
	as_cluster_user pg_ctl -D "$dir" -l "$WORK/$1.log" -w \
		-o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK -c fsync=off" start >/dev/null
	CLUSTER_DIRS="${CLUSTER_DIRS:-} $dir"
	trap stop_clusters EXIT
	export PGUSER=postgres
}

# Stop the clusters this script started, by the pid in their postmaster.pid.
stop_clusters() {
	local dir pid
	for dir in ${CLUSTER_DIRS:-}; do
		if [ -f "$dir/postmaster.pid" ]; then
			pid=$(head -1 "$dir/postmaster.pid")
			kill -INT "$pid" 2>/dev/null || true
			for _ in $(seq 1 100); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
		fi
	done
	CLUSTER_DIRS=""
}
