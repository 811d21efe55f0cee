namespace Oms.GrainInterfaces.Events;

/// <summary>
/// One integration event, as webhooks deliver it and <c>GET /v1/events</c> lists it. <see cref="Id"/> is unique and
/// the same on every delivery (the Standard Webhooks <c>webhook-id</c>); <see cref="Subject"/> names the aggregate
/// (<c>order:{orderId}</c>, <c>stock:{sku}:{channel}</c>) and <see cref="Sequence"/> counts that aggregate's events
/// from 1, so a receiver can order them and see a gap. <see cref="Data"/> is the payload as JSON text, written once
/// by the aggregate so every reader sends the same bytes.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.IntegrationEvent")]
public sealed record IntegrationEvent(
    [property: Id(0)] string Id,
    [property: Id(1)] string Type,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string Subject,
    [property: Id(4)] long Sequence,
    [property: Id(5)] string Data);

/// <summary>An event at its place in one event-log partition: positions count from 1 without gaps.</summary>
[GenerateSerializer, Immutable, Alias("oms.LoggedEvent")]
public sealed record LoggedEvent(
    [property: Id(0)] int Partition,
    [property: Id(1)] long Position,
    [property: Id(2)] IntegrationEvent Event);

/// <summary>
/// A read of one partition: the events after the asked position, and how far a reader may move its cursor
/// (<see cref="Through"/>: the last position read or skipped, never past an event still being decided).
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.EventPage")]
public sealed record EventPage(
    [property: Id(0)] LoggedEvent[] Events,
    [property: Id(1)] long Through);
