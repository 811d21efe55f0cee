using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Sourcing;

namespace Oms.Domain.Tests;

public sealed class SourcingEngineTests
{
    private static Location Loc(string id, LocationType type, int priority = 0, int capacity = 0, double turnaround = 24, bool offline = false, double cost = 0) =>
        new(id, id, type, 0, 0, "UK", [], priority, capacity, turnaround, offline, cost);

    private static SourcingCandidate C(Location l, Dictionary<string, int> stock, double? km = null, int? capacityLeft = null, bool eligible = true) =>
        new(l, stock, eligible, capacityLeft ?? (l.DailyCapacity > 0 ? l.DailyCapacity : null), km);

    private static SourcingProfile Profile(SourcingFilter[]? filters = null, RankingWeight[]? ranking = null, int maxSplits = 3,
        LocationType[]? types = null, double? maxKm = null, bool shipToStore = true) =>
        new("p", ["web"], filters ?? [SourcingFilter.NotOffline, SourcingFilter.Capacity, SourcingFilter.PartialStock],
            ranking ?? [new(SourcingCriterion.FewestSplits, 1)], maxSplits, types ?? [], maxKm, ["gold"], shipToStore);

    private static SourcingOrder Ship(params (string Sku, int Qty)[] lines) =>
        new(lines.ToDictionary(l => l.Sku, l => l.Qty), FulfilmentType.Ship, null, null);

    // ---- filters: each rule on its own ----

    public static TheoryData<string, SourcingFilter[], SourcingCandidate, string?> FilterRows() => new()
    {
        { "offline store", [SourcingFilter.NotOffline], C(Loc("S", LocationType.Store, offline: true), new() { ["A"] = 5 }), "offline" },
        { "not in the channel", [], C(Loc("S", LocationType.Store), new() { ["A"] = 5 }, eligible: false), "not eligible for the order's channel" },
        { "capacity used up", [SourcingFilter.Capacity], C(Loc("S", LocationType.Store, capacity: 10), new() { ["A"] = 5 }, capacityLeft: 0), "no daily capacity left" },
        { "capacity left", [SourcingFilter.Capacity], C(Loc("S", LocationType.Store, capacity: 10), new() { ["A"] = 5 }, capacityLeft: 1), null },
        { "too far", [SourcingFilter.MaxDistance], C(Loc("S", LocationType.Store), new() { ["A"] = 5 }, km: 120), "120 km away, beyond the profile's 100 km" },
        { "near enough", [SourcingFilter.MaxDistance], C(Loc("S", LocationType.Store), new() { ["A"] = 5 }, km: 99), null },
        { "type not sourced", [SourcingFilter.LocationType], C(Loc("S", LocationType.Dsv), new() { ["A"] = 5 }), "location type dsv is not one the profile sources from" },
        { "type sourced", [SourcingFilter.LocationType], C(Loc("W", LocationType.Warehouse), new() { ["A"] = 5 }), null },
        { "cannot ship all", [SourcingFilter.FullStock], C(Loc("S", LocationType.Store), new() { ["A"] = 1 }), "cannot ship the whole order by itself" },
        { "ships all", [SourcingFilter.FullStock], C(Loc("S", LocationType.Store), new() { ["A"] = 2 }), null },
        { "no stock at all", [SourcingFilter.PartialStock], C(Loc("S", LocationType.Store), new() { ["B"] = 9 }), "no stock of the ordered SKUs" },
        { "some stock", [SourcingFilter.PartialStock], C(Loc("S", LocationType.Store), new() { ["A"] = 1 }), null },
    };

    [Theory]
    [MemberData(nameof(FilterRows))]
    public void Each_filter_rejects_with_its_reason(string because, SourcingFilter[] filters, SourcingCandidate candidate, string? expected)
    {
        var profile = Profile(filters, types: [LocationType.Warehouse, LocationType.Store], maxKm: 100);
        var reason = SourcingEngine.Reject(Ship(("A", 2)), profile, candidate, new Dictionary<string, int> { ["A"] = 2 });
        Assert.True(expected == reason, $"{because}: expected '{expected}', got '{reason}'");
    }

