-- Variant of relational-order.sql with the sourcing done in SQL as well (bench/orders/run.sh, PG_SOURCING=1): read the
-- 3 SKUs at every location (no lock), keep the locations that have all 3, and take the best by the OMS's default
-- weights (type: warehouse 2, store 1 + turnaround 0.67; distance 2 x (1 - d / farthest)); then lock, re-check,
-- allocate and insert as relational-order.sql. -D nskus=.. nlocs=.. nwh=..
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
SELECT coalesce((
    SELECT c.location_id FROM (
        SELECT s.location_id, l.type,
               sqrt(power(l.latitude - :lat::integer / 1000.0, 2) + power((l.longitude - :lon::integer / 1000.0) * 0.62, 2)) AS d
          FROM stock s JOIN location l USING (location_id)
         WHERE s.sku IN (sku_id(:s1), sku_id(:s2), sku_id(:s3)) AND s.on_hand - s.allocated >= 1
         GROUP BY s.location_id, l.type, l.latitude, l.longitude
        HAVING count(*) = 3) c
     ORDER BY (CASE c.type WHEN 'warehouse' THEN 2 ELSE 1.67 END) + 2 * (1 - c.d / max(c.d) OVER ()) DESC, c.location_id
     LIMIT 1), 'none') AS l \gset
SELECT count(*) FILTER (WHERE on_hand - allocated >= 1) AS ok
  FROM (SELECT on_hand, allocated FROM stock
         WHERE location_id = :l AND sku IN (sku_id(:s1), sku_id(:s2), sku_id(:s3))
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
