-- The benchmark workload: N revisions in a linear chain of realistic small
-- changes, with exact downgrades.  Revision i creates a table with an
-- identity key; every 3rd adds a column to an earlier table, every 5th
-- creates an index, every 7th inserts 100 rows.  Used by bench.sh through
-- psql variables: :n (count), :branches (true: every 50 revisions fork
-- into two branches of 25 that a merge joins).

-- w_up(i), w_down(i): the SQL of revision i
CREATE FUNCTION w_up(i int) RETURNS text LANGUAGE sql IMMUTABLE AS $w$
	SELECT concat_ws(E'\n',
		format('CREATE TABLE w_%s (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);', i),
		CASE WHEN i % 3 = 0 AND i > 2 THEN format('ALTER TABLE w_%s ADD COLUMN c_%s int;', i - 2, i) END,
		CASE WHEN i % 5 = 0 THEN format('CREATE INDEX w_%s_v ON w_%s (v);', i, i) END,
		CASE WHEN i % 7 = 0 THEN format('INSERT INTO w_%s (v) SELECT g::text FROM generate_series(1, 100) g;', i) END)
$w$;
CREATE FUNCTION w_down(i int) RETURNS text LANGUAGE sql IMMUTABLE AS $w$
	SELECT concat_ws(E'\n',
		CASE WHEN i % 3 = 0 AND i > 2 THEN format('ALTER TABLE w_%s DROP COLUMN c_%s;', i - 2, i) END,
		format('DROP TABLE w_%s;', i))
$w$;
