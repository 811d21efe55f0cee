namespace Oms.GrainInterfaces.Security;

/// <summary>
/// One secret of a key, as stored: a random salt and SHA-256(salt ‖ secret), never the secret. A key has one
/// secret, or two while a rotation's overlap runs (the old one with an <see cref="ExpiresAt"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.ApiKeySecretHash")]
public sealed record ApiKeySecretHash(
    [property: Id(0)] string Salt,
    [property: Id(1)] string Hash,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset? ExpiresAt = null);
