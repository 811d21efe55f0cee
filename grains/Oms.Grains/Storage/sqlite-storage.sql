PRAGMA journal_mode=WAL;

-- Oms.Orleans: SQLite schema for Orleans 10.4.2 ADO.NET grain storage
-- (Microsoft.Orleans.Persistence.AdoNet 10.4.2, invariant "System.Data.SQLite", which the provider
-- maps itself to Microsoft.Data.Sqlite's SqliteFactory; Microsoft.Data.Sqlite 11, SQLite 3.4x).
--
-- Run at every start: every statement is idempotent (IF NOT EXISTS / INSERT OR REPLACE), so it
-- creates the schema on a new file and refreshes the query texts on an existing one. Data is
-- never touched. journal_mode=WAL is persistent in the database file.
--
-- Contract with the provider (verified against the 10.4.2 assembly):
--   * At start it runs: SELECT QueryKey, QueryText FROM OrleansQuery WHERE QueryKey IN
--     ('WriteToStorageKey','ReadFromStorageKey','ClearStorageKey','DeleteStorageKey').
--     The first three are required; DeleteStorageKey is required only with
--     DeleteStateOnClear = true (new in 10.x), and is provided here.
--   * Parameters (bound by name, DbType from the C# type): @GrainIdHash int, @GrainIdN0 long,
--     @GrainIdN1 long, @GrainTypeHash int, @GrainTypeString string,
--     @GrainIdExtensionString string or NULL, @ServiceId string,
--     @GrainStateVersion int or NULL (the ETag; NULL = no stored row known), @PayloadBinary blob.
--   * Read returns columns PayloadBinary and Version (by name), at most one row.
--     Write returns column NewGrainStateVersion, at most one row over all result sets.
--     Clear/Delete: first column of at most one row.
--   * Orleans raises InconsistentStateException when the returned version is missing/NULL or equal
--     to the ETag it sent. So a stale ETag (or a first write when a row already exists) must
--     return no row: that is what the version predicates below do.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    -- Hashes computed by Orleans (signed 32-bit) locate the row; the clear values resolve
    -- collisions.
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NULL,
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    -- The ETag. NULL payload + non-NULL version = cleared state (the row is kept).
    Version                INTEGER NULL
);

-- One row per grain state. IFNULL(..., x'') maps a NULL extension to an empty BLOB, which never
-- equals any TEXT value, so NULL and '' extensions stay distinct while NULLs still collide (a plain
-- UNIQUE index would treat every NULL as distinct). It is the conflict target of the write below
-- and is what makes a concurrent first write (duplicate activation) lose with no row returned.
CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage ON OrleansStorage
(
    GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString,
    IFNULL(GrainIdExtensionString, x'')
);

-- Write, as ONE statement (one write transaction, one WAL commit, no race window):
--   ETag NULL, no row           -> plain INSERT, returns Version 1;
--   ETag NULL, row exists       -> conflict; the DO UPDATE guard is false -> no row -> inconsistent;
--   ETag set,  row exists       -> conflict; DO UPDATE only if Version = ETag -> returns Version+1,
--                                  otherwise no row -> inconsistent;
--   ETag set,  no row (deleted) -> the SELECT yields nothing -> no row -> inconsistent.
-- The conflict target repeats UX_OrleansStorage exactly (x'''' is x'' inside the quoted text).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
    INSERT INTO OrleansStorage
    (
        GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
        GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version
    )
    SELECT
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @PayloadBinary,
        strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''), 1
    WHERE
        @GrainStateVersion IS NULL
        OR EXISTS
        (
            SELECT 1 FROM OrleansStorage
            WHERE
                GrainIdHash = @GrainIdHash
                AND GrainTypeHash = @GrainTypeHash
                AND GrainIdN0 = @GrainIdN0
                AND GrainIdN1 = @GrainIdN1
                AND ServiceId = @ServiceId
                AND GrainTypeString = @GrainTypeString
                AND GrainIdExtensionString IS @GrainIdExtensionString
        )
    ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString,
                 IFNULL(GrainIdExtensionString, x''''))
    DO UPDATE SET
        PayloadBinary = excluded.PayloadBinary,
        ModifiedOn = excluded.ModifiedOn,
        Version = Version + 1
    WHERE
        @GrainStateVersion IS NOT NULL
        AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
    SELECT
        PayloadBinary,
        Version
    FROM OrleansStorage
    WHERE
        GrainIdHash = @GrainIdHash
        AND GrainTypeHash = @GrainTypeHash
        AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1
        AND ServiceId = @ServiceId
        AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString IS @GrainIdExtensionString
    LIMIT 1;
');

-- Clear (DeleteStateOnClear = false, the default): keep the row, drop the payload, bump the version.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
    UPDATE OrleansStorage
    SET
        PayloadBinary = NULL,
        ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''),
        Version = Version + 1
    WHERE
        @GrainStateVersion IS NOT NULL
        AND GrainIdHash = @GrainIdHash
        AND GrainTypeHash = @GrainTypeHash
        AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1
        AND ServiceId = @ServiceId
        AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString IS @GrainIdExtensionString
        AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
');

-- Clear with DeleteStateOnClear = true: remove the row. Returns a value different from the ETag
-- on success (Orleans then resets the ETag to NULL); no row on a version mismatch.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
    DELETE FROM OrleansStorage
    WHERE
        @GrainStateVersion IS NOT NULL
        AND GrainIdHash = @GrainIdHash
        AND GrainTypeHash = @GrainTypeHash
        AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1
        AND ServiceId = @ServiceId
        AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString IS @GrainIdExtensionString
        AND Version = @GrainStateVersion
    RETURNING Version + 1 AS NewGrainStateVersion;
');

-- Oms.Orleans: detached state items (docs/decisions/0009). A state implementing IDetachedItemsState (the inventory
-- record's cart holds) keeps one keyed collection here, one row per item, written by group commit in the same
-- transaction as the state's OrleansStorage row; only the items a write changed are touched.
CREATE TABLE IF NOT EXISTS OmsStateItem
(
    ServiceId TEXT NOT NULL,
    StateName TEXT NOT NULL,
    GrainKey  TEXT NOT NULL,
    ItemKey   TEXT NOT NULL,
    Payload   BLOB NOT NULL,
    PRIMARY KEY (ServiceId, StateName, GrainKey, ItemKey)
) WITHOUT ROWID;
