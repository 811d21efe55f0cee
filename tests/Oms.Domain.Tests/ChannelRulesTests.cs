using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Oms.Grains.Availability;

namespace Oms.Domain.Tests;

public sealed class ChannelRulesTests
{
    private static Location Loc(string id, LocationType type, string region, double lat = 0, double lon = 0, bool offline = false, params string[] tags) =>
        new(id, id, type, lat, lon, region, tags, 0, 0, 24, offline);

    private static ChannelPolicy Channel(
        string? region = null, LocationType[]? types = null, string[]? ids = null, string[]? tags = null,
        ChannelBuffers? buffers = null, string[]? excludedSkus = null, string[]? excludedCategories = null, int low = 5) =>
        new("c", "c", region, types ?? [], ids ?? [], tags ?? [], excludedSkus ?? [], excludedCategories ?? [],
            buffers ?? ChannelBuffers.None, 900, low);

    public static TheoryData<string, ChannelPolicy, Location, bool> EligibilityCases => new()
    {
        { "no selector: every location", Channel(), Loc("a", LocationType.Store, "UK"), true },
        { "offline never", Channel(), Loc("a", LocationType.Store, "UK", offline: true), false },
        { "offline even if listed", Channel(ids: ["a"]), Loc("a", LocationType.Store, "UK", offline: true), false },
        { "region match", Channel(region: "UK"), Loc("a", LocationType.Store, "uk"), true },
        { "region mismatch", Channel(region: "DE"), Loc("a", LocationType.Store, "UK"), false },
        { "type match", Channel(types: [LocationType.Warehouse]), Loc("a", LocationType.Warehouse, "UK"), true },
        { "type mismatch", Channel(types: [LocationType.Warehouse]), Loc("a", LocationType.Store, "UK"), false },
        { "explicit ids only: listed", Channel(ids: ["a"]), Loc("a", LocationType.Store, "DE"), true },
        { "explicit ids only: not listed", Channel(ids: ["a"]), Loc("b", LocationType.Store, "DE"), false },
        { "listed id beats region", Channel(region: "UK", types: [LocationType.Store], ids: ["w"]), Loc("w", LocationType.Warehouse, "DE"), true },
        { "ids plus type selector", Channel(types: [LocationType.Store], ids: ["w"]), Loc("s", LocationType.Store, "DE"), true },
        { "tag match", Channel(tags: ["flagship"]), Loc("a", LocationType.Store, "UK", tags: ["flagship"]), true },
        { "tag mismatch", Channel(tags: ["flagship"]), Loc("a", LocationType.Store, "UK", tags: ["outlet"]), false },
        { "type and region both required", Channel(region: "UK", types: [LocationType.Store]), Loc("a", LocationType.Store, "DE"), false },
    };

    [Theory]
    [MemberData(nameof(EligibilityCases))]
    public void Eligibility(string because, ChannelPolicy channel, Location location, bool expected) =>
        Assert.True(expected == ChannelRules.IsEligible(channel, location), because);

    [Theory]
    [InlineData(10, 0, 0, 0, 10)]      // no buffer
    [InlineData(10, 2, 0, 0, 8)]       // by type
    [InlineData(10, 2, 5, 0, 5)]       // by location overrides by type
    [InlineData(10, 0, 0, 10, 9)]      // 10 % of 10 = 1
    [InlineData(11, 0, 0, 10, 9)]      // 10 % of 11 = 1.1, rounded up to 2
    [InlineData(3, 2, 0, 50, 0)]       // 2 + ceil(1.5) = 4 > 3 → 0, never negative
    public void Buffers_hold_back_units_and_percent(int atp, int byType, int byLocation, int percent, int expected)
    {
        var buffers = new ChannelBuffers(
            byType > 0 ? new() { [LocationType.Store] = byType } : [],
            byLocation > 0 ? new() { ["s"] = byLocation } : [],
            percent);
        Assert.Equal(expected, ChannelRules.Sellable(Channel(buffers: buffers), Loc("s", LocationType.Store, "UK"), atp));
    }

    private static readonly Dictionary<string, Location> Locations = new()
    {
        ["wh"] = Loc("wh", LocationType.Warehouse, "UK", 52.2565, -1.1629),
        ["lon"] = Loc("lon", LocationType.Store, "UK", 51.5152, -0.1419),
        ["man"] = Loc("man", LocationType.Store, "UK", 53.4838, -2.2390),
        ["off"] = Loc("off", LocationType.Store, "UK", 51.5, -0.1, offline: true),
        ["ber"] = Loc("ber", LocationType.Store, "DE", 52.5219, 13.4132),
    };

