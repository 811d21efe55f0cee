using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Oms.Grains;
using Oms.Grains.Hosting;
using Oms.Grains.Inventory;
using Oms.Grains.Storage;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Oms.Cluster.Tests.Durability;

/// <summary>
/// Cart holds as detached items of the inventory record (docs/decisions/0009), against a real SQLite file and a real
/// PostgreSQL server: the record's row carries no holds, each hold is a row of OmsStateItem, a write touches only the
/// holds it changed (its bytes do not grow with the live holds), removed holds are deleted, the items of a stale write
/// or of a refused batch do not land, and a record stored before holds were detached is moved over by its next write.
/// </summary>
public sealed class DetachedHoldsStorageTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private static readonly DateTimeOffset Expiry = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Sqlite_stores_holds_as_rows_and_writes_only_the_changed_ones()
    {
        var path = Path.Combine(Path.GetTempPath(), $"oms-holds-{Guid.NewGuid():N}.db");
        try
        {
            await RunAsync(new OmsSiloOptions { Storage = StorageMode.Sqlite, SqlitePath = path }, () => new SqliteConnection(SqliteSchema.ConnectionString(path)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
        }
    }

    [Fact]
    public async Task Postgres_stores_holds_as_rows_and_writes_only_the_changed_ones()
    {
        if (!PostgresServer.Available) return; // .ci/run installs PostgreSQL
        await RunAsync(new OmsSiloOptions { Storage = StorageMode.Postgres, ConnectionString = postgres.ConnectionString }, () => new NpgsqlConnection(postgres.ConnectionString));
    }

    private async Task RunAsync(OmsSiloOptions options, Func<DbConnection> connect)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddOmsGrains(options, dashboard: false));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var services = cluster.Silos[0].ServiceProvider;
        var storage = services.GetRequiredKeyedService<IGrainStorage>(OmsNames.Storage);
        var provider = services.GetRequiredKeyedService<IGrainStorage>(OmsSiloBuilderExtensions.ProviderStorage);
        var run = Guid.NewGuid().ToString("N")[..8];
        using var bytes = new OmsMeasurements<long>("oms.storage.write.bytes");

        // 1. Few and many live holds: the write that changes one hold costs the same bytes.
        var small = await Holding(storage, GrainId.Create("inventory", $"{run}-small"), 50);
        var large = await Holding(storage, GrainId.Create("inventory", $"{run}-large"), 5_000);
        var oneChange = new long[2];
        foreach (var (state, i) in new[] { (small.State, 0), (large.State, 1) })
        {
            var record = state.State!.Clone();
            record.SetHold("cart:extra", 2, Expiry, 0);
            state.State = record.Clone();
            bytes.Clear();
            await storage.WriteStateAsync("stock", i == 0 ? small.Id : large.Id, state);
            oneChange[i] = bytes.Last;
        }

        output.WriteLine($"{options.Storage}: one hold changed wrote {oneChange[0]} bytes at 51 live holds, {oneChange[1]} at 5,001");
        Assert.True(oneChange[1] <= oneChange[0] + 16, $"one hold changed: {oneChange[0]} bytes at 51 holds, {oneChange[1]} at 5,001");
        Assert.True(oneChange[1] < 1_000, $"one hold changed at 5,001 holds wrote {oneChange[1]} bytes");

        // 2. The row carries no holds; the items table has one row per live hold; a read puts them back.
        var row = await Read(provider, large.Id);
        Assert.Null(row.State!.Holds);
        Assert.Equal(5_001, row.State!.StoredHolds);
        Assert.Equal(5_001, await CountItems(connect, large.Id));
        var back = await Read(storage, large.Id);
        Assert.Equal(5_001, back.State!.Holds!.Count);
        Assert.Equal(5_000 + 2, back.State!.Reserved);
        Assert.Equal(large.State.ETag, back.ETag);

        // 3. Removed holds are deleted with the write that removed them.
        var lowered = back.State!.Clone();
        for (var h = 0; h < 100; h++) lowered.SetHold($"cart:{h}", 0, Expiry, 0);
        back.State = lowered.Clone();
        await storage.WriteStateAsync("stock", large.Id, back);
        Assert.Equal(4_901, await CountItems(connect, large.Id));
        Assert.Equal(4_902, (await Read(storage, large.Id)).State!.Reserved);

        // 4. A stale write fails, and none of its holds land.
        var staleRecord = new StockRecord { OnHand = 1 };
        staleRecord.SetHold("cart:stale", 1, Expiry, 0);
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("stock", small.Id, new GrainState<StockRecord>(staleRecord.Clone()) { ETag = "999" }));
        Assert.Equal(0, await CountItems(connect, small.Id, "cart:stale"));

        // 5. A batch the database refuses (a trigger on one hold row) fails whole: the row of that write does not land either.
        await Execute(connect, PoisonSql(connect(), "cart:poison"));
        var poisoned = await Read(storage, small.Id);
        var poisonedRecord = poisoned.State!.Clone();
        poisonedRecord.OnHand = 4242;
        poisonedRecord.SetHold("cart:poison", 1, Expiry, 0);
        poisoned.State = poisonedRecord.Clone();
        var etag = poisoned.ETag;
        await Assert.ThrowsAnyAsync<Exception>(() => storage.WriteStateAsync("stock", small.Id, poisoned));
        Assert.Equal(etag, poisoned.ETag);
        var afterPoison = await Read(storage, small.Id);
        Assert.NotEqual(4242, afterPoison.State!.OnHand);
        Assert.Equal(etag, afterPoison.ETag);
        Assert.Equal(0, await CountItems(connect, small.Id, "cart:poison"));

        // 6. A record written whole (before holds were detached) reads back whole and moves its holds to rows on its next write.
        var legacyId = GrainId.Create("inventory", $"{run}-legacy");
        var legacyRecord = new StockRecord { OnHand = 100, Holds = new() { ["cart:a"] = new Hold(3, Expiry), ["cart:b"] = new Hold(4, Expiry) } };
        var legacy = new GrainState<StockRecord>(legacyRecord);
        await provider.WriteStateAsync("stock", legacyId, legacy);
        var read = await Read(storage, legacyId);
        Assert.Equal(7, read.State!.Reserved);
        read.State = read.State!.Clone();
        await storage.WriteStateAsync("stock", legacyId, read);
        Assert.Null((await Read(provider, legacyId)).State!.Holds);
        Assert.Equal(2, await CountItems(connect, legacyId));
        Assert.Equal(7, (await Read(storage, legacyId)).State!.Reserved);
    }

    /// <summary>A record with <paramref name="holds"/> one-unit holds, written in batches of 500 changes.</summary>
    private static async Task<(GrainId Id, GrainState<StockRecord> State)> Holding(IGrainStorage storage, GrainId id, int holds)
    {
        var record = new StockRecord { OnHand = 1_000_000 };
        var state = new GrainState<StockRecord>(record.Clone());
        for (var h = 0; h < holds; h++)
        {
            record.SetHold($"cart:{h}", 1, Expiry, 0);
            if (h % 500 != 499 && h != holds - 1) continue;
            state.State = record.Clone();
            await storage.WriteStateAsync("stock", id, state);
        }

        state.State = record.Clone();
        return (id, state);
    }

    private static async Task<GrainState<StockRecord>> Read(IGrainStorage storage, GrainId id)
    {
        var state = new GrainState<StockRecord>(new StockRecord());
        await storage.ReadStateAsync("stock", id, state);
        return state;
    }

    private static async Task<long> CountItems(Func<DbConnection> connect, GrainId id, string? itemKey = null)
    {
        await using var c = connect();
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM OmsStateItem WHERE GrainKey = '{id}'" + (itemKey is null ? "" : $" AND ItemKey = '{itemKey}'");
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static async Task Execute(Func<DbConnection> connect, string sql)
    {
        await using var c = connect();
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    private static string PoisonSql(DbConnection dialect, string itemKey)
    {
        using (dialect)
        {
            return dialect is SqliteConnection
                ? $"CREATE TRIGGER oms_poison_item BEFORE INSERT ON OmsStateItem WHEN NEW.ItemKey = '{itemKey}' BEGIN SELECT RAISE(ABORT, 'poisoned item'); END;"
                : $"""
                    CREATE OR REPLACE FUNCTION oms_poison_item() RETURNS trigger AS $$
                    BEGIN
                        IF NEW.itemkey = '{itemKey}' THEN RAISE EXCEPTION 'poisoned item'; END IF;
                        RETURN NEW;
                    END $$ LANGUAGE plpgsql;
                    DROP TRIGGER IF EXISTS oms_poison_item ON OmsStateItem;
                    CREATE TRIGGER oms_poison_item BEFORE INSERT OR UPDATE ON OmsStateItem FOR EACH ROW EXECUTE FUNCTION oms_poison_item();
                    """;
        }
    }
}
