namespace Oms.Gateway.Security;

/// <summary>Requires the scope an endpoint declares.</summary>
public sealed record RequiresScope(string Scope);
