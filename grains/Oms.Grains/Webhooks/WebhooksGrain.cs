using Oms.GrainInterfaces.Webhooks;

namespace Oms.Grains.Webhooks;

/// <summary>
/// The webhook subscriptions, durable, secrets included (they sign). The set is an immutable snapshot replaced on
/// every change, like the API keys, so a copy handed out never changes under its reader.
/// </summary>
public sealed class WebhooksGrain(
    [PersistentState("webhooks", OmsNames.Storage)] IPersistentState<WebhookSet> state) : Grain, IWebhooksGrain
{
    private WebhookSet _committed = WebhookSet.Empty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A record that never was written comes back as an uninitialised instance, not null.
        _committed = state.RecordExists ? state.State : WebhookSet.Empty;
        return Task.CompletedTask;
    }

    public Task<WebhookChange> PutAsync(WebhookSubscription subscription, WebhookSecret generated) =>
        CommitAsync(WebhookRules.Put(_committed, subscription, generated));

    public Task<WebhookChange> RemoveAsync(string id) => CommitAsync(WebhookRules.Remove(_committed, id));

    public Task<WebhookChange> RotateSecretAsync(string id, WebhookSecret secret, DateTimeOffset previousExpireAt) =>
        CommitAsync(WebhookRules.RotateSecret(_committed, id, secret, previousExpireAt));

    public Task<WebhookChange> DisableAsync(string id, string reason, DateTimeOffset at) =>
        CommitAsync(WebhookRules.Disable(_committed, id, reason, at));

    public Task<WebhookSet> GetSetAsync() => Task.FromResult(_committed);

    private async Task<WebhookChange> CommitAsync(WebhookChange change)
    {
        if (!change.Found || ReferenceEquals(change.Set, _committed)) return change;
        state.State = change.Set;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = _committed;
            throw;
        }

        _committed = change.Set;
        return change;
    }
}
