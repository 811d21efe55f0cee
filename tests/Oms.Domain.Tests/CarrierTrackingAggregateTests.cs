using Oms.GrainInterfaces.Carriers;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Orders;
using Oms.Grains.Orders;

namespace Oms.Domain.Tests;

/// <summary>The order aggregate with a carrier's tracking events: once per event id, late ones only recorded, and their events.</summary>
public sealed class CarrierTrackingAggregateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static Order Shipped()
    {
        var o = OrderAggregateTests.Placed("L1:A2");
        foreach (var step in new[] { "accept f1", "pick f1 A 2", "pack f1", "ship f1" }) Assert.True(OrderAggregateTests.Step(o, step, T0).Ok, step);
        return o;
    }

    private static CarrierEvent E(string id, TrackingStatus status, int minutes, string carrier = "dpd", string number = "T1") =>
        new(carrier, id, number, status, T0.AddMinutes(minutes), $"{status} detail");

    private static (OrderDecision Decision, string[] Events) Track(Order o, CarrierEvent e)
    {
        var before = OrderFacts.Of(o.State);
        var d = o.Track("o1:f1", e, T0.AddHours(1));
        o.State.Outbox.Clear();
        if (d.Ok && d.Changed) OrderEvents.Raise(before, o, T0.AddHours(1), "n");
        return (d, [.. o.State.Outbox.Select(x => x.Type)]);
    }

    [Fact]
    public void In_transit_then_delivered_delivers_once_and_a_late_in_transit_is_only_recorded()
    {
        var o = Shipped();
        var (transit, none) = Track(o, E("e1", TrackingStatus.InTransit, 10));
        Assert.True(transit.Changed);
        Assert.Empty(none);
        Assert.Equal(TrackingStatus.InTransit, o.View(o.State.Fulfilment("o1:f1")!).TrackingStatus);

        var (_, delivered) = Track(o, E("e2", TrackingStatus.Delivered, 60));
        Assert.Equal([EventTypes.OrderStatusChanged, EventTypes.FulfilmentDelivered], delivered);
        Assert.Equal((OrderStatus.Delivered, FulfilmentStatus.Delivered), (o.State.Status, o.State.Fulfilment("o1:f1")!.Status));

        var (repeat, _) = Track(o, E("e2", TrackingStatus.Delivered, 60));
        Assert.False(repeat.Changed);

        var timeline = o.State.Timeline.Count;
        var (late, lateEvents) = Track(o, E("e0", TrackingStatus.InTransit, 5));
        Assert.True(late.Ok);
        Assert.Empty(lateEvents);
        Assert.Equal(FulfilmentStatus.Delivered, o.State.Fulfilment("o1:f1")!.Status);
        Assert.Equal("e2", o.View(o.State.Fulfilment("o1:f1")!).LastCarrierEvent!.EventId);
        Assert.Equal("carrier_event_ignored", Assert.Single(o.State.Timeline.Skip(timeline)).Event);
    }

    [Fact]
    public void An_exception_escalates_once_while_it_lasts_and_again_after_a_recovery()
    {
        var o = Shipped();
        Assert.Equal([EventTypes.EscalationRaised], Track(o, E("x1", TrackingStatus.Exception, 10)).Events);
        Assert.True(o.State.Escalated);
        Assert.Contains(o.State.Timeline, t => t.Event == "escalated" && t.Detail.Contains("carrier exception"));
        Assert.Empty(Track(o, E("x2", TrackingStatus.Exception, 20)).Events);
        Assert.Empty(Track(o, E("x3", TrackingStatus.InTransit, 30)).Events);
        Assert.Equal([EventTypes.EscalationRaised], Track(o, E("x4", TrackingStatus.Exception, 40)).Events);
        Assert.Equal(2, o.State.Fulfilment("o1:f1")!.CarrierExceptions);
    }

    [Theory]
    [InlineData("ups", "T1")]
    [InlineData("dpd", "T2")]
    public void Another_carrier_or_number_is_not_found(string carrier, string number)
    {
        var o = Shipped();
        Assert.Equal(OrderOutcome.NotFound, o.Track("o1:f1", E("e1", TrackingStatus.InTransit, 1, carrier, number), T0).Outcome);
        Assert.Empty(o.State.ExternalEventIds);
    }

    [Fact]
    public void The_same_event_id_from_a_payment_service_is_another_event()
    {
        var o = Shipped();
        Assert.True(o.Payment(new PaymentEvent("e1", PaymentStatus.Captured, null, T0), T0).Changed);
        Assert.True(Track(o, E("e1", TrackingStatus.InTransit, 1)).Decision.Changed);
    }
}
