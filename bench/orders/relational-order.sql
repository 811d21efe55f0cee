-- One order in a relational OMS (bench/orders/run.sh; pgbench -M prepared -f): 3 distinct random SKUs x 1 unit at a
-- random location; lock the 3 stock rows (in key order, so that concurrent orders cannot deadlock), check that every
-- one has a unit available, allocate, insert the order and its 3 lines, commit. Nothing is written when a row is short.
-- -D nskus=.. nlocs=.. nwh=.. (warehouses come first: WH-01..WH-nwh, then ST-01..).
\set loc random(1, :nlocs)
\set base random(0, :nskus - 1)
\set o1 random(1, :nskus - 2)
\set o2 random(:o1 + 1, :nskus - 1)
\set s1 1 + :base
\set s2 1 + (:base + :o1) % :nskus
\set s3 1 + (:base + :o2) % :nskus
\set cust random(1, 50000)
\set p1 random(499, 9499)
\set p2 random(499, 9499)
\set p3 random(499, 9499)
\set lat random(50600, 55600)
\set lon random(-4200, 1400)
BEGIN;
SELECT loc_id(:loc, :nwh) AS l, count(*) FILTER (WHERE on_hand - allocated >= 1) AS ok
  FROM (SELECT on_hand, allocated FROM stock
         WHERE location_id = loc_id(:loc, :nwh) AND sku IN (sku_id(:s1), sku_id(:s2), sku_id(:s3))
         ORDER BY sku FOR UPDATE) s \gset
\if :ok = 3
UPDATE stock SET allocated = allocated + 1 WHERE location_id = :l AND sku IN (sku_id(:s1), sku_id(:s2), sku_id(:s3));
INSERT INTO orders (order_ref, channel, customer_id, email, ship_lat, ship_lon, country, status, total)
    VALUES ('pg-' || txid_current(), 'web-gb', 'cust-' || :cust, 'cust-' || :cust || '@example.com',
            :lat::integer / 1000.0, :lon::integer / 1000.0, 'GB', 'released', (:p1::integer + :p2::integer + :p3::integer) / 100.0)
    RETURNING id AS oid \gset
INSERT INTO order_lines VALUES
    (:oid, 1, sku_id(:s1), :l, 1, :p1::integer / 100.0, 'released'),
    (:oid, 2, sku_id(:s2), :l, 1, :p2::integer / 100.0, 'released'),
    (:oid, 3, sku_id(:s3), :l, 1, :p3::integer / 100.0, 'released');
\endif
COMMIT;
