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

namespace Oms.Cluster.Tests.Durability;

/// <summary>
/// Group commit below the grains, against a real SQLite file and a real PostgreSQL server: concurrent writes share
/// transactions, the rows are the ones the Orleans ADO.NET provider reads (every key kind), a stale ETag fails
/// alone, and a batch the database refuses fails every write in it while none of them lands.
/// </summary>
public sealed class GroupCommitStorageTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const int Writes = 300;

    [Fact]
    public async Task Sqlite_batches_concurrent_writes_into_provider_rows_and_fails_a_refused_batch_whole()
    {
        var path = Path.Combine(Path.GetTempPath(), $"oms-gc-{Guid.NewGuid():N}.db");
        try
        {
            await RunAsync(new OmsSiloOptions { Storage = StorageMode.Sqlite, SqlitePath = path }, new SqliteDatabase(SqliteSchema.ConnectionString(path)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
        }
    }

    [Fact]
    public async Task Postgres_batches_concurrent_writes_into_provider_rows_and_fails_a_refused_batch_whole()
    {
        if (!PostgresServer.Available) return; // .ci/run installs PostgreSQL
        await RunAsync(new OmsSiloOptions { Storage = StorageMode.Postgres, ConnectionString = postgres.ConnectionString }, new PostgresDatabase(postgres.ConnectionString));
    }

    private static async Task RunAsync(OmsSiloOptions options, Database db)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddOmsGrains(options, dashboard: false));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var services = cluster.Silos[0].ServiceProvider;
        var storage = services.GetRequiredKeyedService<IGrainStorage>(OmsNames.Storage);
        var provider = services.GetRequiredKeyedService<IGrainStorage>(OmsSiloBuilderExtensions.ProviderStorage);
        Assert.IsType<GroupCommitGrainStorage>(storage);

        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, Writes).Select(i => (i % 3) switch
        {
            0 => GrainId.Create("gc-test", $"{run}-{i}"),
            1 => GrainId.Create(GrainType.Create("gc-test"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid(), $"{run}-{i}")),
            _ => GrainId.Create(GrainType.Create("gc-test"), GrainIdKeyExtensions.CreateIntegerKey(i, $"{run}")),
        }).ToArray();
        var states = ids.Select(_ => new GrainState<StockRecord>(new StockRecord())).ToArray();

        // 1. Concurrent first writes: all land, in fewer transactions than writes, as rows the provider reads.
        using var batches = new OmsMeasurements<int>("oms.storage.batch.size");
        await Task.WhenAll(ids.Select((id, i) => Write(storage, id, states[i], onHand: i)));
        Assert.True(batches.Values.Count < Writes, $"{Writes} writes took {batches.Values.Count} transactions");
        Assert.Equal(Writes, batches.Values.Sum());
        for (var i = 0; i < Writes; i++)
        {
            var read = await Read(provider, ids[i]);
            Assert.True((read.State!.OnHand, read.ETag) == (i, "1"), $"row {i}: {read.State!.OnHand} {read.ETag}");
            Assert.Equal("1", states[i].ETag);
        }

        // 2. A stale ETag fails alone; the writes batched with it commit.
        var stale = new HashSet<int>(Enumerable.Range(0, Writes).Where(i => i % 29 == 0));
        var second = await Task.WhenAll(ids.Select(async (id, i) =>
        {
            var state = stale.Contains(i) ? new GrainState<StockRecord>(new StockRecord()) { ETag = "7" } : states[i];
            try
            {
                await Write(storage, id, state, onHand: 1000 + i);
                return (Index: i, Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (Index: i, Error: ex);
            }
        }));
        foreach (var (i, error) in second)
        {
            var read = await Read(provider, ids[i]);
            if (stale.Contains(i))
            {
                Assert.IsType<InconsistentStateException>(error);
                Assert.Equal((i, "1"), (read.State!.OnHand, read.ETag));
            }
            else
            {
                Assert.Null(error);
                Assert.Equal((1000 + i, "2"), (read.State!.OnHand, read.ETag));
                Assert.Equal("2", states[i].ETag);
            }
        }

        // 3. The database refuses one write of a batch (a trigger): the whole batch fails to its callers and none of it lands.
        var poison = Writes / 2; // a string-key row in the middle of the burst
        Assert.Equal(0, poison % 3);
        await db.PoisonAsync($"{run}-{poison}");
        var before = states.Select(s => s.ETag).ToArray();
        Task<(int Index, Exception? Error)>[] third;
        await using (await db.BlockWritersAsync())
        {
            third = [.. ids.Select(async (id, i) =>
            {
                if (stale.Contains(i)) return (i, (Exception?)null);
                try
                {
                    await Write(storage, id, states[i], onHand: 2000 + i);
                    return (i, (Exception?)null);
                }
                catch (Exception ex)
                {
                    return (i, ex);
                }
            })];
            await Task.Delay(300); // every write is queued behind the blocked batch
        }

        var outcomes = await Task.WhenAll(third);
        Assert.NotNull(outcomes[poison].Error);
        var failed = outcomes.Where(o => o.Error is not null).Select(o => o.Index).ToList();
        Assert.True(failed.Count >= 2, $"the refused write failed alone ({failed.Count}): it was not batched with others");
        foreach (var (i, error) in outcomes.Where(o => !stale.Contains(o.Index)))
        {
            var read = await Read(provider, ids[i]);
            if (error is null) Assert.Equal((2000 + i, "3"), (read.State!.OnHand, read.ETag));
            else
            {
                // Nothing of a failed batch landed, and its grains still hold the ETag of what did.
                Assert.Equal((1000 + i, "2"), (read.State!.OnHand, read.ETag));
                Assert.Equal(before[i], states[i].ETag);
            }
        }
    }

    private static Task Write(IGrainStorage storage, GrainId id, GrainState<StockRecord> state, int onHand)
    {
        state.State = new StockRecord { OnHand = onHand, Version = onHand };
        return storage.WriteStateAsync("inventory", id, state);
    }

    private static async Task<GrainState<StockRecord>> Read(IGrainStorage provider, GrainId id)
    {
        var state = new GrainState<StockRecord>(new StockRecord());
        await provider.ReadStateAsync("inventory", id, state);
        return state;
    }

    private abstract class Database
    {
        /// <summary>Makes the database refuse any write of the row whose extension/key string contains <paramref name="marker"/>.</summary>
        public abstract Task PoisonAsync(string marker);

        /// <summary>Holds the table's write lock until disposed.</summary>
        public abstract Task<IAsyncDisposable> BlockWritersAsync();

        protected static async Task ExecuteAsync(DbConnection c, string sql)
        {
            await using (c)
            {
                await c.OpenAsync();
                await using var cmd = c.CreateCommand();
                cmd.CommandText = sql;
                await cmd.ExecuteNonQueryAsync();
            }
        }
    }

    private sealed class SqliteDatabase(string connectionString) : Database
    {
        public override Task PoisonAsync(string marker) =>
            ExecuteAsync(new SqliteConnection(connectionString), $"""
                CREATE TRIGGER oms_poison_u BEFORE UPDATE ON OrleansStorage WHEN NEW.GrainIdExtensionString = '{marker}' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;
                CREATE TRIGGER oms_poison_i BEFORE INSERT ON OrleansStorage WHEN NEW.GrainIdExtensionString = '{marker}' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;
                """);

        public override async Task<IAsyncDisposable> BlockWritersAsync()
        {
            var c = new SqliteConnection(connectionString);
            await c.OpenAsync();
            var tx = (DbTransaction)c.BeginTransaction(deferred: false);
            return new Release(tx, c);
        }
    }

    private sealed class PostgresDatabase(string connectionString) : Database
    {
        public override Task PoisonAsync(string marker) =>
            ExecuteAsync(new NpgsqlConnection(connectionString), $"""
                CREATE OR REPLACE FUNCTION oms_poison() RETURNS trigger AS $$
                BEGIN
                    IF NEW.GrainIdExtensionString = '{marker}' THEN RAISE EXCEPTION 'poisoned row'; END IF;
                    RETURN NEW;
                END $$ LANGUAGE plpgsql;
                DROP TRIGGER IF EXISTS oms_poison ON OrleansStorage;
                CREATE TRIGGER oms_poison BEFORE INSERT OR UPDATE ON OrleansStorage FOR EACH ROW EXECUTE FUNCTION oms_poison();
                """);

        public override async Task<IAsyncDisposable> BlockWritersAsync()
        {
            var c = new NpgsqlConnection(connectionString);
            await c.OpenAsync();
            var tx = await c.BeginTransactionAsync();
            await using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "LOCK TABLE OrleansStorage IN EXCLUSIVE MODE";
            await cmd.ExecuteNonQueryAsync();
            return new Release(tx, c);
        }
    }

    private sealed class Release(DbTransaction tx, DbConnection c) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await tx.RollbackAsync();
            await c.DisposeAsync();
        }
    }
}
