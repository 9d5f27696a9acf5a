-- Server side of test/lint/regress.sh: the statements of each file (from
-- split.pl) in a table, and lint_file(file), which lints them with
-- migrate_lint and records what it found.

CREATE TABLE lint_statement (
	file		text,
	n			integer,
	line		integer,
	sql			text,
	PRIMARY KEY (file, n)
);

CREATE TABLE lint_finding (
	file		text,
	rule		text,
	severity	text,
	statement	integer
);

CREATE TABLE lint_error (
	file		text,
	n			integer,			-- NULL: the whole file
	sqlstate	text,
	message		text
);

-- Lint a file as one text (its statements in order, so that what earlier
-- statements created counts); if the raw parser refuses the text, lint
-- each statement on its own and count those it refuses.  The time is what
-- the migrate_lint calls took, in the server.
CREATE FUNCTION lint_file(name text,
	OUT statements integer, OUT parsed integer, OUT findings integer,
	OUT parse_errors integer, OUT other_errors integer, OUT lint_ms float8,
	OUT whole boolean)
LANGUAGE plpgsql AS $lf$
DECLARE
	script text;
	t0 timestamptz;
	s record;
	code text;
	msg text;
BEGIN
	SELECT count(*), string_agg(sql, E'\n;\n' ORDER BY n)
	  INTO statements, script FROM lint_statement WHERE file = name;
	parsed := 0; findings := 0; parse_errors := 0; other_errors := 0; lint_ms := 0;
	whole := false;
	IF statements = 0 THEN
		RETURN;
	END IF;
	t0 := clock_timestamp();
	BEGIN
		INSERT INTO lint_finding
			SELECT name, l.rule, l.severity, l.statement
			  FROM migrate_lint(script, transactional => false) l;
		GET DIAGNOSTICS findings = ROW_COUNT;
		parsed := statements;
		whole := true;
		lint_ms := lint_ms + extract(epoch FROM clock_timestamp() - t0) * 1000;
		RETURN;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
		INSERT INTO lint_error VALUES (name, NULL, code, msg);
	END;
	lint_ms := lint_ms + extract(epoch FROM clock_timestamp() - t0) * 1000;

	FOR s IN SELECT n, sql FROM lint_statement WHERE file = name ORDER BY n LOOP
		t0 := clock_timestamp();
		BEGIN
			INSERT INTO lint_finding
				SELECT name, l.rule, l.severity, s.n
				  FROM migrate_lint(s.sql, transactional => false) l;
			GET DIAGNOSTICS code = ROW_COUNT;
			findings := findings + code::integer;
			parsed := parsed + 1;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
			INSERT INTO lint_error VALUES (name, s.n, code, msg);
			-- the raw parser's and scanner's refusals; anything else
			-- (an internal error above all) is the linter's fault
			IF code = '42601' OR code LIKE '22%' OR code = '0A000' OR code = '42P02' THEN
				parse_errors := parse_errors + 1;
			ELSE
				other_errors := other_errors + 1;
			END IF;
		END;
		lint_ms := lint_ms + extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
END
$lf$;
