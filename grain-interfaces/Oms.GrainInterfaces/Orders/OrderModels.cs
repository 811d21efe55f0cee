using Oms.GrainInterfaces.Carriers;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.GrainInterfaces.Orders;

[GenerateSerializer, Alias("oms.OrderStatus")]
public enum OrderStatus
{
    Created,
    OnHold,
    Sourced,
    InFulfilment,
    Shipped,
    ReadyForPickup,
    Delivered,
    Collected,
    Cancelled,
    PartiallyCancelled,
    Returned,
}

[GenerateSerializer, Alias("oms.FulfilmentStatus")]
public enum FulfilmentStatus
{
    /// <summary>Allocated, waiting for the order to leave review.</summary>
    Held,
    /// <summary>In the location's work queue, not yet acknowledged.</summary>
    Released,
    /// <summary>The location acknowledged it (accept or first pick).</summary>
    Picking,
    Picked,
    Packed,
    /// <summary>Handed to the carrier (a transfer: on its way to the pickup store).</summary>
    Shipped,
    ReadyForPickup,
    Delivered,
    Collected,
    Cancelled,
}

/// <summary>What staff or the carrier do to a fulfilment.</summary>
[GenerateSerializer, Alias("oms.FulfilmentAction")]
public enum FulfilmentAction
{
    Release,
    Accept,
    Pick,
    Short,
    Pack,
    Ship,
    Ready,
    Collect,
    Deliver,
    Cancel,
}

[GenerateSerializer, Alias("oms.ReturnCondition")]
public enum ReturnCondition
{
    Resellable,
    Damaged,
}

[GenerateSerializer, Immutable, Alias("oms.TimelineEntry")]
public sealed record TimelineEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Event,
    [property: Id(2)] string Detail);

/// <summary>A customer notification on the order-events outbox (stream <see cref="OmsNames.OrderEventsNamespace"/>).</summary>
[GenerateSerializer, Immutable, Alias("oms.OrderEvent")]
public sealed record OrderEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] string OrderId,
    [property: Id(2)] string Type,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string? CustomerEmail,
    [property: Id(5)] string Detail);

[GenerateSerializer, Immutable, Alias("oms.FulfilmentLineView")]
public sealed record FulfilmentLineView(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] int Picked,
    [property: Id(3)] int Shorted,
    [property: Id(4)] int Cancelled);

[GenerateSerializer, Immutable, Alias("oms.FulfilmentView")]
public sealed record FulfilmentView(
    [property: Id(0)] string FulfilmentId,
    [property: Id(1)] string OrderId,
    [property: Id(2)] string LocationId,
    [property: Id(3)] FulfilmentType Type,
    [property: Id(4)] FulfilmentStatus Status,
    [property: Id(5)] FulfilmentLineView[] Lines,
    [property: Id(6)] string? TransferTo,
    [property: Id(7)] string? Carrier,
    [property: Id(8)] string? TrackingNumber,
    [property: Id(9)] string? PickupCode,
    [property: Id(10)] string? PickupPayload,
    [property: Id(11)] DateTimeOffset CreatedAt,
    [property: Id(12)] DateTimeOffset? AcknowledgedAt,
    [property: Id(13)] bool Escalated,
    [property: Id(14)] string[] Reasons,
    [property: Id(15)] DateTimeOffset? CheckedInAt = null,
    [property: Id(16)] string? Bay = null,
    [property: Id(17)] string? CheckInNote = null,
    [property: Id(18)] TrackingStatus? TrackingStatus = null,
    [property: Id(19)] CarrierEventView? LastCarrierEvent = null);

/// <summary>The carrier's last event that counted for a shipment.</summary>
[GenerateSerializer, Immutable, Alias("oms.CarrierEventView")]
public sealed record CarrierEventView(
    [property: Id(0)] string EventId,
    [property: Id(1)] TrackingStatus Status,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string? Detail);

[GenerateSerializer, Immutable, Alias("oms.OrderLineView")]
public sealed record OrderLineView(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] decimal UnitPrice,
    [property: Id(3)] int Cancelled,
    [property: Id(4)] int Returned);

[GenerateSerializer, Immutable, Alias("oms.ReturnLineView")]
public sealed record ReturnLineView(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] string Reason,
    [property: Id(3)] int Resellable,
    [property: Id(4)] int Damaged);

[GenerateSerializer, Immutable, Alias("oms.ReturnView")]
public sealed record ReturnView(
    [property: Id(0)] string ReturnId,
    [property: Id(1)] string OrderId,
    [property: Id(2)] string Status,
    [property: Id(3)] ReturnLineView[] Lines,
    [property: Id(4)] decimal? RefundAmount,
    [property: Id(5)] decimal? RestockingFee,
    [property: Id(6)] string? ReceivedAtLocation,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] string? ExchangeOrderId,
    [property: Id(9)] bool Escalated);

