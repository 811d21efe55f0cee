using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Oms.GrainInterfaces.Idempotency;
using Oms.Grains;
using Oms.Grains.Carts;
using Oms.Grains.Hosting;
using Oms.Grains.Idempotency;
using Oms.Grains.Inventory;
using Oms.Grains.Storage;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Oms.Cluster.Tests.Durability;

/// <summary>
/// The storage sweep's SQL against a real SQLite file and a real PostgreSQL server: rows the retention rules let go
/// are deleted, everything else stays as it was, and a grain whose record was swept while it was active writes anew.
/// </summary>
public sealed class StorageSweepTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Sqlite_sweep_deletes_expired_records_and_keeps_the_rest()
    {
        var path = Path.Combine(Path.GetTempPath(), $"oms-sweep-{Guid.NewGuid():N}.db");
        try
        {
            await RunAsync(new OmsSiloOptions { Storage = StorageMode.Sqlite, SqlitePath = path });
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
        }
    }

    [Fact]
    public async Task Postgres_sweep_deletes_expired_records_and_keeps_the_rest()
    {
        if (!PostgresServer.Available) return; // .ci/run installs PostgreSQL
        await RunAsync(new OmsSiloOptions { Storage = StorageMode.Postgres, ConnectionString = postgres.ConnectionString });
    }

    private static async Task RunAsync(OmsSiloOptions options)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddOmsGrains(options, dashboard: false));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var services = cluster.Silos[0].ServiceProvider;
        var storage = services.GetRequiredKeyedService<IGrainStorage>(OmsNames.Storage);
        var provider = services.GetRequiredKeyedService<IGrainStorage>(OmsSiloBuilderExtensions.ProviderStorage);
        var sweeper = services.GetRequiredService<StorageSweeper>();
        var retention = new RetentionOptions { BatchSize = 7 }; // several delete transactions
        var now = DateTimeOffset.UtcNow;
        var run = Guid.NewGuid().ToString("N")[..8];
        GrainId Id(string type, string key) => GrainId.Create(type, $"{run}-{key}");

        // Twenty idempotency records, ten empty carts, carts holding stock (running, expired an hour ago), one
        // cleared state, one stock record.
        var keys = Enumerable.Range(0, 20).Select(i => Id("idem", $"k{i}")).ToArray();
        foreach (var k in keys)
            await storage.WriteStateAsync("idempotency", k, new GrainState<IdempotencyRecord>(new IdempotencyRecord { RequestHash = "h", CompletedAt = now }));
        var empty = Enumerable.Range(0, 10).Select(i => Id("cart", $"empty{i}")).ToArray();
        foreach (var c in empty) await storage.WriteStateAsync("cart", c, new GrainState<CartState>(new CartState { Existed = true }));
        var line = new Dictionary<string, CartLineState> { ["SKU-1"] = new() { Quantity = 1, Holds = { ["L-1"] = 1 } } };
        var running = Id("cart", "running");
        await storage.WriteStateAsync("cart", running, new GrainState<CartState>(new CartState { Lines = line, ExpiresAt = now + TimeSpan.FromDays(30) }));
        var expired = Id("cart", "expired");
        await storage.WriteStateAsync("cart", expired, new GrainState<CartState>(new CartState { Lines = line, ExpiresAt = now + TimeSpan.FromHours(1) }));
        var cleared = Id("gone", "cleared");
        var clearedState = new GrainState<StockRecord>(new StockRecord { OnHand = 1 });
        await storage.WriteStateAsync("stock", cleared, clearedState);
        await storage.ClearStateAsync("stock", cleared, clearedState);
        var stock = Id("stock", "kept");
        await storage.WriteStateAsync("stock", stock, new GrainState<StockRecord>(new StockRecord { OnHand = 5 }));

        // Too young for every rule: nothing goes.
        Assert.Empty(await sweeper.SweepAsync(now + TimeSpan.FromMinutes(50), retention));
        Assert.True(await Exists<CartState>(provider, "cart", empty[0]));

        // A day and a bit later: the records, the empty carts, the cart expired a day ago and the cleared row go.
        var deleted = await sweeper.SweepAsync(now + TimeSpan.FromHours(25.5), retention);
        Assert.Equal(20, deleted.GetValueOrDefault("idempotency"));
        Assert.Equal(11, deleted.GetValueOrDefault("cart"));
        Assert.Equal(1, deleted.GetValueOrDefault("cleared"));
        foreach (var k in keys) Assert.False(await Exists<IdempotencyRecord>(provider, "idempotency", k));
        foreach (var c in empty) Assert.False(await Exists<CartState>(provider, "cart", c));
        Assert.False(await Exists<CartState>(provider, "cart", expired));
        Assert.True(await Exists<CartState>(provider, "cart", running));
        var kept = new GrainState<StockRecord>(new StockRecord());
        await provider.ReadStateAsync("stock", stock, kept);
        Assert.Equal(5, kept.State!.OnHand);

        // Nothing left to delete: a second sweep finds nothing.
        Assert.Empty(await sweeper.SweepAsync(now + TimeSpan.FromHours(25.5), retention));

        // An active idempotency grain whose record the sweep deleted still completes a key (it writes anew).
        var grains = cluster.Client;
        var idem = grains.GetGrain<IIdempotencyGrain>($"{run}-live");
        Assert.Equal(IdempotencyOutcome.Proceed, (await idem.BeginAsync("a")).Outcome);
        await idem.CompleteAsync("a", new StoredResponse(200, "application/json", [1], []));
        Assert.Equal(1, (await sweeper.SweepAsync(now + TimeSpan.FromHours(25.5), retention)).GetValueOrDefault("idempotency"));
        await idem.CompleteAsync("a", new StoredResponse(201, "application/json", [2], []));
        var record = new GrainState<IdempotencyRecord>(new IdempotencyRecord());
        await provider.ReadStateAsync("idempotency", GrainId.Create("idempotency", $"{run}-live"), record);
        Assert.Equal(201, record.State!.Response!.Status);
    }

    private static async Task<bool> Exists<T>(IGrainStorage provider, string stateName, GrainId id) where T : new()
    {
        var state = new GrainState<T>(new T());
        await provider.ReadStateAsync(stateName, id, state);
        return state.RecordExists;
    }
}
