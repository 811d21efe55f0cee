using Oms.GrainInterfaces.Security;

namespace Oms.Grains.Security;

/// <summary>
/// The runtime API keys, durable: names, scopes, times and salted hashes only. The set is an immutable snapshot
/// replaced on every change, like the catalogue, so the copy handed to a gateway never changes under it.
/// </summary>
public sealed class ApiKeysGrain(
    [PersistentState("api-keys", OmsNames.Storage)] IPersistentState<ApiKeySet> state) : Grain, IApiKeysGrain
{
    private ApiKeySet _committed = ApiKeySet.Empty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A record that never was written comes back as an uninitialised instance, not null.
        _committed = state.RecordExists ? state.State : ApiKeySet.Empty;
        return Task.CompletedTask;
    }

    public Task<ApiKeyChange> CreateAsync(ApiKeyRecord key) => CommitAsync(ApiKeyRules.Create(_committed, key));

    public Task<ApiKeyChange> RotateAsync(string id, ApiKeySecretHash secret, DateTimeOffset previousExpireAt) =>
        CommitAsync(ApiKeyRules.Rotate(_committed, id, secret, previousExpireAt));

    public Task<ApiKeyChange> RevokeAsync(string id, DateTimeOffset at) => CommitAsync(ApiKeyRules.Revoke(_committed, id, at));

    public Task<long> GetVersionAsync() => Task.FromResult(_committed.Version);

    public Task<ApiKeySet> GetSetAsync() => Task.FromResult(_committed);

    private async Task<ApiKeyChange> CommitAsync(ApiKeyChange change)
    {
        if (change.Outcome != ApiKeyOutcome.Done) return change;
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
