namespace Oms.GrainInterfaces.Reference;

/// <summary>All locations and channels at one catalogue version; small, read by every silo and gateway.</summary>
[GenerateSerializer, Immutable, Alias("oms.ReferenceSnapshot")]
public sealed record ReferenceSnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] Dictionary<string, Location> Locations,
    [property: Id(2)] Dictionary<string, ChannelPolicy> Channels)
{
    public static ReferenceSnapshot Empty { get; } = new(0, [], []);
}
