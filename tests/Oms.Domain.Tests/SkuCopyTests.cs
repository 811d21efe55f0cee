using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Oms.Grains.Availability;

namespace Oms.Domain.Tests;

public sealed class SkuCopyTests
{
    private const long Epoch = 42;

    /// <summary>A copy fetched at sequence 5 with A@v10 (atp 7), then one delta: expected atp at A, sequence, gap.</summary>
    [Theory]
    [InlineData("A", 11, 3, Epoch, 6, 3, 6, false)]   // the next delta, newer level: applied
    [InlineData("A", 9, 3, Epoch, 6, 7, 6, false)]    // the next delta with an older level (a fetch overtook it): level kept
    [InlineData("A", 10, 3, Epoch, 6, 7, 6, false)]   // same version: level kept
    [InlineData("A", 14, 2, Epoch, 5, 2, 5, false)]   // an old sequence number: the position stays, the level still goes by version
    [InlineData("A", 12, 1, Epoch, 8, 1, 8, true)]    // 6 and 7 lost: applied, but a gap
    [InlineData("A", 12, 1, 43, 1, 1, 5, true)]       // another activation's delta: applied by version, a gap
    [InlineData("B", 1, 4, Epoch, 6, 7, 6, false)]    // a location the fetch had no record for
    public void A_delta_moves_the_copy_by_version_and_counts_its_sequence(
        string location, long version, int atp, long epoch, long sequence, int expectedAtpAtA, long expectedSequence, bool expectedGap)
    {
        var copy = SkuCopy.From(Fetched(5, ("A", 10, 7)));
        var after = copy.Apply(new StockDelta(location, "SKU-1", atp, version, DateTimeOffset.UnixEpoch, 0, null, epoch, sequence));
        Assert.Equal(expectedAtpAtA, after.Stock["A"].Atp);
        Assert.Equal(expectedSequence, after.Sequence);
        Assert.Equal(expectedGap, after.Gap);
        if (location == "B") Assert.Equal(4, after.Stock["B"].Atp);
    }

    [Fact]
    public void A_delta_that_changes_nothing_keeps_the_same_copy_so_kept_answers_stay_valid()
    {
        var copy = SkuCopy.From(Fetched(5, ("A", 10, 7)));
        Assert.Same(copy, copy.Apply(new StockDelta("A", "SKU-1", 7, 10, DateTimeOffset.UnixEpoch, 0, null, Epoch, 4)));
        Assert.NotSame(copy, copy.Apply(new StockDelta("A", "SKU-1", 6, 11, DateTimeOffset.UnixEpoch, 0, null, Epoch, 6)));
    }

    /// <summary>A copy at sequence 8 (gap or not) merged with a fetch at some sequence: the newer level wins per location.</summary>
    [Theory]
    [InlineData(false, 9, false, 9)]   // the fetch is ahead
    [InlineData(true, 9, false, 9)]    // ... and covers the gap
    [InlineData(true, 8, false, 8)]    // exactly as far: covers it
    [InlineData(true, 7, true, 8)]     // behind the copy: the gap stays, fetch again
    [InlineData(false, 7, false, 8)]   // behind, no gap: the copy's position stands
    public void A_fetch_merges_by_version_and_clears_a_gap_it_covers(bool gap, long fetchedSequence, bool expectedGap, long expectedSequence)
    {
        var copy = SkuCopy.From(Fetched(5, ("A", 10, 7), ("B", 3, 1)))
            .Apply(new StockDelta("A", "SKU-1", 2, 20, DateTimeOffset.UnixEpoch, 0, null, Epoch, gap ? 8 : 6));
        if (!gap) copy = copy.Apply(new StockDelta("B", "SKU-1", 1, 3, DateTimeOffset.UnixEpoch, 0, null, Epoch, 7)).Apply(new StockDelta("B", "SKU-1", 1, 3, DateTimeOffset.UnixEpoch, 0, null, Epoch, 8));
        Assert.Equal(gap, copy.Gap);

        var merged = copy.Merge(Fetched(fetchedSequence, ("A", 15, 9), ("B", 4, 5)));
        Assert.Equal(2, merged.Stock["A"].Atp); // the copy's v20 beats the fetch's v15
        Assert.Equal(5, merged.Stock["B"].Atp); // the fetch's v4 beats the copy's v3
        Assert.Equal(expectedGap, merged.Gap);
        Assert.Equal(expectedSequence, merged.Sequence);
    }

    [Fact]
    public void A_fetch_from_a_new_activation_takes_its_position_and_product()
    {
        var copy = SkuCopy.From(Fetched(5, ("A", 10, 7))).Apply(new StockDelta("A", "SKU-1", 1, 12, DateTimeOffset.UnixEpoch, 0, null, 43, 1));
        Assert.True(copy.Gap);
        var renamed = Product.Unknown("SKU-1") with { Name = "Renamed" };
        var merged = copy.Merge(new SkuStock("SKU-1", renamed, true, [new LocationStock("A", 1, 0, null, 12)], 43, 3));
        Assert.False(merged.Gap);
        Assert.Equal((43L, 3L), (merged.Epoch, merged.Sequence));
        Assert.Equal("Renamed", merged.Product.Name);
    }

    [Fact]
    public void An_unknown_sku_becomes_known_with_its_first_delta()
    {
        var copy = SkuCopy.From(new SkuStock("SKU-1", Product.Unknown("SKU-1"), false, [], Epoch, 0));
        Assert.False(copy.Known);
        Assert.True(copy.Apply(new StockDelta("A", "SKU-1", 3, 1, DateTimeOffset.UnixEpoch, 0, null, Epoch, 1)).Known);
    }

    [Fact]
    public void Deltas_and_fetches_in_any_order_end_at_the_newest_level_of_every_location()
    {
        var rng = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            // A history of 30 versions over 3 locations, seen as deltas (shuffled) and 3 fetches taken at random points.
            var history = Enumerable.Range(1, 30).Select(v => (Location: ((char)('A' + rng.Next(3))).ToString(), Version: (long)v, Atp: rng.Next(100))).ToArray();
            var events = history.Select((h, i) => (Kind: 0, Index: i)).Concat(Enumerable.Range(0, 3).Select(_ => (Kind: 1, Index: rng.Next(history.Length)))).OrderBy(_ => rng.Next()).ToArray();
            var copy = SkuCopy.From(Fetched(0));
            foreach (var (kind, index) in events)
            {
                var h = history[index];
                copy = kind == 0
                    ? copy.Apply(new StockDelta(h.Location, "SKU-1", h.Atp, h.Version, DateTimeOffset.UnixEpoch, 0, null, Epoch, index + 1))
                    : copy.Merge(Fetched(index + 1, [.. history.Take(index + 1).GroupBy(x => x.Location).Select(g => g.Last()).Select(x => (x.Location, x.Version, x.Atp))]));
            }

            foreach (var last in history.GroupBy(h => h.Location).Select(g => g.Last()))
                Assert.Equal(last.Atp, copy.Stock[last.Location].Atp);
        }
    }

    private static SkuStock Fetched(long sequence, params (string Location, long Version, int Atp)[] levels) =>
        new("SKU-1", Product.Unknown("SKU-1"), levels.Length > 0, [.. levels.Select(l => new LocationStock(l.Location, l.Atp, 0, null, l.Version))], Epoch, sequence);
}
