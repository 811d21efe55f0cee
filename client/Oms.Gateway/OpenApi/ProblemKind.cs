namespace Oms.Gateway.OpenApi;

/// <summary>
/// One way a request can fail: a name (the key of its example), the status, the stable <c>code</c> of API.md, what it means to a client, and an
/// example body. The served OpenAPI document lists an operation's kinds under their status.
/// </summary>
public sealed record ProblemKind(string Name, int Status, string Code, string Meaning, string Example);
