namespace Oms.GrainInterfaces.Events;

/// <summary>A text to replace in event payloads (<see cref="IntegrationEvent.Data"/>): personal data erased from its aggregate.</summary>
[GenerateSerializer, Immutable, Alias("oms.Redaction")]
public sealed record Redaction(
    [property: Id(0)] string Find,
    [property: Id(1)] string Replace);
