namespace Oms.GrainInterfaces.Orders;

/// <summary>The customer arrived for a pickup (<c>POST /v1/fulfilments/{id}/check-in</c>): where they wait, and a note for staff.</summary>
[GenerateSerializer, Immutable, Alias("oms.CheckIn")]
public sealed record CheckIn(
    [property: Id(0)] string? Bay,
    [property: Id(1)] string? Note);
