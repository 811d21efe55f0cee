using Oms.GrainInterfaces.Carriers;
using Oms.GrainInterfaces.Orders;
using Oms.Grains.Carriers;
using static Oms.GrainInterfaces.Carriers.TrackingStatus;

namespace Oms.Domain.Tests;

public sealed class TrackingRulesTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, FulfilmentStatus, bool, TrackingStatus?, int, TrackingStatus, TrackingMove> Cases => new()
    {
        { "first event", FulfilmentStatus.Shipped, false, null, 0, InTransit, TrackingMove.Advance },
        { "out for delivery after in transit", FulfilmentStatus.Shipped, false, InTransit, 1, OutForDelivery, TrackingMove.Advance },
        { "delivered", FulfilmentStatus.Shipped, false, OutForDelivery, 1, Delivered, TrackingMove.Deliver },
        { "delivered as the first event", FulfilmentStatus.Shipped, false, null, 0, Delivered, TrackingMove.Deliver },
        { "a later in transit after out for delivery (a second attempt)", FulfilmentStatus.Shipped, false, OutForDelivery, 1, InTransit, TrackingMove.Advance },
        { "the same time counts", FulfilmentStatus.Shipped, false, InTransit, 0, OutForDelivery, TrackingMove.Advance },
        { "an exception escalates", FulfilmentStatus.Shipped, false, InTransit, 1, TrackingStatus.Exception, TrackingMove.Escalate },
        { "a further exception does not escalate again", FulfilmentStatus.Shipped, false, TrackingStatus.Exception, 1, TrackingStatus.Exception, TrackingMove.Advance },
        { "back in transit after an exception", FulfilmentStatus.Shipped, false, TrackingStatus.Exception, 1, InTransit, TrackingMove.Advance },
        { "a new exception after recovering escalates", FulfilmentStatus.Shipped, false, InTransit, 1, TrackingStatus.Exception, TrackingMove.Escalate },
        { "delivered after an exception", FulfilmentStatus.Shipped, false, TrackingStatus.Exception, 1, Delivered, TrackingMove.Deliver },
        { "an older event is stale", FulfilmentStatus.Shipped, false, OutForDelivery, -1, InTransit, TrackingMove.Stale },
        { "an older exception is stale", FulfilmentStatus.Shipped, false, OutForDelivery, -1, TrackingStatus.Exception, TrackingMove.Stale },
        { "a late in transit after delivered", FulfilmentStatus.Delivered, false, Delivered, -1, InTransit, TrackingMove.Stale },
        { "in transit after delivered, even with a later time", FulfilmentStatus.Delivered, false, Delivered, 1, InTransit, TrackingMove.Stale },
        { "an exception after delivered", FulfilmentStatus.Delivered, false, Delivered, 1, TrackingStatus.Exception, TrackingMove.Stale },
        { "delivered by hand, then the carrier's events", FulfilmentStatus.Delivered, false, null, 0, OutForDelivery, TrackingMove.Stale },
        { "delivered by hand, then the carrier's delivered", FulfilmentStatus.Delivered, false, InTransit, 1, Delivered, TrackingMove.Stale },
        { "a transfer reaches its store: recorded, the store makes it ready", FulfilmentStatus.Shipped, true, InTransit, 1, Delivered, TrackingMove.Advance },
        { "a transfer after its delivered", FulfilmentStatus.Shipped, true, Delivered, 1, InTransit, TrackingMove.Stale },
        { "a transfer ready for pickup", FulfilmentStatus.ReadyForPickup, true, Delivered, 1, TrackingStatus.Exception, TrackingMove.Stale },
        { "a collected transfer", FulfilmentStatus.Collected, true, null, 0, InTransit, TrackingMove.Stale },
        { "not shipped (never indexed, but the rule holds)", FulfilmentStatus.Packed, false, null, 0, InTransit, TrackingMove.Stale },
    };

    /// <param name="later">The event's time against the last one's: 1 later, 0 the same, -1 earlier.</param>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Moves(string why, FulfilmentStatus fulfilment, bool transfer, TrackingStatus? current, int later, TrackingStatus incoming, TrackingMove expected) =>
        Assert.True(expected == TrackingRules.Decide(fulfilment, transfer, current, current is null ? null : T, incoming, T.AddMinutes(later)), why);
}
