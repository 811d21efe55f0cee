namespace Oms.GrainInterfaces.Webhooks;

/// <summary>One attempt of a delivery: the receiver's status code (none when it could not be reached), how long it took, and what went wrong.</summary>
[GenerateSerializer, Immutable, Alias("oms.DeliveryAttempt")]
public sealed record DeliveryAttempt(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] int? StatusCode,
    [property: Id(2)] int DurationMs,
    [property: Id(3)] string? Error);
