using System.ComponentModel.DataAnnotations;

namespace Oms.Gateway.Availability;

/// <summary>How the gateway keeps its copies of the SKU views (<c>Oms:Availability</c>, docs/decisions/0023).</summary>
public sealed class AvailabilityOptions
{
    public const string Section = "Oms:Availability";

    /// <summary>A copy is fetched from its view again once it is this old: how far a read may lag a write whose delta was lost.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Copies kept at most (about 1-3 KiB each with their answers); over it, a tenth are dropped and fetched again when read.</summary>
    [Range(100, 10_000_000)]
    public int MaxSkus { get; set; } = 100_000;
}
