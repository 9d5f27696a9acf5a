/*-------------------------------------------------------------------------
 *
 * snapshot.c
 *	  The objects of some schemas, read from the catalogs by name and
 *	  definition, for the schema diff (analysis/diff.c).
 *
 * One query reads every kind of object the diff compares; definitions
 * come from the server's own deparsers (pg_get_constraintdef,
 * pg_get_indexdef, pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef,
 * pg_get_expr, format_type), with search_path pinned to pg_catalog so that
 * every name in them is schema-qualified the same way whatever the
 * session's path.  OIDs are kept only to order objects by creation; the
 * diff never compares them.  Members of extensions are left out, as in
 * the schema fingerprint (catalog.c).
 *
 * Runs as the caller (it reads only catalogs the caller may read); takes
 * no lock beyond those of the deparsers (pg_get_viewdef opens the view
 * ACCESS SHARE).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "migrate/catalog/citus.h"
#include "migrate/catalog/snapshot.h"
#include "migrate/util/textarray.h"

static const char *const snapshot_sql =
"WITH s AS (SELECT n.oid, n.nspname::pg_catalog.text AS nspname FROM pg_catalog.pg_namespace n"
"           WHERE n.nspname::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($1)),"
" e AS (SELECT classid, objid FROM pg_catalog.pg_depend"
"       WHERE deptype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\"),"
/* functions that are part of another object (a range type's constructors) */
" ip AS (SELECT objid FROM pg_catalog.pg_depend"
"        WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass"
"         AND deptype OPERATOR(pg_catalog.=) 'i'::pg_catalog.\"char\"),"
" r AS (SELECT c.oid, s.nspname, c.relname::pg_catalog.text AS relname, c.relkind,"
"       c.relpersistence, c.relrowsecurity, c.relowner, c.relacl,"
"       pg_catalog.array_to_string(c.reloptions, pg_catalog.chr(1)) AS reloptions,"
"       (SELECT pg_catalog.format('%I.%I', pn.nspname, pc.relname)"
"        OPERATOR(pg_catalog.||) pg_catalog.chr(1) OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(c.relpartbound, c.oid)"
"        FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid OPERATOR(pg_catalog.=) i.inhparent"
"        JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) pc.relnamespace"
"        WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid AND c.relispartition) AS partof"
"       FROM pg_catalog.pg_class c JOIN s ON c.relnamespace OPERATOR(pg_catalog.=) s.oid"
"       WHERE (c.tableoid, c.oid) NOT IN (SELECT * FROM e)"
"        AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,S}'::pg_catalog.\"char\"[])),"
/* what ALTER ... OWNER TO and GRANT name: relations, functions, types, the schemas */
" o AS (SELECT r.oid, r.nspname, CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'"
"        WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kw,"
"        CASE r.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS grantkw,"
"        pg_catalog.format('%I.%I', r.nspname, r.relname) AS ident, r.relowner AS owner, r.relacl AS acl,"
"        CASE r.relkind WHEN 'S' THEN 's' ELSE 'r' END::pg_catalog.\"char\" AS aclkind,"
"        CASE r.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'matview' WHEN 'S' THEN 'sequence' ELSE 'table' END"
"         OPERATOR(pg_catalog.||) pg_catalog.chr(2) OPERATOR(pg_catalog.||) r.relname AS target"
"       FROM r WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
"        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"         AND d.objid OPERATOR(pg_catalog.=) r.oid AND r.relkind OPERATOR(pg_catalog.=) 'S'::pg_catalog.\"char\""
"         AND d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog.\"char\"[]))"
"      UNION ALL SELECT p.oid, s.nspname, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,"
"        CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,"
"        pg_catalog.format('%I.%I(%s)', s.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),"
"        p.proowner, p.proacl, 'f', 'function' OPERATOR(pg_catalog.||) pg_catalog.chr(2) OPERATOR(pg_catalog.||)"
"        pg_catalog.format('%s(%s)', p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid))"
"       FROM s JOIN pg_catalog.pg_proc p ON p.pronamespace OPERATOR(pg_catalog.=) s.oid"
"       WHERE p.prokind OPERATOR(pg_catalog.=) ANY ('{f,p}'::pg_catalog.\"char\"[])"
"        AND (p.tableoid, p.oid) NOT IN (SELECT * FROM e) AND p.oid NOT IN (SELECT * FROM ip)"
"      UNION ALL SELECT t.oid, s.nspname, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,"
"        CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,"
"        pg_catalog.format('%I.%I', s.nspname, t.typname), t.typowner, t.typacl, 'T',"
"        CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' ELSE 'composite' END"
"         OPERATOR(pg_catalog.||) pg_catalog.chr(2) OPERATOR(pg_catalog.||) t.typname"
"       FROM s JOIN pg_catalog.pg_type t ON t.typnamespace OPERATOR(pg_catalog.=) s.oid"
"       WHERE t.typtype OPERATOR(pg_catalog.=) ANY ('{e,d,r,c}'::pg_catalog.\"char\"[])"
"        AND (t.typtype OPERATOR(pg_catalog.<>) 'c'::pg_catalog.\"char\" OR (SELECT tc.relkind FROM pg_catalog.pg_class tc"
"         WHERE tc.oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c'::pg_catalog.\"char\")"
"        AND (t.tableoid, t.oid) NOT IN (SELECT * FROM e)"
"      UNION ALL SELECT n.oid, n.nspname, 'SCHEMA', 'SCHEMA', pg_catalog.quote_ident(n.nspname),"
"        n.nspowner, n.nspacl, 'n', 'schema' OPERATOR(pg_catalog.||) pg_catalog.chr(2) OPERATOR(pg_catalog.||) n.nspname"
"       FROM pg_catalog.pg_namespace n JOIN s ON s.oid OPERATOR(pg_catalog.=) n.oid)"
/* tables: a1 relkind, a2 persistence, a3 row level security, a4 partition key,
 * a5 storage options (\x01 between), a6 the parent of a partition \x01 its bound */
