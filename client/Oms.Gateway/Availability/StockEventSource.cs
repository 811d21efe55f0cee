using Oms.Grains;
using Oms.GrainInterfaces.Availability;
using Oms.Grains.Availability;
using Oms.Grains.Reference;

namespace Oms.Gateway.Availability;

/// <summary>
/// Turns stream deltas into one SSE client's events: only its SKUs, only locations its channel sells from, with
/// the channel's availability after the change read from the SKU's view (so bulk feeds do not compute channel
/// figures nobody is listening for).
/// </summary>
public sealed class StockEventSource(IGrainFactory grains, ReferenceDataCache cache, string channel, HashSet<string>? skus)
{
    public string Channel => channel;

    public async ValueTask<StockDeltaEvent?> ToEventAsync(StockDelta delta)
    {
        if (skus is not null && !skus.Contains(delta.Sku)) return null;
        var snapshot = cache.Current;
        if (!snapshot.Channels.TryGetValue(channel, out var policy)
            || !snapshot.Locations.TryGetValue(delta.LocationId, out var location)
            || !ChannelRules.IsEligible(policy, location))
            return null;

        var availability = await grains.Ref<ISkuAvailabilityGrain>(delta.Sku).GetAsync(channel, AvailabilityScope.All);
        return new StockDeltaEvent(delta.LocationId, delta.Sku, delta.Atp, availability?.Available ?? 0, delta.Version, delta.At);
    }
}
