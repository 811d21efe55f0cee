using Oms.Grains;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Oms.Grains.Reference;

namespace Oms.Gateway.Demo;

/// <summary>
/// A realistic demo data set: 3 markets (UK, DE, FR), 4 channels, 2 warehouses, 1 hub, 20 stores at their real
/// coordinates, 1 drop-ship vendor, 500 SKUs with stock and some inbound. Deterministic; loading it twice
/// changes nothing (the levels carry a fixed asOf).
/// </summary>
public static partial class DemoData
{
    public const int SkuCount = 500;
    public static readonly DateTimeOffset AsOf = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Categories = ["shoes", "tops", "bottoms", "outerwear", "accessories", "test-collection"];
    private static readonly string[] Adjectives = ["Classic", "Urban", "Trail", "Merino", "Linen", "Recycled", "Everyday", "Studio", "Alpine", "Coastal"];
    private static readonly Dictionary<string, string[]> Nouns = new()
    {
        ["shoes"] = ["Runner", "Loafer", "Boot", "Sneaker"],
        ["tops"] = ["Tee", "Shirt", "Hoodie", "Sweater"],
        ["bottoms"] = ["Chino", "Jean", "Short", "Jogger"],
        ["outerwear"] = ["Parka", "Blazer", "Rain Jacket", "Gilet"],
        ["accessories"] = ["Cap", "Scarf", "Belt", "Tote"],
        ["test-collection"] = ["Prototype Jacket", "Prototype Sneaker"],
    };

    public static IReadOnlyList<Location> Locations { get; } =
    [
        new("WH-UK-DAV", "Daventry DC", LocationType.Warehouse, 52.2565, -1.1629, "UK", ["dc"], 10, 5000, 24, false),
        new("WH-DE-ERF", "Erfurt DC", LocationType.Warehouse, 50.9848, 11.0299, "DE", ["dc"], 10, 5000, 24, false),
        new("HUB-FR-PAR", "Paris Gennevilliers hub", LocationType.Hub, 48.9333, 2.3000, "FR", ["hub"], 20, 2000, 12, false),
        Store("ST-UK-LON-OXF", "London Oxford Street", 51.5152, -0.1419, "UK", 1),
        Store("ST-UK-LON-STR", "London Westfield Stratford", 51.5432, -0.0061, "UK", 2),
        Store("ST-UK-MAN", "Manchester Arndale", 53.4838, -2.2390, "UK", 3),
        Store("ST-UK-BHM", "Birmingham Bullring", 52.4775, -1.8936, "UK", 3),
        Store("ST-UK-LDS", "Leeds Trinity", 53.7956, -1.5463, "UK", 4),
        Store("ST-UK-GLA", "Glasgow Buchanan Street", 55.8616, -4.2539, "UK", 4),
        Store("ST-UK-EDI", "Edinburgh Princes Street", 55.9521, -3.1965, "UK", 5),
        Store("ST-DE-BER-ALX", "Berlin Alexanderplatz", 52.5219, 13.4132, "DE", 1),
        Store("ST-DE-BER-KUD", "Berlin Kurfürstendamm", 52.5030, 13.3320, "DE", 2),
        Store("ST-DE-HAM", "Hamburg Mönckebergstraße", 53.5507, 10.0000, "DE", 3),
        Store("ST-DE-MUC", "München Marienplatz", 48.1374, 11.5755, "DE", 3),
        Store("ST-DE-FRA", "Frankfurt Zeil", 50.1147, 8.6850, "DE", 4),
        Store("ST-DE-CGN", "Köln Schildergasse", 50.9363, 6.9540, "DE", 4),
        Store("ST-DE-DUS", "Düsseldorf Königsallee", 51.2235, 6.7802, "DE", 5) with { Offline = true },
        Store("ST-FR-PAR-RIV", "Paris Rue de Rivoli", 48.8606, 2.3376, "FR", 1),
        Store("ST-FR-PAR-DEF", "Paris La Défense", 48.8918, 2.2380, "FR", 2),
        Store("ST-FR-LYS", "Lyon Part-Dieu", 45.7610, 4.8570, "FR", 3),
        Store("ST-FR-MRS", "Marseille Les Terrasses du Port", 43.3057, 5.3650, "FR", 4),
        Store("ST-FR-LIL", "Lille Euralille", 50.6371, 3.0740, "FR", 4),
        Store("ST-FR-BOD", "Bordeaux Sainte-Catherine", 44.8400, -0.5730, "FR", 5),
        new("DSV-EU-RTM", "Rotterdam drop-ship vendor", LocationType.Dsv, 51.9244, 4.4777, "EU", ["dsv"], 50, 1000, 72, false),
    ];