" SELECT r.oid::pg_catalog.int8, 'table', r.nspname, NULL, r.relname,"
"  pg_catalog.format('%s %s %s %s|%s|%s', r.relkind, r.relpersistence, r.relrowsecurity,"
"   pg_catalog.pg_get_partkeydef(r.oid), r.reloptions, r.partof),"
"  r.relkind::pg_catalog.text, r.relpersistence::pg_catalog.text,"
"  r.relrowsecurity::pg_catalog.text, pg_catalog.pg_get_partkeydef(r.oid), r.reloptions, r.partof"
" FROM r WHERE r.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[])"
/* columns: a1 type, a2 collation, a3 default, a4 not null, a5 identity, a6 generation */
" UNION ALL SELECT r.oid::pg_catalog.int8 OPERATOR(pg_catalog.*) 10000 OPERATOR(pg_catalog.+) a.attnum,"
"  'column', r.nspname, r.relname, a.attname::pg_catalog.text,"
"  pg_catalog.format('%s|%s|%s|%s|%s|%s', pg_catalog.format_type(a.atttypid, a.atttypmod),"
"   pg_catalog.quote_ident(co.collname), pg_catalog.pg_get_expr(d.adbin, d.adrelid),"
"   a.attnotnull, a.attidentity, a.attgenerated),"
"  pg_catalog.format_type(a.atttypid, a.atttypmod),"
"  CASE WHEN co.oid IS NOT NULL THEN pg_catalog.format('%I.%I', cn.nspname, co.collname) END,"
"  CASE WHEN a.attgenerated OPERATOR(pg_catalog.=) ''::pg_catalog.\"char\" THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,"
"  a.attnotnull::pg_catalog.text, a.attidentity::pg_catalog.text,"
"  CASE WHEN a.attgenerated OPERATOR(pg_catalog.<>) ''::pg_catalog.\"char\" THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END"
" FROM r JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.oid"
" JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid"
" LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid"
"  AND d.adnum OPERATOR(pg_catalog.=) a.attnum"
" LEFT JOIN pg_catalog.pg_collation co ON co.oid OPERATOR(pg_catalog.=) a.attcollation"
"  AND a.attcollation OPERATOR(pg_catalog.<>) t.typcollation"
" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace"
" WHERE r.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[])"
"  AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
/* constraints: a1 contype, a2 validated, a3 index definition, a4 index name */
" UNION ALL SELECT k.oid::pg_catalog.int8, 'constraint', r.nspname, r.relname,"
"  k.conname::pg_catalog.text, pg_catalog.pg_get_constraintdef(k.oid),"
"  k.contype::pg_catalog.text, k.convalidated::pg_catalog.text,"
"  CASE WHEN k.contype OPERATOR(pg_catalog.=) ANY ('{p,u}'::pg_catalog.\"char\"[])"
"   THEN pg_catalog.pg_get_indexdef(k.conindid) END, ix.relname::pg_catalog.text, NULL, NULL"
" FROM r JOIN pg_catalog.pg_constraint k ON k.conrelid OPERATOR(pg_catalog.=) r.oid"
" LEFT JOIN pg_catalog.pg_class ix ON ix.oid OPERATOR(pg_catalog.=) k.conindid"
" WHERE k.contype OPERATOR(pg_catalog.=) ANY ('{p,u,f,c,x}'::pg_catalog.\"char\"[])"
"  AND k.conislocal AND k.conparentid OPERATOR(pg_catalog.=) 0::pg_catalog.oid"
/*
 * indexes that back no constraint: a1 unique, a2 a partition's, attached
 * to its parent's; a partitioned table's is written to cascade (not ON ONLY)
 */
