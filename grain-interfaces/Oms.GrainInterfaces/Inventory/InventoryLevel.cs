namespace Oms.GrainInterfaces.Inventory;

[GenerateSerializer, Immutable, Alias("oms.InboundLine")]
public sealed record InboundLine(
    [property: Id(0)] string Reference,
    [property: Id(1)] int Quantity,
    [property: Id(2)] DateTimeOffset Eta);

/// <summary>Every quantity of one location × SKU at one version, as last persisted.</summary>
[GenerateSerializer, Immutable, Alias("oms.InventoryLevel")]
public sealed record InventoryLevel(
    [property: Id(0)] string LocationId,
    [property: Id(1)] string Sku,
    [property: Id(2)] int OnHand,
    [property: Id(3)] int Reserved,
    [property: Id(4)] int Allocated,
    [property: Id(5)] int Unavailable,
    [property: Id(6)] Dictionary<string, int> UnavailableByReason,
    [property: Id(7)] int SafetyStock,
    [property: Id(8)] int Inbound,
    [property: Id(9)] InboundLine[] InboundLines,
    [property: Id(10)] int Atp,
    [property: Id(11)] DateTimeOffset? AsOf,
    [property: Id(12)] long Version)
{
    /// <summary>Earliest ETA of expected stock, if any.</summary>
    public DateTimeOffset? NextEta => InboundLines.Length == 0 ? null : InboundLines.Min(l => l.Eta);

    public LocationStock ToLocationStock() => new(LocationId, Atp, Inbound, NextEta, Version);
}

/// <summary>What the per-SKU availability view keeps of one location: enough to answer storefront reads.</summary>
[GenerateSerializer, Immutable, Alias("oms.LocationStock")]
public sealed record LocationStock(
    [property: Id(0)] string LocationId,
    [property: Id(1)] int Atp,
    [property: Id(2)] int Inbound,
    [property: Id(3)] DateTimeOffset? NextEta,
    [property: Id(4)] long Version);
