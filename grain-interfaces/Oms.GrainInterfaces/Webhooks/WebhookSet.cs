namespace Oms.GrainInterfaces.Webhooks;

/// <summary>Every subscription at one version.</summary>
[GenerateSerializer, Immutable, Alias("oms.WebhookSet")]
public sealed record WebhookSet(
    [property: Id(0)] long Version,
    [property: Id(1)] Dictionary<string, WebhookSubscription> Subscriptions)
{
    public static WebhookSet Empty { get; } = new(0, []);
}
