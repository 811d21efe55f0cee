using Oms.GrainInterfaces.Inventory;

namespace Oms.Grains.Orders;

/// <summary>
/// Something the <see cref="Order"/> aggregate decided that its grain must do, as data: the aggregate changes the
/// order's state, the grain performs these against other grains (docs/decisions/0008). Stock movements go before
/// the write (applied once per event id, so a retry after a crash repeats them harmlessly); the others after it.
/// Allocation releases are not an effect of one command but an outbox in the state (<see cref="Order.PendingReleases"/>),
/// because they must be redone after a crash.
/// </summary>
public abstract record OrderEffect;

/// <summary>A stock movement at a location (ship, collect, short pick, return receipt), keyed by its event id.</summary>
public sealed record MoveStock(string LocationId, string Sku, StockMovement Movement) : OrderEffect;

/// <summary>The fulfilment changed: its location's work queue (and the pickup store's, for a transfer) shows it again.</summary>
public sealed record QueueUpsert(string FulfilmentId) : OrderEffect;

/// <summary>Short-picked units to source again, never from <paramref name="Excluded"/>; answered by <see cref="Order.Resourced"/>.</summary>
public sealed record Resource(string FulfilmentId, string Sku, int Units, IReadOnlySet<string> Excluded) : OrderEffect;

/// <summary>A fulfilment left its location or reached the customer after <paramref name="Hours"/> (a metric).</summary>
public sealed record FulfilmentTime(double Hours) : OrderEffect;

/// <summary>A manual step waited too long and was escalated (a metric).</summary>
public sealed record EscalationRaised : OrderEffect;

/// <summary>Lower a fulfilment's allocation at a location to <paramref name="Units"/> (never raises; idempotent).</summary>
public sealed record ReleaseAllocation(string LocationId, string Sku, string FulfilmentId, int Units) : OrderEffect;