" UNION ALL SELECT i.indexrelid::pg_catalog.int8, 'index', r.nspname, r.relname,"
"  ic.relname::pg_catalog.text,"
"  pg_catalog.replace(pg_catalog.pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON '),"
"  i.indisunique::pg_catalog.text,"
"  EXISTS (SELECT FROM pg_catalog.pg_inherits ih WHERE ih.inhrelid OPERATOR(pg_catalog.=) i.indexrelid)::pg_catalog.text,"
"  NULL, NULL, NULL, NULL"
" FROM r JOIN pg_catalog.pg_index i ON i.indrelid OPERATOR(pg_catalog.=) r.oid"
" JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid"
" WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k"
"   WHERE k.conindid OPERATOR(pg_catalog.=) i.indexrelid AND k.conrelid OPERATOR(pg_catalog.=) r.oid"
"    AND k.contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}'::pg_catalog.\"char\"[]))"
/* sequences, not those of identity columns */
" UNION ALL SELECT r.oid::pg_catalog.int8, 'sequence', r.nspname, NULL, r.relname,"
"  pg_catalog.format('AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s',"
"   pg_catalog.format_type(q.seqtypid, NULL), q.seqincrement, q.seqmin, q.seqmax, q.seqstart,"
"   q.seqcache, CASE WHEN q.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END),"
"  NULL, NULL, NULL, NULL, NULL, NULL"
" FROM r JOIN pg_catalog.pg_sequence q ON q.seqrelid OPERATOR(pg_catalog.=) r.oid"
" WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
"   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"    AND d.objid OPERATOR(pg_catalog.=) r.oid AND d.deptype OPERATOR(pg_catalog.=) 'i'::pg_catalog.\"char\")"
/* the column a sequence is owned by (serial) */
" UNION ALL SELECT r.oid::pg_catalog.int8, 'seqowner', r.nspname, NULL, r.relname,"
"  pg_catalog.format('%I.%I.%I', tn.nspname, tc.relname, a.attname),"
"  NULL, NULL, NULL, NULL, NULL, NULL"
" FROM r JOIN pg_catalog.pg_depend d"
"  ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"  AND d.objid OPERATOR(pg_catalog.=) r.oid AND d.deptype OPERATOR(pg_catalog.=) 'a'::pg_catalog.\"char\""
"  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"  AND d.refobjsubid OPERATOR(pg_catalog.>) 0"
" JOIN pg_catalog.pg_class tc ON tc.oid OPERATOR(pg_catalog.=) d.refobjid"
" JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) tc.relnamespace"
" JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) tc.oid"
"  AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid"
" WHERE r.relkind OPERATOR(pg_catalog.=) 'S'::pg_catalog.\"char\""
/*
 * views and materialized views: a1 what they read, "schema\x02relation"
 * or "schema\x02table\x02column", \x01 between
 */
