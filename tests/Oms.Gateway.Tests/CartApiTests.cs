namespace Oms.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class CartApiTests(GatewayFixture fx)
{
    private readonly string _sku = $"CART-{Guid.NewGuid():N}"[..20];
    private readonly string _cart = $"cart-{Guid.NewGuid():N}"[..20];

    private Task Stock(string location, int onHand) =>
        fx.PutOk($"/v1/inventory/{location}/{_sku}", new { onHand, asOf = "2026-04-01T00:00:00Z" });

    private async Task<int> Available() =>
        (await fx.GetOk($"/v1/availability/{_sku}?channel={GatewayFixture.Channel}")).GetProperty("available").GetInt32();

    [Fact]
    public async Task A_line_holds_stock_that_availability_stops_counting_at_once()
    {
        await Stock(GatewayFixture.Warehouse, 10);
        var line = await fx.PutOk($"/v1/carts/{_cart}/lines/{_sku}", new { channel = GatewayFixture.Channel, quantity = 4 });

        Assert.Equal(_cart, line.GetProperty("cartId").GetString());
        Assert.Equal(4, line.GetProperty("quantity").GetInt32());
        var reservation = line.GetProperty("reservations").EnumerateArray().Single();
        Assert.Equal(GatewayFixture.Warehouse, reservation.GetProperty("locationId").GetString());
        Assert.Equal(4, reservation.GetProperty("quantity").GetInt32());
        var expiresAt = line.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(880), TimeSpan.FromSeconds(901)); // channel default TTL 900 s

        Assert.Equal(6, await Available());
        Assert.Equal(4, (await fx.GetOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}")).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task The_same_put_twice_holds_once_lowering_releases_and_zero_releases_all()
    {
        await Stock(GatewayFixture.Warehouse, 10);
        var path = $"/v1/carts/{_cart}/lines/{_sku}";
        await fx.PutOk(path, new { channel = GatewayFixture.Channel, quantity = 5 });
        await fx.PutOk(path, new { channel = GatewayFixture.Channel, quantity = 5 });
        Assert.Equal(5, await Available());
        await fx.PutOk(path, new { channel = GatewayFixture.Channel, quantity = 2 });
        Assert.Equal(8, await Available());
        await fx.PutOk(path, new { channel = GatewayFixture.Channel, quantity = 0 });
        Assert.Equal(10, await Available());
    }

    [Fact]
    public async Task Not_enough_is_409_with_available_and_the_previous_hold_stays()
    {
        await Stock(GatewayFixture.Warehouse, 6);
        var path = $"/v1/carts/{_cart}/lines/{_sku}";
        await fx.PutOk(path, new { channel = GatewayFixture.Channel, quantity = 2 });

        var response = await fx.Http.PutAsJsonAsync(path, new { channel = GatewayFixture.Channel, quantity = 7 });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("insufficient_stock", problem.GetProperty("code").GetString());
        Assert.Equal(6, problem.GetProperty("available").GetInt32());
        var cart = await fx.GetOk($"/v1/carts/{_cart}");
        Assert.Equal(2, cart.GetProperty("lines")[0].GetProperty("quantity").GetInt32());
        Assert.Equal(4, await Available());
    }

    [Fact]
    public async Task A_pickup_line_holds_at_that_store_only()
    {
        await Stock(GatewayFixture.Warehouse, 10);
        await Stock(GatewayFixture.StoreNear, 3);
        var line = await fx.PutOk($"/v1/carts/{_cart}/lines/{_sku}", new { channel = GatewayFixture.Channel, quantity = 2, pickupLocationId = GatewayFixture.StoreNear });
        Assert.Equal(GatewayFixture.StoreNear, line.GetProperty("reservations")[0].GetProperty("locationId").GetString());

        // 3 on hand, store buffer 1: a third unit is not for sale.
        var more = await fx.Http.PutAsJsonAsync($"/v1/carts/{_cart}/lines/{_sku}", new { channel = GatewayFixture.Channel, quantity = 3, pickupLocationId = GatewayFixture.StoreNear });
        Assert.Equal(HttpStatusCode.Conflict, more.StatusCode);
    }

    [Fact]
    public async Task Delete_line_and_cart_release_and_get_extend_answer()
    {
        await Stock(GatewayFixture.Warehouse, 10);
        var other = _sku + "-2";
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{other}", new { onHand = 5, asOf = "2026-04-01T00:00:00Z" });
        var basket = await fx.Http.PutAsJsonAsync($"/v1/carts/{_cart}", new
        {
            channel = GatewayFixture.Channel,
            lines = new object[] { new { sku = _sku, quantity = 3 }, new { sku = other, quantity = 1 } },
        });
        Assert.Equal(HttpStatusCode.OK, basket.StatusCode);

        var first = await fx.GetOk($"/v1/carts/{_cart}");
        Assert.Equal(2, first.GetProperty("lines").GetArrayLength());
        var extend = new HttpRequestMessage(HttpMethod.Post, $"/v1/carts/{_cart}/extend");
        extend.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var extended = await fx.Http.SendAsync(extend);
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        Assert.True((await extended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").GetDateTimeOffset() >= first.GetProperty("expiresAt").GetDateTimeOffset());

        Assert.Equal(HttpStatusCode.NoContent, (await fx.Http.DeleteAsync($"/v1/carts/{_cart}/lines/{_sku}")).StatusCode);
        Assert.Equal(10, await Available());
        Assert.Equal(HttpStatusCode.NoContent, (await fx.Http.DeleteAsync($"/v1/carts/{_cart}")).StatusCode);
        Assert.Equal(0, (await fx.GetOk($"/v1/inventory/{GatewayFixture.Warehouse}/{other}")).GetProperty("reserved").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.PostAsync($"/v1/carts/{_cart}/extend", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync($"/v1/carts/never-{_cart}")).StatusCode);
    }

    [Fact]
    public async Task A_basket_that_cannot_be_held_whole_holds_nothing()
    {
        await Stock(GatewayFixture.Warehouse, 10);
        var response = await fx.Http.PutAsJsonAsync($"/v1/carts/{_cart}", new
        {
            channel = GatewayFixture.Channel,
            lines = new object[] { new { sku = _sku, quantity = 3 }, new { sku = _sku + "-none", quantity = 1 } },
        });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(_sku + "-none", problem.GetProperty("lines")[0].GetProperty("sku").GetString());
        Assert.Equal(10, await Available());
    }

    [Fact]
    public async Task Concurrent_carts_over_http_never_oversell()
    {
        await Stock(GatewayFixture.Warehouse, 30);
        await Stock(GatewayFixture.StoreFar, 21); // store buffer 1: 20 sellable
        var statuses = await Task.WhenAll(Enumerable.Range(0, 400).Select(async i =>
            (await fx.Http.PutAsJsonAsync($"/v1/carts/{_cart}-{i}/lines/{_sku}", new { channel = GatewayFixture.Channel, quantity = 1 })).StatusCode));
        Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(350, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(0, await Available());
        var far = await fx.GetOk($"/v1/inventory/{GatewayFixture.StoreFar}/{_sku}");
        Assert.Equal(20, far.GetProperty("reserved").GetInt32());
    }
}