    public static IReadOnlyList<ChannelPolicy> Channels { get; } =
    [
        Channel("web-uk", "UK web store", "UK", [LocationType.Warehouse, LocationType.Store], [], new() { [LocationType.Store] = 1 }, [], ["test-collection"]),
        Channel("web-de", "DE web store", "DE", [LocationType.Warehouse, LocationType.Store], [], new() { [LocationType.Store] = 1 }, [], ["test-collection"]),
        // The new market: the test collection is released here only; Paris is served from the hub, the stores and the DE DC.
        Channel("web-fr", "FR web store", "FR", [LocationType.Hub, LocationType.Store], ["WH-DE-ERF"], new() { [LocationType.Store] = 1 }, [], []),
        Channel("marketplace-eu", "EU marketplace", null, [], ["WH-UK-DAV", "WH-DE-ERF", "HUB-FR-PAR", "DSV-EU-RTM"],
            new() { [LocationType.Dsv] = 2 }, [], ["test-collection"], percent: 10),
    ];

    /// <summary>
    /// Web stores: fewest splits, then nearest, stores allowed (ship-from-store). The marketplace ships from
    /// warehouses, the hub and the drop-ship vendor only, in one parcel when it can, cheapest first.
    /// </summary>
    public static IReadOnlyList<SourcingProfile> SourcingProfiles { get; } =
    [
        new("web", ["web-uk", "web-de", "web-fr"],
            [SourcingFilter.NotOffline, SourcingFilter.Capacity, SourcingFilter.PartialStock],
            [new(SourcingCriterion.FewestSplits, 4), new(SourcingCriterion.Distance, 2), new(SourcingCriterion.LocationType, 1),
             new(SourcingCriterion.Priority, 1), new(SourcingCriterion.CustomerTier, 2)],
            3, [], null, ["gold", "platinum"], true),
        new("marketplace", ["marketplace-eu"],
            [SourcingFilter.LocationType, SourcingFilter.NotOffline, SourcingFilter.Capacity, SourcingFilter.PartialStock],
            [new(SourcingCriterion.FewestSplits, 4), new(SourcingCriterion.Cost, 2), new(SourcingCriterion.LocationType, 1)],
            2, [LocationType.Warehouse, LocationType.Hub, LocationType.Dsv], null, [], false),
    ];

    /// <summary>Orders above 1,000 wait for fraud review (escalated after 15 min); 30-day returns, 5 % restocking fee.</summary>
    public static OrderPolicy OrderPolicy { get; } = new(1000m, ["cust-flagged"], 900, 1800, 7 * 24 * 3600,
        new RefundPolicy(30, 5m, ["test-collection"], 0m));

