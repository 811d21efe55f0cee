using Oms.GrainInterfaces.Carriers;
using Oms.GrainInterfaces.Orders;

namespace Oms.Grains.Carriers;

/// <summary>What a carrier's tracking event does to a shipment.</summary>
public enum TrackingMove
{
    /// <summary>The shipment's tracking status becomes the event's (in transit, out for delivery, a further exception).</summary>
    Advance,
    /// <summary>Delivered to the customer: the same step as <c>POST /v1/fulfilments/{id}/deliver</c>.</summary>
    Deliver,
    /// <summary>A new exception: the shipment and its order are escalated to a person.</summary>
    Escalate,
    /// <summary>Too late to count (older than the last event, or the journey is over): recorded on the timeline only.</summary>
    Stale,
}

/// <summary>
/// Which carrier event may move which shipment, pure. Carriers send events out of order and again, so the carrier's
/// own time orders them: an event older than the last one applied is stale, and nothing moves a shipment that was
/// delivered (by the carrier or by hand) or handed over. A ship-to-store transfer "delivered" has reached the store,
/// which makes it ready for pickup itself, so it only records the status. An exception escalates when the shipment
/// enters it, not again while it stays there.
/// </summary>
public static class TrackingRules
{
    public static TrackingMove Decide(
        FulfilmentStatus fulfilment, bool transfer, TrackingStatus? current, DateTimeOffset? currentAt, TrackingStatus incoming, DateTimeOffset at)
    {
        if (fulfilment != FulfilmentStatus.Shipped || current == TrackingStatus.Delivered) return TrackingMove.Stale;
        if (currentAt is { } last && at < last) return TrackingMove.Stale;
        return incoming switch
        {
            TrackingStatus.Delivered => transfer ? TrackingMove.Advance : TrackingMove.Deliver,
            TrackingStatus.Exception => current == TrackingStatus.Exception ? TrackingMove.Advance : TrackingMove.Escalate,
            _ => TrackingMove.Advance,
        };
    }
}
