namespace Oms.GrainInterfaces.Carriers;

/// <summary>
/// A carrier's tracking event about one shipment, verified by its signature; applied once per
/// (<see cref="Carrier"/>, <see cref="EventId"/>). <see cref="At"/> is the carrier's time, which orders its events.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.CarrierEvent")]
public sealed record CarrierEvent(
    [property: Id(0)] string Carrier,
    [property: Id(1)] string EventId,
    [property: Id(2)] string TrackingNumber,
    [property: Id(3)] TrackingStatus Status,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string? Detail);
