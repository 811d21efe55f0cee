namespace Oms.GrainInterfaces.Events;

/// <summary>The one place event subjects are composed and split: <c>order:{orderId}</c>, <c>stock:{sku}:{channel}</c>.</summary>
public static class EventSubjects
{
    public const string OrderPrefix = "order:";
    public const string StockPrefix = "stock:";

    public static string Order(string orderId) => OrderPrefix + orderId;

    public static string Stock(string sku, string channel) => string.Concat(StockPrefix, sku, ":", channel);

    /// <summary>The order a subject names; null for another kind of subject.</summary>
    public static string? OrderOf(string subject) =>
        subject.StartsWith(OrderPrefix, StringComparison.Ordinal) && subject.Length > OrderPrefix.Length ? subject[OrderPrefix.Length..] : null;
}
