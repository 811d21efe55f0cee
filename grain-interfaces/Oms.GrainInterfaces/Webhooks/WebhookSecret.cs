namespace Oms.GrainInterfaces.Webhooks;

/// <summary>
/// One signing secret of a subscription, stored as it is because it must sign (docs/decisions/0016). A subscription
/// has one, or two while a rotation's overlap runs (the old one with an <see cref="ExpiresAt"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.WebhookSecret")]
public sealed record WebhookSecret(
    [property: Id(0)] string Secret,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset? ExpiresAt = null);
