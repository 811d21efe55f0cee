using Oms.GrainInterfaces.Carriers;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.GrainInterfaces.Orders;

/// <summary>
/// One order (key = orderId) with its fulfilments and returns. Every command is one step of the state machine,
/// persisted before it is answered; allocations live in the inventory grains (allocation id = fulfilment id).
/// </summary>
public interface IOrderGrain : IGrainWithStringKey
{
    /// <summary>
    /// Sources, allocates (all or nothing) and records the order; the same request again answers the same order.
    /// <paramref name="answerRecord"/>: the gateway's idempotency record that will keep the answer, so that a customer's
    /// erasure reaches it too (null without an Idempotency-Key).
    /// </summary>
    Task<OrderResult> PlaceAsync(OrderRequest request, string? answerRecord = null);

    Task<OrderView?> GetAsync();

    Task<OrderResult> ApproveAsync(string note);

    Task<OrderResult> RejectAsync(string reason);

    /// <summary>Cancels the given units (all when <paramref name="lines"/> is null) that have not left yet.</summary>
    Task<OrderResult> CancelAsync(LineQuantity[]? lines, string reason);

    /// <summary>Opens a return (and, for an exchange, places the linked replacement order). CreatedId = returnId.</summary>
    Task<OrderResult> CreateReturnAsync(ReturnLineRequest[] lines, LineQuantity[]? exchange);

    Task<OrderResult> ReceiveReturnAsync(string returnId, ReceiveLine[] lines, string locationId);

    Task<OrderResult> ApplyAsync(string fulfilmentId, FulfilmentCommand command);

    /// <summary>A payment service's event: releases a payment hold, or cancels what can still be cancelled when payment failed.</summary>
    Task<OrderResult> PaymentAsync(PaymentEvent payment);

    /// <summary>
    /// A carrier's verified tracking event for one of this order's shipments (once per carrier and event id): moves it
    /// on, delivers it, escalates an exception, or, when late, only records it. Not found: the fulfilment was not
    /// shipped with that carrier and number.
    /// </summary>
    Task<OrderResult> TrackAsync(string fulfilmentId, CarrierEvent carrierEvent);

    /// <summary>The customer arrived for a pickup: shown on the store's queue.</summary>
    Task<OrderResult> CheckInAsync(string fulfilmentId, CheckIn checkIn);

    /// <summary>The location's queue saw this fulfilment wait too long for acknowledgement.</summary>
    Task EscalateFulfilmentAsync(string fulfilmentId);

    /// <summary>
    /// Asked by an inventory grain about a provisional allocation it holds for this order: how many units the
    /// order's persisted state says that allocation should have (0: none, release it).
    /// </summary>
    Task<int> ResolveAllocationAsync(string fulfilmentId, string sku, string token);

    /// <summary>
    /// Asked by the event log about provisional events of this order (docs/decisions/0015): the ids among
    /// <paramref name="eventIds"/> that the order's persisted state holds (the rest belong to a write that failed).
    /// </summary>
    Task<string[]> HasEventsAsync(string[] eventIds);

    /// <summary>
    /// Pseudonymises the customer's personal data held by this order (issue 12 item 6); idempotent. False: no
    /// such order.
    /// </summary>
    Task<bool> EraseCustomerAsync();

    /// <summary>
    /// Claims the customer notification of one of this order's events before it is sent (docs/decisions/0019):
    /// durably, so an event already sent is never sent again and two attempts never send at once; a claim not
    /// recorded within <paramref name="lease"/> (the sender died) may be taken again.
    /// </summary>
    Task<Notifications.NotificationClaim> ClaimNotificationAsync(string eventId, string kind, TimeSpan lease);

    /// <summary>Records how the claimed notification went, on the order's timeline too.</summary>
    Task RecordNotificationAsync(Notifications.NotificationRecord record);

    /// <summary>The order for a customer-data export, recorded on its timeline first; null: no such order.</summary>
    Task<OrderView?> ExportAsync();
}

/// <summary>A customer's orders (key = customerId), for the call centre.</summary>
public interface ICustomerOrdersGrain : IGrainWithStringKey
{
    Task AddAsync(CustomerOrder order);

    /// <summary>Newest first.</summary>
    [AlwaysInterleave]
    Task<CustomerOrder[]> GetAsync();

    /// <summary>Erases the customer's personal data in every order of the index; the same answer when repeated.</summary>
    Task<CustomerErasureResult> EraseAsync();
}

[GenerateSerializer, Immutable, Alias("oms.CustomerOrder")]
public sealed record CustomerOrder(
    [property: Id(0)] string OrderId,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] string Channel,
    [property: Id(3)] decimal Total);

/// <summary>
/// A location's work queue (key = locationId): open fulfilments as last reported by their orders, today's count
/// for the daily capacity, and the acknowledgement watch that escalates what waits too long.
/// </summary>
public interface ILocationQueueGrain : IGrainWithStringKey
{
    Task UpsertAsync(FulfilmentView fulfilment);

    [AlwaysInterleave]
    Task<FulfilmentView[]> GetAsync(FulfilmentStatus? status);

    /// <summary>Fulfilments created at this location today (UTC), for the daily capacity.</summary>
    [AlwaysInterleave]
    Task<int> GetTodayCountAsync();
}
