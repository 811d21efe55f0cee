using System.Text.Json.Serialization;
using Oms.GrainInterfaces.Inventory;

namespace Oms.GrainInterfaces.Availability;

[GenerateSerializer, Alias("oms.StockStatus")]
public enum StockStatus
{
    InStock,
    LowStock,
    Backorder,
    Preorder,
    OutOfStock,
}

/// <summary>Optional narrowing of an availability read: near a point, or to given locations.</summary>
[GenerateSerializer, Immutable, Alias("oms.AvailabilityScope")]
public sealed record AvailabilityScope(
    [property: Id(0)] double? Latitude,
    [property: Id(1)] double? Longitude,
    [property: Id(2)] double? RadiusKm,
    [property: Id(3)] string[]? LocationIds)
{
    public static AvailabilityScope All { get; } = new(null, null, null, null);

    public bool IsNear => Latitude is not null && Longitude is not null && RadiusKm is not null;
}

[GenerateSerializer, Immutable, Alias("oms.LocationAvailability")]
public sealed record LocationAvailability(
    [property: Id(0)] string LocationId,
    [property: Id(1)] int Available,
    [property: Id(2)] double? DistanceKm);

[GenerateSerializer, Immutable, Alias("oms.SkuAvailability")]
public sealed record SkuAvailability(
    [property: Id(0)] string Sku,
    [property: Id(1)] string Channel,
    [property: Id(2)] int Available,
    [property: Id(3)] StockStatus Status,
    [property: Id(4)] int Backorderable,
    [property: Id(5)] int Preorderable,
    [property: Id(6)] DateTimeOffset? NextEta,
    [property: Id(7)] LocationAvailability[] Locations,
    [property: Id(8), JsonIgnore] bool Known);

/// <summary>
/// One change of one location × SKU as published on the stock-delta stream: the location's whole new level (so a
/// consumer can apply it to a copy), the inventory grain's <see cref="Version"/> (which skips numbers when writes
/// coalesce), and the view's own publication order: <see cref="Sequence"/> counts up by one per delta within one
/// activation of the view (<see cref="Epoch"/>), so a consumer sees a lost delta as a gap (docs/decisions/0023).
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.StockDelta")]
public sealed record StockDelta(
    [property: Id(0)] string LocationId,
    [property: Id(1)] string Sku,
    [property: Id(2)] int Atp,
    [property: Id(3)] long Version,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] int Inbound = 0,
    [property: Id(6)] DateTimeOffset? NextEta = null,
    [property: Id(7)] long Epoch = 0,
    [property: Id(8)] long Sequence = 0)
{
    public LocationStock ToLocationStock() => new(LocationId, Atp, Inbound, NextEta, Version);
}

/// <summary>A location a cart line may hold from: what the channel can sell there now, and its buffer there.</summary>
[GenerateSerializer, Immutable, Alias("oms.HoldCandidate")]
public sealed record HoldCandidate(
    [property: Id(0)] string LocationId,
    [property: Id(1)] int Sellable,
    [property: Id(2)] int KeepBack);
