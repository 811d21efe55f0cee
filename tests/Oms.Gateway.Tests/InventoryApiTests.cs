namespace Oms.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class InventoryApiTests(GatewayFixture fx)
{
    private readonly string _sku = $"INV-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task An_absolute_level_is_applied_and_every_quantity_is_readable()
    {
        var put = await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}",
            new { onHand = 20, safetyStock = 2, unavailable = new { damaged = 3 }, asOf = "2026-02-01T10:00:00Z" });
        Assert.True(put.GetProperty("applied").GetBoolean());

        var level = await fx.GetOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}");
        Assert.Equal(20, level.GetProperty("onHand").GetInt32());
        Assert.Equal(0, level.GetProperty("reserved").GetInt32());
        Assert.Equal(0, level.GetProperty("allocated").GetInt32());
        Assert.Equal(3, level.GetProperty("unavailable").GetInt32());
        Assert.Equal(2, level.GetProperty("safetyStock").GetInt32());
        Assert.Equal(0, level.GetProperty("inbound").GetInt32());
        Assert.Equal(15, level.GetProperty("atp").GetInt32());
        Assert.Equal(1, level.GetProperty("version").GetInt64());
        Assert.Equal(DateTimeOffset.Parse("2026-02-01T10:00:00Z"), level.GetProperty("asOf").GetDateTimeOffset());
        Assert.EndsWith("Z", level.GetProperty("asOf").GetString());
    }

    [Fact]
    public async Task An_older_asOf_is_not_applied_and_changes_nothing()
    {
        var path = $"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}";
        await fx.PutOk(path, new { onHand = 10, asOf = "2026-02-01T10:00:00Z" });
        var stale = await fx.PutOk(path, new { onHand = 99, asOf = "2026-02-01T09:00:00Z" });
        Assert.False(stale.GetProperty("applied").GetBoolean());
        Assert.Equal(10, stale.GetProperty("level").GetProperty("onHand").GetInt32());
        Assert.Equal(1, (await fx.GetOk(path)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_level_dated_beyond_the_clock_skew_is_400_and_does_not_block_later_levels()
    {
        var path = $"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}";
        var future = DateTimeOffset.UtcNow.AddHours(1);
        var response = await fx.Http.PutAsJsonAsync(path, new { onHand = 500, asOf = future });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.Contains("asOf", problem.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync(path)).StatusCode);

        // Within the allowance (5 min by default) a clock a little ahead of ours is accepted, and a real later level still wins.
        var ahead = await fx.PutOk(path, new { onHand = 7, asOf = DateTimeOffset.UtcNow.AddMinutes(1) });
        Assert.True(ahead.GetProperty("applied").GetBoolean());
        var batch = await fx.PostOk("/v1/inventory/batch", new
        {
            items = new object[]
            {
                new { locationId = GatewayFixture.StoreNear, sku = _sku, onHand = 3, asOf = future },
                new { locationId = GatewayFixture.StoreFar, sku = _sku, onHand = 3, asOf = "2026-03-01T00:00:00Z" },
            },
        });
        Assert.Equal(1, batch.GetProperty("applied").GetInt32());
        var rejected = Assert.Single(batch.GetProperty("rejected").EnumerateArray());
        Assert.Equal((0, "validation_failed"), (rejected.GetProperty("index").GetInt32(), rejected.GetProperty("code").GetString()));
        Assert.Contains("asOf", rejected.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_adjustment_applies_once_per_event_id()
    {
        var body = new { locationId = GatewayFixture.Warehouse, sku = _sku, delta = 7, reason = "receipt", eventId = $"ev-{_sku}" };
        var first = await fx.PostOk("/v1/inventory/adjustments", body);
        var second = await fx.PostOk("/v1/inventory/adjustments", body);
        Assert.True(first.GetProperty("applied").GetBoolean());
        Assert.False(second.GetProperty("applied").GetBoolean());
        Assert.True(second.GetProperty("duplicate").GetBoolean());
        Assert.Equal(7, (await fx.GetOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}")).GetProperty("onHand").GetInt32());
    }

    [Fact]
    public async Task Inbound_stock_shows_with_its_eta_and_is_not_sellable()
    {
        await fx.PostOk("/v1/inventory/inbound", new { locationId = GatewayFixture.Warehouse, sku = _sku, quantity = 40, eta = "2026-12-24T00:00:00Z", reference = "PO-1" });
        await fx.PostOk("/v1/inventory/inbound", new { locationId = GatewayFixture.Warehouse, sku = _sku, quantity = 10, eta = "2026-12-20T00:00:00Z", reference = "PO-2" });
        var level = await fx.GetOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}");
        Assert.Equal(50, level.GetProperty("inbound").GetInt32());
        Assert.Equal(0, level.GetProperty("atp").GetInt32());
        Assert.Equal(DateTimeOffset.Parse("2026-12-20T00:00:00Z"), level.GetProperty("nextEta").GetDateTimeOffset());

        await fx.PutOk($"/v1/products/{_sku}", new { name = "Pre", preorderLimit = 30 });
        var availability = await fx.GetOk($"/v1/availability/{_sku}?channel={GatewayFixture.Channel}");
        Assert.Equal("preorder", availability.GetProperty("status").GetString());
        Assert.Equal(30, availability.GetProperty("preorderable").GetInt32());
        Assert.Equal(0, availability.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_batch_applies_good_rows_ignores_stale_ones_and_rejects_bad_ones_by_index()
    {
        var items = new object[]
        {
            new { locationId = GatewayFixture.Warehouse, sku = _sku, onHand = 5, asOf = "2026-03-01T00:00:00Z" },
            new { locationId = "NO-SUCH-LOC", sku = _sku, onHand = 5, asOf = "2026-03-01T00:00:00Z" },
            new { locationId = GatewayFixture.StoreNear, sku = _sku, onHand = -1, asOf = "2026-03-01T00:00:00Z" },
            new { locationId = GatewayFixture.StoreNear, sku = "bad sku!", onHand = 1, asOf = "2026-03-01T00:00:00Z" },
            new { locationId = GatewayFixture.StoreNear, sku = _sku, onHand = 4 },
            new { locationId = GatewayFixture.Warehouse, sku = _sku, onHand = 1, asOf = "2026-02-01T00:00:00Z" },
            new { locationId = GatewayFixture.StoreFar, sku = _sku, onHand = 3, asOf = "2026-03-01T00:00:00Z" },
        };
        var result = await fx.PostOk("/v1/inventory/batch", new { items });
        Assert.Equal(2, result.GetProperty("applied").GetInt32());
        Assert.Equal(1, result.GetProperty("ignored").GetInt32());
        var rejected = result.GetProperty("rejected").EnumerateArray().ToArray();
        Assert.Equal([1, 2, 3, 4], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal("not_found", rejected[0].GetProperty("code").GetString());
        Assert.All(rejected[1..], r => Assert.Equal("validation_failed", r.GetProperty("code").GetString()));
        Assert.Contains("onHand", rejected[1].GetProperty("detail").GetString());
        Assert.Equal(5, (await fx.GetOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}")).GetProperty("onHand").GetInt32());
    }

    [Fact]
    public async Task A_batch_of_100000_rows_is_accepted()
    {
        var items = Enumerable.Range(0, 100_000).Select(i => new
        {
            locationId = (i % 3) switch { 0 => GatewayFixture.Warehouse, 1 => GatewayFixture.StoreNear, _ => GatewayFixture.StoreFar },
            sku = $"{_sku}-{i / 3}",
            onHand = i % 50,
            asOf = "2026-03-01T00:00:00Z",
        }).ToArray();
        // 33,334 new SKUs, each announcing its first level on the channel (stock events are on): about 35 s alone on
        // this machine's 2 cores (bench/feed-batch), more beside the rest of the suite, so more than the fixture's 60 s.
        using var patient = fx.CreateClient();
        patient.Timeout = TimeSpan.FromMinutes(4);
        var response = await patient.PostAsJsonAsync("/v1/inventory/batch", new { items });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(100_000, result.GetProperty("applied").GetInt32());
        Assert.Empty(result.GetProperty("rejected").EnumerateArray());

        var tooMany = await patient.PostAsJsonAsync("/v1/inventory/batch", new { items = items.Append(items[0]).ToArray() });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task Inventory_of_an_unknown_location_is_404_and_an_unknown_sku_is_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync($"/v1/inventory/NOPE/{_sku}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}")).StatusCode);
        var put = await fx.Http.PutAsJsonAsync($"/v1/inventory/NOPE/{_sku}", new { onHand = 1, asOf = "2026-03-01T00:00:00Z" });
        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
    }
}
