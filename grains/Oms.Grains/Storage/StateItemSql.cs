namespace Oms.Grains.Storage;

/// <summary>
/// The statements on <c>OmsStateItem</c>, the table of detached state items (docs/decisions/0009). The same text runs
/// on SQLite and PostgreSQL (unquoted names fold to lower case there; <c>ON CONFLICT … DO UPDATE</c> is in both).
/// The table is created by sqlite-storage.sql and deploy/sql/postgresql/05-oms-state-items.sql.
/// </summary>
public static class StateItemSql
{
    public const string Upsert = """
        INSERT INTO OmsStateItem (ServiceId, StateName, GrainKey, ItemKey, Payload)
        VALUES (@ServiceId, @StateName, @GrainKey, @ItemKey, @Payload)
        ON CONFLICT (ServiceId, StateName, GrainKey, ItemKey) DO UPDATE SET Payload = excluded.Payload
        """;

    public const string Delete =
        "DELETE FROM OmsStateItem WHERE ServiceId = @ServiceId AND StateName = @StateName AND GrainKey = @GrainKey AND ItemKey = @ItemKey";

    public const string Read =
        "SELECT ItemKey, Payload FROM OmsStateItem WHERE ServiceId = @ServiceId AND StateName = @StateName AND GrainKey = @GrainKey";

    public const string Clear =
        "DELETE FROM OmsStateItem WHERE ServiceId = @ServiceId AND StateName = @StateName AND GrainKey = @GrainKey";
}
