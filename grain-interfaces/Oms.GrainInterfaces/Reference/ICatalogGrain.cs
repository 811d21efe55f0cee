namespace Oms.GrainInterfaces.Reference;

/// <summary>Locations, channels, sourcing profiles and the order policy (singleton, key <see cref="SingletonKeys.Catalog"/>).</summary>
public interface ICatalogGrain : IGrainWithStringKey
{
    Task<Location> PutLocationAsync(Location location);

    Task<ChannelPolicy> PutChannelAsync(ChannelPolicy channel);

    Task<Sourcing.SourcingProfile> PutSourcingProfileAsync(Sourcing.SourcingProfile profile);

    Task<Orders.OrderPolicy> PutOrderPolicyAsync(Orders.OrderPolicy policy);

    [AlwaysInterleave]
    Task<long> GetVersionAsync();

    [AlwaysInterleave]
    Task<ReferenceSnapshot> GetSnapshotAsync();
}
