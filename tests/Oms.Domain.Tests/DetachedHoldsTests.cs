using Oms.Grains.Inventory;

namespace Oms.Domain.Tests;

/// <summary>
/// The inventory record's holds as detached items (docs/decisions/0009): every rule that changes a hold records it,
/// the copy taken for a write carries exactly the holds changed since the previous copy, the row copy has none, and
/// Reserved stays the sum of the holds.
/// </summary>
public sealed class DetachedHoldsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string[]> Changes => new()
    {
        { "hold a", ["a"] },
        { "hold a; hold b", ["a", "b"] },
        { "hold a; release a", ["a"] },
        { "hold a; same hold a", ["a"] },
        { "release missing", [] },
        { "refused hold", [] },
        { "hold a; allocate from a", ["a"] },
        { "hold a; allocate from a; undo", ["a"] },
        { "hold a; expire", ["a"] },
        { "hold a; feed level", ["a"] },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_write_copy_carries_the_holds_changed_since_the_last_one(string steps, string[] changed)
    {
        var r = new StockRecord { OnHand = 10 };
        r.SetHold("seed", 1, T0.AddHours(1), 0);
        r.Clone(); // the previous write took "seed"
        foreach (var step in steps.Split("; "))
        {
            switch (step)
            {
                case "hold a": r.SetHold("a", 2, T0.AddMinutes(15), 0); break;
                case "hold b": r.SetHold("b", 1, T0.AddMinutes(15), 0); break;
                case "release a": r.SetHold("a", 0, T0, 0); break;
                case "same hold a": r.SetHold("a", 2, T0.AddMinutes(15), 0); break;
                case "release missing": r.SetHold("missing", 0, T0, 0); break;
                case "refused hold": Assert.False(r.SetHold("big", 100, T0, 0).Ok); break;
                case "allocate from a": Assert.True(r.Allocate("o:f1", "t", 2, T0.AddMinutes(1), 0, "a").Ok); break;
                case "undo": Assert.True(r.LowerAllocation("o:f1", 0)); break;
                case "expire": Assert.Equal(2, r.ExpireHolds(T0.AddMinutes(30))); break;
                case "feed level": r.ApplyAbsolute(new(20, null, null, T0)); break;
                default: throw new ArgumentException(step);
            }
        }

        var copy = r.Clone();
        var taken = copy.TakeChangedItems();
        Assert.Equal(changed, taken.Select(c => c.Key).Order().ToArray());
        foreach (var (id, item) in taken) Assert.Equal(r.Holds?.GetValueOrDefault(id), item);
        Assert.Empty(copy.TakeChangedItems());
        Assert.Empty(r.Clone().TakeChangedItems());
    }

    [Fact]
    public void The_row_copy_has_no_holds_only_their_count_and_attaching_them_restores_the_record()
    {
        var r = new StockRecord { OnHand = 100 };
        for (var i = 0; i < 30; i++) r.SetHold($"c{i}", 1 + i % 3, T0.AddMinutes(i), 0);
        var row = (StockRecord)r.WithoutDetachedItems();
        Assert.Null(row.Holds);
        Assert.Equal((30, 30), (row.StoredHolds, row.DetachedItemCount));
        Assert.Equal(r.Holds!.Count, r.DetachedItemCount);

        row.AttachItems(r.Holds.Select(h => KeyValuePair.Create(h.Key, (object)h.Value)));
        Assert.Equal((r.Reserved, r.Atp, r.NextExpiry), (row.Reserved, row.Atp, row.NextExpiry));
        Assert.Empty(row.TakeChangedItems()); // read back from rows: nothing to write again
    }

    [Fact]
    public void A_record_stored_whole_marks_its_holds_changed_when_read_so_the_next_write_moves_them_to_rows()
    {
        var whole = new StockRecord { OnHand = 5, Holds = new() { ["x"] = new Hold(2, T0), ["y"] = new Hold(1, T0) } };
        whole.AttachItems([]);
        Assert.Equal(["x", "y"], whole.Clone().TakeChangedItems().Select(c => c.Key).Order().ToArray());
        Assert.Equal(3, whole.Reserved);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(2026)]
    public void Reserved_stays_the_sum_of_the_holds_through_any_sequence_of_changes(int seed)
    {
        var random = new Random(seed);
        var r = new StockRecord { OnHand = 50 };
        for (var step = 0; step < 2_000; step++)
        {
            var id = $"c{random.Next(20)}";
            switch (random.Next(5))
            {
                case 0 or 1: r.SetHold(id, random.Next(0, 6), T0.AddSeconds(random.Next(600)), random.Next(3)); break;
                case 2: r.Allocate($"o{random.Next(5)}", "t", random.Next(1, 4), T0.AddSeconds(random.Next(600)), 0, id); break;
                case 3: r.LowerAllocation($"o{random.Next(5)}", 0); break;
                default: r.ExpireHolds(T0.AddSeconds(random.Next(600))); break;
            }

            if (step % 97 == 0) r = r.Clone();
            Assert.Equal(r.Holds?.Values.Sum(h => h.Quantity) ?? 0, r.Reserved);
            Assert.True(r.Reserved + r.Allocated <= r.OnHand, $"step {step}: {r.Reserved} + {r.Allocated} > {r.OnHand}");
        }
    }
}
