#!/usr/bin/env bash
# The Citus test: migrate on a Citus coordinator with two workers, on
# loopback.  Finds Citus in the tree of $PG_CONFIG (citus.so and its
# control file), or builds it there from a Citus source folder named by
# $CITUS_SRC (13.0.x for PostgreSQL 15: configure, make, make install);
# without either it says that Citus is absent and exits 0, so the main
# suite (test/check.sh) counts nothing and fails nothing.
#
# Builds and installs migrate like test/check.sh, then runs the TAP tests
# of test/citus/ (each starts its own coordinator and workers with
# PostgreSQL::Test::Cluster and stops them).  Prints "test citus/NAME ...
# ok" or "... FAILED" per test file and exits non-zero if one failed.
source "$(dirname "$0")/../lib.sh"

ensure_packages
LIBDIR=$($PG_CONFIG --pkglibdir)
SHAREDIR=$($PG_CONFIG --sharedir)

citus_installed() {
	[ -f "$LIBDIR/citus.so" ] && [ -f "$SHAREDIR/extension/citus.control" ]
}

if ! citus_installed && [ -n "${CITUS_SRC:-}" ]; then
	if [ ! -x "$CITUS_SRC/configure" ]; then
		echo "== CITUS_SRC=$CITUS_SRC holds no Citus source (no configure script)"
		exit 1
	fi
	echo "== building Citus from $CITUS_SRC"
	# columnar needs lz4 and zstd headers, the server headers need gssapi's
	for p in liblz4-dev libzstd-dev libkrb5-dev; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p"
	done
	(cd "$CITUS_SRC" &&
		./configure PG_CONFIG="$PG_CONFIG" --without-libcurl >configure.out &&
		make -s -j"$(nproc)" with_llvm=no &&
		as_root make -s install with_llvm=no PG_CONFIG="$PG_CONFIG")
fi
if ! citus_installed; then
	echo "== Citus is absent from $LIBDIR (and CITUS_SRC names no source to build): the Citus test is skipped"
	exit 0
fi

build_install
# a folder of its own, also when test/check.sh (with $MIGRATE_TMP) runs it
MIGRATE_TMP=${MIGRATE_TMP:-tmp_check}_citus make_workdir
cp -r "$TOP/test/citus" "$WORK/"
mkdir -p "$WORK/tap"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK"
PGXS_DIR=$(cd "$(dirname "$($PG_CONFIG --pgxs)")/../.." && pwd)

failed=0
for t in "$WORK"/citus/*.pl; do
	name=citus/$(basename "$t" .pl)
	if (cd "$WORK" && as_cluster_user env TESTDIR="$WORK/tap" \
		PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
		prove -I "$PGXS_DIR/src/test/perl" "$t" 2>&1) | tee "$WORK/$(basename "$t" .pl).out" &&
		grep -q '^Result: PASS' "$WORK/$(basename "$t" .pl).out"; then
		echo "test $name ... ok"
	else
		echo "test $name ... FAILED"
		failed=$((failed + 1))
	fi
done
[ "$failed" = 0 ]
