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

public sealed class AllocationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static StockRecord Stock(int onHand)
    {
        var r = new StockRecord();
        r.ApplyAbsolute(new AbsoluteLevel(onHand, null, null, T0));
        return r;
    }

    [Fact]
    public void An_allocation_takes_free_units_and_refuses_beyond_them()
    {
        var r = Stock(5);
        Assert.Equal((true, 5), r.Allocate("o:f1", "t1", 3, T0, 0, null));
        Assert.Equal(3, r.Allocated);
        Assert.Equal(2, r.Atp);
        Assert.Equal((false, 2), r.Allocate("o2:f1", "t2", 3, T0, 0, null));
        Assert.Equal(3, r.Allocated);
    }

    [Fact]
    public void The_same_allocation_again_is_one_allocation_and_a_new_attempt_replaces_it()
    {
        var r = Stock(5);
        r.Allocate("o:f1", "t1", 3, T0, 0, null);
        var version = r.Version;
        Assert.True(r.Allocate("o:f1", "t1", 3, T0, 0, null).Ok);
        Assert.Equal(version, r.Version);
        Assert.True(r.Allocate("o:f1", "t2", 5, T0, 0, null).Ok); // its own 3 count as free for it
        Assert.Equal(5, r.Allocated);
    }

    [Fact]
    public void The_channel_buffer_is_kept_back_but_a_converted_hold_was_already_counted()
    {
        var r = Stock(5);
        r.SetHold("cart:c", 2, T0.AddHours(1), 0);
        Assert.False(r.Allocate("o:f1", "t", 4, T0, 1, null).Ok); // 3 free, 1 kept back
        Assert.True(r.Allocate("o:f1", "t", 4, T0, 1, "cart:c").Ok); // the cart's 2 + 2 free above the buffer
        Assert.Equal(0, r.Reserved);
        Assert.Equal(4, r.Allocated);
    }

    [Fact]
    public void Converting_part_of_a_hold_leaves_the_rest_held()
    {
        var r = Stock(5);
        r.SetHold("cart:c", 3, T0.AddHours(1), 0);
        Assert.True(r.Allocate("o:f1", "t", 1, T0, 0, "cart:c").Ok);
        Assert.Equal(2, r.Reserved);
        Assert.Equal(1, r.Allocated);
        Assert.Equal(2, r.Atp);
    }

    [Fact]
    public void Undoing_a_provisional_allocation_gives_the_cart_its_hold_back_but_a_confirmed_one_frees_the_units()
    {
        var r = Stock(5);
        var expiry = T0.AddHours(1);
        r.SetHold("cart:c", 3, expiry, 0);
        r.Allocate("o:f1", "t", 2, T0, 0, "cart:c");
        Assert.Equal((1, 2), (r.Reserved, r.Allocated));
        Assert.True(r.LowerAllocation("o:f1", 0)); // another line of the order was refused
        Assert.Equal((3, 0), (r.Reserved, r.Allocated));
        Assert.Equal(expiry, r.Holds!["cart:c"].ExpiresAt);

        r.Allocate("o2:f1", "t", 3, T0, 0, "cart:c");
        Assert.True(r.Resolve("o2:f1", "t", 0)); // its order was never recorded
        Assert.Equal((3, 0), (r.Reserved, r.Allocated));

        r.Allocate("o3:f1", "t", 3, T0, 0, "cart:c");
        r.Confirm("o3:f1", "t");
        Assert.True(r.LowerAllocation("o3:f1", 0)); // a cancelled order: the units are free, the cart is gone
        Assert.Equal((0, 0, 5), (r.Reserved, r.Allocated, r.Atp));
    }

    [Fact]
    public void A_provisional_allocation_is_resolved_by_its_token_only()
    {
        var r = Stock(5);
        r.Allocate("o:f1", "old", 3, T0, 0, null);
        r.Allocate("o:f1", "new", 3, T0.AddSeconds(30), 0, null); // a retry took it over
        Assert.False(r.Resolve("o:f1", "old", 0)); // the answer about the old attempt changes nothing
        Assert.Equal(3, r.Allocated);
        Assert.Equal(T0.AddSeconds(30), r.NextExpiry);
        Assert.True(r.Resolve("o:f1", "new", 0));
        Assert.Equal(0, r.Allocated);
        Assert.Null(r.NextExpiry);
    }

    [Fact]
    public void A_confirmed_allocation_is_never_due_and_is_not_resolved()
    {
        var r = Stock(5);
        r.Allocate("o:f1", "t", 3, T0, 0, null);
        Assert.Single(r.DueAllocations(T0));
        Assert.True(r.Confirm("o:f1", "t"));
        Assert.Empty(r.DueAllocations(T0.AddDays(1)));
        Assert.False(r.Resolve("o:f1", "t", 0));
        Assert.Equal(3, r.Allocated);
    }

    [Fact]
    public void Lowering_never_raises_and_shipping_moves_units_out_once()
    {
        var r = Stock(10);
        r.Allocate("o:f1", "t", 4, T0, 0, null);
        Assert.False(r.LowerAllocation("o:f1", 6));
        Assert.True(r.LowerAllocation("o:f1", 3));
        Assert.True(r.Move(new StockMovement("ship:o:f1:A", "o:f1", -3, -3, null, 0)));
        Assert.False(r.Move(new StockMovement("ship:o:f1:A", "o:f1", -3, -3, null, 0)));
        Assert.Equal((7, 0, 7), (r.OnHand, r.Allocated, r.Atp));
    }

    [Fact]
    public void A_short_pick_turns_allocated_units_unavailable_and_a_damaged_return_adds_unavailable_stock()
    {
        var r = Stock(10);
        r.Allocate("o:f1", "t", 4, T0, 0, null);
        r.Move(new StockMovement("short:o:f1:A:1", "o:f1", -2, 0, "short-pick", 2));
        Assert.Equal((10, 2, 2, 6), (r.OnHand, r.Allocated, r.UnavailableTotal, r.Atp));
        r.Move(new StockMovement("return:o:r1:A:Damaged", null, 0, 1, "damaged", 1));
        r.Move(new StockMovement("return:o:r1:A:Resellable", null, 0, 1, null, 0));
        Assert.Equal((12, 3, 7), (r.OnHand, r.UnavailableTotal, r.Atp));
        Assert.True(r.Allocated + r.Reserved <= r.OnHand - r.UnavailableTotal);
    }
}
