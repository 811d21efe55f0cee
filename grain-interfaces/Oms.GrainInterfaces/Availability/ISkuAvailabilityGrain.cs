using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;

namespace Oms.GrainInterfaces.Availability;

/// <summary>
/// The availability view of one SKU (key = sku): the ATP of every location, pushed by the inventory grains,
/// plus the product. Storefront reads are answered here without touching any inventory grain.
/// </summary>
public interface ISkuAvailabilityGrain : IGrainWithStringKey
{
    /// <summary>
    /// A location's new level, pushed by its inventory grain before it acknowledges. Interleaves: a read of this view
    /// that is loading may be waiting on that very inventory grain, which waits for this push.
    /// </summary>
    [AlwaysInterleave]
    Task UpdateAsync(LocationStock stock);

    Task ProductChangedAsync(Product product);

    [ReadOnly]
    Task<SkuAvailability?> GetAsync(string channelId, AvailabilityScope scope);

    /// <summary>
    /// Everything a read of this SKU is computed from (product, every location's level) with the view's publication
    /// position, so a gateway can keep a copy and apply the stream's later deltas to it (docs/decisions/0023).
    /// </summary>
    [ReadOnly]
    Task<SkuStock> GetStockAsync();

    /// <summary>Where a cart of <paramref name="channelId"/> may hold this SKU; empty when the channel does not sell it.</summary>
    [ReadOnly]
    Task<HoldCandidate[]> GetHoldCandidatesAsync(string channelId);
}
