using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.GrainInterfaces.Events;

/// <summary>
/// The payload of <c>payment.refunded</c>: a refund the payment service reported for the order
/// (<c>POST /v1/orders/{id}/payment-events</c>), with the sender's event id, its amount (when it gave one) and time.
/// </summary>
public sealed record PaymentEventData(string OrderId, string Channel, Customer Customer, string PaymentEventId, decimal? Amount, DateTimeOffset At);
