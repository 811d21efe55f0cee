namespace Oms.GrainInterfaces.Events;

/// <summary>
/// The payload of <c>escalation.raised</c>: what waits too long (<see cref="Kind"/> <c>review</c>, <c>fulfilment</c>
/// or <c>return</c>), its id (the order, fulfilment or return), where, and why.
/// </summary>
public sealed record EscalationEventData(string OrderId, string Channel, string Kind, string Id, string? LocationId, string Detail);
