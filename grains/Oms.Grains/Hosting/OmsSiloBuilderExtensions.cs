using System.Net;
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

    /// <summary>The ADO.NET storage behind <see cref="SerializedGrainStorage"/> in SQLite mode.</summary>
    private const string SqliteStorage = "oms-sqlite";

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
                silo.AddAdoNetGrainStorage(SqliteStorage, o =>
                {
                    o.Invariant = SqliteSchema.Invariant;
                    o.ConnectionString = SqliteSchema.ConnectionString(options.SqlitePath);
                });
                UseBinaryState(silo, SqliteStorage);
                silo.Services.AddKeyedSingleton<IGrainStorage>(OmsNames.Storage,
                    (sp, _) => new SerializedGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(SqliteStorage)));
                silo.UseInMemoryReminderService();
                break;

            case StorageMode.Postgres:
                var connectionString = RequireConnectionString(options);
                silo.AddAdoNetGrainStorage(OmsNames.Storage, o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
                UseBinaryState(silo, OmsNames.Storage);
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
