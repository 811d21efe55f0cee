using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;

namespace Oms.GrainInterfaces.Availability;

/// <summary>
/// One SKU view's inputs as of one moment: the product, every location's level, whether the SKU is known at all, and
/// the view's publication position (<see cref="Epoch"/>, <see cref="Sequence"/>): deltas after it have a higher
/// sequence in the same epoch.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.SkuStock")]
public sealed record SkuStock(
    [property: Id(0)] string Sku,
    [property: Id(1)] Product Product,
    [property: Id(2)] bool Known,
    [property: Id(3)] LocationStock[] Stock,
    [property: Id(4)] long Epoch,
    [property: Id(5)] long Sequence);
