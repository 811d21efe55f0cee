using Oms.GrainInterfaces.Events;

namespace Oms.Grains.Events;

/// <summary>One event in an event-log partition, as its item row stores it: written once, removed when trimmed.</summary>
[GenerateSerializer, Immutable, Alias("oms.LogEntry")]
public sealed record LogEntry(
    [property: Id(0)] IntegrationEvent Event,
    [property: Id(1)] DateTimeOffset AppendedAt);
