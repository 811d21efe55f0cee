namespace Oms.Grains.Availability;

/// <summary>A SKU view's only durable state: what it last announced per channel (written only when it announces).</summary>
[GenerateSerializer, Alias("oms.StockAnnouncementState")]
public sealed class StockAnnouncementState
{
    /// <summary>The state's name in storage (rows written before it was read lazily have it too).</summary>
    public const string Name = "announced";

    [Id(0)] public Dictionary<string, Announced> Channels { get; set; } = new(StringComparer.Ordinal);
}
