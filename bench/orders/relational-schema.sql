-- The relational baseline (bench/orders/run.sh): what a conventional OMS keeps for an order placed from stock.
-- Same locations and SKUs as the OMS (loaded from the layout the load generator seeded), same stock per pair.
DROP TABLE IF EXISTS order_lines;
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS stock;
DROP TABLE IF EXISTS location;
-- Ids as the OMS spells them (WH-01.., ST-01.., SKU-00001..), from pgbench's integer draws; inlined by the planner.
CREATE OR REPLACE FUNCTION loc_id(n integer, warehouses integer) RETURNS text IMMUTABLE LANGUAGE sql
    AS $$ SELECT CASE WHEN n <= warehouses THEN 'WH-' || lpad(n::text, 2, '0') ELSE 'ST-' || lpad((n - warehouses)::text, 2, '0') END $$;
CREATE OR REPLACE FUNCTION sku_id(n integer) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT 'SKU-' || lpad(n::text, 5, '0') $$;
CREATE TABLE location (
    location_id text             PRIMARY KEY,
    type        text             NOT NULL,
    latitude    double precision NOT NULL,
    longitude   double precision NOT NULL
);
CREATE TABLE stock (
    location_id text    NOT NULL REFERENCES location,
    sku         text    NOT NULL,
    on_hand     integer NOT NULL,
    allocated   integer NOT NULL DEFAULT 0,
    reserved    integer NOT NULL DEFAULT 0, -- cart holds (bench/relational-service counts them out of the free units; 0 here)
    PRIMARY KEY (location_id, sku)
);
CREATE INDEX stock_sku ON stock (sku); -- for the sourcing variant (all locations of a SKU)
CREATE TABLE orders (
    id           bigserial        PRIMARY KEY,
    order_ref    text             NOT NULL UNIQUE,
    channel      text             NOT NULL,
    customer_id  text             NOT NULL,
    email        text,
    ship_lat     double precision NOT NULL,
    ship_lon     double precision NOT NULL,
    country      text             NOT NULL,
    status       text             NOT NULL,
    total        numeric(12, 2)   NOT NULL,
    created_at   timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer ON orders (customer_id, created_at); -- "the customer's orders" (the OMS: a customer index grain)
CREATE TABLE order_lines (
    order_id    bigint        NOT NULL REFERENCES orders,
    line_no     integer       NOT NULL,
    sku         text          NOT NULL,
    location_id text          NOT NULL,
    quantity    integer       NOT NULL,
    unit_price  numeric(12, 2) NOT NULL,
    status      text          NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_queue ON order_lines (location_id, status); -- a location's work queue (the OMS: a queue grain)
