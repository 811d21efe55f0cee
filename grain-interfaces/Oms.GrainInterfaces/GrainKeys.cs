namespace Oms.GrainInterfaces;

/// <summary>
/// The one place grain keys are composed and split. IDs are limited to [A-Za-z0-9._:-], so '|' can never
/// occur inside one and is a safe separator.
/// </summary>
public static class InventoryKey
{
    private const char Separator = '|';

    public static string For(string locationId, string sku) => string.Concat(locationId, "|", sku);

    public static (string LocationId, string Sku) Parse(string key)
    {
        var at = key.IndexOf(Separator);
        if (at <= 0 || at == key.Length - 1)
            throw new ArgumentException($"'{key}' is not an inventory key", nameof(key));
        return (key[..at], key[(at + 1)..]);
    }
}

/// <summary>Keys of singleton grains.</summary>
public static class SingletonKeys
{
    public const string Catalog = "catalog";

    public const string ApiKeys = "api-keys";

    public const string Webhooks = "webhooks";

    /// <summary>The delivery grain of customer notifications: a built-in subscriber of the event log, never a webhook id (ids have no '~').</summary>
    public const string NotificationDeliveries = "~notifications";
}

/// <summary>
/// Fulfilment and return ids carry their order id: <c>{orderId}:f{n}</c> and <c>{orderId}:r{n}</c>. The suffix is
/// always the last one, so an order id that itself contains ":f" still parses.
/// </summary>
public static class OrderKeys
{
    /// <summary>Order id (64) plus the longest suffix.</summary>
    public const int MaxChildIdLength = 80;

    public static string Fulfilment(string orderId, int number) => $"{orderId}:f{number}";

    public static string Return(string orderId, int number) => $"{orderId}:r{number}";

    public static string? OrderOfFulfilment(string fulfilmentId) => OrderOf(fulfilmentId, ":f");

    public static string? OrderOfReturn(string returnId) => OrderOf(returnId, ":r");

    private static string? OrderOf(string id, string marker)
    {
        var at = id.LastIndexOf(marker, StringComparison.Ordinal);
        if (at <= 0) return null;
        var number = id.AsSpan(at + marker.Length);
        return number.Length is > 0 and <= 6 && int.TryParse(number, System.Globalization.NumberStyles.None, null, out _) ? id[..at] : null;
    }
}

/// <summary>
/// Keys of the tracking index: <c>{carrier}:{trackingNumber}</c>, the carrier in lower case (a carrier is named
/// <c>DPD</c> on a ship and <c>dpd</c> in its webhook path) with any ':' or '%' in it escaped, so no two pairs share a key.
/// </summary>
public static class TrackingKey
{
    public static string For(string carrier, string trackingNumber) =>
        string.Concat(carrier.Trim().ToLowerInvariant().Replace("%", "%25", StringComparison.Ordinal).Replace(":", "%3A", StringComparison.Ordinal), ":", trackingNumber.Trim());
}
