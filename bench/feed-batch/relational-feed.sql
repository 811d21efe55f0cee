-- The relational baseline of the feed bench: the batch as a relational OMS would apply it, in one transaction.
-- cluster.sh puts the CSV file's path for CSV_FILE: COPY into a staging table, then one upsert, last writer wins by asOf per location x SKU.
\set ON_ERROR_STOP 1
CREATE TABLE IF NOT EXISTS stock_level (
    location_id  text        NOT NULL,
    sku          text        NOT NULL,
    on_hand      integer     NOT NULL,
    safety_stock integer     NOT NULL,
    as_of        timestamptz NOT NULL,
    version      bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (location_id, sku)
);
BEGIN;
CREATE TEMP TABLE feed_in (location_id text, sku text, on_hand integer, safety_stock integer, as_of timestamptz) ON COMMIT DROP;
\copy feed_in FROM 'CSV_FILE' WITH (FORMAT csv)
INSERT INTO stock_level AS s (location_id, sku, on_hand, safety_stock, as_of)
SELECT location_id, sku, on_hand, safety_stock, as_of FROM feed_in
ON CONFLICT (location_id, sku) DO UPDATE
    SET on_hand = excluded.on_hand, safety_stock = excluded.safety_stock, as_of = excluded.as_of, version = s.version + 1
    WHERE s.as_of < excluded.as_of;
COMMIT;
