using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.Gateway.Orders;

public sealed record CustomerBody(string? Id, string? Tier, string? Email, string? Phone = null, NotificationPreferenceBody? Notifications = null);

/// <summary>The customer's notification choice: preferred channel (e-mail when absent) and opt-out (nothing is sent).</summary>
public sealed record NotificationPreferenceBody(NotificationChannel? Channel, bool? OptOut);

public sealed record OrderLineBody(string? Sku, int? Quantity, decimal? UnitPrice);

public sealed record AddressBody(double? Latitude, double? Longitude, string? Country);

public sealed record FulfilmentBody(FulfilmentType? Type, string? PickupLocationId, AddressBody? Address);

/// <summary>The body of an order and of a sourcing dry run.</summary>
public sealed record OrderBody(string? OrderId, string? CartId, string? Channel, CustomerBody? Customer, OrderLineBody?[]? Lines, FulfilmentBody? Fulfilment);

public sealed record LineQuantityBody(string? Sku, int? Quantity);

public sealed record CancelBody(LineQuantityBody?[]? Lines, string? Reason);

public sealed record ReviewBody(string? Note, string? Reason);

public sealed record ReturnLineBody(string? Sku, int? Quantity, string? Reason);

public sealed record ReturnBody(ReturnLineBody?[]? Lines, LineQuantityBody?[]? Exchange);

public sealed record ReceiveLineBody(string? Sku, int? Quantity, ReturnCondition? Condition);

public sealed record ReceiveBody(ReceiveLineBody?[]? Lines, string? LocationId);

public sealed record ReturnCreated(string ReturnId, string OrderId, string? ExchangeOrderId, ReturnView Return);

public sealed record CustomerOrderSummary(string OrderId, DateTimeOffset CreatedAt, string Channel, decimal Total, OrderStatus? Status);

public sealed record CustomerOrders(string CustomerId, CustomerOrderSummary[] Orders);

public sealed record RankingBody(SourcingCriterion? Criterion, double? Weight);

public sealed record SourcingProfileBody(
    string[]? Channels,
    SourcingFilter[]? Filters,
    RankingBody?[]? Ranking,
    int? MaxSplits,
    LocationType[]? LocationTypes,
    double? MaxDistanceKm,
    string[]? HighValueTiers,
    bool? ShipToStore);

public sealed record RefundPolicyBody(int? WindowDays, decimal? RestockingFeePercent, string[]? NonReturnableCategories, decimal? DamagedRefundPercent);

public sealed record OrderPolicyBody(
    decimal? ReviewAbove,
    string[]? FlaggedCustomers,
    int? ReviewEscalateAfterSeconds,
    int? AcknowledgeEscalateAfterSeconds,
    int? ReturnEscalateAfterSeconds,
    RefundPolicyBody? Refund,
    bool? HoldUntilPaid = null);

public sealed record PaymentEventBody(string? EventId, PaymentStatus? Status, decimal? Amount, DateTimeOffset? At);

public sealed record CheckInBody(string? Bay, string? Note);

public sealed record PickBody(string? Sku, string? Barcode, int? Quantity);

public sealed record ShortBody(string? Sku, int? Quantity, string? ReasonCode);

public sealed record ShipBody(string? Carrier, string? TrackingNumber);

public sealed record CollectBody(string? PickupCode);

public sealed record ReadyResponse(string FulfilmentId, string PickupCode, string PickupPayload, FulfilmentView Fulfilment);

public sealed record WorkQueue(string LocationId, FulfilmentView[] Fulfilments);

public sealed record PickLine(string Sku, string? Barcode, int Quantity);

public sealed record PickListOrder(string OrderId, string FulfilmentId, DateTimeOffset CreatedAt, PickLine[] Lines);

public sealed record PickListSource(string FulfilmentId, string OrderId, int Quantity);

public sealed record PickListItem(string Sku, string? Barcode, int Quantity, PickListSource[] Fulfilments);

public sealed record PickList(string LocationId, string GroupBy, PickListOrder[]? Orders, PickListItem[]? Items);
