namespace Oms.GrainInterfaces.Security;

/// <summary>Every runtime key at one version; every gateway holds a copy and polls the version.</summary>
[GenerateSerializer, Immutable, Alias("oms.ApiKeySet")]
public sealed record ApiKeySet(
    [property: Id(0)] long Version,
    [property: Id(1)] Dictionary<string, ApiKeyRecord> Keys)
{
    public static ApiKeySet Empty { get; } = new(0, []);
}
