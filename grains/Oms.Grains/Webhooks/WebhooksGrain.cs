using Oms.GrainInterfaces.Webhooks;
using Oms.Grains.Storage;

namespace Oms.Grains.Webhooks;

/// <summary>
/// The webhook subscriptions, durable, secrets included (they sign: docs/decisions/0016). Each change is handed to the
/// subscription's delivery grain before it is answered, so a new subscription's deliveries start from that moment.
/// </summary>
public sealed class WebhooksGrain(
    [PersistentState("webhooks", OmsNames.Storage)] IPersistentState<WebhookSet> state) : Grain, IWebhooksGrain
{
    private SnapshotState<WebhookSet> _set = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _set = new SnapshotState<WebhookSet>(state, WebhookSet.Empty);
        return Task.CompletedTask;
    }

    public Task<WebhookChange> PutAsync(WebhookSubscription subscription, WebhookSecret generated) =>
        CommitAsync(WebhookRules.Put(_set.Committed, subscription, generated));

    public Task<WebhookChange> RemoveAsync(string id) => CommitAsync(WebhookRules.Remove(_set.Committed, id));

    public Task<WebhookChange> RotateSecretAsync(string id, WebhookSecret secret, DateTimeOffset previousExpireAt) =>
        CommitAsync(WebhookRules.RotateSecret(_set.Committed, id, secret, previousExpireAt));

    public Task<WebhookChange> DisableAsync(string id, string reason, DateTimeOffset at) =>
        CommitAsync(WebhookRules.Disable(_set.Committed, id, reason, at));

    public Task<WebhookSet> GetSetAsync() => Task.FromResult(_set.Committed);

    private async Task<WebhookChange> CommitAsync(WebhookChange change)
    {
        if (!change.Found) return change;
        await _set.CommitAsync(change.Set);
        if (change.Subscription is not { } subscription) return change;
        var deliveries = GrainFactory.Ref<IWebhookDeliveryGrain>(subscription.Id);
        await (change.Set.Subscriptions.ContainsKey(subscription.Id) ? deliveries.UpdateAsync(subscription) : deliveries.RemoveAsync());
        return change;
    }
}
