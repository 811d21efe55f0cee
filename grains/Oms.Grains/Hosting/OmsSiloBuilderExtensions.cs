using System.Data.Common;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Oms.Grains.Reference;
using Oms.Grains.Storage;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;

namespace Oms.Grains.Hosting;

/// <summary>The one silo configuration, shared by the silo host, the embedded gateway and the test clusters.</summary>
public static class OmsSiloBuilderExtensions
{
    public const string PostgresInvariant = "Npgsql";

    public static ISiloBuilder AddOms(this ISiloBuilder silo, OmsSiloOptions options, bool dashboard = true)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });

        switch (options.Storage)
        {
            case StorageMode.InMemory:
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
                silo.AddMemoryGrainStorage(OmsNames.Storage);
                silo.UseInMemoryReminderService();
                break;

            case StorageMode.Sqlite:
                SqliteSchema.EnsureCreated(options.SqlitePath);
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
                silo.AddAdoNetGrainStorage(OmsNames.Storage, o =>
                {
                    o.Invariant = SqliteSchema.Invariant;
                    o.ConnectionString = SqliteSchema.ConnectionString(options.SqlitePath);
                });
                silo.UseInMemoryReminderService();
                break;

            case StorageMode.Postgres:
                var connectionString = options.ConnectionString
                    ?? throw new InvalidOperationException("Oms:ConnectionString is required for PostgreSQL mode");
                RegisterPostgres();
                silo.ConfigureEndpoints(IPAddress.Loopback, options.SiloPort, options.GatewayPort);
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
                silo.AddAdoNetGrainStorage(OmsNames.Storage, o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
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
        silo.Services.AddHostedService(sp => sp.GetRequiredService<ReferenceDataCache>());
        return silo;
    }

    public static void RegisterPostgres() => DbProviderFactories.RegisterFactory(PostgresInvariant, NpgsqlFactory.Instance);
}
