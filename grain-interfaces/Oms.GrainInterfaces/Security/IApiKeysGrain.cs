namespace Oms.GrainInterfaces.Security;

/// <summary>
/// The runtime API keys (singleton, key <see cref="SingletonKeys.ApiKeys"/>). It only ever sees hashes: the
/// gateway makes the secret, shows it once and sends its salted hash.
/// </summary>
public interface IApiKeysGrain : IGrainWithStringKey
{
    Task<ApiKeyChange> CreateAsync(ApiKeyRecord key);

    /// <summary>Adds <paramref name="secret"/>; the secrets the key had stop working at <paramref name="previousExpireAt"/>.</summary>
    Task<ApiKeyChange> RotateAsync(string id, ApiKeySecretHash secret, DateTimeOffset previousExpireAt);

    Task<ApiKeyChange> RevokeAsync(string id, DateTimeOffset at);

    [AlwaysInterleave]
    Task<long> GetVersionAsync();

    [AlwaysInterleave]
    Task<ApiKeySet> GetSetAsync();
}
