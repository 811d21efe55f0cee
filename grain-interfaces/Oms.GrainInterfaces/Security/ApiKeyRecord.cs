namespace Oms.GrainInterfaces.Security;

/// <summary>A runtime API key: who it is, what it may do, and the hashes of its live secrets.</summary>
[GenerateSerializer, Immutable, Alias("oms.ApiKeyRecord")]
public sealed record ApiKeyRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string[] Scopes,
    [property: Id(3)] int PermitsPerSecond,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? ExpiresAt,
    [property: Id(6)] DateTimeOffset? RevokedAt,
    [property: Id(7)] ApiKeySecretHash[] Secrets);
