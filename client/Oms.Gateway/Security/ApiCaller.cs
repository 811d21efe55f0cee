namespace Oms.Gateway.Security;

/// <summary>
/// Who a request is: the key's id (a configured key's id is its name), name, scopes and rate. The id scopes
/// idempotency records and partitions the rate limiter.
/// </summary>
public sealed record ApiCaller(string Id, string Name, IReadOnlySet<string> Scopes, int PermitsPerSecond)
{
    /// <summary>The key has <paramref name="scope"/>, or admin, which has every scope.</summary>
    public bool Has(string scope) => Scopes.Contains(scope) || Scopes.Contains(Security.Scopes.Admin);
}
