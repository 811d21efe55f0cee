using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;

namespace Oms.Grains.Availability;

/// <summary>
/// A reader's copy of one SKU view (docs/decisions/0023): the inputs <see cref="ChannelRules.Compute"/> needs, kept by a
/// gateway and moved forward by the view's deltas. Immutable; every change is a new copy, so that an answer computed
/// from one copy can be kept beside it. The rules, all pure:
/// <list type="bullet">
/// <item>A location's level is replaced only by a higher inventory version, so deltas and fetches may land in any order
/// (a delta that overtakes a fetch, a fetch that returns after a newer delta) and the copy still ends at the newest.</item>
/// <item>The view numbers its deltas 1, 2, 3... per activation (<see cref="Epoch"/>). A delta that skips a number, or
/// comes from another activation, means one was lost: the copy is marked <see cref="Gap"/> and must be fetched again
/// before it is trusted. (Inventory versions cannot show that: they skip numbers whenever writes coalesce.)</item>
/// <item>A fetch takes its product and publication position; it clears a gap when it is at least as far as the copy.</item>
/// </list>
/// </summary>
public sealed class SkuCopy
{
    private readonly Dictionary<string, LocationStock> _stock;

    private SkuCopy(string sku, Product product, bool known, Dictionary<string, LocationStock> stock, long epoch, long sequence, bool gap)
    {
        Sku = sku;
        Product = product;
        Known = known;
        _stock = stock;
        Epoch = epoch;
        Sequence = sequence;
        Gap = gap;
    }

    public string Sku { get; }

    public Product Product { get; }

    /// <summary>The SKU has a product or a stock record somewhere; an unknown SKU is a 404.</summary>
    public bool Known { get; }

    public IReadOnlyDictionary<string, LocationStock> Stock => _stock;

    public long Epoch { get; }

    /// <summary>The last delta of <see cref="Epoch"/> this copy includes, counting without a gap from the fetch.</summary>
    public long Sequence { get; }

    /// <summary>A delta was lost (a skipped sequence number or another activation's delta): fetch again before use.</summary>
    public bool Gap { get; }

    public static SkuCopy From(SkuStock fetched) =>
        new(fetched.Sku, fetched.Product, fetched.Known, fetched.Stock.ToDictionary(s => s.LocationId, StringComparer.Ordinal), fetched.Epoch, fetched.Sequence, gap: false);

    /// <summary>This copy after <paramref name="delta"/>; the same instance when the delta changes nothing.</summary>
    public SkuCopy Apply(StockDelta delta)
    {
        var stock = _stock;
        if (!_stock.TryGetValue(delta.LocationId, out var known) || known.Version < delta.Version)
        {
            stock = new Dictionary<string, LocationStock>(_stock, StringComparer.Ordinal) { [delta.LocationId] = delta.ToLocationStock() };
        }

        var (sequence, gap) = delta.Epoch != Epoch ? (Sequence, true)
            : delta.Sequence <= Sequence ? (Sequence, Gap)
            : delta.Sequence == Sequence + 1 ? (delta.Sequence, Gap)
            : (delta.Sequence, true);
        if (ReferenceEquals(stock, _stock) && sequence == Sequence && gap == Gap) return this;
        // A delta means the SKU has a stock record now.
        return new SkuCopy(Sku, Product, Known || !ReferenceEquals(stock, _stock), stock, Epoch, sequence, gap);
    }

    /// <summary>This copy merged with a fresh fetch of the view: the newer level per location, the fetch's product and position.</summary>
    public SkuCopy Merge(SkuStock fetched)
    {
        var stock = new Dictionary<string, LocationStock>(_stock, StringComparer.Ordinal);
        foreach (var s in fetched.Stock)
        {
            if (!stock.TryGetValue(s.LocationId, out var known) || known.Version < s.Version) stock[s.LocationId] = s;
        }

        if (fetched.Epoch != Epoch) return new SkuCopy(Sku, fetched.Product, fetched.Known || Known, stock, fetched.Epoch, fetched.Sequence, gap: false);
        var sequence = Math.Max(Sequence, fetched.Sequence);
        return new SkuCopy(Sku, fetched.Product, fetched.Known || Known, stock, Epoch, sequence, gap: Gap && fetched.Sequence < Sequence);
    }

    /// <summary>What <paramref name="channel"/> can sell of this SKU, under <paramref name="reference"/>.</summary>
    public SkuAvailability Answer(ChannelPolicy channel, ReferenceSnapshot reference, AvailabilityScope scope) =>
        ChannelRules.Compute(channel, Product, reference.Locations, _stock.Values, scope, Known);
}
