using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.GrainInterfaces.Events;

/// <summary>
/// The payload of every <c>order.*</c> event: the order as it is after the change, enough for an ERP or a notification
/// service to act without calling back. <see cref="PreviousStatus"/> is set on <c>order.status_changed</c>,
/// <see cref="CancelledLines"/> (the units this change cancelled) on <c>order.cancelled</c>.
/// </summary>
public sealed record OrderEventData(
    string OrderId,
    string Channel,
    OrderStatus Status,
    OrderStatus? PreviousStatus,
    FulfilmentType Type,
    Customer Customer,
    string? PickupLocationId,
    OrderLineView[] Lines,
    decimal Total,
    string? HoldReason,
    LineQuantity[]? CancelledLines,
    DateTimeOffset CreatedAt);
