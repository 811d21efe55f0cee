using Oms.GrainInterfaces.Inventory;
using Oms.Grains.Inventory;

namespace Oms.Domain.Tests;

public sealed class StockRecordTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_newer_absolute_level_replaces_the_stored_one()
    {
        var r = new StockRecord();
        Assert.Equal(FeedOutcome.Applied, r.ApplyAbsolute(new AbsoluteLevel(10, 2, new() { ["damaged"] = 1 }, T0)));
        Assert.Equal(FeedOutcome.Applied, r.ApplyAbsolute(new AbsoluteLevel(7, null, null, T0.AddMinutes(1))));
        Assert.Equal(7, r.OnHand);
        Assert.Equal(2, r.SafetyStock); // omitted fields keep their value
        Assert.Equal(1, r.UnavailableTotal);
        Assert.Equal(4, r.Atp);
        Assert.Equal(2, r.Version);
    }

    [Fact]
    public void An_older_level_never_overwrites_a_newer_one()
    {
        var r = new StockRecord();
        r.ApplyAbsolute(new AbsoluteLevel(10, null, null, T0.AddMinutes(5)));
        Assert.Equal(FeedOutcome.Stale, r.ApplyAbsolute(new AbsoluteLevel(99, null, null, T0)));
        Assert.Equal(10, r.OnHand);
        Assert.Equal(1, r.Version);
    }

    [Fact]
    public void The_same_level_twice_is_a_replay_and_a_conflicting_one_at_the_same_instant_is_ignored()
    {
        var r = new StockRecord();
        r.ApplyAbsolute(new AbsoluteLevel(10, 1, null, T0));
        Assert.Equal(FeedOutcome.Replayed, r.ApplyAbsolute(new AbsoluteLevel(10, 1, null, T0)));
        Assert.Equal(FeedOutcome.Stale, r.ApplyAbsolute(new AbsoluteLevel(11, 1, null, T0)));
        Assert.Equal(10, r.OnHand);
        Assert.Equal(1, r.Version);
    }

    [Fact]
    public void An_adjustment_applies_once_per_event_id()
    {
        var r = new StockRecord();
        Assert.True(r.Adjust(new Adjustment(5, "receipt", "e1")));
        Assert.False(r.Adjust(new Adjustment(5, "receipt", "e1")));
        Assert.True(r.Adjust(new Adjustment(-2, "shrinkage", "e2")));
        Assert.Equal(3, r.OnHand);
        Assert.Equal(2, r.Version);
    }

    [Fact]
    public void A_negative_adjustment_beyond_on_hand_leaves_zero()
    {
        var r = new StockRecord();
        r.Adjust(new Adjustment(3, "receipt", "e1"));
        r.Adjust(new Adjustment(-10, "cycle_count", "e2"));
        Assert.Equal(0, r.OnHand);
    }

    [Fact]
    public void Remembered_event_ids_are_bounded()
    {
        var r = new StockRecord();
        for (var i = 0; i < StockRecord.RememberedEventIds + 10; i++) r.Adjust(new Adjustment(1, "receipt", $"e{i}"));
        Assert.Equal(StockRecord.RememberedEventIds, r.RecentEventIds!.Count);
        Assert.False(r.Adjust(new Adjustment(1, "receipt", $"e{StockRecord.RememberedEventIds + 9}")));
    }

    [Fact]
    public void Inbound_lines_are_replaced_by_reference_and_removed_at_zero()
    {
        var r = new StockRecord();
        r.SetInbound(new InboundLine("PO-1", 10, T0.AddDays(3)));
        r.SetInbound(new InboundLine("PO-2", 5, T0.AddDays(1)));
        r.SetInbound(new InboundLine("PO-1", 12, T0.AddDays(2)));
        Assert.Equal(17, r.InboundTotal);
        var level = r.ToLevel("L", "S");
        Assert.Equal(T0.AddDays(1), level.NextEta);
        Assert.Equal(["PO-2", "PO-1"], level.InboundLines.Select(l => l.Reference));
        r.SetInbound(new InboundLine("PO-1", 0, T0));
        r.SetInbound(new InboundLine("PO-2", 0, T0));
        Assert.Null(r.Inbound);
        Assert.Equal(0, r.Atp); // inbound is future stock, never sellable now
    }
}
