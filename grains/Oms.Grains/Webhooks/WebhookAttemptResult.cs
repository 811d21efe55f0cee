using Oms.GrainInterfaces.Webhooks;

namespace Oms.Grains.Webhooks;

/// <summary>
/// What one attempt found, how long the receiver asked to wait (429/503 with <c>Retry-After</c>), and whether a
/// failure is <see cref="Final"/> (no use trying again: a dead letter at once).
/// </summary>
public sealed record WebhookAttemptResult(DeliveryAttempt Attempt, TimeSpan? RetryAfter, bool Final = false);
