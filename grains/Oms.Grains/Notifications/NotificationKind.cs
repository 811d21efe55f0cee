namespace Oms.Grains.Notifications;

/// <summary>What a customer is told about (issue 11 item 5); the names are the template keys.</summary>
public enum NotificationKind
{
    OrderConfirmation,
    Shipped,
    ReadyForPickup,
    Delayed,
    Cancelled,
    RefundIssued,
}
