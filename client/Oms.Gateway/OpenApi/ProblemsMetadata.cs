namespace Oms.Gateway.OpenApi;

/// <summary>Endpoint metadata: the failures only this endpoint's handler produces (the common ones are derived).</summary>
public sealed record ProblemsMetadata(IReadOnlyList<ProblemKind> Kinds);
