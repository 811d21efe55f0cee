namespace Oms.GrainInterfaces.Webhooks;

/// <summary>The webhook subscriptions (singleton, key <see cref="SingletonKeys.Webhooks"/>), durable.</summary>
public interface IWebhooksGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates or replaces <paramref name="subscription"/>; its <see cref="WebhookSubscription.Secrets"/> are the
    /// caller's secret, or empty to keep the one it has, or <paramref name="generated"/> for a new one.
    /// </summary>
    Task<WebhookChange> PutAsync(WebhookSubscription subscription, WebhookSecret generated);

    Task<WebhookChange> RemoveAsync(string id);

    /// <summary>Signs with <paramref name="secret"/> from now; the secrets it had sign too until <paramref name="previousExpireAt"/>.</summary>
    Task<WebhookChange> RotateSecretAsync(string id, WebhookSecret secret, DateTimeOffset previousExpireAt);

    /// <summary>The receiver said 410 Gone: no more deliveries until the subscription is put again with enabled.</summary>
    Task<WebhookChange> DisableAsync(string id, string reason, DateTimeOffset at);

    [AlwaysInterleave]
    Task<WebhookSet> GetSetAsync();
}
