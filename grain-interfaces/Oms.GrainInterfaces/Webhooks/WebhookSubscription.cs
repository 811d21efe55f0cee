namespace Oms.GrainInterfaces.Webhooks;

/// <summary>
/// Where events of the named types go. <see cref="Secrets"/> holds the current secret last; a 410 from the receiver
/// sets <see cref="Enabled"/> false with a <see cref="DisabledReason"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.WebhookSubscription")]
public sealed record WebhookSubscription(
    [property: Id(0)] string Id,
    [property: Id(1)] string Url,
    [property: Id(2)] string[] Events,
    [property: Id(3)] string? Description,
    [property: Id(4)] bool Enabled,
    [property: Id(5)] WebhookSecret[] Secrets,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset UpdatedAt,
    [property: Id(8)] string? DisabledReason = null);
