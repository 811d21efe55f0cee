namespace Oms.Gateway.Security;

/// <summary>
/// Endpoint metadata: the answer carries a secret shown once (an issued API key), so IdempotencyMiddleware must not
/// store it for replay; such a POST ignores <c>Idempotency-Key</c> (a retried create issues a second key, which the
/// list shows and which can be revoked).
/// </summary>
public sealed record SecretInResponse;
