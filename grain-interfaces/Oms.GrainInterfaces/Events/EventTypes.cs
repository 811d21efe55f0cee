namespace Oms.GrainInterfaces.Events;

/// <summary>The event types of ../shared/API.md ("Events out and in"), the one list webhooks and the feed accept.</summary>
public static class EventTypes
{
    public const string StockChanged = "stock.changed";
    public const string StockLow = "stock.low";
    public const string StockOut = "stock.out";
    public const string StockBackInStock = "stock.back_in_stock";
    public const string OrderCreated = "order.created";
    public const string OrderStatusChanged = "order.status_changed";
    public const string OrderOnHold = "order.on_hold";
    public const string OrderCancelled = "order.cancelled";
    public const string FulfilmentReleased = "fulfilment.released";
    public const string FulfilmentReadyForPickup = "fulfilment.ready_for_pickup";
    public const string FulfilmentShipped = "fulfilment.shipped";
    public const string FulfilmentDelivered = "fulfilment.delivered";
    public const string ReturnReceived = "return.received";
    public const string EscalationRaised = "escalation.raised";
    /// <summary>A refund the payment service reported (not in ../shared/API.md's list: a refund outside a return had no event).</summary>
    public const string PaymentRefunded = "payment.refunded";
    public const string WebhookTest = "webhook.test";

    public static IReadOnlyList<string> All { get; } =
    [
        StockChanged, StockLow, StockOut, StockBackInStock, OrderCreated, OrderStatusChanged, OrderOnHold, OrderCancelled,
        FulfilmentReleased, FulfilmentReadyForPickup, FulfilmentShipped, FulfilmentDelivered, ReturnReceived, EscalationRaised, PaymentRefunded, WebhookTest,
    ];

    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    public static bool IsKnown(string type) => Known.Contains(type);
}
