namespace Oms.GrainInterfaces.Orders;

/// <summary>The answer of a customer erasure: the same when repeated (<see cref="At"/> is the first erasure).</summary>
[GenerateSerializer, Immutable, Alias("oms.CustomerErasureResult")]
public sealed record CustomerErasureResult(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] int OrdersErased,
    [property: Id(2)] DateTimeOffset At);