    [Fact]
    public void Filters_apply_in_the_profile_order_and_the_first_failure_is_the_reason()
    {
        var c = C(Loc("S", LocationType.Store, capacity: 5), new() { ["B"] = 1 }, capacityLeft: 0);
        var lines = new Dictionary<string, int> { ["A"] = 1 };
        Assert.Equal("no daily capacity left", SourcingEngine.Reject(Ship(("A", 1)), Profile([SourcingFilter.Capacity, SourcingFilter.PartialStock]), c, lines));
        Assert.Equal("no stock of the ordered SKUs", SourcingEngine.Reject(Ship(("A", 1)), Profile([SourcingFilter.PartialStock, SourcingFilter.Capacity]), c, lines));
    }

    // ---- ranking: each criterion decides between two otherwise equal locations ----

    public static TheoryData<SourcingCriterion, SourcingCandidate, SourcingCandidate, string?> RankingRows() => new()
    {
        { SourcingCriterion.LocationType, C(Loc("A-store", LocationType.Store), new() { ["X"] = 5 }), C(Loc("B-hub", LocationType.Hub), new() { ["X"] = 5 }), null },
        { SourcingCriterion.Priority, C(Loc("A", LocationType.Store, priority: 5), new() { ["X"] = 5 }), C(Loc("B", LocationType.Store, priority: 1), new() { ["X"] = 5 }), null },
        { SourcingCriterion.Distance, C(Loc("A", LocationType.Store), new() { ["X"] = 5 }, km: 300), C(Loc("B", LocationType.Store), new() { ["X"] = 5 }, km: 20), null },
        { SourcingCriterion.Turnaround, C(Loc("A", LocationType.Store, turnaround: 48), new() { ["X"] = 5 }), C(Loc("B", LocationType.Store, turnaround: 4), new() { ["X"] = 5 }), null },
        { SourcingCriterion.CapacityLeft, C(Loc("A", LocationType.Store, capacity: 100), new() { ["X"] = 5 }, capacityLeft: 5), C(Loc("B", LocationType.Store, capacity: 100), new() { ["X"] = 5 }, capacityLeft: 90), null },
        { SourcingCriterion.Cost, C(Loc("A", LocationType.Store, cost: 3), new() { ["X"] = 5 }), C(Loc("B", LocationType.Store, cost: 1), new() { ["X"] = 5 }), null },
        { SourcingCriterion.CustomerTier, C(Loc("A", LocationType.Store, turnaround: 48), new() { ["X"] = 5 }), C(Loc("B", LocationType.Store, turnaround: 2), new() { ["X"] = 5 }), "gold" },
        { SourcingCriterion.FewestSplits, C(Loc("A", LocationType.Store), new() { ["X"] = 5 }), C(Loc("B", LocationType.Store), new() { ["X"] = 5, ["Y"] = 5 }), null },
    };

    [Theory]
    [MemberData(nameof(RankingRows))]
    public void Each_criterion_prefers_the_better_location(SourcingCriterion criterion, SourcingCandidate worse, SourcingCandidate better, string? tier)
    {
        var order = new SourcingOrder(new Dictionary<string, int> { ["X"] = 1, ["Y"] = criterion == SourcingCriterion.FewestSplits ? 1 : 0 }, FulfilmentType.Ship, null, tier);
        var profile = Profile([], [new(criterion, 1)], maxSplits: 1);
        var plan = SourcingEngine.Plan(order, profile, [worse, better]);
        Assert.Equal(better.Location.LocationId, Assert.Single(plan.Fulfilments).LocationId);
        Assert.Contains(plan.Rejected, r => r.LocationId == worse.Location.LocationId);
    }

    [Fact]
    public void Customer_tier_counts_only_for_high_value_tiers()
    {
        var slow = C(Loc("A", LocationType.Store, turnaround: 48), new() { ["X"] = 5 });
        var fast = C(Loc("B", LocationType.Store, turnaround: 2), new() { ["X"] = 5 });
        var profile = Profile([], [new(SourcingCriterion.CustomerTier, 1)], maxSplits: 1);
        var plain = SourcingEngine.Plan(new SourcingOrder(new Dictionary<string, int> { ["X"] = 1 }, FulfilmentType.Ship, null, "bronze"), profile, [slow, fast]);
        Assert.Equal("A", plain.Fulfilments[0].LocationId); // all score 0: ties go to the location id
    }

