using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.GrainInterfaces.Reference;

/// <summary>
/// All locations, channels, sourcing profiles and the order policy at one catalogue version; small, read by every
/// silo and gateway.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.ReferenceSnapshot")]
public sealed record ReferenceSnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] Dictionary<string, Location> Locations,
    [property: Id(2)] Dictionary<string, ChannelPolicy> Channels,
    [property: Id(3)] Dictionary<string, SourcingProfile>? SourcingProfiles = null,
    [property: Id(4)] OrderPolicy? OrderPolicy = null)
{
    public static ReferenceSnapshot Empty { get; } = new(0, [], []);

    public OrderPolicy Policy => OrderPolicy ?? OrderPolicy.Default;

    /// <summary>The profile bound to a channel (the latest-named wins a tie), or the default profile.</summary>
    public SourcingProfile ProfileFor(string channel) =>
        SourcingProfiles?.Values.Where(p => p.Channels.Contains(channel)).OrderBy(p => p.ProfileId, StringComparer.Ordinal).FirstOrDefault()
        ?? SourcingProfile.Default;
}
