namespace Oms.GrainInterfaces.Inventory;

/// <summary>An absolute level from a feed. Last writer wins by <see cref="AsOf"/>.</summary>
[GenerateSerializer, Immutable, Alias("oms.AbsoluteLevel")]
public sealed record AbsoluteLevel(
    [property: Id(0)] int OnHand,
    [property: Id(1)] int? SafetyStock,
    [property: Id(2)] Dictionary<string, int>? Unavailable,
    [property: Id(3)] DateTimeOffset AsOf);

[GenerateSerializer, Immutable, Alias("oms.SetLevelResult")]
public sealed record SetLevelResult(
    [property: Id(0)] bool Applied,
    [property: Id(1)] InventoryLevel Level);

/// <summary>A stock movement; <see cref="EventId"/> makes it apply once.</summary>
[GenerateSerializer, Immutable, Alias("oms.Adjustment")]
public sealed record Adjustment(
    [property: Id(0)] int Delta,
    [property: Id(1)] string Reason,
    [property: Id(2)] string EventId);

[GenerateSerializer, Immutable, Alias("oms.AdjustResult")]
public sealed record AdjustResult(
    [property: Id(0)] bool Applied,
    [property: Id(1)] bool Duplicate,
    [property: Id(2)] InventoryLevel Level);
