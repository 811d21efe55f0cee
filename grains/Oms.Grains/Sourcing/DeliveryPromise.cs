using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.Grains.Sourcing;

/// <summary>
/// Delivery and pickup estimates from location turnaround and carrier lead times: a parcel takes 1 day within
/// 50 km, 2 within 500 km, 3 beyond (2 when the distance is not known); a ship-to-store transfer takes 2 days.
/// The order's promise is its slowest fulfilment.
/// </summary>
public static class DeliveryPromise
{
    public static readonly TimeSpan TransferLead = TimeSpan.FromDays(2);

    public static TimeSpan CarrierLead(double? distanceKm) => distanceKm switch
    {
        null => TimeSpan.FromDays(2),
        <= 50 => TimeSpan.FromDays(1),
        <= 500 => TimeSpan.FromDays(2),
        _ => TimeSpan.FromDays(3),
    };

    /// <summary>When one fulfilment reaches the customer (ship) or can be collected (pickup).</summary>
    public static DateTimeOffset For(DateTimeOffset now, FulfilmentType type, Location from, string? transferTo, double? distanceKm)
    {
        var ready = now + TimeSpan.FromHours(Math.Max(0, from.TurnaroundHours));
        if (type == FulfilmentType.Pickup) return transferTo is null || transferTo == from.LocationId ? ready : ready + TransferLead;
        return ready + CarrierLead(distanceKm);
    }
}
