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

/// <summary>
/// Sets a cart hold (by reservation id) to a quantity until an expiry; 0 releases it. <see cref="KeepBack"/> is
/// the channel's buffer at this location: a raise needs the extra units free above it.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.HoldRequest")]
public sealed record HoldRequest(
    [property: Id(0)] string ReservationId,
    [property: Id(1)] int Quantity,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] int KeepBack);

/// <summary><see cref="Available"/>: the most this reservation could hold now; <see cref="Held"/>: what it holds.</summary>
[GenerateSerializer, Immutable, Alias("oms.HoldResult")]
public sealed record HoldResult(
    [property: Id(0)] bool Ok,
    [property: Id(1)] int Available,
    [property: Id(2)] int Held,
    [property: Id(3)] InventoryLevel Level);

/// <summary>
/// Sets the allocation <see cref="AllocationId"/> (a fulfilment id) to <see cref="Quantity"/> units, provisionally:
/// until it is confirmed, or <see cref="ConfirmBy"/> passes and the order says it is real, it is the order's only
/// if the order persists it. <see cref="FromHold"/> names a cart hold at this location whose units it takes first.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.AllocationRequest")]
public sealed record AllocationRequest(
    [property: Id(0)] string AllocationId,
    [property: Id(1)] string Token,
    [property: Id(2)] int Quantity,
    [property: Id(3)] DateTimeOffset ConfirmBy,
    [property: Id(4)] int KeepBack,
    [property: Id(5)] string? FromHold);

[GenerateSerializer, Immutable, Alias("oms.AllocationResult")]
public sealed record AllocationResult(
    [property: Id(0)] bool Ok,
    [property: Id(1)] int Available,
    [property: Id(2)] InventoryLevel Level);

/// <summary>
/// Units moving between states at this location, applied once per <see cref="EventId"/>: shipping (allocation and
/// on hand down), a short pick (allocation down, unavailable up), a received return (on hand up, and unavailable up
/// when damaged).
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.StockMovement")]
public sealed record StockMovement(
    [property: Id(0)] string EventId,
    [property: Id(1)] string? AllocationId,
    [property: Id(2)] int AllocationDelta,
    [property: Id(3)] int OnHandDelta,
    [property: Id(4)] string? UnavailableReason,
    [property: Id(5)] int UnavailableDelta);
