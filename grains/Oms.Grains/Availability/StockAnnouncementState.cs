namespace Oms.Grains.Availability;

/// <summary>A SKU view's only durable state: what it last announced per channel (written only when it announces).</summary>
[GenerateSerializer, Alias("oms.StockAnnouncementState")]
public sealed class StockAnnouncementState
{
    [Id(0)] public Dictionary<string, Announced> Channels { get; set; } = new(StringComparer.Ordinal);
}
