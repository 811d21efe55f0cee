namespace Oms.GrainInterfaces.Security;

/// <summary>What a change to the key set did, and the set after it (unchanged unless <see cref="ApiKeyOutcome.Done"/>).</summary>
[GenerateSerializer, Immutable, Alias("oms.ApiKeyChange")]
public sealed record ApiKeyChange(
    [property: Id(0)] ApiKeyOutcome Outcome,
    [property: Id(1)] ApiKeySet Set,
    [property: Id(2)] ApiKeyRecord? Key = null);
