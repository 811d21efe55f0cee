namespace Oms.Grains.Notifications;

/// <summary>
/// What one event tells the customer: the kind, the order and sales channel, the placeholder values, and for a
/// pickup the code the QR image carries.
/// </summary>
public sealed record NotificationFacts(
    NotificationKind Kind,
    string OrderId,
    string SalesChannel,
    IReadOnlyDictionary<string, string> Values,
    string? PickupCode = null);