" UNION ALL SELECT r.oid::pg_catalog.int8,"
"  CASE WHEN r.relkind OPERATOR(pg_catalog.=) 'v'::pg_catalog.\"char\" THEN 'view' ELSE 'matview' END,"
"  r.nspname, NULL, r.relname, pg_catalog.pg_get_viewdef(r.oid),"
"  (SELECT pg_catalog.string_agg(DISTINCT pg_catalog.concat_ws(pg_catalog.chr(2), rn.nspname, rc.relname,"
"     (SELECT ra.attname FROM pg_catalog.pg_attribute ra WHERE ra.attrelid OPERATOR(pg_catalog.=) rc.oid"
"      AND ra.attnum OPERATOR(pg_catalog.=) dp.refobjsubid AND dp.refobjsubid OPERATOR(pg_catalog.>) 0)),"
"    pg_catalog.chr(1))"
"   FROM pg_catalog.pg_rewrite rw JOIN pg_catalog.pg_depend dp"
"    ON dp.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
"    AND dp.objid OPERATOR(pg_catalog.=) rw.oid"
"    AND dp.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"   JOIN pg_catalog.pg_class rc ON rc.oid OPERATOR(pg_catalog.=) dp.refobjid"
"    AND rc.oid OPERATOR(pg_catalog.<>) r.oid"
"   JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) rc.relnamespace"
"   WHERE rw.ev_class OPERATOR(pg_catalog.=) r.oid),"
"  NULL, NULL, NULL, NULL, NULL"
" FROM r WHERE r.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.\"char\"[])"
/* functions and procedures: a1 result, a2 kind, a3 signature, a4 language */
" UNION ALL SELECT p.oid::pg_catalog.int8, 'function', s.nspname, NULL,"
"  pg_catalog.format('%s(%s)', p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),"
"  pg_catalog.pg_get_functiondef(p.oid), pg_catalog.pg_get_function_result(p.oid),"
"  p.prokind::pg_catalog.text,"
"  pg_catalog.format('%I.%I(%s)', s.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),"
"  l.lanname::pg_catalog.text, NULL, NULL"
" FROM s JOIN pg_catalog.pg_proc p ON p.pronamespace OPERATOR(pg_catalog.=) s.oid"
" JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang"
" WHERE p.prokind OPERATOR(pg_catalog.=) ANY ('{f,p}'::pg_catalog.\"char\"[])"
"  AND (p.tableoid, p.oid) NOT IN (SELECT * FROM e) AND p.oid NOT IN (SELECT * FROM ip)"
/* triggers */
" UNION ALL SELECT t.oid::pg_catalog.int8, 'trigger', r.nspname, r.relname,"
"  t.tgname::pg_catalog.text, pg_catalog.pg_get_triggerdef(t.oid),"
"  NULL, NULL, NULL, NULL, NULL, NULL"
" FROM r JOIN pg_catalog.pg_trigger t ON t.tgrelid OPERATOR(pg_catalog.=) r.oid"
" WHERE NOT t.tgisinternal AND t.tgparentid OPERATOR(pg_catalog.=) 0::pg_catalog.oid"
/* enums: the labels in order, separated by \x01 */
" UNION ALL SELECT t.oid::pg_catalog.int8, 'enum', s.nspname, NULL, t.typname::pg_catalog.text,"
"  COALESCE((SELECT pg_catalog.string_agg(v.enumlabel::pg_catalog.text, pg_catalog.chr(1) ORDER BY v.enumsortorder)"
"   FROM pg_catalog.pg_enum v WHERE v.enumtypid OPERATOR(pg_catalog.=) t.oid), ''),"
"  NULL, NULL, NULL, NULL, NULL, NULL"
" FROM s JOIN pg_catalog.pg_type t ON t.typnamespace OPERATOR(pg_catalog.=) s.oid"
" WHERE t.typtype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\""
"  AND (t.tableoid, t.oid) NOT IN (SELECT * FROM e)"
/* domains: def the whole CREATE DOMAIN, a1 the base type with its collation and constraints, a2 default, a3 not null */
" UNION ALL SELECT t.oid::pg_catalog.int8, 'domain', s.nspname, NULL, t.typname::pg_catalog.text,"
"  pg_catalog.format('CREATE DOMAIN %I.%I AS %s%s%s%s', s.nspname, t.typname, dom.base,"
"   CASE WHEN t.typdefault IS NOT NULL THEN pg_catalog.format(' DEFAULT %s', t.typdefault) END,"
"   CASE WHEN t.typnotnull THEN ' NOT NULL' END, dom.checks),"
"  pg_catalog.format('%s%s', dom.base, dom.checks), t.typdefault, t.typnotnull::pg_catalog.text,"
"  NULL, NULL, NULL"
" FROM s JOIN pg_catalog.pg_type t ON t.typnamespace OPERATOR(pg_catalog.=) s.oid"
"  CROSS JOIN LATERAL (SELECT pg_catalog.format('%s%s', pg_catalog.format_type(t.typbasetype, t.typtypmod),"
"    (SELECT pg_catalog.format(' COLLATE %I.%I', cn.nspname, co.collname)"
"     FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace"
"     JOIN pg_catalog.pg_type b ON b.oid OPERATOR(pg_catalog.=) t.typbasetype"
"     WHERE co.oid OPERATOR(pg_catalog.=) t.typcollation AND t.typcollation OPERATOR(pg_catalog.<>) b.typcollation)) AS base,"
"   COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format(' CONSTRAINT %I %s', k.conname,"
"      pg_catalog.pg_get_constraintdef(k.oid)), '' ORDER BY k.conname)"
"     FROM pg_catalog.pg_constraint k WHERE k.contypid OPERATOR(pg_catalog.=) t.oid), '') AS checks) dom"
" WHERE t.typtype OPERATOR(pg_catalog.=) 'd'::pg_catalog.\"char\""
"  AND (t.tableoid, t.oid) NOT IN (SELECT * FROM e)"
/* row security policies, as CREATE POLICY */
" UNION ALL SELECT p.oid::pg_catalog.int8, 'policy', r.nspname, r.relname, p.polname::pg_catalog.text,"
"  pg_catalog.format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s%s%s', p.polname, r.nspname, r.relname,"
"   CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,"
"   CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'"
"    WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,"
"   (SELECT pg_catalog.string_agg(CASE WHEN o.r OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'PUBLIC'"
"      ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.r)) END, ', ' ORDER BY o.n)"
"    FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY AS o(r, n)),"
"   CASE WHEN p.polqual IS NOT NULL THEN"
"    pg_catalog.format(' USING (%s)', pg_catalog.pg_get_expr(p.polqual, p.polrelid)) END,"
"   CASE WHEN p.polwithcheck IS NOT NULL THEN"
"    pg_catalog.format(' WITH CHECK (%s)', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)) END),"
"  NULL, NULL, NULL, NULL, NULL, NULL"
" FROM r JOIN pg_catalog.pg_policy p ON p.polrelid OPERATOR(pg_catalog.=) r.oid"
/* comments: a1 the object as COMMENT ON names it */
" UNION ALL SELECT d.objoid::pg_catalog.int8 OPERATOR(pg_catalog.*) 10000 OPERATOR(pg_catalog.+) d.objsubid,"
"  'comment', COALESCE(io.schema, ''), NULL,"
"  pg_catalog.format('%s %s', io.type, io.identity), d.description,"
"  CASE io.type WHEN 'table column' THEN 'COLUMN' WHEN 'table constraint' THEN 'CONSTRAINT'"
"   ELSE pg_catalog.upper(io.type) END, io.identity, NULL, NULL, NULL, NULL"
" FROM pg_catalog.pg_description d,"
"  LATERAL pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid) io"
" WHERE (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"        AND d.objoid IN (SELECT oid FROM r UNION ALL SELECT i.indexrelid FROM r"
"         JOIN pg_catalog.pg_index i ON i.indrelid OPERATOR(pg_catalog.=) r.oid))"
"  OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass"
"      AND d.objoid IN (SELECT p.oid FROM pg_catalog.pg_proc p JOIN s ON p.pronamespace OPERATOR(pg_catalog.=) s.oid))"
"  OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass"
"      AND d.objoid IN (SELECT t.oid FROM pg_catalog.pg_type t JOIN s ON t.typnamespace OPERATOR(pg_catalog.=) s.oid))"
"  OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass"
"      AND d.objoid IN (SELECT k.oid FROM pg_catalog.pg_constraint k JOIN r ON k.conrelid OPERATOR(pg_catalog.=) r.oid))"
"  OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass"
"      AND d.objoid IN (SELECT t.oid FROM pg_catalog.pg_trigger t JOIN r ON t.tgrelid OPERATOR(pg_catalog.=) r.oid))"
"  OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass"
"      AND d.objoid IN (SELECT p.oid FROM pg_catalog.pg_policy p JOIN r ON p.polrelid OPERATOR(pg_catalog.=) r.oid))"
"  OR (d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass"
"      AND d.objoid IN (SELECT oid FROM s))"
/* composite types: the attributes in order, "name\x02type" with \x01 between */
" UNION ALL SELECT t.oid::pg_catalog.int8, 'composite', s.nspname, NULL, t.typname::pg_catalog.text,"
"  COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format('%I%s%s%s', a.attname, pg_catalog.chr(2),"
"     pg_catalog.format_type(a.atttypid, a.atttypmod),"
"     (SELECT pg_catalog.format(' COLLATE %I.%I', cn.nspname, co.collname)"
"      FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace"
"      JOIN pg_catalog.pg_type at ON at.oid OPERATOR(pg_catalog.=) a.atttypid"
"      WHERE co.oid OPERATOR(pg_catalog.=) a.attcollation AND a.attcollation OPERATOR(pg_catalog.<>) at.typcollation)),"
"    pg_catalog.chr(1) ORDER BY a.attnum)"
"   FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) t.typrelid"
"    AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped), ''),"
"  NULL, NULL, NULL, NULL, NULL, NULL"
" FROM s JOIN pg_catalog.pg_type t ON t.typnamespace OPERATOR(pg_catalog.=) s.oid"
" JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.typrelid"
"  AND c.relkind OPERATOR(pg_catalog.=) 'c'::pg_catalog.\"char\""
" WHERE (t.tableoid, t.oid) NOT IN (SELECT * FROM e)"
/* range types: def what CREATE TYPE ... AS RANGE takes */
" UNION ALL SELECT t.oid::pg_catalog.int8, 'range', s.nspname, NULL, t.typname::pg_catalog.text,"
"  pg_catalog.format('SUBTYPE = %s%s%s%s%s, MULTIRANGE_TYPE_NAME = %s',"
"   pg_catalog.format_type(g.rngsubtype, NULL),"
"   CASE WHEN NOT oc.opcdefault THEN pg_catalog.format(', SUBTYPE_OPCLASS = %I.%I', ocn.nspname, oc.opcname) END,"
"   (SELECT pg_catalog.format(', COLLATION = %I.%I', cn.nspname, co.collname)"
"    FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace"
"    JOIN pg_catalog.pg_type st ON st.oid OPERATOR(pg_catalog.=) g.rngsubtype"
"    WHERE co.oid OPERATOR(pg_catalog.=) g.rngcollation AND g.rngcollation OPERATOR(pg_catalog.<>) st.typcollation),"
"   CASE WHEN g.rngcanonical OPERATOR(pg_catalog.<>) 0::pg_catalog.regproc THEN pg_catalog.format(', CANONICAL = %s', g.rngcanonical) END,"
"   CASE WHEN g.rngsubdiff OPERATOR(pg_catalog.<>) 0::pg_catalog.regproc THEN pg_catalog.format(', SUBTYPE_DIFF = %s', g.rngsubdiff) END,"
"   g.rngmultitypid::pg_catalog.regtype),"
"  NULL, NULL, NULL, NULL, NULL, NULL"
" FROM s JOIN pg_catalog.pg_type t ON t.typnamespace OPERATOR(pg_catalog.=) s.oid"
" JOIN pg_catalog.pg_range g ON g.rngtypid OPERATOR(pg_catalog.=) t.oid"
" JOIN pg_catalog.pg_opclass oc ON oc.oid OPERATOR(pg_catalog.=) g.rngsubopc"
" JOIN pg_catalog.pg_namespace ocn ON ocn.oid OPERATOR(pg_catalog.=) oc.opcnamespace"
" WHERE (t.tableoid, t.oid) NOT IN (SELECT * FROM e)"
/* extended statistics: a1 the object's qualified name */
" UNION ALL SELECT x.oid::pg_catalog.int8, 'statistics', r.nspname, r.relname, x.stxname::pg_catalog.text,"
"  pg_catalog.pg_get_statisticsobjdef(x.oid),"
"  pg_catalog.format('%I.%I', xn.nspname, x.stxname), NULL, NULL, NULL, NULL, NULL"
" FROM r JOIN pg_catalog.pg_statistic_ext x ON x.stxrelid OPERATOR(pg_catalog.=) r.oid"
" JOIN pg_catalog.pg_namespace xn ON xn.oid OPERATOR(pg_catalog.=) x.stxnamespace"
/* extensions installed in the schemas: a1 version */
" UNION ALL SELECT x.oid::pg_catalog.int8, 'extension', s.nspname, NULL, x.extname::pg_catalog.text,"
"  '', x.extversion, NULL, NULL, NULL, NULL, NULL"
" FROM s JOIN pg_catalog.pg_extension x ON x.extnamespace OPERATOR(pg_catalog.=) s.oid"
/*
 * owners: name "KEYWORD identity", def the owner; a1 the keyword, a2 the
 * identity, a3 the object as the snapshot names it, "kind\x02name"
 */
" UNION ALL SELECT o.oid::pg_catalog.int8, 'owner', o.nspname, NULL, pg_catalog.format('%s %s', o.kw, o.ident),"
"  pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.owner)), o.kw, o.ident, o.target, NULL, NULL, NULL"
" FROM o"
/*
 * privileges, of objects and of columns: def "grantee\x02privilege\x02grantable"
 * in order, \x01 between, the owner's grantee written ''; a1 the keyword
 * of GRANT ... ON, a2 the identity, a3 the column, a4 the owner, a5 the
 * privileges of a new object, written as def, a6 the object as the
 * snapshot names it, "kind\x02name"
 */
" UNION ALL SELECT o.oid::pg_catalog.int8, 'grant', o.nspname, NULL, pg_catalog.format('%s %s', o.grantkw, o.ident),"
"  (SELECT COALESCE(pg_catalog.string_agg(pg_catalog.concat_ws(pg_catalog.chr(2), g.grantee, g.privilege_type, g.is_grantable::pg_catalog.text),"
"     pg_catalog.chr(1) ORDER BY g.grantee, g.privilege_type), '')"
"   FROM (SELECT CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'PUBLIC'"
"     WHEN x.grantee OPERATOR(pg_catalog.=) o.owner THEN ''"
"     ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END AS grantee, x.privilege_type, x.is_grantable"
"     FROM pg_catalog.aclexplode(COALESCE(o.acl, pg_catalog.acldefault(o.aclkind, o.owner))) x) g),"
"  o.grantkw, o.ident, NULL, pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.owner)),"
"  (SELECT COALESCE(pg_catalog.string_agg(pg_catalog.concat_ws(pg_catalog.chr(2), g.grantee, g.privilege_type, g.is_grantable::pg_catalog.text),"
"     pg_catalog.chr(1) ORDER BY g.grantee, g.privilege_type), '')"
"   FROM (SELECT CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'PUBLIC'"
"     WHEN x.grantee OPERATOR(pg_catalog.=) o.owner THEN ''"
"     ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END AS grantee, x.privilege_type, x.is_grantable"
"     FROM pg_catalog.aclexplode(pg_catalog.acldefault(o.aclkind, o.owner)) x) g), o.target"
" FROM o"
" UNION ALL SELECT r.oid::pg_catalog.int8 OPERATOR(pg_catalog.*) 10000 OPERATOR(pg_catalog.+) a.attnum, 'grant',"
"  r.nspname, NULL, pg_catalog.format('COLUMN %I.%I.%I', r.nspname, r.relname, a.attname),"
"  (SELECT COALESCE(pg_catalog.string_agg(pg_catalog.concat_ws(pg_catalog.chr(2), g.grantee, g.privilege_type, g.is_grantable::pg_catalog.text),"
"     pg_catalog.chr(1) ORDER BY g.grantee, g.privilege_type), '')"
"   FROM (SELECT CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'PUBLIC'"
"     WHEN x.grantee OPERATOR(pg_catalog.=) r.relowner THEN ''"
"     ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END AS grantee, x.privilege_type, x.is_grantable"
"     FROM pg_catalog.aclexplode(a.attacl) x) g),"
"  'TABLE', pg_catalog.format('%I.%I', r.nspname, r.relname), pg_catalog.quote_ident(a.attname),"
"  pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.relowner)), '',"
"  'column' OPERATOR(pg_catalog.||) pg_catalog.chr(2) OPERATOR(pg_catalog.||) r.relname"
" FROM r JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.oid"
" WHERE a.attacl IS NOT NULL AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped";

static int
snap_cmp(const void *a, const void *b)
{
	return SnapObjectCompare(*(SnapObject *const *) a, *(SnapObject *const *) b);
}

static int
strcmp_null(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Order of objects: by kind, schema, table and name. */
int
SnapObjectCompare(const SnapObject *a, const SnapObject *b)
{
	int			c;

	if ((c = strcmp(a->kind, b->kind)) != 0)
		return c;
	if ((c = strcmp_null(a->schema, b->schema)) != 0)
		return c;
	if ((c = strcmp_null(a->tbl, b->tbl)) != 0)
		return c;
	return strcmp_null(a->name, b->name);
}

/* The object of that identity, or NULL (binary search). */
SnapObject *
SnapshotFind(SchemaSnapshot *snap, const char *kind, const char *schema,
			 const char *tbl, const char *name)
{
	SnapObject	key;
	SnapObject *keyp = &key;
	SnapObject **found;

	memset(&key, 0, sizeof(key));
	key.kind = kind;
	key.schema = (char *) schema;
	key.tbl = (char *) tbl;
	key.name = (char *) name;
	found = bsearch(&keyp, snap->objects, snap->count, sizeof(SnapObject *),
					snap_cmp);
	return found ? *found : NULL;
}

static char *
col_text(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* The kind names, interned so that SnapObject.kind compares as a string. */
static const char *const kinds[] = {
	"table", "column", "constraint", "index", "sequence", "seqowner", "view",
	"matview", "function", "trigger", "enum", "domain", "policy", "comment",
	"composite", "range", "statistics", "extension", "owner", "grant", NULL
};

/*
 * Read the objects of the named schemas (a schema that does not exist has
 * none) into a snapshot allocated in "result".
 */
SchemaSnapshot *
SnapshotRead(List *schemas, MemoryContext result)
{
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
	int			nest;
	int			rc;
	SchemaSnapshot *snap;
	MemoryContext old;

	values[0] = TextArrayFromList(schemas);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	CitusHideShards();
	rc = SPI_execute_with_args(snapshot_sql, 1, types, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "schema snapshot query failed: %s", SPI_result_code_string(rc));

	old = MemoryContextSwitchTo(result);
	snap = palloc0(sizeof(SchemaSnapshot));
	snap->count = (int) SPI_processed;
	snap->objects = palloc0(sizeof(SnapObject *) * Max(snap->count, 1));
	for (int i = 0; i < snap->count; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		SnapObject *o = palloc0(sizeof(SnapObject));
		bool		isnull;
		char	   *kind;

		o->ord = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		kind = col_text(tup, desc, 2);
		for (int k = 0; kinds[k]; k++)
			if (strcmp(kinds[k], kind) == 0)
				o->kind = kinds[k];
		Assert(o->kind);
		o->schema = col_text(tup, desc, 3);
		o->tbl = col_text(tup, desc, 4);
		o->name = col_text(tup, desc, 5);
		o->def = col_text(tup, desc, 6);
		if (o->def == NULL)
			o->def = "";
		for (int a = 0; a < SNAP_ATTRS; a++)
			o->attr[a] = col_text(tup, desc, 7 + a);
		snap->objects[i] = o;
	}
	qsort(snap->objects, snap->count, sizeof(SnapObject *), snap_cmp);
	MemoryContextSwitchTo(old);

	AtEOXact_GUC(true, nest);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	return snap;
}