    // ---- combinations ----

    [Fact]
    public void Fewest_splits_outweighs_a_closer_store_that_covers_less()
    {
        var near = C(Loc("NEAR", LocationType.Store), new() { ["A"] = 1 }, km: 5);
        var far = C(Loc("FAR", LocationType.Warehouse), new() { ["A"] = 1, ["B"] = 1, ["C"] = 1 }, km: 400);
        var profile = Profile(ranking: [new(SourcingCriterion.FewestSplits, 4), new(SourcingCriterion.Distance, 1)]);
        var plan = SourcingEngine.Plan(Ship(("A", 1), ("B", 1), ("C", 1)), profile, [near, far]);
        Assert.True(plan.Complete);
        var only = Assert.Single(plan.Fulfilments);
        Assert.Equal("FAR", only.LocationId);
        Assert.Contains(only.Reasons, r => r.StartsWith("fewest splits 1 x 4", StringComparison.Ordinal));
        Assert.Contains(plan.Rejected, r => r.LocationId == "NEAR" && r.Reasons[0].StartsWith("not needed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_split_order_takes_the_best_location_first_then_the_best_for_what_is_left()
    {
        var w = C(Loc("W", LocationType.Warehouse), new() { ["A"] = 3 });
        var s1 = C(Loc("S1", LocationType.Store, priority: 2), new() { ["A"] = 5 });
        var s2 = C(Loc("S2", LocationType.Store, priority: 1), new() { ["A"] = 5 });
        var profile = Profile(ranking: [new(SourcingCriterion.LocationType, 10), new(SourcingCriterion.Priority, 1)]);
        var plan = SourcingEngine.Plan(Ship(("A", 5)), profile, [w, s1, s2]);
        Assert.Equal(["W", "S2"], plan.Fulfilments.Select(f => f.LocationId));
        Assert.Equal(3, plan.Fulfilments[0].Lines["A"]);
        Assert.Equal(2, plan.Fulfilments[1].Lines["A"]);
        var line = Assert.Single(plan.Lines!);
        Assert.Equal(("A", 5, 5), (line.Sku, line.Quantity, line.Sourced));
        Assert.Equal([("W", 3), ("S2", 2)], line.Locations.Select(l => (l.LocationId, l.Quantity)));
        Assert.All(line.Locations, l => Assert.NotEmpty(l.Reasons));
    }

    [Fact]
    public void Max_splits_limits_the_locations_and_reports_the_shortfall()
    {
        var candidates = new[] { "L1", "L2", "L3" }.Select(id => C(Loc(id, LocationType.Store), new() { ["A"] = 1 })).ToArray();
        var plan = SourcingEngine.Plan(Ship(("A", 3)), Profile(maxSplits: 2), candidates);
        Assert.False(plan.Complete);
        Assert.Equal(2, plan.Fulfilments.Length);
        var shortfall = Assert.Single(plan.Shortfalls);
        Assert.Equal(("A", 3, 2), (shortfall.Sku, shortfall.Requested, shortfall.Sourced));
        Assert.Contains(plan.Rejected, r => r.Reasons[0] == "not taken: the profile allows at most 2 locations");
    }

    [Fact]
    public void Full_stock_filter_with_one_split_refuses_an_order_no_single_location_can_ship()
    {
        var a = C(Loc("A", LocationType.Warehouse), new() { ["X"] = 1 });
        var b = C(Loc("B", LocationType.Warehouse), new() { ["Y"] = 1 });
        var plan = SourcingEngine.Plan(Ship(("X", 1), ("Y", 1)), Profile([SourcingFilter.FullStock], maxSplits: 1), [a, b]);
        Assert.False(plan.Complete);
        Assert.Empty(plan.Fulfilments);
        Assert.All(plan.Rejected, r => Assert.Equal("cannot ship the whole order by itself", r.Reasons[0]));
    }

    [Fact]
    public void A_pickup_order_takes_the_pickup_store_first_and_ships_the_rest_to_it_from_a_warehouse()
    {
        var store = C(Loc("ST", LocationType.Store), new() { ["A"] = 1 });
        var otherStore = C(Loc("ST2", LocationType.Store), new() { ["A"] = 9 });
        var wh = C(Loc("WH", LocationType.Warehouse), new() { ["A"] = 9 });
        var order = new SourcingOrder(new Dictionary<string, int> { ["A"] = 3 }, FulfilmentType.Pickup, "ST", null);
        var plan = SourcingEngine.Plan(order, Profile(), [store, otherStore, wh]);
        Assert.True(plan.Complete);
        Assert.Equal(("ST", 1, (string?)null), (plan.Fulfilments[0].LocationId, plan.Fulfilments[0].Lines["A"], plan.Fulfilments[0].TransferTo));
        Assert.Equal(("WH", 2, "ST"), (plan.Fulfilments[1].LocationId, plan.Fulfilments[1].Lines["A"], plan.Fulfilments[1].TransferTo));
        Assert.Contains(plan.Rejected, r => r.LocationId == "ST2" && r.Reasons[0].StartsWith("pickup orders take the pickup store", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_ship_to_store_a_pickup_order_takes_only_the_pickup_store()
    {
        var store = C(Loc("ST", LocationType.Store), new() { ["A"] = 1 });
        var wh = C(Loc("WH", LocationType.Warehouse), new() { ["A"] = 9 });
        var order = new SourcingOrder(new Dictionary<string, int> { ["A"] = 3 }, FulfilmentType.Pickup, "ST", null);
        var plan = SourcingEngine.Plan(order, Profile(shipToStore: false), [store, wh]);
        Assert.False(plan.Complete);
        Assert.Equal("pickup orders take only the pickup store (ship-to-store is off)", plan.Rejected.Single(r => r.LocationId == "WH").Reasons[0]);
    }

    [Fact]
    public void Excluded_locations_are_never_chosen_again()
    {
        var a = C(Loc("A", LocationType.Warehouse), new() { ["X"] = 9 });
        var b = C(Loc("B", LocationType.Store), new() { ["X"] = 9 });
        var order = new SourcingOrder(new Dictionary<string, int> { ["X"] = 2 }, FulfilmentType.Ship, null, null, new HashSet<string> { "A" });
        var plan = SourcingEngine.Plan(order, Profile(ranking: [new(SourcingCriterion.LocationType, 1)]), [a, b]);
        Assert.Equal("B", Assert.Single(plan.Fulfilments).LocationId);
        Assert.StartsWith("excluded", plan.Rejected.Single(r => r.LocationId == "A").Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_candidate_appears_once_either_chosen_or_rejected_with_a_reason()
    {
        var candidates = Enumerable.Range(1, 20).Select(i => C(Loc($"L{i:D2}", i % 3 == 0 ? LocationType.Warehouse : LocationType.Store, priority: i, offline: i % 7 == 0),
            new() { ["A"] = i % 4, ["B"] = i % 5 }, km: i * 10)).ToArray();
        var plan = SourcingEngine.Plan(Ship(("A", 4), ("B", 6)), Profile(ranking: [new(SourcingCriterion.FewestSplits, 2), new(SourcingCriterion.Distance, 1)]), candidates);
        var seen = plan.Fulfilments.Select(f => f.LocationId).Concat(plan.Rejected.Select(r => r.LocationId)).ToList();
        Assert.Equal(candidates.Select(c => c.Location.LocationId).Order(), seen.Order());
        Assert.All(plan.Rejected, r => Assert.NotEmpty(r.Reasons));
        Assert.All(plan.Fulfilments, f => Assert.StartsWith("ranked 1 of", f.Reasons[0], StringComparison.Ordinal));
        var sourced = plan.Fulfilments.SelectMany(f => f.Lines).GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.Sum(l => l.Value));
        Assert.True(sourced.GetValueOrDefault("A") <= 4 && sourced.GetValueOrDefault("B") <= 6);
    }
}
