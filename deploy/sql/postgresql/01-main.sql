-- Oms.Orleans: PostgreSQL schema for the Orleans 10.4.2 ADO.NET providers (invariant "Npgsql").
-- Part 1 of 4: the query catalogue.
--
-- The Orleans ADO.NET providers issue no SQL of their own except
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- Every other statement they run is read from this table by key, with parameters bound by name
-- (@DeploymentId, @GrainIdHash, ...), and result columns read by name. Scripts 02..04 fill it.
--
-- Contract kept by all scripts here (the providers rely on it):
--   * input parameter names and result column names/types are exactly those the providers use;
--   * ETag/versions are integers; a write whose expected version does not match must not change
--     anything and must report that (persistence: return the unchanged version or no row;
--     membership: return 0);
--   * every script is idempotent (IF NOT EXISTS / CREATE OR REPLACE / ON CONFLICT DO UPDATE), so
--     re-applying it to an existing database refreshes the query texts and leaves data alone.
--
-- Apply with deploy/sql/apply-postgres.sh (psql -v ON_ERROR_STOP=1 --single-transaction).

-- Serialise concurrent appliers (released at COMMIT of the single transaction).
SELECT pg_advisory_xact_lock(7271003417);

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
