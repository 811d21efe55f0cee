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
