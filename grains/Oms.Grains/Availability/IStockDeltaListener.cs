using Oms.GrainInterfaces.Availability;

namespace Oms.Grains.Availability;

/// <summary>
/// A copy of the SKU views in the silo's own process (the embedded gateway's, docs/decisions/0023). A view tells it each
/// delta synchronously, before its update returns, so the inventory write that caused it is acknowledged only once
/// the copy shows it: a reader sees its own cart hold at once. A silo without one (cluster mode) has none registered.
/// </summary>
public interface IStockDeltaListener
{
    void Apply(StockDelta delta);

    /// <summary>Something a delta does not carry changed (the product): the copy of <paramref name="sku"/> must be fetched again.</summary>
    void Invalidate(string sku);
}