    public static void LoadDemoDataOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Oms.Demo");
            try
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                var rows = await LoadAsync(app.Services.GetRequiredService<IGrainFactory>(), app.Services.GetRequiredService<ReferenceDataCache>());
                LogLoaded(logger, Locations.Count, Channels.Count, SkuCount, rows, started.ElapsedMilliseconds);
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex);
            }
        }));
    }

    public static async Task<int> LoadAsync(IGrainFactory grains, ReferenceDataCache cache)
    {
        var catalog = grains.Ref<ICatalogGrain>(SingletonKeys.Catalog);
        foreach (var location in Locations) await catalog.PutLocationAsync(location);
        foreach (var channel in Channels) await catalog.PutChannelAsync(channel);
        foreach (var profile in SourcingProfiles) await catalog.PutSourcingProfileAsync(profile);
        await catalog.PutOrderPolicyAsync(OrderPolicy);
        await cache.RefreshAsync();

        var random = new Random(42);
        var products = new List<Product>();
        var rows = new List<FeedRow>();
        var inbound = new List<(string LocationId, string Sku, InboundLine Line)>();
        var stores = Locations.Where(l => l.Type == LocationType.Store).ToArray();
        for (var i = 1; i <= SkuCount; i++)
        {
            var category = Categories[i % 50 == 0 ? 5 : i % 5];
            var sku = $"SKU-{i:D5}";
            var name = $"{Adjectives[random.Next(Adjectives.Length)]} {Nouns[category][random.Next(Nouns[category].Length)]}";
            products.Add(new Product(sku, name, category,
                BackorderLimit: i % 10 == 0 ? 50 : 0,
                PreorderLimit: i % 25 == 0 ? 100 : 0,
                Tags: i % 3 == 0 ? ["sale"] : [],
                Barcode: $"50{i:D11}"));

            var out_ = i % 25 == 0; // pre-order SKUs: nothing on hand yet, stock inbound
            foreach (var dc in Locations.Where(l => l.Type is LocationType.Warehouse or LocationType.Hub or LocationType.Dsv))
                rows.Add(Row(rows.Count, dc.LocationId, sku, out_ ? 0 : random.Next(0, 400)));
            foreach (var store in stores.OrderBy(_ => random.Next()).Take(8))
                rows.Add(Row(rows.Count, store.LocationId, sku, out_ ? 0 : random.Next(0, 15)));
            if (out_ || i % 7 == 0)
                inbound.Add(("WH-UK-DAV", sku, new InboundLine($"PO-{i:D5}", 200, AsOf.AddDays(14 + i % 30))));
        }

        await Parallel.ForEachAsync(products, new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (p, _) => await grains.Ref<IProductGrain>(p.Sku).PutAsync(p));
        await Task.WhenAll(rows.Chunk(2_000).Select((chunk, n) => grains.Ref<IFeedBatchGrain>(n).ApplyAsync(chunk)));
        await Parallel.ForEachAsync(inbound, new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (x, _) => await grains.Ref<IInventoryGrain>(InventoryKey.For(x.LocationId, x.Sku)).SetInboundAsync(x.Line));
        return rows.Count;
    }

    private static FeedRow Row(int index, string locationId, string sku, int onHand) =>
        new(index, locationId, sku, new AbsoluteLevel(onHand, onHand > 20 ? 2 : 0, null, AsOf));

    private static Location Store(string id, string name, double lat, double lon, string region, int priority) =>
        new(id, name, LocationType.Store, lat, lon, region, ["store", region.ToLowerInvariant()], priority, 200, 4, false);

    private static ChannelPolicy Channel(
        string id, string name, string? region, LocationType[] types, string[] ids,
        Dictionary<LocationType, int> byType, string[] excludedSkus, string[] excludedCategories, int percent = 0) =>
        new(id, name, region, types, ids, [], excludedSkus, excludedCategories,
            new ChannelBuffers(byType, [], percent), ChannelPolicy.DefaultReservationTtlSeconds, ChannelPolicy.DefaultLowStockThreshold);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data loaded: {Locations} locations, {Channels} channels, {Skus} SKUs, {Rows} stock rows in {Ms} ms")]
    private static partial void LogLoaded(ILogger logger, int locations, int channels, int skus, int rows, long ms);

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo data failed to load")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
