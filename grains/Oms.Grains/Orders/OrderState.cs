using Oms.GrainInterfaces.Carriers;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.Grains.Orders;

[GenerateSerializer, Alias("oms.FulfilmentLineState")]
public sealed class FulfilmentLineState
{
    [Id(0)] public string Sku { get; set; } = "";
    /// <summary>Units this fulfilment still has to hand over (and holds allocated until it does).</summary>
    [Id(1)] public int Quantity { get; set; }
    [Id(2)] public int Picked { get; set; }
    [Id(3)] public int Shorted { get; set; }
    [Id(4)] public int Cancelled { get; set; }
}

[GenerateSerializer, Alias("oms.FulfilmentState")]
public sealed class FulfilmentState
{
    [Id(0)] public string FulfilmentId { get; set; } = "";
    [Id(1)] public string LocationId { get; set; } = "";
    [Id(2)] public string? TransferTo { get; set; }
    /// <summary>The attempt that allocated it: a provisional allocation with another token is not this one's.</summary>
    [Id(3)] public string Token { get; set; } = "";
    [Id(4)] public FulfilmentStatus Status { get; set; }
    [Id(5)] public List<FulfilmentLineState> Lines { get; set; } = [];
    [Id(6)] public string? Carrier { get; set; }
    [Id(7)] public string? TrackingNumber { get; set; }
    [Id(8)] public string? PickupCode { get; set; }
    [Id(9)] public DateTimeOffset CreatedAt { get; set; }
    [Id(10)] public DateTimeOffset? AcknowledgedAt { get; set; }
    [Id(11)] public bool Escalated { get; set; }
    [Id(12)] public string[] Reasons { get; set; } = [];
    [Id(13)] public int Shorts { get; set; }
    [Id(14)] public DateTimeOffset? HandedOverAt { get; set; }
    [Id(15)] public DateTimeOffset? CheckedInAt { get; set; }
    [Id(16)] public string? Bay { get; set; }
    [Id(17)] public string? CheckInNote { get; set; }
    /// <summary>The carrier's last event that counted (<see cref="Carriers.TrackingRules"/>); null before any.</summary>
    [Id(18)] public CarrierEvent? LastCarrierEvent { get; set; }
    /// <summary>How many times a carrier exception escalated this shipment (each one raises <c>escalation.raised</c>).</summary>
    [Id(19)] public int CarrierExceptions { get; set; }

    public FulfilmentLineState? Line(string sku) => Lines.FirstOrDefault(l => l.Sku == sku);

    /// <summary>Units still allocated at the location: until they leave it (ship, collect) or are cancelled.</summary>
    public int AllocatedUnits(string sku) => HoldsAllocation ? Line(sku)?.Quantity ?? 0 : 0;

    /// <summary>
    /// A parcel or a transfer leaves its location when shipped; a BOPIS order at the pickup store when collected.
    /// Until then its units stay allocated there.
    /// </summary>
    public bool HoldsAllocation => Status switch
    {
        FulfilmentStatus.Cancelled or FulfilmentStatus.Shipped or FulfilmentStatus.Delivered or FulfilmentStatus.Collected => false,
        FulfilmentStatus.ReadyForPickup => TransferTo is null,
        _ => true,
    };
}

[GenerateSerializer, Alias("oms.ReturnLineState")]
public sealed class ReturnLineState
{
    [Id(0)] public string Sku { get; set; } = "";
    [Id(1)] public int Quantity { get; set; }
    [Id(2)] public string Reason { get; set; } = "";
    [Id(3)] public int Resellable { get; set; }
    [Id(4)] public int Damaged { get; set; }
}

[GenerateSerializer, Alias("oms.ReturnState")]
public sealed class ReturnState
{
    public const string AwaitingReceipt = "awaiting_receipt";
    public const string Received = "received";

    [Id(0)] public string ReturnId { get; set; } = "";
    [Id(1)] public string Status { get; set; } = AwaitingReceipt;
    [Id(2)] public List<ReturnLineState> Lines { get; set; } = [];
    [Id(3)] public decimal? Refund { get; set; }
    [Id(4)] public decimal? Fee { get; set; }
    [Id(5)] public string? ReceivedAtLocation { get; set; }
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public string? ExchangeOrderId { get; set; }
    [Id(8)] public bool Escalated { get; set; }
    [Id(9)] public DateTimeOffset DueAt { get; set; }
}

