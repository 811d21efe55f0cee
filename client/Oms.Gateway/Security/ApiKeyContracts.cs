using Oms.GrainInterfaces.Security;

namespace Oms.Gateway.Security;

/// <param name="ExpiresAt">Optional: the key stops working then.</param>
public sealed record CreateApiKeyBody(string? Name, string[]? Scopes, int? PermitsPerSecond, DateTimeOffset? ExpiresAt);

/// <param name="OverlapSeconds">How long the old secret keeps working (default Oms:Auth:RotationOverlap, 24 h; 0 = stops at once).</param>
public sealed record RotateApiKeyBody(int? OverlapSeconds);

/// <summary>A key as issued or rotated: <see cref="Key"/> is shown this once and never again.</summary>
public sealed record IssuedApiKey(
    string Id, string Name, string[] Scopes, int PermitsPerSecond, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    string Key, DateTimeOffset? PreviousKeyExpiresAt);

/// <summary>A secret of a key, without the secret: when it was made and, after a rotation, when it stops.</summary>
public sealed record ApiKeySecretInfo(DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <param name="Source"><c>runtime</c> (this API) or <c>configuration</c> (Oms:Auth:Keys; changed there, not here).</param>
public sealed record ApiKeyInfo(
    string Id, string Name, string Source, string[] Scopes, int PermitsPerSecond, DateTimeOffset? CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, ApiKeySecretInfo[] Secrets)
{
    public static ApiKeyInfo From(ApiKeyRecord key) => new(
        key.Id, key.Name, "runtime", key.Scopes, key.PermitsPerSecond, key.CreatedAt, key.ExpiresAt, key.RevokedAt,
        [.. key.Secrets.Select(s => new ApiKeySecretInfo(s.CreatedAt, s.ExpiresAt))]);

    public static ApiKeyInfo From(ApiKey key) => new(key.Name, key.Name, "configuration", key.Scopes, key.PermitsPerSecond, null, null, null, []);
}

public sealed record ApiKeyList(ApiKeyInfo[] Keys);
