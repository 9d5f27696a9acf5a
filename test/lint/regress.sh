#!/usr/bin/env bash
# Lint every statement of a folder of SQL scripts -- made for PostgreSQL's
# own regression SQL (src/test/regress/sql of a PostgreSQL source tree,
# which is not in this repository) -- with migrate_lint, against a
# throwaway cluster, and report files, statements, findings, parse errors,
# crashes and speed.  Not part of ./test/check.sh.
#
#   test/lint/regress.sh FOLDER
#
# split.pl splits each file the way psql would (psql meta-commands and
# COPY data are dropped); each file is then linted as one text, or, if the
# raw parser refuses the text (the regression SQL has deliberate syntax
# errors), statement by statement.  Each file runs in its own psql, so a
# crash costs one file; "crashes" counts the files whose connection died,
# and the server log is searched for "terminated by signal".  Errors other
# than the parser's are listed: they are the linter's fault.
source "$(dirname "$0")/../lib.sh"

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 FOLDER" >&2
	exit 2
fi
DIR=$(cd "$1" && pwd)

ensure_packages
build_install
make_workdir "${MIGRATE_TMP:-tmp_lint_regress}"
start_cluster data

export PGOPTIONS="-c client_min_messages=warning"
start=$SECONDS
perl "$TOP/test/lint/split.pl" "$DIR"/*.sql >"$WORK/statements.tsv"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION migrate" \
	-f "$TOP/test/lint/lint_file.sql" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 \
	-c "\\copy lint_statement FROM '$WORK/statements.tsv'" >/dev/null

files=0 statements=0 parsed=0 findings=0 parse_errors=0 other_errors=0 crashes=0
lint_ms=0 whole_files=0 whole_statements=0 whole_ms=0
for f in "$DIR"/*.sql; do
	name=$(basename "$f")
	files=$((files + 1))
	if out=$(psql -X -qAt -F ' ' -v name="$name" \
		-c "SELECT statements, parsed, findings, parse_errors, other_errors, round(lint_ms), whole FROM lint_file('$name')" 2>"$WORK/psql.err"); then
		read -r s p fi pe oe ms w <<<"$out"
		if [ "$w" = t ]; then
			whole_files=$((whole_files + 1)) whole_statements=$((whole_statements + s))
			whole_ms=$((whole_ms + ms))
		fi
		statements=$((statements + s)) parsed=$((parsed + p))
		findings=$((findings + fi)) parse_errors=$((parse_errors + pe))
		other_errors=$((other_errors + oe)) lint_ms=$((lint_ms + ms))
	else
		crashes=$((crashes + 1))
		echo "$name: $(tail -3 "$WORK/psql.err")"
		# wait for the server to come back after a crash
		for _ in $(seq 1 100); do
			pg_isready -q && break
			sleep 0.2
		done
	fi
done
wall=$((SECONDS - start))
signals=$(grep -c 'terminated by signal' "$WORK/data.log" || true)

echo "== findings by rule"
psql -X -q -c "SELECT rule, severity, count(*) AS findings FROM lint_finding GROUP BY 1, 2 ORDER BY 3 DESC, 1"
echo "== errors that are not the parser's"
psql -X -q -c "SELECT file, n, sqlstate, message FROM lint_error e
	WHERE n IS NOT NULL AND NOT (sqlstate = '42601' OR sqlstate LIKE '22%' OR sqlstate IN ('0A000', '42P02'))
	ORDER BY 1, 2"
echo "== the parser's refusals, most frequent first"
psql -X -q -c "SELECT sqlstate, regexp_replace(message, '\"[^\"]*\"', '\"...\"', 'g') AS message, count(*)
	FROM lint_error WHERE n IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 12"
echo "== summary"
echo "folder:           $DIR"
echo "files:            $files"
echo "statements:       $statements (split as psql would)"
echo "parsed:           $parsed"
echo "parse errors:     $parse_errors"
echo "other errors:     $other_errors"
echo "findings:         $findings"
echo "crashes:          $crashes (server log: $signals \"terminated by signal\")"
echo "wall time:        ${wall} s (build and cluster start excluded)"
echo "lint time:        ${lint_ms} ms in migrate_lint calls"
if [ "$lint_ms" -gt 0 ]; then
	echo "speed:            $((parsed * 1000 / lint_ms)) statements/s over all calls"
fi
echo "linted whole:     $whole_files files, $whole_statements statements, ${whole_ms} ms"
if [ "$whole_ms" -gt 0 ]; then
	echo "speed, whole:     $((whole_statements * 1000 / whole_ms)) statements/s"
fi
[ "$crashes" = 0 ] && [ "$signals" = 0 ] && [ "$other_errors" = 0 ]