/// <summary>Persisted state of one order. Null <see cref="Request"/>: the order does not exist.</summary>
[GenerateSerializer, Alias("oms.OrderState")]
public sealed class OrderState
{
    [Id(0)] public OrderRequest? Request { get; set; }
    [Id(1)] public string Fingerprint { get; set; } = "";
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public bool OnHold { get; set; }
    [Id(4)] public string? HoldReason { get; set; }
    [Id(5)] public DateTimeOffset? ReviewDueAt { get; set; }
    [Id(6)] public List<FulfilmentState> Fulfilments { get; set; } = [];
    [Id(7)] public List<ReturnState> Returns { get; set; } = [];
    [Id(8)] public List<TimelineEntry> Timeline { get; set; } = [];
    [Id(9)] public List<OrderEvent> Events { get; set; } = [];
    /// <summary>How many of <see cref="Events"/> were handed to the stream (at least once) before the last write.</summary>
    [Id(10)] public int PublishedEvents { get; set; }
    /// <summary>Units per SKU cancelled: by a cancel, or short-picked with nowhere else to source them.</summary>
    [Id(11)] public Dictionary<string, int> Cancelled { get; set; } = [];
    [Id(12)] public DateTimeOffset? EstimatedDelivery { get; set; }
    [Id(13)] public bool Escalated { get; set; }
    [Id(14)] public OrderStatus Status { get; set; }
    [Id(15)] public Dictionary<string, List<string>> ShortAt { get; set; } = [];
    /// <summary>Fulfilments whose allocations were lowered in the last write and may not have been released yet.</summary>
    [Id(16)] public List<string> PendingReleases { get; set; } = [];
    /// <summary>Integration events written with the change that raised them and not yet taken by the event log (docs/decisions/0015).</summary>
    [Id(17)] public List<IntegrationEvent> Outbox { get; set; } = [];
    /// <summary>The last ids the event log took (bounded), so it can still ask whether a provisional one is this order's.</summary>
    [Id(18)] public List<string> SentEventIds { get; set; } = [];
    /// <summary>The order's last event sequence: its events count from 1.</summary>
    [Id(19)] public long EventSequence { get; set; }
    /// <summary>The last payment status a payment service reported; null before any.</summary>
    [Id(20)] public PaymentStatus? Payment { get; set; }
    /// <summary>Ids of the external events (payments, carrier tracking) already applied, newest last (bounded).</summary>
    [Id(21)] public List<string> ExternalEventIds { get; set; } = [];
    /// <summary>Customer notifications by event id: claimed, sent, skipped, retrying or failed (docs/decisions/0019).</summary>
    [Id(22)] public Dictionary<string, NotificationRecord> Notifications { get; set; } = [];
    /// <summary>The refunds the payment service reported, oldest first (each raises <c>payment.refunded</c>).</summary>
    [Id(23)] public List<PaymentEvent> Refunds { get; set; } = [];

    /// <summary>The gateway's idempotency records that keep an answer of this order (the customer in it): erasure redacts them.</summary>
    [Id(24)] public List<string> AnswerRecords { get; set; } = [];

    public bool Exists => Request is not null;

    public FulfilmentState? Fulfilment(string id) => Fulfilments.FirstOrDefault(f => f.FulfilmentId == id);

    public ReturnState? Return(string id) => Returns.FirstOrDefault(r => r.ReturnId == id);

    public decimal PriceOf(string sku) => Request!.Lines.FirstOrDefault(l => l.Sku == sku)?.UnitPrice ?? 0m;

    public decimal Total => Request!.Lines.Sum(l => l.UnitPrice * l.Quantity);

    /// <summary>
    /// Units of a SKU that reached the customer: delivered or collected. A parcel still with the carrier is not
    /// returnable yet (it may still be refused at the door or lost; the carrier's delivery decides).
    /// </summary>
    public int HandedOver(string sku) => Fulfilments
        .Where(f => f.Status is FulfilmentStatus.Delivered or FulfilmentStatus.Collected)
        .Sum(f => f.Line(sku)?.Quantity ?? 0);

    public int ReturnedUnits(string sku) => Returns.Sum(r => r.Lines.Where(l => l.Sku == sku).Sum(l => l.Quantity));

    public DateTimeOffset? HandedOverAt(string sku) => Fulfilments
        .Where(f => f.HandedOverAt is not null && f.Line(sku) is { Quantity: > 0 })
        .Max(f => f.HandedOverAt);
}
