namespace Oms.GrainInterfaces.Reference;

/// <summary>Catalogue data the availability rules need. A SKU with no product record is sellable from stock only.</summary>
[GenerateSerializer, Immutable, Alias("oms.Product")]
public sealed record Product(
    [property: Id(0)] string Sku,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Category,
    [property: Id(3)] int BackorderLimit,
    [property: Id(4)] int PreorderLimit,
    [property: Id(5)] string[] Tags,
    [property: Id(6)] string? Barcode)
{
    public static Product Unknown(string sku) => new(sku, sku, null, 0, 0, [], null);
}
