-- One add-to-cart in a relational OMS: lock the stock row, check, reserve, record the reservation, commit.
-- The availability check is real (\gset + \if): with too little stock nothing is written.
\set cart random(1, 2000000000)
BEGIN;
SELECT on_hand - reserved AS free FROM stock WHERE location_id = 'L1' AND sku = 'HOT' FOR UPDATE \gset
\if :free >= 1
UPDATE stock SET reserved = reserved + 1 WHERE location_id = 'L1' AND sku = 'HOT';
INSERT INTO reservation (location_id, sku, cart_id, quantity, expires_at)
    VALUES ('L1', 'HOT', 'pg-' || :client_id || '-' || :cart, 1, now() + interval '900 seconds');
\endif
COMMIT;
