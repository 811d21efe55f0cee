using Oms.GrainInterfaces.Notifications;

namespace Oms.Grains.Notifications;

/// <summary>The built-in English wording of every kind on every channel; a sales channel may override any of them.</summary>
public static class DefaultTemplates
{
    public static NotificationTemplate For(NotificationKind kind, NotificationChannel channel)
    {
        var (subject, text) = kind switch
        {
            NotificationKind.OrderConfirmation => ("Your order {{orderId}} is confirmed", "Thank you for your order {{orderId}}: {{units}} items, {{total}} in total."),
            NotificationKind.Shipped => ("Your order {{orderId}} is on its way", "Your order {{orderId}} has shipped with {{carrier}}, tracking number {{trackingNumber}}. Track it: {{trackingUrl}}"),
            NotificationKind.ReadyForPickup => ("Your order {{orderId}} is ready for pickup", "Your order {{orderId}} is ready for pickup at {{pickupLocationId}}. Your pickup code is {{pickupCode}}."),
            NotificationKind.Delayed => ("Your order {{orderId}} is delayed", "Your order {{orderId}} is taking longer than planned. We are on it and will tell you when it moves on."),
            NotificationKind.Cancelled => ("Your order {{orderId}} was cancelled", "{{cancelledUnits}} items of your order {{orderId}} were cancelled. You will not be charged for them."),
            NotificationKind.RefundIssued => ("Your refund for order {{orderId}}", "We refunded {{refundAmount}} for order {{orderId}}."),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var name = NotificationKinds.Name(kind);
        if (channel != NotificationChannel.Email) return new NotificationTemplate(name, channel, null, text, null);
        var html = kind == NotificationKind.ReadyForPickup
            ? $"<p>{text}</p><p>Show this code at the store:</p><p><img src=\"cid:{NotificationRenderer.QrContentId}\" alt=\"{{{{pickupCode}}}}\"></p>"
            : $"<p>{text}</p>";
        return new NotificationTemplate(name, channel, subject, text, html);
    }
}
