namespace Oms.GrainInterfaces.Webhooks;

/// <summary>
/// What a change to the subscriptions did, and the set after it (unchanged unless <see cref="Found"/>).
/// <see cref="SecretGenerated"/>: the subscription now signs with the secret the caller offered as a default.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.WebhookChange")]
public sealed record WebhookChange(
    [property: Id(0)] bool Found,
    [property: Id(1)] WebhookSet Set,
    [property: Id(2)] WebhookSubscription? Subscription = null,
    [property: Id(3)] bool SecretGenerated = false);
