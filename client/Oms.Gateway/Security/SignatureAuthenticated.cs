namespace Oms.Gateway.Security;

/// <summary>
/// Endpoint metadata: the caller is a partner without an API key (a carrier) and its Standard Webhooks signature is the
/// authentication, checked by the handler over the exact body. ApiKeyMiddleware lets such a request through, and
/// IdempotencyMiddleware ignores its <c>Idempotency-Key</c>: an unauthenticated request must not write idempotency
/// records, and the sender's event id already makes it idempotent.
/// </summary>
public sealed record SignatureAuthenticated(string Sender);
