using Oms.GrainInterfaces.Reference;
using Oms.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Oms.Cluster.Tests;

/// <summary>A two-silo in-process cluster with the production grain configuration (memory storage).</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private const string InnerStorage = "oms-inner";

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddOmsGrains(new OmsSiloOptions { Storage = StorageMode.InMemory }, dashboard: false);
            silo.AddMemoryGrainStorage(InnerStorage);
            silo.Services.AddKeyedSingleton<IGrainStorage>(OmsNames.Storage, (sp, _) =>
                new MutationCheckingStorage(sp.GetRequiredKeyedService<IGrainStorage>(InnerStorage), sp.GetRequiredService<Serializer>()));
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(OmsNames.StreamProvider, b => b.ConfigurePartitioning(OmsNames.StockDeltaPartitions)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public ICatalogGrain Catalog => Client.GetGrain<ICatalogGrain>(SingletonKeys.Catalog);

    /// <summary>A location in its own test-unique namespace, so tests sharing the cluster never see each other's stock.</summary>
    public static Location Location(string id, LocationType type = LocationType.Warehouse, string region = "UK", double lat = 51.5, double lon = -0.1, bool offline = false) =>
        new(id, id, type, lat, lon, region, [], 0, 0, 24, offline);

    public static ChannelPolicy Channel(string id, string[] locationIds, ChannelBuffers? buffers = null) =>
        new(id, id, null, [], locationIds, [], [], [], buffers ?? ChannelBuffers.None, 900, 5);
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
