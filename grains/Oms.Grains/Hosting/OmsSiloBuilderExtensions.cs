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
            // In a pod, Orleans' Kubernetes hosting advertises the pod IP and listens on every address once it finds
            // none set here; outside, the silos of one machine talk over loopback.
            if (options.Kubernetes == true)
                silo.Configure<EndpointOptions>(o => (o.SiloPort, o.GatewayPort) = (options.SiloPort, options.GatewayPort));
            else
                silo.ConfigureEndpoints(IPAddress.Loopback, options.SiloPort, options.GatewayPort);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = RequireConnectionString(options);
            });
            // The strongly consistent directory (docs/decisions/0021): with the default one, a silo joining or leaving
            // could leave two activations of one grain for a moment, and the loser, deactivating mid-call, stalled its
            // callers for the 30 s response timeout during a rolling restart.
#pragma warning disable ORLEANSEXP003
            silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            // A stopping silo tells its clients (the gateways) to send elsewhere, then waits this long before it
            // deactivates its grains, so that requests already on their way are not rejected.
            silo.Configure<SiloMessagingOptions>(o => o.ClientGatewayShutdownNotificationTimeout = TimeSpan.FromSeconds(1));
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
                // Binary as the durable modes: the default JSON serializer was ~4 % of a feed's CPU in memory.
                silo.Services.AddOptions<MemoryGrainStorageOptions>(OmsNames.Storage)
                    .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
                // Memory storage keeps a state whole: an event-log partition would be copied on every write.
                silo.Services.Configure<Events.EventLogOptions>(o => o.EntriesInMemory = true);
                silo.UseInMemoryReminderService();
                break;

            case StorageMode.Sqlite:
                SqliteSchema.EnsureCreated(options.SqlitePath);
                var sqlite = SqliteSchema.ConnectionString(options.SqlitePath);
                AddGroupCommitStorage(silo, SqliteSchema.Invariant, sqlite, SqliteFactory.Instance, options.StorageWriters > 0 ? options.StorageWriters : SqliteWriters);
                // Reminders in the same file (docs/decisions/0020): a restart brings back the grains with holds to
                // expire and work to escalate, with no traffic to wake them.
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = SqliteSchema.Invariant;
                    o.ConnectionString = sqlite;
                });
                break;

            case StorageMode.Postgres:
                var connectionString = RequireConnectionString(options);
                AddGroupCommitStorage(silo, PostgresInvariant, connectionString, NpgsqlFactory.Instance, options.StorageWriters > 0 ? options.StorageWriters : PostgresWriters);
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
                break;
        }

        silo.AddMemoryStreams(OmsNames.StreamProvider, b => b.ConfigurePartitioning(OmsNames.StockDeltaPartitions));
        silo.AddMemoryGrainStorage("PubSubStore");
        // HideTrace: the live log stream would show request data to anyone with dashboard access.
        if (dashboard) silo.AddDashboard(o => o.HideTrace = true);

        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<ReferenceDataCache>();
        silo.Services.AddSingleton<Sourcing.LocationLoadCache>();
        silo.Services.AddSingleton<Sourcing.OrderSourcing>();
        silo.Services.AddOptions<Events.EventLogOptions>().BindConfiguration(Events.EventLogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<ReferenceDataCache>());
        Webhooks.WebhookOptions.AddTo(silo.Services);
        silo.Services.AddSingleton<Webhooks.WebhookSender>();
        silo.Services.AddSingleton<Webhooks.WebhookWakeups>();
        silo.Services.AddSingleton<Events.IEventLogListener>(sp => sp.GetRequiredService<Webhooks.WebhookWakeups>());
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Webhooks.WebhookWakeups>());
        Notifications.NotificationOptions.AddTo(silo.Services);
        RetentionOptions.AddTo(silo.Services);
        // Every silo wakes the one sweep grain; it then keeps its own schedule (docs/decisions/0022).
        silo.AddStartupTask((sp, _) => sp.GetRequiredService<IGrainFactory>().GetGrain<GrainInterfaces.Storage.IStorageSweepGrain>(0).StartAsync());
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
        silo.Services.AddSingleton(sp => new StorageSweeper(
            factory,
            connectionString,
            sqlite: invariant == SqliteSchema.Invariant,
            sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
            sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(ProviderStorage)));
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
    /// The PostgreSQL connection string, tuned for the providers' few, always repeated statements unless the operator
    /// set these keys: Npgsql's pool reset (<c>DISCARD ALL</c> on every return to the pool) off, since the Orleans
    /// providers keep no session state and the reset was a round trip after each of the ~19 statements an order cost
    /// (bench/orders); automatic preparation on (up to 32 statements per connection, after 2 uses), so PostgreSQL
    /// parses and plans the storage, reminder and membership statements once per connection, not on every call.
    /// </summary>
    private static string RequireConnectionString(OmsSiloOptions options) =>
        TunePostgres(options.ConnectionString ?? throw new InvalidOperationException("Oms:ConnectionString is required for PostgreSQL mode"));

    /// <summary>See <see cref="RequireConnectionString"/>: the operator's own value of each key wins.</summary>
    public static string TunePostgres(string connectionString)
    {
        // The keys the operator wrote (a plain builder keeps only those), compared without spaces and case.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("NoResetOnClose")) tuned.NoResetOnClose = true;
        if (!given.Contains("MaxAutoPrepare")) tuned.MaxAutoPrepare = 32;
        if (!given.Contains("AutoPrepareMinUsages")) tuned.AutoPrepareMinUsages = 2;
        return tuned.ConnectionString;
    }
}
