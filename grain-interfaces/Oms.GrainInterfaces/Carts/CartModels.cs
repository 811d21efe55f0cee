namespace Oms.GrainInterfaces.Carts;

[GenerateSerializer, Immutable, Alias("oms.CartLineRequest")]
public sealed record CartLineRequest(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] string? PickupLocationId);

[GenerateSerializer, Immutable, Alias("oms.Reservation")]
public sealed record Reservation([property: Id(0)] string LocationId, [property: Id(1)] int Quantity);

[GenerateSerializer, Immutable, Alias("oms.CartLine")]
public sealed record CartLine(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] string? PickupLocationId,
    [property: Id(3)] Reservation[] Reservations);

[GenerateSerializer, Immutable, Alias("oms.CartView")]
public sealed record CartView(
    [property: Id(0)] string CartId,
    [property: Id(1)] string? Channel,
    [property: Id(2)] CartLine[] Lines,
    [property: Id(3)] DateTimeOffset? ExpiresAt);

[GenerateSerializer, Alias("oms.CartOutcome")]
public enum CartOutcome
{
    Ok,
    InsufficientStock,
    UnknownChannel,
    UnknownLocation,
    ChannelMismatch,
    NotFound,
}

/// <summary>One line's shortfall: what it could hold at most right now.</summary>
[GenerateSerializer, Immutable, Alias("oms.LineShortfall")]
public sealed record LineShortfall([property: Id(0)] string Sku, [property: Id(1)] int Requested, [property: Id(2)] int Available);

[GenerateSerializer, Immutable, Alias("oms.CartResult")]
public sealed record CartResult(
    [property: Id(0)] CartOutcome Outcome,
    [property: Id(1)] CartView Cart,
    [property: Id(2)] LineShortfall[] Shortfalls,
    [property: Id(3)] string? Detail);
