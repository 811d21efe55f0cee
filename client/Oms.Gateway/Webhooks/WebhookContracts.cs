using Oms.GrainInterfaces.Webhooks;

namespace Oms.Gateway.Webhooks;

/// <param name="Url">http or https; not a private, loopback, link-local or metadata address unless Oms:Webhooks:AllowedHosts names the host.</param>
/// <param name="Events">Event types to receive (see <c>EventTypes</c>); at least one.</param>
/// <param name="Secret">Optional <c>whsec_</c> + base64 of 24-64 bytes; omitted: a new subscription gets a generated one (shown in this answer only), an existing one keeps its own.</param>
/// <param name="Enabled">False pauses deliveries; true also re-enables a subscription a 410 disabled.</param>
public sealed record PutWebhookBody(string? Url, string[]? Events, string? Secret, string? Description, bool? Enabled);

/// <param name="OverlapSeconds">How long the old secret still signs (default Oms:Webhooks:RotationOverlap, 24 h; 0 = stops at once).</param>
public sealed record RotateWebhookSecretBody(int? OverlapSeconds);

/// <summary>A signing secret of a subscription, without the secret.</summary>
public sealed record WebhookSecretInfo(DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>
/// A subscription. <see cref="Secret"/> is present only in the answer that made it (a generated secret, a rotation);
/// <see cref="DisabledReason"/> says why deliveries stopped (a 410).
/// </summary>
public sealed record WebhookInfo(
    string Id, string Url, string[] Events, string? Description, bool Enabled, string? DisabledReason,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, WebhookSecretInfo[] Secrets, string? Secret = null)
{
    public static WebhookInfo From(WebhookSubscription s, string? secret = null) => new(
        s.Id, s.Url, s.Events, s.Description, s.Enabled, s.DisabledReason, s.CreatedAt, s.UpdatedAt,
        [.. s.Secrets.Select(x => new WebhookSecretInfo(x.CreatedAt, x.ExpiresAt))], secret);
}

public sealed record WebhookList(WebhookInfo[] Webhooks);

/// <summary>One attempt: when, the receiver's status code (absent when it could not be reached), how long, and what went wrong.</summary>
public sealed record WebhookAttemptInfo(DateTimeOffset At, int? StatusCode, int DurationMs, string? Error);

/// <summary>
/// One event on its way to a subscription. <see cref="Status"/>: pending (not attempted yet), failed (an attempt failed,
/// <see cref="NextAttemptAt"/> says when the next goes), succeeded, dead (every attempt failed: replay it).
/// </summary>
public sealed record WebhookDeliveryInfo(
    string DeliveryId, string EventId, string Type, string Subject, long Sequence, DeliveryStatus Status,
    WebhookAttemptInfo[] Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt)
{
    public static WebhookDeliveryInfo From(WebhookDelivery d) => new(
        d.Id, d.Event.Id, d.Event.Type, d.Event.Subject, d.Event.Sequence, d.Status,
        [.. d.Attempts.Select(a => new WebhookAttemptInfo(a.At, a.StatusCode, a.DurationMs, a.Error))],
        d.IsFinished ? null : d.NextAttemptAt, d.CreatedAt);
}

public sealed record WebhookDeliveryList(WebhookDeliveryInfo[] Deliveries);

public sealed record WebhookReplayResult(int Replayed);

/// <summary>The payload of a <c>webhook.test</c> event.</summary>
public sealed record WebhookTestData(string WebhookId, string Message);