    private static LocationStock[] Stock(params (string Id, int Atp)[] s) =>
        [.. s.Select((x, i) => new LocationStock(x.Id, x.Atp, 0, null, i + 1))];

    [Fact]
    public void Ats_sums_eligible_locations_after_buffers_and_skips_offline_and_other_regions()
    {
        var channel = Channel(region: "UK", buffers: new ChannelBuffers(new() { [LocationType.Store] = 1 }, [], 0));
        var answer = ChannelRules.Compute(channel, Product.Unknown("s"), Locations,
            Stock(("wh", 100), ("lon", 3), ("man", 1), ("off", 50), ("ber", 40)), AvailabilityScope.All);
        Assert.Equal(102, answer.Available); // 100 + (3-1) + (1-1)
        Assert.Equal(StockStatus.InStock, answer.Status);
        Assert.Equal(["wh", "lon"], answer.Locations.Select(l => l.LocationId));
    }

    [Fact]
    public void Excluded_sku_or_category_sells_nothing()
    {
        var product = new Product("s", "s", "test-collection", 0, 0, [], null);
        Assert.Equal(0, ChannelRules.Compute(Channel(excludedCategories: ["test-collection"]), product, Locations, Stock(("wh", 10)), AvailabilityScope.All).Available);
        Assert.Equal(0, ChannelRules.Compute(Channel(excludedSkus: ["s"]), product, Locations, Stock(("wh", 10)), AvailabilityScope.All).Available);
        Assert.Equal(10, ChannelRules.Compute(Channel(), product, Locations, Stock(("wh", 10)), AvailabilityScope.All).Available);
    }

    [Fact]
    public void Near_me_keeps_locations_within_the_radius_nearest_first()
    {
        // A shopper at Piccadilly Circus: Oxford Street ~0.9 km, Daventry DC ~100 km, Manchester ~260 km.
        var scope = new AvailabilityScope(51.5101, -0.1340, 150, null);
        var answer = ChannelRules.Compute(Channel(region: "UK"), Product.Unknown("s"), Locations, Stock(("man", 5), ("wh", 7), ("lon", 2)), scope);
        Assert.Equal(["lon", "wh"], answer.Locations.Select(l => l.LocationId));
        Assert.Equal(9, answer.Available);
        Assert.InRange(answer.Locations[0].DistanceKm!.Value, 0.5, 1.5);
        Assert.InRange(answer.Locations[1].DistanceKm!.Value, 95, 110);
    }

    [Fact]
    public void Location_ids_narrow_the_answer()
    {
        var scope = new AvailabilityScope(null, null, null, ["man"]);
        var answer = ChannelRules.Compute(Channel(), Product.Unknown("s"), Locations, Stock(("man", 5), ("wh", 7)), scope);
        Assert.Equal(5, answer.Available);
    }

    [Theory]
    [InlineData(10, 5, 0, 0, StockStatus.InStock)]
    [InlineData(5, 5, 0, 0, StockStatus.LowStock)]
    [InlineData(1, 5, 0, 0, StockStatus.LowStock)]
    [InlineData(0, 5, 10, 10, StockStatus.Preorder)]
    [InlineData(0, 5, 0, 10, StockStatus.Backorder)]
    [InlineData(0, 5, 0, 0, StockStatus.OutOfStock)]
    public void Status_follows_quantity_then_preorder_then_backorder(int available, int low, int preorderable, int backorderable, StockStatus expected) =>
        Assert.Equal(expected, ChannelRules.Status(available, low, preorderable, backorderable));

    [Fact]
    public void Preorder_is_limited_by_inbound_at_eligible_locations()
    {
        var product = new Product("s", "s", null, 0, 100, [], null);
        var stock = new[] { new LocationStock("wh", 0, 40, DateTimeOffset.UnixEpoch.AddDays(1), 1), new LocationStock("ber", 0, 500, null, 1) };
        var answer = ChannelRules.Compute(Channel(region: "UK"), product, Locations, stock, AvailabilityScope.All);
        Assert.Equal(StockStatus.Preorder, answer.Status);
        Assert.Equal(40, answer.Preorderable);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), answer.NextEta);
    }
}
