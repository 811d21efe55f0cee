using Oms.GrainInterfaces.Webhooks;

namespace Oms.Grains.Webhooks;

/// <summary>What one attempt found, and how long the receiver asked to wait (429/503 with <c>Retry-After</c>).</summary>
public sealed record WebhookAttemptResult(DeliveryAttempt Attempt, TimeSpan? RetryAfter);
