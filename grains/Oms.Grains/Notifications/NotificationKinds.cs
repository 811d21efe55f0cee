using System.Text.Json;

namespace Oms.Grains.Notifications;

/// <summary>The kinds by name (<c>order_confirmation</c>, <c>ready_for_pickup</c>, ...) and the placeholders each may use.</summary>
public static class NotificationKinds
{
    private static readonly string[] Common = ["orderId", "customerId", "channel"];

    public static IReadOnlyList<NotificationKind> All { get; } = Enum.GetValues<NotificationKind>();

    public static string Name(NotificationKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    public static bool TryParse(string? name, out NotificationKind kind)
    {
        foreach (var k in All)
        {
            if (Name(k) != name) continue;
            kind = k;
            return true;
        }

        kind = default;
        return false;
    }

    /// <summary>The placeholders a template of <paramref name="kind"/> may use; any other is refused when it is saved.</summary>
    public static IReadOnlySet<string> Placeholders(NotificationKind kind) => new HashSet<string>(Common.Concat(kind switch
    {
        NotificationKind.OrderConfirmation => ["total", "units"],
        NotificationKind.Shipped => ["carrier", "trackingNumber", "trackingUrl"],
        NotificationKind.ReadyForPickup => ["pickupCode", "pickupLocationId"],
        NotificationKind.Cancelled => ["cancelledUnits"],
        NotificationKind.RefundIssued => ["returnId", "refundAmount"],
        _ => Array.Empty<string>(),
    }), StringComparer.Ordinal);
}