[GenerateSerializer, Immutable, Alias("oms.OrderView")]
public sealed record OrderView(
    [property: Id(0)] string OrderId,
    [property: Id(1)] OrderStatus Status,
    [property: Id(2)] string Channel,
    [property: Id(3)] Customer Customer,
    [property: Id(4)] FulfilmentType Type,
    [property: Id(5)] string? PickupLocationId,
    [property: Id(6)] OrderLineView[] Lines,
    [property: Id(7)] FulfilmentView[] Fulfilments,
    [property: Id(8)] ReturnView[] Returns,
    [property: Id(9)] TimelineEntry[] Timeline,
    [property: Id(10)] OrderEvent[] Notifications,
    [property: Id(11)] DateTimeOffset CreatedAt,
    [property: Id(12)] DateTimeOffset? EstimatedDelivery,
    [property: Id(13)] decimal Total,
    [property: Id(14)] string? CartId,
    [property: Id(15)] string? ExchangeFor,
    [property: Id(16)] bool Escalated,
    [property: Id(17)] string? HoldReason,
    [property: Id(18)] PaymentStatus? Payment = null);

[GenerateSerializer, Alias("oms.OrderOutcome")]
public enum OrderOutcome
{
    Ok,
    NotFound,
    InsufficientStock,
    InvalidState,
    Conflict,
    UnknownChannel,
    UnknownLocation,
    Invalid,
}

/// <summary>The answer of every order command: the order as it now is, or why not.</summary>
[GenerateSerializer, Immutable, Alias("oms.OrderResult")]
public sealed record OrderResult(
    [property: Id(0)] OrderOutcome Outcome,
    [property: Id(1)] OrderView? Order,
    [property: Id(2)] string? Detail,
    [property: Id(3)] SourcingShortfall[] Shortfalls,
    [property: Id(4)] bool Created = false,
    [property: Id(5)] string? Field = null,
    [property: Id(6)] string? CreatedId = null)
{
    public static OrderResult Fail(OrderOutcome outcome, string detail, string? field = null) => new(outcome, null, detail, [], Field: field);
}

/// <summary>Refund rules of the brand.</summary>
[GenerateSerializer, Immutable, Alias("oms.RefundPolicy")]
public sealed record RefundPolicy(
    [property: Id(0)] int WindowDays,
    [property: Id(1)] decimal RestockingFeePercent,
    [property: Id(2)] string[] NonReturnableCategories,
    [property: Id(3)] decimal DamagedRefundPercent)
{
    public static RefundPolicy Default { get; } = new(30, 0m, [], 100m);
}

/// <summary>Order rules of the brand: fraud review, escalation times, refunds.</summary>
[GenerateSerializer, Immutable, Alias("oms.OrderPolicy")]
public sealed record OrderPolicy(
    [property: Id(0)] decimal ReviewAbove,
    [property: Id(1)] string[] FlaggedCustomers,
    [property: Id(2)] int ReviewEscalateAfterSeconds,
    [property: Id(3)] int AcknowledgeEscalateAfterSeconds,
    [property: Id(4)] int ReturnEscalateAfterSeconds,
    [property: Id(5)] RefundPolicy Refund,
    [property: Id(6)] bool HoldUntilPaid = false)
{
    public static OrderPolicy Default { get; } = new(5000m, [], 3600, 1800, 7 * 24 * 3600, RefundPolicy.Default);
}

[GenerateSerializer, Immutable, Alias("oms.LineQuantity")]
public sealed record LineQuantity([property: Id(0)] string Sku, [property: Id(1)] int Quantity);

[GenerateSerializer, Immutable, Alias("oms.ReturnLineRequest")]
public sealed record ReturnLineRequest(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] string Reason);

[GenerateSerializer, Immutable, Alias("oms.ReceiveLine")]
public sealed record ReceiveLine(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] ReturnCondition Condition);

/// <summary>A step on a fulfilment, as sent by store staff or a carrier.</summary>
[GenerateSerializer, Immutable, Alias("oms.FulfilmentCommand")]
public sealed record FulfilmentCommand(
    [property: Id(0)] FulfilmentAction Action,
    [property: Id(1)] string? Sku = null,
    [property: Id(2)] string? Barcode = null,
    [property: Id(3)] int Quantity = 0,
    [property: Id(4)] string? ReasonCode = null,
    [property: Id(5)] string? Carrier = null,
    [property: Id(6)] string? TrackingNumber = null,
    [property: Id(7)] string? PickupCode = null);
