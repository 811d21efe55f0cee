using System.Globalization;
using System.Text.Json;
using Oms.GrainInterfaces.Events;
using Oms.Grains.Events;

namespace Oms.Grains.Notifications;

/// <summary>
/// Which integration event notifies the customer, and of what (issue 11 item 5), pure so it is table-tested:
/// <c>order.created</c> → order confirmation; <c>fulfilment.shipped</c> → shipped with the carrier's tracking link;
/// <c>fulfilment.ready_for_pickup</c> (at the pickup store, not a ship-to-store transfer's arrival leg) → ready for
/// pickup with the code; <c>escalation.raised</c> for a fraud review or a store that has not started → delayed (a late
/// return is the customer's own, not news to them); <c>order.cancelled</c> → cancelled; <c>return.received</c> with a
/// refund above zero → refund issued, and so does <c>payment.refunded</c> with an amount above zero (a refund the
/// payment service made outside a return: no return id).
/// </summary>
public static class NotificationRules
{
    /// <summary>The event types the delivery loop hands to <see cref="INotificationSender"/>; others never notify.</summary>
    public static IReadOnlyList<string> EventTypes { get; } =
    [
        GrainInterfaces.Events.EventTypes.OrderCreated, GrainInterfaces.Events.EventTypes.FulfilmentShipped,
        GrainInterfaces.Events.EventTypes.FulfilmentReadyForPickup, GrainInterfaces.Events.EventTypes.EscalationRaised,
        GrainInterfaces.Events.EventTypes.OrderCancelled, GrainInterfaces.Events.EventTypes.ReturnReceived,
        GrainInterfaces.Events.EventTypes.PaymentRefunded,
    ];

    /// <summary>
    /// The notification <paramref name="e"/> gives, or null when it gives none. <paramref name="trackingUrls"/>: a URL
    /// template per carrier (placeholder <c>{{trackingNumber}}</c>, URL-encoded); a carrier without one gets an empty link.
    /// </summary>
    public static NotificationFacts? Decide(IntegrationEvent e, IReadOnlyDictionary<string, string> trackingUrls)
    {
        switch (e.Type)
        {
            case GrainInterfaces.Events.EventTypes.OrderCreated:
            {
                var d = Read<OrderEventData>(e);
                return Facts(NotificationKind.OrderConfirmation, d.OrderId, d.Channel, d.Customer.Id,
                    ("total", Money(d.Total)), ("units", d.Lines.Sum(l => l.Quantity).ToString(CultureInfo.InvariantCulture)));
            }
            case GrainInterfaces.Events.EventTypes.OrderCancelled:
            {
                var d = Read<OrderEventData>(e);
                var units = d.CancelledLines?.Sum(l => l.Quantity) ?? 0;
                return units <= 0 ? null : Facts(NotificationKind.Cancelled, d.OrderId, d.Channel, d.Customer.Id,
                    ("cancelledUnits", units.ToString(CultureInfo.InvariantCulture)));
            }
            case GrainInterfaces.Events.EventTypes.FulfilmentShipped:
            {
                var d = Read<FulfilmentEventData>(e);
                if (d.Fulfilment.TransferTo is not null) return null; // a ship-to-store transfer leaving its warehouse
                var carrier = d.Fulfilment.Carrier ?? "";
                var tracking = d.Fulfilment.TrackingNumber ?? "";
                var url = trackingUrls.TryGetValue(carrier, out var template)
                    ? TemplateText.Parse(template, TrackingPlaceholders).Render(new Dictionary<string, string> { ["trackingNumber"] = tracking }, Uri.EscapeDataString)
                    : "";
                return Facts(NotificationKind.Shipped, d.OrderId, d.Channel, d.Customer.Id,
                    ("carrier", carrier), ("trackingNumber", tracking), ("trackingUrl", url));
            }
            case GrainInterfaces.Events.EventTypes.FulfilmentReadyForPickup:
            {
                var d = Read<FulfilmentEventData>(e);
                if (d.Fulfilment.PickupCode is not { } code) return null;
                var location = d.Fulfilment.TransferTo ?? d.Fulfilment.LocationId;
                return Facts(NotificationKind.ReadyForPickup, d.OrderId, d.Channel, d.Customer.Id,
                    ("pickupCode", code), ("pickupLocationId", location)) with { PickupCode = code };
            }
            case GrainInterfaces.Events.EventTypes.EscalationRaised:
            {
                var d = Read<EscalationEventData>(e);
                return d.Kind is "review" or "fulfilment" ? Facts(NotificationKind.Delayed, d.OrderId, d.Channel, null) : null;
            }
            case GrainInterfaces.Events.EventTypes.ReturnReceived:
            {
                var d = Read<ReturnEventData>(e);
                return d.Return.RefundAmount is > 0m and var refund
                    ? Facts(NotificationKind.RefundIssued, d.OrderId, d.Channel, null, ("returnId", d.Return.ReturnId), ("refundAmount", Money(refund)))
                    : null;
            }
            case GrainInterfaces.Events.EventTypes.PaymentRefunded:
            {
                var d = Read<PaymentEventData>(e);
                return d.Amount is > 0m and var refund
                    ? Facts(NotificationKind.RefundIssued, d.OrderId, d.Channel, d.Customer.Id, ("returnId", ""), ("refundAmount", Money(refund)))
                    : null;
            }
            default:
                return null;
        }
    }

    /// <summary>The placeholders of a carrier's tracking URL template.</summary>
    public static IReadOnlySet<string> TrackingPlaceholders { get; } = new HashSet<string>(["trackingNumber"], StringComparer.Ordinal);

    private static NotificationFacts Facts(NotificationKind kind, string orderId, string channel, string? customerId, params (string Key, string Value)[] values)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal) { ["orderId"] = orderId, ["channel"] = channel, ["customerId"] = customerId ?? "" };
        foreach (var (key, value) in values) all[key] = value;
        return new NotificationFacts(kind, orderId, channel, all);
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static T Read<T>(IntegrationEvent e) =>
        JsonSerializer.Deserialize<T>(e.Data, EventJson.Options) ?? throw new JsonException($"event {e.Id} ({e.Type}) has no payload");
}
