namespace Oms.GrainInterfaces.Reference;

/// <summary>Locations and channels (singleton, key <see cref="SingletonKeys.Catalog"/>).</summary>
public interface ICatalogGrain : IGrainWithStringKey
{
    Task<Location> PutLocationAsync(Location location);

    Task<ChannelPolicy> PutChannelAsync(ChannelPolicy channel);

    [AlwaysInterleave]
    Task<long> GetVersionAsync();

    [AlwaysInterleave]
    Task<ReferenceSnapshot> GetSnapshotAsync();
}
