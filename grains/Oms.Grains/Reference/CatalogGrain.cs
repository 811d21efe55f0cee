using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.Grains.Reference;

/// <summary>
/// Locations and channels. The state is an immutable snapshot replaced on every change, so the snapshot handed
/// to readers never changes under them.
/// </summary>
public sealed class CatalogGrain(
    [PersistentState("catalog", OmsNames.Storage)] IPersistentState<ReferenceSnapshot> state,
    ReferenceDataCache cache) : Grain, ICatalogGrain
{
    private ReferenceSnapshot _committed = ReferenceSnapshot.Empty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A record that never was written comes back as an uninitialised instance, not null.
        _committed = state.RecordExists ? state.State : ReferenceSnapshot.Empty;
        return Task.CompletedTask;
    }

    public async Task<Location> PutLocationAsync(Location location)
    {
        var locations = new Dictionary<string, Location>(_committed.Locations) { [location.LocationId] = location };
        await CommitAsync(_committed with { Version = _committed.Version + 1, Locations = locations });
        return location;
    }

    public async Task<ChannelPolicy> PutChannelAsync(ChannelPolicy channel)
    {
        var channels = new Dictionary<string, ChannelPolicy>(_committed.Channels) { [channel.ChannelId] = channel };
        await CommitAsync(_committed with { Version = _committed.Version + 1, Channels = channels });
        return channel;
    }

    public async Task<SourcingProfile> PutSourcingProfileAsync(SourcingProfile profile)
    {
        var profiles = new Dictionary<string, SourcingProfile>(_committed.SourcingProfiles ?? []) { [profile.ProfileId] = profile };
        await CommitAsync(_committed with { Version = _committed.Version + 1, SourcingProfiles = profiles });
        return profile;
    }

    public async Task<OrderPolicy> PutOrderPolicyAsync(OrderPolicy policy)
    {
        await CommitAsync(_committed with { Version = _committed.Version + 1, OrderPolicy = policy });
        return policy;
    }

    public Task<long> GetVersionAsync() => Task.FromResult(_committed.Version);

    public Task<ReferenceSnapshot> GetSnapshotAsync() => Task.FromResult(_committed);

    private async Task CommitAsync(ReferenceSnapshot next)
    {
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = _committed;
            throw;
        }

        _committed = next;
        cache.Offer(next);
    }
}
