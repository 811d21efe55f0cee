namespace Oms.GrainInterfaces.Orders;

[GenerateSerializer, Alias("oms.PaymentStatus")]
public enum PaymentStatus
{
    Authorised,
    Captured,
    Failed,
    Refunded,
}

/// <summary>A payment service's event about an order (<c>POST /v1/orders/{id}/payment-events</c>); applied once per <see cref="EventId"/>.</summary>
[GenerateSerializer, Immutable, Alias("oms.PaymentEvent")]
public sealed record PaymentEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] PaymentStatus Status,
    [property: Id(2)] decimal? Amount,
    [property: Id(3)] DateTimeOffset At);
