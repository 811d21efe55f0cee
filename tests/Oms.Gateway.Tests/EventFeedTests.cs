using static Oms.Gateway.Tests.EventTestHelpers;

namespace Oms.Gateway.Tests;

/// <summary>
/// The pull feed (<c>GET /v1/events</c>) over HTTP: every change of an order produces its events, in sequence, and a
/// reader paging with <c>next</c> while orders are written concurrently sees each event exactly once.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class EventFeedTests(GatewayFixture fx)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..10];

    private static object ShipTo(string orderId, string sku, int quantity) => new
    {
        orderId,
        channel = GatewayFixture.Channel,
        customer = new { id = "feed-customer", email = "feed@example.com" },
        lines = new[] { new { sku, quantity, unitPrice = 10m } },
        fulfilment = new { type = "ship", address = new { latitude = 51.75, longitude = -1.26, country = "GB" } },
    };

    private async Task<JsonElement> Post(string path, object body)
    {
        var response = await fx.Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The order's events after <paramref name="start"/>, once at least <paramref name="atLeast"/> are there (or 10 s passed).</summary>
    private async Task<List<JsonElement>> EventsOf(string start, string orderId, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var mine = new List<JsonElement>();
        var cursor = start;
        while (true)
        {
            var (events, next) = await fx.ReadAll(cursor);
            cursor = next;
            mine.AddRange(events.Where(e => Subject(e) == $"order:{orderId}"));
            if (mine.Count >= atLeast || DateTime.UtcNow > deadline) return mine;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task An_orders_life_is_in_the_feed_in_sequence_with_payloads_a_receiver_can_act_on()
    {
        var sku = $"EV-{_id}";
        var (_, start) = await fx.ReadAll();
        await fx.Stock(sku, 5);
        var orderId = $"ord-ev-{_id}";
        var placed = await Post("/v1/orders", ShipTo(orderId, sku, 2));
        var fid = placed.GetProperty("fulfilments")[0].GetProperty("fulfilmentId").GetString()!;
        await Post($"/v1/fulfilments/{fid}/pick", new { sku, barcode = $"BC{sku}", quantity = 2 });
        await Post($"/v1/fulfilments/{fid}/pack", new { });
        await Post($"/v1/fulfilments/{fid}/ship", new { carrier = "DPD", trackingNumber = $"TRK-{_id}" });
        await Post($"/v1/fulfilments/{fid}/deliver", new { });

        var events = await EventsOf(start, orderId, 7);
        var types = events.Select(e => e.GetProperty("type").GetString()!).ToArray();
        Assert.Equal<string>(
            ["order.created", "fulfilment.released", "order.status_changed", "order.status_changed", "fulfilment.shipped", "order.status_changed", "fulfilment.delivered"],
            types);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(events.Count, events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());

        var created = events[0].GetProperty("data");
        Assert.Equal(orderId, created.GetProperty("orderId").GetString());
        Assert.Equal("feed@example.com", created.GetProperty("customer").GetProperty("email").GetString());
        Assert.Equal(20m, created.GetProperty("total").GetDecimal());
        Assert.Equal(sku, created.GetProperty("lines")[0].GetProperty("sku").GetString());
        Assert.Equal("in_fulfilment", events[2].GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("sourced", events[2].GetProperty("data").GetProperty("previousStatus").GetString());
        var shipped = events[4].GetProperty("data").GetProperty("fulfilment");
        Assert.Equal(("DPD", $"TRK-{_id}"), (shipped.GetProperty("carrier").GetString(), shipped.GetProperty("trackingNumber").GetString()));
        Assert.Equal("delivered", events[6].GetProperty("data").GetProperty("fulfilment").GetProperty("status").GetString());

        // The type filter returns only those, and a cancel of what is left shows as order.cancelled elsewhere.
        var (shippedOnly, _) = await fx.ReadAll(start, types: "fulfilment.shipped");
        Assert.Contains(shippedOnly, e => Subject(e) == $"order:{orderId}");
        Assert.All(shippedOnly, e => Assert.Equal("fulfilment.shipped", e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Cancel_and_hold_have_their_events()
    {
        var sku = $"EC-{_id}";
        var (_, start) = await fx.ReadAll();
        await fx.Stock(sku, 10);
        var orderId = $"ord-ec-{_id}";
        await Post("/v1/orders", ShipTo(orderId, sku, 3));
        await Post($"/v1/orders/{orderId}/cancel", new { lines = new[] { new { sku, quantity = 1 } }, reason = "changed mind" });
        var events = await EventsOf(start, orderId, 4);
        var cancelled = Assert.Single(events, e => e.GetProperty("type").GetString() == "order.cancelled").GetProperty("data");
        Assert.Equal((sku, 1), (cancelled.GetProperty("cancelledLines")[0].GetProperty("sku").GetString(), cancelled.GetProperty("cancelledLines")[0].GetProperty("quantity").GetInt32()));
    }

    [Fact]
    public async Task A_reader_paging_while_orders_are_written_sees_every_event_exactly_once()
    {
        var sku = $"EP-{_id}";
        await fx.Stock(sku, 1000);
        var (_, start) = await fx.ReadAll();
        var orders = Enumerable.Range(0, 40).Select(i => $"ord-ep{i}-{_id}").ToArray();
        var seen = new List<JsonElement>();
        var writing = Task.WhenAll(orders.Select(async o =>
        {
            await Post("/v1/orders", ShipTo(o, sku, 1));
            await Post($"/v1/orders/{o}/cancel", new { reason = "test" });
        }));
        var cursor = start;
        while (!writing.IsCompleted)
        {
            var (events, next) = await fx.ReadAll(cursor, limit: 37);
            seen.AddRange(events);
            cursor = next;
        }

        await writing;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && orders.Any(o => seen.Count(e => Subject(e) == $"order:{o}") < 4))
        {
            var (events, next) = await fx.ReadAll(cursor, limit: 37);
            seen.AddRange(events);
            cursor = next;
            await Task.Delay(20);
        }

        Assert.Equal(seen.Count, seen.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        foreach (var o in orders)
        {
            var mine = seen.Where(e => Subject(e) == $"order:{o}").Select(e => e.GetProperty("sequence").GetInt64()).ToArray();
            // created, released, cancelled (status changed), order.cancelled: each once, in sequence.
            Assert.Equal(Enumerable.Range(1, mine.Length).Select(i => (long)i), mine);
            Assert.True(mine.Length >= 4, $"{o}: {mine.Length} events");
        }
    }

    [Theory]
    [InlineData("after=nope")]
    [InlineData("after=1.2.3")]
    [InlineData("after=1.2.3.-4")]
    [InlineData("types=order.nope")]
    [InlineData("types=order.created,%20x")]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=abc")]
    public async Task Bad_feed_queries_are_400(string query)
    {
        var response = await fx.Http.GetAsync($"/v1/events?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
