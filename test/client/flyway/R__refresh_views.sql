CREATE OR REPLACE VIEW product_names AS SELECT id, name FROM products;
