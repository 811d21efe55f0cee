-- The relational baseline: what a conventional OMS keeps per reservation (bench/flash-sale/run.sh).
DROP TABLE IF EXISTS reservation;
DROP TABLE IF EXISTS cart_line;
DROP TABLE IF EXISTS channel_location;
DROP TABLE IF EXISTS channel;
DROP TABLE IF EXISTS stock;
CREATE TABLE stock (
    location_id text    NOT NULL,
    sku         text    NOT NULL,
    on_hand     integer NOT NULL,
    reserved    integer NOT NULL DEFAULT 0,
    allocated   integer NOT NULL DEFAULT 0, -- orders (bench/relational-service counts them out of the free units; 0 here)
    PRIMARY KEY (location_id, sku)
);
CREATE TABLE reservation (
    id          bigserial   PRIMARY KEY,
    location_id text        NOT NULL,
    sku         text        NOT NULL,
    cart_id     text        NOT NULL,
    quantity    integer     NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservation_cart ON reservation (cart_id);
-- The HTTP relational service (bench/relational-service): a channel's locations and its hold TTL, and one row per
-- cart line (the cart's hold on a SKU at one location), upserted by PUT /v1/carts/{cartId}/lines/{sku}.
CREATE TABLE channel (
    channel_id  text    PRIMARY KEY,
    ttl_seconds integer NOT NULL
);
CREATE TABLE channel_location (
    channel_id  text NOT NULL REFERENCES channel,
    location_id text NOT NULL,
    PRIMARY KEY (channel_id, location_id)
);
CREATE TABLE cart_line (
    cart_id     text        NOT NULL,
    sku         text        NOT NULL,
    location_id text        NOT NULL,
    quantity    integer     NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cart_id, sku)
);
INSERT INTO channel VALUES ('C1', 900);
INSERT INTO channel_location VALUES ('C1', 'L1');
