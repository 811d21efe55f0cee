-- Oms.Orleans: SQLite schema for Orleans 10.4.2 ADO.NET reminders (docs/decisions/0020)
-- (Microsoft.Orleans.Reminders.AdoNet 10.4.2, invariant "System.Data.SQLite", which the provider
-- maps itself to Microsoft.Data.Sqlite's SqliteFactory, as the grain storage provider does).
--
-- Run at every start after sqlite-storage.sql (which creates OrleansQuery): idempotent, data never
-- touched. The contract is the one deploy/sql/postgresql/04-reminders.sql documents:
--   * Query keys read at start (all required): UpsertReminderRowKey, ReadReminderRowsKey,
--     ReadReminderRowKey, ReadRangeRows1Key, ReadRangeRows2Key, DeleteReminderRowKey,
--     DeleteReminderRowsKey.
--   * Parameters: @ServiceId, @GrainId (GrainId.ToString()), @ReminderName, @StartTime (DateTime,
--     UTC; Microsoft.Data.Sqlite binds it as ISO-8601 text, which sorts and reads back as written),
--     @Period (milliseconds), @GrainHash, @BeginHash, @EndHash (uint hashes passed as signed int32),
--     @Version (int, the ETag).
--   * Result columns read by name: GrainId, ReminderName, StartTime (GetDateTime), Period
--     (GetInt64), Version (GetInt32). Upsert returns the new Version; delete returns the count of
--     deleted rows as its first column (one row, 0 on a version mismatch).
--   * ReadRangeRows1Key is used when (int)BeginHash < (int)EndHash, ReadRangeRows2Key (a range that
--     wraps around the ring) otherwise. The embedded process is one silo, so it reads the whole ring.

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    TEXT    NOT NULL,
    GrainId      TEXT    NOT NULL,
    ReminderName TEXT    NOT NULL,
    StartTime    TEXT    NOT NULL,
    Period       INTEGER NOT NULL,
    GrainHash    INTEGER NOT NULL,
    Version      INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS IX_RemindersTable_ServiceId_GrainHash
    ON OrleansRemindersTable (ServiceId, GrainHash);

-- One statement: a new reminder gets Version 0, an existing one its new start and period, Version + 1.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
    INSERT INTO OrleansRemindersTable
        (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES
        (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName)
    DO UPDATE SET
        StartTime = excluded.StartTime,
        Period = excluded.Period,
        GrainHash = excluded.GrainHash,
        Version = Version + 1
    RETURNING Version AS Version;
');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', '
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', '
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', '
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', '
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
');

-- The DELETE yields no result set; changes() then answers 1 (deleted) or 0 (no such row or version).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName
        AND Version = @Version;
    SELECT changes() AS row_count;
');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
    DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
');
