-- Oms.Orleans: PostgreSQL schema for the Orleans 10.4.2 ADO.NET providers.
-- Part 3 of 4: grain storage (Microsoft.Orleans.Persistence.AdoNet 10.4.2).
--
-- Query keys read by the 10.4.2 provider at start:
--   WriteToStorageKey, ReadFromStorageKey, ClearStorageKey (required) and DeleteStorageKey
--   (required only when AdoNetGrainStorageOptions.DeleteStateOnClear = true; new in 10.x).
--
-- Parameters bound by the provider (names without '@' in C#):
--   @GrainIdHash int, @GrainIdN0 bigint, @GrainIdN1 bigint, @GrainTypeHash int,
--   @GrainTypeString string, @GrainIdExtensionString string or NULL, @ServiceId string,
--   @GrainStateVersion int or NULL (the ETag; NULL = never written / deleted),
--   @PayloadBinary bytea (write only). 10.x binds no @PayloadJson / @PayloadXml any more.
-- Results read:
--   read:  columns PayloadBinary and Version (by name), at most one row;
--   write: column NewGrainStateVersion, at most one row;
--   clear/delete: first column of at most one row.
-- Orleans raises InconsistentStateException when the returned version is missing, NULL, or equal
-- to the ETag it sent; so on a version mismatch these queries return the unchanged version or
-- no row at all.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer        NOT NULL,
    GrainIdN0              bigint         NOT NULL,
    GrainIdN1              bigint         NOT NULL,
    GrainTypeHash          integer        NOT NULL,
    GrainTypeString        varchar(512)   NOT NULL,
    GrainIdExtensionString varchar(512)   NULL,
    ServiceId              varchar(150)   NOT NULL,
    PayloadBinary          bytea          NULL,
    ModifiedOn             timestamptz    NOT NULL,
    Version                integer        NULL
);

-- Narrow on purpose: hashes locate the row, the string/number columns resolve hash collisions.
CREATE INDEX IF NOT EXISTS IX_OrleansStorage ON OrleansStorage (GrainIdHash, GrainTypeHash);

CREATE OR REPLACE FUNCTION writetostorage(
    _grainidhash            integer,
    _grainidn0              bigint,
    _grainidn1              bigint,
    _graintypehash          integer,
    _graintypestring        varchar,
    _grainidextensionstring varchar,
    _serviceid              varchar,
    _grainstateversion      integer,
    _payloadbinary          bytea)
  RETURNS TABLE(newgrainstateversion integer) AS
$func$
DECLARE
    _newgrainstateversion integer := _grainstateversion;
    _rowcount integer := 0;
BEGIN
    IF _grainstateversion IS NOT NULL THEN
        -- The state was read (or written) before: optimistic update on the version.
        UPDATE OrleansStorage
        SET
            PayloadBinary = _payloadbinary,
            ModifiedOn = now(),
            Version = Version + 1
        WHERE
            GrainIdHash = _grainidhash
            AND GrainTypeHash = _graintypehash
            AND GrainIdN0 = _grainidn0
            AND GrainIdN1 = _grainidn1
            AND GrainTypeString = _graintypestring
            AND GrainIdExtensionString IS NOT DISTINCT FROM _grainidextensionstring
            AND ServiceId = _serviceid
            AND Version IS NOT NULL AND Version = _grainstateversion;

        GET DIAGNOSTICS _rowcount = ROW_COUNT;
        IF _rowcount > 0 THEN
            _newgrainstateversion := _grainstateversion + 1;
        END IF;
        -- Otherwise the unchanged version is returned and Orleans raises InconsistentStateException.
    ELSE
        -- First write (no ETag). Serialise concurrent first writes of the same grain (e.g. a
        -- duplicate activation) so that exactly one INSERT wins; the lock ends with the transaction.
        PERFORM pg_advisory_xact_lock(_grainidhash, _graintypehash);

        INSERT INTO OrleansStorage
        (
            GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
            GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version
        )
        SELECT
            _grainidhash, _grainidn0, _grainidn1, _graintypehash, _graintypestring,
            _grainidextensionstring, _serviceid, _payloadbinary, now(), 1
        WHERE NOT EXISTS
        (
            SELECT 1
            FROM OrleansStorage
            WHERE
                GrainIdHash = _grainidhash
                AND GrainTypeHash = _graintypehash
                AND GrainIdN0 = _grainidn0
                AND GrainIdN1 = _grainidn1
                AND GrainTypeString = _graintypestring
                AND GrainIdExtensionString IS NOT DISTINCT FROM _grainidextensionstring
                AND ServiceId = _serviceid
        );

        GET DIAGNOSTICS _rowcount = ROW_COUNT;
        IF _rowcount > 0 THEN
            _newgrainstateversion := 1;
        END IF;
        -- Otherwise NULL is returned (ETag NULL sent, NULL returned): InconsistentStateException.
    END IF;

    RETURN QUERY SELECT _newgrainstateversion;
END
$func$ LANGUAGE plpgsql;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', $q$
    SELECT newgrainstateversion AS NewGrainStateVersion
    FROM writetostorage(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
                        @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary);
$q$),

('ReadFromStorageKey', $q$
    SELECT
        PayloadBinary,
        Version
    FROM
        OrleansStorage
    WHERE
        GrainIdHash = @GrainIdHash
        AND GrainTypeHash = @GrainTypeHash
        AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1
        AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND ServiceId = @ServiceId
    LIMIT 1;
$q$),

-- Keeps the row (payload NULL) and bumps the version: the ETag survives a clear.
('ClearStorageKey', $q$
    UPDATE OrleansStorage
    SET
        PayloadBinary = NULL,
        ModifiedOn = now(),
        Version = Version + 1
    WHERE
        GrainIdHash = @GrainIdHash
        AND GrainTypeHash = @GrainTypeHash
        AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1
        AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND ServiceId = @ServiceId
        AND Version IS NOT NULL AND Version = @GrainStateVersion AND @GrainStateVersion IS NOT NULL
    RETURNING Version AS NewGrainStateVersion;
$q$),

-- Used instead of ClearStorageKey when DeleteStateOnClear = true. Returns a value different from
-- the ETag on success (Orleans then sets the ETag to NULL), no row on a version mismatch.
('DeleteStorageKey', $q$
    DELETE FROM OrleansStorage
    WHERE
        GrainIdHash = @GrainIdHash
        AND GrainTypeHash = @GrainTypeHash
        AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1
        AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND ServiceId = @ServiceId
        AND Version IS NOT NULL AND Version = @GrainStateVersion AND @GrainStateVersion IS NOT NULL
    RETURNING Version + 1 AS NewGrainStateVersion;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
