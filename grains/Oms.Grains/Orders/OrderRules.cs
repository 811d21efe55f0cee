using Oms.GrainInterfaces.Orders;

namespace Oms.Grains.Orders;

/// <summary>
/// The order and fulfilment state machines, pure. A fulfilment moves by staff and carrier actions
/// (<see cref="Next"/>); the order's status is derived from its fulfilments, returns and review flag
/// (<see cref="Derive"/>); order-level commands are allowed only from the statuses <see cref="Allows"/> lists.
/// </summary>
public static class OrderRules
{
    /// <summary>
    /// The status a fulfilment moves to on <paramref name="action"/>, or null when the action is not allowed in
    /// <paramref name="from"/>. Pick and short keep a fulfilment picking; <see cref="WhilePicking"/> moves it to picked
    /// (or cancelled) once the counts say so. <paramref name="pickup"/>: a BOPIS fulfilment at the pickup store;
    /// <paramref name="transfer"/>: a ship-to-store transfer from a warehouse.
    /// </summary>
    public static FulfilmentStatus? Next(FulfilmentStatus from, FulfilmentAction action, bool pickup, bool transfer) => (from, action) switch
    {
        (FulfilmentStatus.Held, FulfilmentAction.Release) => FulfilmentStatus.Released,
        (FulfilmentStatus.Released or FulfilmentStatus.Picking, FulfilmentAction.Accept) => FulfilmentStatus.Picking,
        (FulfilmentStatus.Released or FulfilmentStatus.Picking, FulfilmentAction.Pick or FulfilmentAction.Short) => FulfilmentStatus.Picking,
        (FulfilmentStatus.Picked, FulfilmentAction.Pack) => FulfilmentStatus.Packed,
        (FulfilmentStatus.Packed, FulfilmentAction.Ship) when !pickup || transfer => FulfilmentStatus.Shipped,
        (FulfilmentStatus.Packed, FulfilmentAction.Ready) when pickup && !transfer => FulfilmentStatus.ReadyForPickup,
        (FulfilmentStatus.Shipped, FulfilmentAction.Ready) when transfer => FulfilmentStatus.ReadyForPickup,
        (FulfilmentStatus.ReadyForPickup, FulfilmentAction.Collect) => FulfilmentStatus.Collected,
        (FulfilmentStatus.Shipped, FulfilmentAction.Deliver) when !transfer => FulfilmentStatus.Delivered,
        (FulfilmentStatus.Held or FulfilmentStatus.Released or FulfilmentStatus.Picking or FulfilmentStatus.Picked or FulfilmentStatus.Packed, FulfilmentAction.Cancel) => FulfilmentStatus.Cancelled,
        (FulfilmentStatus.ReadyForPickup, FulfilmentAction.Cancel) when !transfer => FulfilmentStatus.Cancelled,
        _ => null,
    };

    /// <summary>Whether units of this fulfilment can still be cancelled (they have not left the location).</summary>
    public static bool Cancellable(FulfilmentStatus status, bool transfer) =>
        Next(status, FulfilmentAction.Cancel, pickup: false, transfer) is not null;

    /// <summary>The order's status from its parts.</summary>
    public static OrderStatus Derive(bool onHold, IReadOnlyList<(FulfilmentStatus Status, bool Transfer)> fulfilments, bool anyCancelled, bool allReturned)
    {
        if (onHold) return OrderStatus.OnHold;
        var live = fulfilments.Where(f => f.Status != FulfilmentStatus.Cancelled).ToList();
        if (live.Count == 0) return fulfilments.Count == 0 ? OrderStatus.Created : OrderStatus.Cancelled;
        var allHandedOver = live.All(f => f.Status is FulfilmentStatus.Delivered or FulfilmentStatus.Collected);
        if (allReturned && allHandedOver) return OrderStatus.Returned;
        if (live.All(f => f.Status is FulfilmentStatus.Delivered or FulfilmentStatus.Collected))
            return live.Any(f => f.Status == FulfilmentStatus.Delivered) ? OrderStatus.Delivered : OrderStatus.Collected;
        if (live.All(f => !f.Transfer && f.Status is FulfilmentStatus.Shipped or FulfilmentStatus.Delivered)) return OrderStatus.Shipped;
        if (live.All(f => f.Status is FulfilmentStatus.ReadyForPickup or FulfilmentStatus.Collected)) return OrderStatus.ReadyForPickup;
        if (live.All(f => f.Status is FulfilmentStatus.Held or FulfilmentStatus.Released))
            return anyCancelled ? OrderStatus.PartiallyCancelled : OrderStatus.Sourced;
        return OrderStatus.InFulfilment;
    }

    /// <summary>
    /// Whether an order-level command is legal in <paramref name="status"/>. Approve and reject decide a review:
    /// approving releases the held fulfilments (<see cref="Next"/> with <see cref="FulfilmentAction.Release"/>),
    /// rejecting cancels them.
    /// </summary>
    public static bool Allows(OrderStatus status, OrderCommand command) => command switch
    {
        OrderCommand.Approve or OrderCommand.Reject => status == OrderStatus.OnHold,
        OrderCommand.Cancel => status is OrderStatus.OnHold or OrderStatus.Sourced or OrderStatus.InFulfilment or OrderStatus.PartiallyCancelled or OrderStatus.ReadyForPickup,
        OrderCommand.Return => status is OrderStatus.Shipped or OrderStatus.Delivered or OrderStatus.Collected or OrderStatus.InFulfilment or OrderStatus.ReadyForPickup,
        _ => false,
    };

    /// <summary>
    /// Where a fulfilment being picked stands once its counts change (a pick, a short pick, a cancel): cancelled
    /// when nothing is left to hand over, picked when everything left is picked, else still picking.
    /// </summary>
    public static FulfilmentStatus WhilePicking(IEnumerable<(int Quantity, int Picked)> lines)
    {
        var all = lines.ToList();
        return all.All(l => l.Quantity == 0) ? FulfilmentStatus.Cancelled
            : all.All(l => l.Picked >= l.Quantity) ? FulfilmentStatus.Picked
            : FulfilmentStatus.Picking;
    }
}
