using Oms.GrainInterfaces.Availability;

namespace Oms.Grains.Availability;

/// <summary>What was last announced for one SKU in one channel, and that subject's last event sequence.</summary>
[GenerateSerializer, Immutable, Alias("oms.Announced")]
public sealed record Announced(
    [property: Id(0)] int Available,
    [property: Id(1)] StockStatus Status,
    [property: Id(2)] long Sequence);
