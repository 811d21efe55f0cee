-- The relational baseline: what a conventional OMS keeps per reservation (bench/flash-sale/run.sh).
DROP TABLE IF EXISTS reservation;
DROP TABLE IF EXISTS stock;
CREATE TABLE stock (
    location_id text    NOT NULL,
    sku         text    NOT NULL,
    on_hand     integer NOT NULL,
    reserved    integer NOT NULL DEFAULT 0,
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
