namespace Oms.Gateway.Tests;

/// <summary>
/// Lowering a line never needs stock; new units are held only where the channel sells now. Each test has its own
/// locations and channel, so taking a store offline touches nobody else.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class CartLineChangeTests(GatewayFixture fx)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private string Store => $"st-{_id}";
    private string Warehouse => $"wh-{_id}";
    private string Channel => $"ch-{_id}";
    private string Sku => $"s-{_id}";
    private string Cart => $"c1-{_id}";

    private Task PutStore(bool offline) => fx.PutOk($"/v1/locations/{Store}", new
    {
        name = "Store", type = "store", latitude = 51.5, longitude = -0.12, region = "UK", offline,
    });

    private async Task Setup(bool withWarehouse = false)
    {
        await PutStore(offline: false);
        if (withWarehouse) await fx.PutOk($"/v1/locations/{Warehouse}", new { name = "DC", type = "warehouse", latitude = 52.2, longitude = -1.1, region = "UK" });
        await fx.PutOk($"/v1/channels/{Channel}", new { name = "ch", locationIds = withWarehouse ? new[] { Warehouse, Store } : new[] { Store } });
        await fx.PutOk($"/v1/products/{Sku}", new { name = "s" });
        await fx.PutOk($"/v1/inventory/{Store}/{Sku}", new { onHand = 10, asOf = "2026-04-01T00:00:00Z" });
    }

    private Task<HttpResponseMessage> PutLine(int quantity, string? pickup) =>
        fx.Http.PutAsJsonAsync($"/v1/carts/{Cart}/lines/{Sku}", new { channel = Channel, quantity, pickupLocationId = pickup });

    private async Task<int> Reserved(string location) =>
        (await fx.GetOk($"/v1/inventory/{location}/{Sku}")).GetProperty("reserved").GetInt32();

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task A_pickup_line_set_to_zero_releases_its_hold_and_zero_on_an_empty_line_is_a_no_op()
    {
        await Setup();
        await Ok(await PutLine(3, Store));
        Assert.Equal(3, await Reserved(Store));

        var zero = await Ok(await PutLine(0, Store));
        Assert.Equal(0, zero.GetProperty("quantity").GetInt32());
        Assert.Empty(zero.GetProperty("reservations").EnumerateArray());
        Assert.Equal(0, await Reserved(Store));

        await Ok(await PutLine(0, Store)); // the line is empty now
        await Ok(await fx.Http.PutAsJsonAsync($"/v1/carts/never-{_id}/lines/{Sku}", new { channel = Channel, quantity = 0, pickupLocationId = Store }));
        Assert.Equal(0, await Reserved(Store));
    }

    [Fact]
    public async Task A_basket_line_set_to_zero_at_a_pickup_store_releases_it()
    {
        await Setup();
        var other = Sku + "-b";
        await fx.PutOk($"/v1/inventory/{Store}/{other}", new { onHand = 5, asOf = "2026-04-01T00:00:00Z" });
        await Ok(await PutLine(3, Store));

        var basket = await Ok(await fx.Http.PutAsJsonAsync($"/v1/carts/{Cart}", new
        {
            channel = Channel,
            lines = new object[] { new { sku = Sku, quantity = 0, pickupLocationId = Store }, new { sku = other, quantity = 2, pickupLocationId = Store } },
        }));

        Assert.Equal(other, basket.GetProperty("lines").EnumerateArray().Single().GetProperty("sku").GetString());
        Assert.Equal(0, await Reserved(Store));
    }

    [Fact]
    public async Task A_pickup_line_at_a_store_gone_offline_can_be_lowered_but_not_raised()
    {
        await Setup();
        await Ok(await PutLine(3, Store));
        await PutStore(offline: true);

        var lowered = await Ok(await PutLine(1, Store));
        Assert.Equal(1, lowered.GetProperty("quantity").GetInt32());
        Assert.Equal(1, await Reserved(Store));

        var raise = await PutLine(2, Store);
        Assert.Equal(HttpStatusCode.Conflict, raise.StatusCode);
        Assert.Equal(1, await Reserved(Store));

        Assert.Equal(HttpStatusCode.NoContent, (await fx.Http.DeleteAsync($"/v1/carts/{Cart}/lines/{Sku}")).StatusCode);
        Assert.Equal(0, await Reserved(Store));
    }

    [Fact]
    public async Task Raising_a_pool_line_holds_new_units_only_where_the_channel_still_sells()
    {
        await Setup(withWarehouse: true);
        await fx.PutOk($"/v1/inventory/{Warehouse}/{Sku}", new { onHand = 2, asOf = "2026-04-01T00:00:00Z" });
        await fx.PutOk($"/v1/inventory/{Store}/{Sku}", new { onHand = 10, asOf = "2026-04-01T00:01:00Z" });
        await Ok(await PutLine(1, null));
        var first = await fx.GetOk($"/v1/carts/{Cart}");
        Assert.Equal(Store, first.GetProperty("lines")[0].GetProperty("reservations")[0].GetProperty("locationId").GetString());

        await PutStore(offline: true);
        Assert.Equal(2, (await fx.GetOk($"/v1/availability/{Sku}?channel={Channel}")).GetProperty("available").GetInt32());

        // 1 held at the offline store + 2 at the warehouse is the most this line can hold.
        var four = await PutLine(4, null);
        Assert.Equal(HttpStatusCode.Conflict, four.StatusCode);
        var problem = await four.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("insufficient_stock", problem.GetProperty("code").GetString());
        Assert.Equal(3, problem.GetProperty("available").GetInt32());
        Assert.Equal(1, await Reserved(Store));
        Assert.Equal(0, await Reserved(Warehouse));

        var three = await Ok(await PutLine(3, null));
        var held = three.GetProperty("reservations").EnumerateArray()
            .ToDictionary(r => r.GetProperty("locationId").GetString()!, r => r.GetProperty("quantity").GetInt32());
        Assert.Equal(new Dictionary<string, int> { [Store] = 1, [Warehouse] = 2 }, held);

        // Lowering releases where the channel no longer sells first.
        var two = await Ok(await PutLine(2, null));
        Assert.Equal(Warehouse, two.GetProperty("reservations").EnumerateArray().Single().GetProperty("locationId").GetString());
        Assert.Equal(0, await Reserved(Store));
        Assert.Equal(2, await Reserved(Warehouse));
    }
}
