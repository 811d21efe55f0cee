namespace Oms.Gateway.Tests;

/// <summary>
/// Events coming in (API.md "Events out and in"): payment events release a payment hold or cancel by policy, once
/// per event id; a customer's check-in for a pickup shows on the store's queue.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class EventsInTests(GatewayFixture fx)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..10];

    private const string Oxf = GatewayFixture.StoreNear;
    private const string Wh = GatewayFixture.Warehouse;

    private async Task<string> Stocked(string name)
    {
        var sku = $"EI-{name}-{_id}";
        await fx.PutOk($"/v1/products/{sku}", new { name = sku });
        await fx.PutOk($"/v1/inventory/{Wh}/{sku}", new { onHand = 10, asOf = "2026-04-01T00:00:00Z" });
        await fx.PutOk($"/v1/inventory/{Oxf}/{sku}", new { onHand = 10, asOf = "2026-04-01T00:00:00Z" });
        return sku;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, object body)
    {
        var response = await fx.Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<JsonElement> Place(string orderId, string sku, string type = "ship")
    {
        var (status, json) = await Post("/v1/orders", new
        {
            orderId,
            channel = GatewayFixture.Channel,
            customer = new { id = $"cust-{_id}" },
            lines = new[] { new { sku, quantity = 2, unitPrice = 3m } },
            fulfilment = type == "ship"
                ? (object)new { type, address = new { latitude = 51.75, longitude = -1.26, country = "GB" } }
                : new { type, pickupLocationId = Oxf },
        });
        Assert.True(status == HttpStatusCode.Created, $"place: {(int)status} {json}");
        return json;
    }

    private static object Payment(string eventId, string status, decimal? amount = 6m) => new { eventId, status, amount, at = "2026-12-02T10:00:00Z" };

    [Fact]
    public async Task Payment_events_release_a_payment_hold_once_and_a_failed_payment_cancels()
    {
        var sku = await Stocked("pay");
        var before = await fx.GetOk("/v1/order-policy");
        await fx.PutOk("/v1/order-policy", new { reviewAbove = 100000, holdUntilPaid = true });
        JsonElement held, failing;
        try
        {
            held = await Place($"ord-pay-{_id}", sku);
            failing = await Place($"ord-payfail-{_id}", sku);
        }
        finally
        {
            await fx.PutOk("/v1/order-policy", before);
        }

        Assert.Equal("on_hold", held.GetProperty("status").GetString());
        Assert.Equal("awaiting payment authorisation", held.GetProperty("holdReason").GetString());

        var (ok, authorised) = await Post($"/v1/orders/ord-pay-{_id}/payment-events", Payment($"pay-{_id}-1", "authorised"));
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal("sourced", authorised.GetProperty("status").GetString());
        Assert.Equal("authorised", authorised.GetProperty("payment").GetString());
        Assert.Equal("released", authorised.GetProperty("fulfilments")[0].GetProperty("status").GetString());

        // The same event again (a retry of the payment service) changes nothing.
        var (again, repeated) = await Post($"/v1/orders/ord-pay-{_id}/payment-events", Payment($"pay-{_id}-1", "authorised"));
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Single(repeated.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("event").GetString() == "payment_authorised");
        var (_, captured) = await Post($"/v1/orders/ord-pay-{_id}/payment-events", Payment($"pay-{_id}-2", "captured"));
        Assert.Equal("captured", captured.GetProperty("payment").GetString());

        var (failed, cancelled) = await Post($"/v1/orders/ord-payfail-{_id}/payment-events", Payment($"pay-{_id}-3", "failed", null));
        Assert.Equal(HttpStatusCode.OK, failed);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(0, (await fx.GetOk($"/v1/inventory/{Wh}/{sku}")).GetProperty("allocated").GetInt32() - 2); // only the paid order allocates

        var (unknown, _) = await Post($"/v1/orders/ord-none-{_id}/payment-events", Payment($"pay-{_id}-4", "authorised"));
        Assert.Equal(HttpStatusCode.NotFound, unknown);
    }

    [Fact]
    public async Task A_refund_from_the_payment_service_is_a_payment_refunded_event_once_per_event_id()
    {
        var sku = await Stocked("refund");
        var orderId = $"ord-refund-{_id}";
        await Place(orderId, sku);
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await Post($"/v1/orders/{orderId}/payment-events", Payment($"refund-{_id}", "refunded", 4.5m))).Status);

        List<JsonElement> mine = [];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (mine.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            mine = [.. (await fx.ReadAll(types: "payment.refunded")).Events.Where(e => EventTestHelpers.Subject(e) == $"order:{orderId}")];
        }

        var refunded = Assert.Single(mine);
        var data = refunded.GetProperty("data");
        Assert.Equal((orderId, $"refund-{_id}", 4.5m, $"cust-{_id}"), (data.GetProperty("orderId").GetString(), data.GetProperty("paymentEventId").GetString(),
            data.GetProperty("amount").GetDecimal(), data.GetProperty("customer").GetProperty("id").GetString()));
        // After order.created and the fulfilment's release, in the order's own sequence.
        Assert.Equal(3, refunded.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task A_check_in_shows_on_the_stores_queue_and_only_pickups_take_one()
    {
        var sku = await Stocked("chk");
        var pickup = await Place($"ord-chk-{_id}", sku, "pickup");
        var fid = pickup.GetProperty("fulfilments")[0].GetProperty("fulfilmentId").GetString()!;
        var (ok, checkedIn) = await Post($"/v1/fulfilments/{fid}/check-in", new { bay = "3", note = "red car" });
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(("3", "red car"), (checkedIn.GetProperty("bay").GetString(), checkedIn.GetProperty("checkInNote").GetString()));
        Assert.True(checkedIn.TryGetProperty("checkedInAt", out _));

        var queue = await fx.GetOk($"/v1/locations/{Oxf}/fulfilments");
        var inQueue = queue.GetProperty("fulfilments").EnumerateArray().Single(f => f.GetProperty("fulfilmentId").GetString() == fid);
        Assert.Equal("3", inQueue.GetProperty("bay").GetString());

        var ship = await Place($"ord-chkship-{_id}", sku);
        var shipFid = ship.GetProperty("fulfilments")[0].GetProperty("fulfilmentId").GetString()!;
        var (notPickup, problem) = await Post($"/v1/fulfilments/{shipFid}/check-in", new { });
        Assert.Equal(HttpStatusCode.Conflict, notPickup);
        Assert.Equal("invalid_state", problem.GetProperty("code").GetString());
        var (unknown, _) = await Post($"/v1/fulfilments/ord-none-{_id}:f1/check-in", new { });
        Assert.Equal(HttpStatusCode.NotFound, unknown);
    }

    public static TheoryData<object> BadPayments => new()
    {
        new { status = "authorised", at = "2026-12-02T10:00:00Z" },
        new { eventId = "bad id!", status = "authorised", at = "2026-12-02T10:00:00Z" },
        new { eventId = "e1", status = "paid", at = "2026-12-02T10:00:00Z" },
        new { eventId = "e1", at = "2026-12-02T10:00:00Z" },
        new { eventId = "e1", status = "authorised" },
        new { eventId = "e1", status = "authorised", at = "2026-12-02T10:00:00Z", amount = -1 },
        new { eventId = "e1", status = "authorised", at = "yesterday" },
    };

    [Theory]
    [MemberData(nameof(BadPayments))]
    public async Task Bad_payment_events_are_400_and_change_nothing(object body)
    {
        var (status, _) = await Post($"/v1/orders/ord-bad-{_id}/payment-events", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Bad_check_ins_are_400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("/v1/fulfilments/bad%20id!/check-in", new { })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post($"/v1/fulfilments/o-{_id}:f1/check-in", new { bay = new string('x', 51) })).Status);
    }
}
