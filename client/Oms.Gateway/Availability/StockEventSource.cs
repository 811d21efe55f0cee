using Oms.GrainInterfaces.Availability;
using Oms.Grains.Availability;
using Oms.Grains.Reference;

namespace Oms.Gateway.Availability;

/// <summary>
/// Turns stream deltas into one SSE client's events: only its SKUs, only locations its channel sells from, with
/// the channel's availability after the change, from this gateway's copy of the SKU's view and its kept answer
/// (so a thousand subscribers of one SKU cost one computation per change, not a thousand grain calls).
/// </summary>
public sealed class StockEventSource(AvailabilityCopies copies, ReferenceDataCache cache, string channel, HashSet<string>? skus)
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

        var copy = await copies.GetAsync(delta.Sku);
        return new StockDeltaEvent(delta.LocationId, delta.Sku, delta.Atp, copies.Answer(copy, policy, snapshot).Answer.Available, delta.Version, delta.At);
    }
}
