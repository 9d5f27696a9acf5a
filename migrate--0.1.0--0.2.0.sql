/* migrate--0.1.0--0.2.0.sql: update script of the migrate extension */

\echo Use "ALTER EXTENSION migrate UPDATE TO '0.2.0'" to load this file. \quit

/*
 * 0.1.0 is the first release; its install script, migrate--0.1.0.sql,
 * stays as released.  What 0.2.0 changes in the catalog and the functions
 * goes here, and CREATE EXTENSION migrate runs both scripts.
 */
