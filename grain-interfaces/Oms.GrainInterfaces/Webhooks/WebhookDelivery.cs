using Oms.GrainInterfaces.Events;

namespace Oms.GrainInterfaces.Webhooks;

/// <summary>
/// One event on its way to one subscription, with every attempt (the most recent <see cref="MaxAttemptsKept"/>).
/// <see cref="Id"/> names the delivery (<c>{partition}-{position}</c> in the event log, <c>test-…</c> for a test);
/// the receiver sees the event's id as <c>webhook-id</c>, the same on every attempt and replay.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.WebhookDelivery")]
public sealed record WebhookDelivery(
    [property: Id(0)] string Id,
    [property: Id(1)] IntegrationEvent Event,
    [property: Id(2)] long Seq,
    [property: Id(3)] int Lane,
    [property: Id(4)] DeliveryStatus Status,
    [property: Id(5)] DeliveryAttempt[] Attempts,
    [property: Id(6)] int Tries,
    [property: Id(7)] DateTimeOffset NextAttemptAt,
    [property: Id(8)] DateTimeOffset CreatedAt)
{
    public const int MaxAttemptsKept = 20;

    public bool IsFinished => Status is DeliveryStatus.Succeeded or DeliveryStatus.Dead;
}
