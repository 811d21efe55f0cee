namespace Oms.GrainInterfaces.Reference;

/// <summary>Product reference data for one SKU (key = sku).</summary>
public interface IProductGrain : IGrainWithStringKey
{
    Task<Product> PutAsync(Product product);

    /// <summary>The stored product, or null. Interleaves: it only reads the last persisted value.</summary>
    [AlwaysInterleave]
    Task<Product?> GetAsync();
}
