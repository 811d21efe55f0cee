using Oms.GrainInterfaces.Security;

namespace Oms.Grains.Security;

/// <summary>
/// The rules of runtime keys, pure: which secret still opens a key at a given time, and how create, rotate and
/// revoke change the set (each change bumps the version the gateways poll).
/// </summary>
public static class ApiKeyRules
{
    /// <summary>A key is usable until it is revoked or expires.</summary>
    public static bool IsLive(ApiKeyRecord key, DateTimeOffset now) =>
        key.RevokedAt is null && (key.ExpiresAt is not { } expires || now < expires);

    /// <summary>A secret opens a live key when it matches one of its secrets that has not expired (a rotation's overlap).</summary>
    public static bool Verify(ApiKeyRecord key, string secret, DateTimeOffset now) =>
        IsLive(key, now) && key.Secrets.Any(s => (s.ExpiresAt is not { } expires || now < expires) && ApiKeySecrets.Matches(s, secret));

    public static ApiKeyChange Create(ApiKeySet set, ApiKeyRecord key) =>
        set.Keys.ContainsKey(key.Id)
            ? new ApiKeyChange(ApiKeyOutcome.AlreadyExists, set)
            : Changed(set, key);

    /// <summary>
    /// Adds <paramref name="secret"/>. The secrets the key had keep working until <paramref name="previousExpireAt"/>
    /// (or their own, earlier, expiry); those already expired when the rotation happens are dropped.
    /// </summary>
    public static ApiKeyChange Rotate(ApiKeySet set, string id, ApiKeySecretHash secret, DateTimeOffset previousExpireAt)
    {
        if (!set.Keys.TryGetValue(id, out var key)) return new ApiKeyChange(ApiKeyOutcome.NotFound, set);
        if (!IsLive(key, secret.CreatedAt)) return new ApiKeyChange(ApiKeyOutcome.Revoked, set, key);
        var previous = key.Secrets
            .Where(s => s.ExpiresAt is not { } e || e > secret.CreatedAt)
            .Select(s => s with { ExpiresAt = s.ExpiresAt is { } e && e < previousExpireAt ? e : previousExpireAt });
        return Changed(set, key with { Secrets = [.. previous, secret] });
    }

    /// <summary>Revoking keeps the record (the list shows when) and drops its secrets; revoking twice changes nothing.</summary>
    public static ApiKeyChange Revoke(ApiKeySet set, string id, DateTimeOffset at)
    {
        if (!set.Keys.TryGetValue(id, out var key)) return new ApiKeyChange(ApiKeyOutcome.NotFound, set);
        if (key.RevokedAt is not null) return new ApiKeyChange(ApiKeyOutcome.Revoked, set, key);
        return Changed(set, key with { RevokedAt = at, Secrets = [] });
    }

    private static ApiKeyChange Changed(ApiKeySet set, ApiKeyRecord key) =>
        new(ApiKeyOutcome.Done, new ApiKeySet(set.Version + 1, new Dictionary<string, ApiKeyRecord>(set.Keys) { [key.Id] = key }), key);
}
