-- Oms.Orleans (not part of Orleans): detached state items (docs/decisions/0009). A grain state implementing
-- IDetachedItemsState (the inventory record's cart holds) keeps one keyed collection here, one row per item,
-- written by group commit in the same transaction as the state's orleansstorage row; a write touches only the
-- items it changed, so its cost does not grow with the items the state holds. Idempotent.
CREATE TABLE IF NOT EXISTS omsstateitem
(
    serviceid varchar(150) NOT NULL,
    statename varchar(150) NOT NULL,
    grainkey  varchar(512) NOT NULL,
    itemkey   varchar(512) NOT NULL,
    payload   bytea        NOT NULL,
    CONSTRAINT pk_omsstateitem PRIMARY KEY (serviceid, statename, grainkey, itemkey)
);
