using Oms.GrainInterfaces.Carts;

namespace Oms.Gateway.Carts;

public sealed record CartLineBody(string? Channel, int? Quantity, string? PickupLocationId);

public sealed record BasketLineBody(string? Sku, int? Quantity, string? PickupLocationId);

public sealed record BasketBody(string? Channel, BasketLineBody?[]? Lines);

public sealed record CartLineResponse(string CartId, string Sku, int Quantity, Reservation[] Reservations, DateTimeOffset? ExpiresAt, string? PickupLocationId);
