namespace Oms.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class AvailabilityApiTests(GatewayFixture fx)
{
    private readonly string _sku = $"AV-{Guid.NewGuid():N}"[..20];

    private Task Stock(string location, string sku, int onHand, string asOf = "2026-04-01T00:00:00Z") =>
        fx.PutOk($"/v1/inventory/{location}/{sku}", new { onHand, asOf });

    [Fact]
    public async Task Availability_sums_eligible_locations_after_buffers()
    {
        await Stock(GatewayFixture.Warehouse, _sku, 10);
        await Stock(GatewayFixture.StoreNear, _sku, 3);
        await Stock(GatewayFixture.StoreFar, _sku, 1);

        var a = await fx.GetOk($"/v1/availability/{_sku}?channel={GatewayFixture.Channel}");
        Assert.Equal(_sku, a.GetProperty("sku").GetString());
        Assert.Equal(GatewayFixture.Channel, a.GetProperty("channel").GetString());
        Assert.Equal(12, a.GetProperty("available").GetInt32()); // 10 + (3-1) + (1-1)
        Assert.Equal("in_stock", a.GetProperty("status").GetString());
        var locations = a.GetProperty("locations").EnumerateArray().ToDictionary(l => l.GetProperty("locationId").GetString()!, l => l.GetProperty("available").GetInt32());
        Assert.Equal(new Dictionary<string, int> { [GatewayFixture.Warehouse] = 10, [GatewayFixture.StoreNear] = 2 }, locations);
    }

    [Fact]
    public async Task A_write_is_visible_to_the_next_read()
    {
        await Stock(GatewayFixture.Warehouse, _sku, 10);
        Assert.Equal(10, (await fx.GetOk($"/v1/availability/{_sku}?channel={GatewayFixture.Channel}")).GetProperty("available").GetInt32());
        await fx.PostOk("/v1/inventory/adjustments", new { locationId = GatewayFixture.Warehouse, sku = _sku, delta = -7, reason = "sale", eventId = $"e-{_sku}" });
        var a = await fx.GetOk($"/v1/availability/{_sku}?channel={GatewayFixture.Channel}");
        Assert.Equal(3, a.GetProperty("available").GetInt32());
        Assert.Equal("low_stock", a.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_offline_store_contributes_nothing()
    {
        var store = $"ST-OFF-{_sku[3..10]}";
        await fx.PutOk($"/v1/locations/{store}", new { name = "Closed", type = "store", latitude = 51.5, longitude = -0.1, region = "UK", offline = true });
        await Stock(store, _sku, 50);
        await Stock(GatewayFixture.Warehouse, _sku, 4);
        Assert.Equal(4, (await fx.GetOk($"/v1/availability/{_sku}?channel={GatewayFixture.Channel}")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task An_excluded_category_is_out_of_stock_in_that_channel_only()
    {
        await fx.PutOk($"/v1/products/{_sku}", new { name = "Prototype", category = "test-collection" });
        await fx.PutOk("/v1/channels/web-excl", new { name = "Excl", region = "UK", excludedCategories = new[] { "test-collection" } });
        await Stock(GatewayFixture.Warehouse, _sku, 10);
        var excluded = await fx.GetOk($"/v1/availability/{_sku}?channel=web-excl");
        Assert.Equal(0, excluded.GetProperty("available").GetInt32());
        Assert.Equal("out_of_stock", excluded.GetProperty("status").GetString());
        Assert.Equal(10, (await fx.GetOk($"/v1/availability/{_sku}?channel={GatewayFixture.Channel}")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_basket_query_answers_every_sku()
    {
        var other = _sku + "-B";
        await Stock(GatewayFixture.Warehouse, _sku, 10);
        await Stock(GatewayFixture.Warehouse, other, 0);
        var result = await fx.PostOk("/v1/availability/query", new { channel = GatewayFixture.Channel, skus = new[] { _sku, other, _sku + "-NEVER" } });
        var items = result.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("sku").GetString()!);
        Assert.Equal(10, items[_sku].GetProperty("available").GetInt32());
        Assert.Equal("out_of_stock", items[other].GetProperty("status").GetString());
        Assert.Equal("out_of_stock", items[_sku + "-NEVER"].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Near_me_answers_locations_within_the_radius_nearest_first_with_distance()
    {
        await Stock(GatewayFixture.Warehouse, _sku, 10);
        await Stock(GatewayFixture.StoreNear, _sku, 5);
        await Stock(GatewayFixture.StoreFar, _sku, 5);

        // Piccadilly Circus, 150 km: Oxford Street (~1 km) and the DC (~100 km), not Manchester (~260 km).
        var result = await fx.PostOk("/v1/availability/query", new
        {
            channel = GatewayFixture.Channel,
            skus = new[] { _sku },
            near = new { latitude = 51.5101, longitude = -0.1340, radiusKm = 150 },
        });
        var item = result.GetProperty("items")[0];
        var locations = item.GetProperty("locations").EnumerateArray().ToArray();
        Assert.Equal([GatewayFixture.StoreNear, GatewayFixture.Warehouse], locations.Select(l => l.GetProperty("locationId").GetString()));
        Assert.InRange(locations[0].GetProperty("distanceKm").GetDouble(), 0.5, 1.5);
        Assert.InRange(locations[1].GetProperty("distanceKm").GetDouble(), 95, 110);
        Assert.Equal(14, item.GetProperty("available").GetInt32());

        var only = await fx.PostOk("/v1/availability/query", new { channel = GatewayFixture.Channel, skus = new[] { _sku }, locationIds = new[] { GatewayFixture.StoreFar } });
        Assert.Equal(4, only.GetProperty("items")[0].GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Unknown_channel_or_sku_is_404_and_a_missing_channel_is_400()
    {
        await Stock(GatewayFixture.Warehouse, _sku, 1);
        var noChannel = await fx.Http.GetAsync($"/v1/availability/{_sku}?channel=nope");
        Assert.Equal(HttpStatusCode.NotFound, noChannel.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync($"/v1/availability/{_sku}-NEVER?channel={GatewayFixture.Channel}")).StatusCode);
        var missing = await fx.Http.GetAsync($"/v1/availability/{_sku}");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("channel", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().First().Name);
    }
}
