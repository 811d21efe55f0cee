using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Events;
using Oms.Grains.Notifications;

namespace Oms.Domain.Tests;

/// <summary>Which event gives which notification, with which values: one row per event shape.</summary>
public sealed class NotificationRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Customer Ann = new("c1", null, "ann@example.com");
    private static readonly Dictionary<string, string> Tracking = new(StringComparer.OrdinalIgnoreCase) { ["dhl"] = "https://track.example/dhl?n={{trackingNumber}}" };

    private static IntegrationEvent Event(string type, object data) => new("evt_1", type, T0, "order:o1", 1, EventJson.Write(data));

    private static OrderEventData Order(LineQuantity[]? cancelled = null) => new(
        "o1", "web", OrderStatus.Sourced, null, FulfilmentType.Ship, Ann, null,
        [new OrderLineView("A", 2, 10m, 0, 0), new OrderLineView("B", 1, 5.5m, 0, 0)], 25.5m, null, cancelled, T0);

    private static FulfilmentEventData Fulfilment(FulfilmentStatus status, string? carrier = null, string? tracking = null, string? code = null, string? transferTo = null) =>
        new("o1", "web", Ann, new FulfilmentView("f1", "o1", "ST-1", FulfilmentType.Pickup, status, [], transferTo, carrier, tracking, code, null, T0, null, false, []));

    private static ReturnEventData Return(decimal? refund) => new("o1", "web", new ReturnView("r1", "o1", "received", [], refund, 0m, "WH", T0, null, false));

    public static TheoryData<string, IntegrationEvent, NotificationKind?, string> Rows => new()
    {
        { "order created", Event(EventTypes.OrderCreated, Order()), NotificationKind.OrderConfirmation, "total=25.50 units=3" },
        { "status change", Event(EventTypes.OrderStatusChanged, Order()), null, "" },
        { "on hold", Event(EventTypes.OrderOnHold, Order()), null, "" },
        { "cancelled", Event(EventTypes.OrderCancelled, Order([new LineQuantity("A", 2), new LineQuantity("B", 1)])), NotificationKind.Cancelled, "cancelledUnits=3" },
        { "cancelled nothing", Event(EventTypes.OrderCancelled, Order([])), null, "" },
        { "shipped, known carrier", Event(EventTypes.FulfilmentShipped, Fulfilment(FulfilmentStatus.Shipped, "DHL", "JD 01/2")), NotificationKind.Shipped, "carrier=DHL trackingNumber=JD 01/2 trackingUrl=https://track.example/dhl?n=JD%2001%2F2" },
        { "shipped, unknown carrier", Event(EventTypes.FulfilmentShipped, Fulfilment(FulfilmentStatus.Shipped, "ups", "1Z")), NotificationKind.Shipped, "carrier=ups trackingNumber=1Z trackingUrl=" },
        { "transfer shipped to store", Event(EventTypes.FulfilmentShipped, Fulfilment(FulfilmentStatus.Shipped, "dhl", "1", transferTo: "ST-2")), null, "" },
        { "ready for pickup", Event(EventTypes.FulfilmentReadyForPickup, Fulfilment(FulfilmentStatus.ReadyForPickup, code: "482913")), NotificationKind.ReadyForPickup, "pickupCode=482913 pickupLocationId=ST-1" },
        { "ready at the transfer's store", Event(EventTypes.FulfilmentReadyForPickup, Fulfilment(FulfilmentStatus.ReadyForPickup, code: "1", transferTo: "ST-2")), NotificationKind.ReadyForPickup, "pickupCode=1 pickupLocationId=ST-2" },
        { "released", Event(EventTypes.FulfilmentReleased, Fulfilment(FulfilmentStatus.Released)), null, "" },
        { "delivered", Event(EventTypes.FulfilmentDelivered, Fulfilment(FulfilmentStatus.Delivered)), null, "" },
        { "review escalated", Event(EventTypes.EscalationRaised, new EscalationEventData("o1", "web", "review", "o1", null, "fraud")), NotificationKind.Delayed, "" },
        { "store escalated", Event(EventTypes.EscalationRaised, new EscalationEventData("o1", "web", "fulfilment", "f1", "ST-1", "late")), NotificationKind.Delayed, "" },
        { "return escalated", Event(EventTypes.EscalationRaised, new EscalationEventData("o1", "web", "return", "r1", null, "late")), null, "" },
        { "refund", Event(EventTypes.ReturnReceived, Return(12.5m)), NotificationKind.RefundIssued, "returnId=r1 refundAmount=12.50" },
        { "return without refund", Event(EventTypes.ReturnReceived, Return(0m)), null, "" },
        { "payment refund", Event(EventTypes.PaymentRefunded, new PaymentEventData("o1", "web", Ann, "pay-9", 7m, T0)), NotificationKind.RefundIssued, "returnId= refundAmount=7.00" },
        { "payment refund without amount", Event(EventTypes.PaymentRefunded, new PaymentEventData("o1", "web", Ann, "pay-9", null, T0)), null, "" },
        { "stock", Event(EventTypes.StockChanged, new { sku = "A" }), null, "" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void An_event_gives_its_notification(string _, IntegrationEvent e, NotificationKind? kind, string values)
    {
        var facts = NotificationRules.Decide(e, Tracking);

        Assert.Equal(kind, facts?.Kind);
        if (facts is null) return;
        Assert.Equal(("o1", "web"), (facts.OrderId, facts.SalesChannel));
        var own = facts.Values.Where(kv => kv.Key is not ("orderId" or "channel" or "customerId")).Select(kv => $"{kv.Key}={kv.Value}");
        Assert.Equal(values, string.Join(' ', own));
        Assert.Equal(kind == NotificationKind.ReadyForPickup ? facts.Values["pickupCode"] : null, facts.PickupCode);
        Assert.True(facts.Values.Keys.All(NotificationKinds.Placeholders(facts.Kind).Contains));
    }

    [Fact]
    public void Every_notifying_type_is_in_the_list_the_delivery_loop_takes()
    {
        var notifying = Rows.Select(r => (IntegrationEvent)r[1]).Where(e => NotificationRules.Decide(e, Tracking) is not null).Select(e => e.Type).Distinct();
        Assert.Equal(notifying.Order(), NotificationRules.EventTypes.Order());
    }
}
