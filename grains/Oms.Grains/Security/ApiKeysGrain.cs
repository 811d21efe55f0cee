using Oms.GrainInterfaces.Security;
using Oms.Grains.Storage;

namespace Oms.Grains.Security;

/// <summary>
/// The runtime API keys, durable: names, scopes, times and salted hashes only. The set is an immutable snapshot
/// replaced on every change, like the catalogue, so the copy handed to a gateway never changes under it.
/// </summary>
public sealed class ApiKeysGrain(
    [PersistentState("api-keys", OmsNames.Storage)] IPersistentState<ApiKeySet> state) : Grain, IApiKeysGrain
{
    private SnapshotState<ApiKeySet> _set = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _set = new SnapshotState<ApiKeySet>(state, ApiKeySet.Empty);
        return Task.CompletedTask;
    }

    public Task<ApiKeyChange> CreateAsync(ApiKeyRecord key) => CommitAsync(ApiKeyRules.Create(_set.Committed, key));

    public Task<ApiKeyChange> RotateAsync(string id, ApiKeySecretHash secret, DateTimeOffset previousExpireAt) =>
        CommitAsync(ApiKeyRules.Rotate(_set.Committed, id, secret, previousExpireAt));

    public Task<ApiKeyChange> RevokeAsync(string id, DateTimeOffset at) => CommitAsync(ApiKeyRules.Revoke(_set.Committed, id, at));

    public Task<long> GetVersionAsync() => Task.FromResult(_set.Committed.Version);

    public Task<ApiKeySet> GetSetAsync() => Task.FromResult(_set.Committed);

    private async Task<ApiKeyChange> CommitAsync(ApiKeyChange change)
    {
        if (change.Outcome == ApiKeyOutcome.Done) await _set.CommitAsync(change.Set);
        return change;
    }
}
