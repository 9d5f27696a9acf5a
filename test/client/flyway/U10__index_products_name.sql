DROP INDEX CONCURRENTLY products_name_idx;
