using System.Data.Common;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using Oms.Grains.Reference;
using Oms.Grains.Storage;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Oms.Grains.Hosting;

/// <summary>The one silo configuration, shared by the silo host, the embedded gateway and the test clusters.</summary>
public static class OmsSiloBuilderExtensions
{
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// The Orleans ADO.NET storage provider behind <see cref="GroupCommitGrainStorage"/>: it reads (and clears); group
    /// commit writes the same rows in batches.
    /// </summary>
    public const string ProviderStorage = "oms-adonet";

    /// <summary>
    /// Concurrent batches per silo. SQLite has one writer; PostgreSQL takes a second batch while one commits (its
    /// own WAL group commit then joins them), without spreading writes so thin that batches stop forming.
    /// </summary>
    private const int SqliteWriters = 1;
    private const int PostgresWriters = 2;

    public static ISiloBuilder AddOms(this ISiloBuilder silo, OmsSiloOptions options, bool dashboard = true)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });

        if (options.Storage == StorageMode.Postgres)
        {
            silo.ConfigureEndpoints(IPAddress.Loopback, options.SiloPort, options.GatewayPort);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = RequireConnectionString(options);
            });
        }
        else
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
        }

        return silo.AddOmsGrains(options, dashboard);
    }

    /// <summary>Storage, reminders, streams and services without clustering: what a test cluster adds to its own silos.</summary>
    public static ISiloBuilder AddOmsGrains(this ISiloBuilder silo, OmsSiloOptions options, bool dashboard = true)
    {
        switch (options.Storage)
        {
            case StorageMode.InMemory:
                silo.AddMemoryGrainStorage(OmsNames.Storage);
                silo.UseInMemoryReminderService();
                break;

            case StorageMode.Sqlite:
                SqliteSchema.EnsureCreated(options.SqlitePath);
                AddGroupCommitStorage(silo, SqliteSchema.Invariant, SqliteSchema.ConnectionString(options.SqlitePath), SqliteFactory.Instance, SqliteWriters);
                silo.UseInMemoryReminderService();
                break;

            case StorageMode.Postgres:
                var connectionString = RequireConnectionString(options);
                AddGroupCommitStorage(silo, PostgresInvariant, connectionString, NpgsqlFactory.Instance, PostgresWriters);
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
                break;
        }

        silo.AddMemoryStreams(OmsNames.StreamProvider, b => b.ConfigurePartitioning(OmsNames.StockDeltaPartitions));
        silo.AddMemoryGrainStorage("PubSubStore");
        if (dashboard) silo.AddDashboard();

        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<ReferenceDataCache>();
        silo.Services.AddSingleton<Sourcing.LocationLoadCache>();
        silo.Services.AddSingleton<Sourcing.OrderSourcing>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<ReferenceDataCache>());
        return silo;
    }

    /// <summary>The provider (reads, clears) under its own name, and group commit in front of it as the OMS storage.</summary>
    private static void AddGroupCommitStorage(ISiloBuilder silo, string invariant, string connectionString, DbProviderFactory factory, int writers)
    {
        silo.AddAdoNetGrainStorage(ProviderStorage, o =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
        });
        UseBinaryState(silo, ProviderStorage);
        silo.Services.AddKeyedSingleton<IGrainStorage>(OmsNames.Storage, (sp, _) => new GroupCommitGrainStorage(
            OmsNames.Storage,
            sp.GetRequiredKeyedService<IGrainStorage>(ProviderStorage),
            sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(ProviderStorage),
            sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
            factory,
            writers,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<GroupCommitGrainStorage>()));
    }

    /// <summary>
    /// Grain state in Orleans' binary format instead of the default JSON with type names: a hot inventory record
    /// holding thousands of cart holds is rewritten by every batch, and JSON made it several times larger and
    /// slower to write.
    /// </summary>
    private static void UseBinaryState(ISiloBuilder silo, string storageName) =>
        silo.Services.AddOptions<AdoNetGrainStorageOptions>(storageName)
            .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));

    /// <summary>
    /// The PostgreSQL connection string, with Npgsql's pool reset (<c>DISCARD ALL</c> on every return to the pool)
    /// turned off unless the operator set it: the Orleans providers keep no session state, and the reset was a
    /// round trip after each of the ~19 statements an order costs (measured by bench/orders).
    /// </summary>
    private static string RequireConnectionString(OmsSiloOptions options)
    {
        var connectionString = options.ConnectionString ?? throw new InvalidOperationException("Oms:ConnectionString is required for PostgreSQL mode");
        return connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)
            ? connectionString
            : connectionString.TrimEnd(';') + ";No Reset On Close=true";
    }
}
