using Oms.GrainInterfaces;
using Oms.GrainInterfaces.Orders;

namespace Oms.Gateway.Tests;

/// <summary>The order flow over HTTP against the embedded gateway: capture, sourcing, store steps, returns.</summary>
[Collection(GatewayCollection.Name)]
public sealed class OrderApiTests(GatewayFixture fx)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..10];

    private string Sku(string name) => $"O-{name}-{_id}";

    private string Order(string name = "o") => $"ord-{name}-{_id}";

    private const string Wh = GatewayFixture.Warehouse;
    private const string Oxf = GatewayFixture.StoreNear;
    private const string Man = GatewayFixture.StoreFar;

    /// <summary>One policy for every test of the collection: short escalation times, a restocking fee, food not returnable.</summary>
    private Task Policy() => fx.PutOk("/v1/order-policy", new
    {
        reviewAbove = 1000,
        flaggedCustomers = new[] { "fraudster" },
        reviewEscalateAfterSeconds = 2,
        acknowledgeEscalateAfterSeconds = 2,
        returnEscalateAfterSeconds = 3600,
        refund = new { windowDays = 30, restockingFeePercent = 10, nonReturnableCategories = new[] { "food" }, damagedRefundPercent = 0 },
    });

    private async Task Product(string sku, string? category = null) =>
        await fx.PutOk($"/v1/products/{sku}", new { name = sku, category, barcode = $"BC{sku}" });

    private Task Stock(string location, string sku, int onHand) =>
        fx.PutOk($"/v1/inventory/{location}/{sku}", new { onHand, asOf = "2026-04-01T00:00:00Z" });

    private async Task<JsonElement> Level(string location, string sku) => await fx.GetOk($"/v1/inventory/{location}/{sku}");

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, object? body)
    {
        var response = await fx.Http.PostAsJsonAsync(path, body ?? new { });
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<JsonElement> Step(string fulfilmentId, string step, object? body = null)
    {
        var (status, json) = await Post($"/v1/fulfilments/{fulfilmentId}/{step}", body);
        Assert.True(status == HttpStatusCode.OK, $"{step} {fulfilmentId}: {(int)status} {json}");
        return json;
    }

    private static object ShipTo(string orderId, string customer, params (string Sku, int Qty, decimal Price)[] lines) => new
    {
        orderId,
        channel = GatewayFixture.Channel,
        customer = new { id = customer, tier = "silver", email = "c@example.com" },
        lines = lines.Select(l => new { sku = l.Sku, quantity = l.Qty, unitPrice = l.Price }).ToArray(),
        fulfilment = new { type = "ship", address = new { latitude = 51.75, longitude = -1.26, country = "GB" } },
    };

    private async Task<JsonElement> Place(object body)
    {
        var (status, json) = await Post("/v1/orders", body);
        Assert.True(status == HttpStatusCode.Created, $"place: {(int)status} {json}");
        return json;
    }

    private static JsonElement[] Fulfilments(JsonElement order) => [.. order.GetProperty("fulfilments").EnumerateArray()];

    private static string[] Events(JsonElement order) => [.. order.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("event").GetString()!)];

    [Fact]
    public async Task Whole_flow_order_pick_short_resource_ship_deliver_return_refund()
    {
        await Policy();
        var a = Sku("a");
        var b = Sku("b");
        await Product(a);
        await Product(b);
        await Stock(Wh, a, 2);
        await Stock(Oxf, a, 5);
        await Stock(Wh, b, 3);
        var orderId = Order();

        var placed = await Place(ShipTo(orderId, $"cust-{_id}", (a, 2, 20m), (b, 1, 5m)));
        Assert.Equal("sourced", placed.GetProperty("status").GetString());
        Assert.True(placed.GetProperty("estimatedDelivery").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        var f1 = Assert.Single(Fulfilments(placed)); // the warehouse has both lines: fewest splits
        Assert.Equal(Wh, f1.GetProperty("locationId").GetString());
        Assert.NotEmpty(f1.GetProperty("reasons").EnumerateArray());
        var fid = f1.GetProperty("fulfilmentId").GetString()!;
        Assert.Equal(2, (await Level(Wh, a)).GetProperty("allocated").GetInt32());

        // The warehouse works it: wrong barcode refused, one unit picked, the other is missing.
        var (badScan, problem) = await Post($"/v1/fulfilments/{fid}/pick", new { sku = a, barcode = "nope", quantity = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, badScan);
        Assert.True(problem.GetProperty("errors").TryGetProperty("barcode", out _));
        await Step(fid, "pick", new { sku = a, barcode = $"BC{a}", quantity = 1 });
        await Step(fid, "pick", new { sku = b, barcode = $"BC{b}", quantity = 1 });
        var (early, earlyProblem) = await Post($"/v1/fulfilments/{fid}/pack", null);
        Assert.Equal(HttpStatusCode.Conflict, early);
        Assert.Equal("invalid_state", earlyProblem.GetProperty("code").GetString());
        await Step(fid, "short", new { sku = a, quantity = 1, reasonCode = "not-found" });

        var whA = await Level(Wh, a);
        Assert.Equal((2, 1, 1), (whA.GetProperty("onHand").GetInt32(), whA.GetProperty("allocated").GetInt32(), whA.GetProperty("unavailable").GetInt32()));
        var order = await fx.GetOk($"/v1/orders/{orderId}");
        var resourced = Fulfilments(order).Single(f => f.GetProperty("fulfilmentId").GetString() != fid);
        Assert.Equal(Oxf, resourced.GetProperty("locationId").GetString());
        Assert.Equal(1, (await Level(Oxf, a)).GetProperty("allocated").GetInt32());
        Assert.Contains("short_picked", Events(order));
        Assert.Contains("resourced", Events(order));

        // Both parcels go out and arrive.
        var f2 = resourced.GetProperty("fulfilmentId").GetString()!;
        await Step(f2, "pick", new { sku = a, barcode = $"BC{a}", quantity = 1 });
        foreach (var f in new[] { fid, f2 })
        {
            await Step(f, "pack");
            await Step(f, "ship", new { carrier = "DPD", trackingNumber = $"TRK-{f}" });
        }

        Assert.Equal("shipped", (await fx.GetOk($"/v1/orders/{orderId}")).GetProperty("status").GetString());
        var (lateCancel, lateProblem) = await Post($"/v1/orders/{orderId}/cancel", new { reason = "too late" });
        Assert.Equal(HttpStatusCode.Conflict, lateCancel);
        Assert.Equal("invalid_state", lateProblem.GetProperty("code").GetString());
        Assert.Equal((1, 0), ((await Level(Wh, a)).GetProperty("onHand").GetInt32(), (await Level(Wh, a)).GetProperty("allocated").GetInt32()));
        Assert.Equal((4, 0), ((await Level(Oxf, a)).GetProperty("onHand").GetInt32(), (await Level(Oxf, a)).GetProperty("allocated").GetInt32()));
        foreach (var f in new[] { fid, f2 }) await Step(f, "deliver");
        Assert.Equal("delivered", (await fx.GetOk($"/v1/orders/{orderId}")).GetProperty("status").GetString());

        // Return both units of A: one comes back resellable to Oxford, one damaged.
        var (tooMany, _) = await Post($"/v1/orders/{orderId}/returns", new { lines = new[] { new { sku = a, quantity = 3, reason = "too many" } } });
        Assert.Equal(HttpStatusCode.Conflict, tooMany);
        var (created, ret) = await Post($"/v1/orders/{orderId}/returns", new { lines = new[] { new { sku = a, quantity = 2, reason = "did not fit" } } });
        Assert.Equal(HttpStatusCode.Created, created);
        var returnId = ret.GetProperty("returnId").GetString()!;
        var (received, receipt) = await Post($"/v1/returns/{returnId}/receive", new
        {
            locationId = Oxf,
            lines = new object[] { new { sku = a, quantity = 1, condition = "resellable" }, new { sku = a, quantity = 1, condition = "damaged" } },
        });
        Assert.Equal(HttpStatusCode.OK, received);
        Assert.Equal(18m, receipt.GetProperty("refundAmount").GetDecimal()); // 20 less 10 % fee; damaged refunded at 0 %
        Assert.Equal(2m, receipt.GetProperty("restockingFee").GetDecimal());
        var oxfA = await Level(Oxf, a);
        Assert.Equal((6, 1), (oxfA.GetProperty("onHand").GetInt32(), oxfA.GetProperty("unavailableByReason").GetProperty("damaged").GetInt32()));
        var (again, _) = await Post($"/v1/returns/{returnId}/receive", new { locationId = Oxf, lines = new[] { new { sku = a, quantity = 1, condition = "resellable" } } });
        Assert.Equal(HttpStatusCode.Conflict, again);

        order = await fx.GetOk($"/v1/orders/{orderId}");
        Assert.Contains("refunded", Events(order));
        Assert.Contains(order.GetProperty("notifications").EnumerateArray(), n => n.GetProperty("type").GetString() == "order.refunded");
        var timeline = order.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(timeline.Order(), timeline);
    }

    [Fact]
    public async Task Bopis_ready_gives_a_pickup_code_and_collect_needs_the_right_one()
    {
        await Policy();
        var a = Sku("p");
        await Product(a);
        await Stock(Oxf, a, 4);
        var orderId = Order("bopis");
        var placed = await Place(new
        {
            orderId,
            channel = GatewayFixture.Channel,
            customer = new { id = $"cust-{_id}" },
            lines = new[] { new { sku = a, quantity = 2, unitPrice = 3m } },
            fulfilment = new { type = "pickup", pickupLocationId = Oxf },
        });
        var fid = Fulfilments(placed).Single().GetProperty("fulfilmentId").GetString()!;
        Assert.Equal(Oxf, Fulfilments(placed).Single().GetProperty("locationId").GetString());

        var queue = await fx.GetOk($"/v1/locations/{Oxf}/fulfilments?status=released");
        Assert.Contains(queue.GetProperty("fulfilments").EnumerateArray(), f => f.GetProperty("fulfilmentId").GetString() == fid);
        var byItem = await fx.GetOk($"/v1/locations/{Oxf}/picklist?groupBy=item");
        var item = byItem.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("sku").GetString() == a);
        Assert.Equal((2, $"BC{a}"), (item.GetProperty("quantity").GetInt32(), item.GetProperty("barcode").GetString()));
        var byOrder = await fx.GetOk($"/v1/locations/{Oxf}/picklist?groupBy=order");
        Assert.Contains(byOrder.GetProperty("orders").EnumerateArray(), o => o.GetProperty("fulfilmentId").GetString() == fid);

        var (shipPickup, _) = await Post($"/v1/fulfilments/{fid}/ship", new { carrier = "X", trackingNumber = "1" });
        Assert.Equal(HttpStatusCode.Conflict, shipPickup);
        await Step(fid, "pick", new { sku = a, barcode = $"BC{a}", quantity = 2 });
        await Step(fid, "pack");
        var ready = await Step(fid, "ready");
        var code = ready.GetProperty("pickupCode").GetString()!;
        Assert.Matches("^[0-9]{6}$", code);
        Assert.Contains(code, ready.GetProperty("pickupPayload").GetString());
        Assert.Equal("ready_for_pickup", (await fx.GetOk($"/v1/orders/{orderId}")).GetProperty("status").GetString());
        Assert.Equal(2, (await Level(Oxf, a)).GetProperty("allocated").GetInt32()); // still on the shelf until handed over

        var wrong = code == "000000" ? "111111" : "000000";
        var (refused, problem) = await Post($"/v1/fulfilments/{fid}/collect", new { pickupCode = wrong });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.True(problem.GetProperty("errors").TryGetProperty("pickupCode", out _));
        Assert.Equal("ready_for_pickup", (await fx.GetOk($"/v1/orders/{orderId}")).GetProperty("status").GetString());

        await Step(fid, "collect", new { pickupCode = code });
        Assert.Equal("collected", (await fx.GetOk($"/v1/orders/{orderId}")).GetProperty("status").GetString());
        var level = await Level(Oxf, a);
        Assert.Equal((2, 0), (level.GetProperty("onHand").GetInt32(), level.GetProperty("allocated").GetInt32()));
        var (twice, _) = await Post($"/v1/fulfilments/{fid}/collect", new { pickupCode = code });
        Assert.Equal(HttpStatusCode.Conflict, twice);
    }

    [Fact]
    public async Task A_pickup_order_the_store_cannot_cover_ships_the_rest_from_the_warehouse_as_a_transfer()
    {
        await Policy();
        var a = Sku("t");
        await Product(a);
        await Stock(Oxf, a, 2); // 1 sellable after the store buffer
        await Stock(Wh, a, 10);
        var orderId = Order("sts");
        var placed = await Place(new
        {
            orderId,
            channel = GatewayFixture.Channel,
            customer = new { id = $"cust-{_id}" },
            lines = new[] { new { sku = a, quantity = 3, unitPrice = 1m } },
            fulfilment = new { type = "pickup", pickupLocationId = Oxf },
        });
        var fs = Fulfilments(placed);
        Assert.Equal(2, fs.Length);
        var transfer = fs.Single(f => f.GetProperty("locationId").GetString() == Wh);
        Assert.Equal(Oxf, transfer.GetProperty("transferTo").GetString());
        Assert.Equal(2, transfer.GetProperty("lines")[0].GetProperty("quantity").GetInt32());
        var tid = transfer.GetProperty("fulfilmentId").GetString()!;

        await Step(tid, "pick", new { sku = a, barcode = $"BC{a}", quantity = 2 });
        await Step(tid, "pack");
        await Step(tid, "ship", new { carrier = "Internal", trackingNumber = "TR-1" });
        Assert.Equal((8, 0), ((await Level(Wh, a)).GetProperty("onHand").GetInt32(), (await Level(Wh, a)).GetProperty("allocated").GetInt32()));
        var storeQueue = await fx.GetOk($"/v1/locations/{Oxf}/fulfilments");
        Assert.Contains(storeQueue.GetProperty("fulfilments").EnumerateArray(), f => f.GetProperty("fulfilmentId").GetString() == tid);
        var code = (await Step(tid, "ready")).GetProperty("pickupCode").GetString();
        await Step(tid, "collect", new { pickupCode = code });
        Assert.Equal("collected", (await fx.GetOk($"/v1/fulfilments/{tid}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Not_enough_stock_is_409_and_nothing_is_allocated_anywhere()
    {
        var a = Sku("n");
        var b = Sku("m");
        await Stock(Wh, a, 5);
        await Stock(Wh, b, 1);
        var orderId = Order("short");
        var (status, problem) = await Post("/v1/orders", ShipTo(orderId, $"cust-{_id}", (a, 2, 1m), (b, 3, 1m)));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("insufficient_stock", problem.GetProperty("code").GetString());
        Assert.Contains(problem.GetProperty("lines").EnumerateArray(), l => l.GetProperty("sku").GetString() == b);
        Assert.Equal(0, (await Level(Wh, a)).GetProperty("allocated").GetInt32());
        Assert.Equal(0, (await Level(Wh, b)).GetProperty("allocated").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync($"/v1/orders/{orderId}")).StatusCode);
    }

    [Fact]
    public async Task The_same_order_id_or_idempotency_key_twice_is_one_order()
    {
        var a = Sku("i");
        await Stock(Wh, a, 10);
        var orderId = Order("idem");
        var first = await Place(ShipTo(orderId, $"cust-{_id}", (a, 2, 1m)));
        var second = await Place(ShipTo(orderId, $"cust-{_id}", (a, 2, 1m)));
        Assert.Equal(first.GetProperty("fulfilments").ToString(), second.GetProperty("fulfilments").ToString());
        Assert.Equal(2, (await Level(Wh, a)).GetProperty("allocated").GetInt32());
        var (other, conflict) = await Post("/v1/orders", ShipTo(orderId, $"cust-{_id}", (a, 3, 1m)));
        Assert.Equal(HttpStatusCode.Conflict, other);
        Assert.Equal("conflict", conflict.GetProperty("code").GetString());

        // No orderId: the Idempotency-Key makes the retry the same order.
        var body = new
        {
            channel = GatewayFixture.Channel,
            customer = new { id = $"cust-{_id}" },
            lines = new[] { new { sku = a, quantity = 1 } },
            fulfilment = new { type = "ship" },
        };
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", $"key-{_id}");
            var response = await fx.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString()!);
        }

        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(3, (await Level(Wh, a)).GetProperty("allocated").GetInt32());
    }

    [Fact]
    public async Task An_order_from_a_cart_converts_its_holds_and_releases_the_rest()
    {
        var a = Sku("c");
        var b = Sku("d");
        await Stock(Wh, a, 5);
        await Stock(Wh, b, 5);
        var cart = $"cart-{_id}";
        await fx.PutOk($"/v1/carts/{cart}/lines/{a}", new { channel = GatewayFixture.Channel, quantity = 5 });
        await fx.PutOk($"/v1/carts/{cart}/lines/{b}", new { channel = GatewayFixture.Channel, quantity = 2 });
        Assert.Equal(0, (await fx.GetOk($"/v1/availability/{a}?channel={GatewayFixture.Channel}")).GetProperty("available").GetInt32());

        // Every unit of A is held by this cart: only its own holds make the order possible.
        var orderId = Order("cart");
        var placed = await Place(new
        {
            orderId,
            cartId = cart,
            channel = GatewayFixture.Channel,
            customer = new { id = $"cust-{_id}" },
            lines = new[] { new { sku = a, quantity = 5 }, new { sku = b, quantity = 1 } },
            fulfilment = new { type = "ship" },
        });
        Assert.Equal("sourced", placed.GetProperty("status").GetString());
        var levelA = await Level(Wh, a);
        Assert.Equal((0, 5), (levelA.GetProperty("reserved").GetInt32(), levelA.GetProperty("allocated").GetInt32()));
        var levelB = await Level(Wh, b);
        Assert.Equal((0, 1, 4), (levelB.GetProperty("reserved").GetInt32(), levelB.GetProperty("allocated").GetInt32(), levelB.GetProperty("atp").GetInt32()));
    }

    [Fact]
    public async Task A_refused_order_from_a_cart_leaves_the_carts_holds_as_they_were()
    {
        var a = Sku("ha");
        var b = Sku("hb");
        await Stock(Wh, a, 5);
        await Stock(Wh, b, 1);
        var cart = $"cart-r-{_id}";
        await fx.PutOk($"/v1/carts/{cart}/lines/{a}", new { channel = GatewayFixture.Channel, quantity = 5 });
        var (status, _) = await Post("/v1/orders", new
        {
            orderId = Order("refused"),
            cartId = cart,
            channel = GatewayFixture.Channel,
            customer = new { id = $"cust-{_id}" },
            lines = new[] { new { sku = a, quantity = 5 }, new { sku = b, quantity = 3 } },
            fulfilment = new { type = "ship" },
        });
        Assert.Equal(HttpStatusCode.Conflict, status);
        var level = await Level(Wh, a);
        Assert.Equal((5, 0), (level.GetProperty("reserved").GetInt32(), level.GetProperty("allocated").GetInt32()));
        Assert.Equal(5, (await fx.GetOk($"/v1/carts/{cart}")).GetProperty("lines")[0].GetProperty("quantity").GetInt32());
    }

    [Fact]
    public async Task Cancel_lines_then_the_rest_releases_allocations_at_once()
    {
        var a = Sku("x");
        var b = Sku("y");
        await Stock(Wh, a, 10);
        await Stock(Wh, b, 10);
        var orderId = Order("cancel");
        await Place(ShipTo(orderId, $"cust-{_id}", (a, 3, 1m), (b, 2, 1m)));
        var (partial, order) = await Post($"/v1/orders/{orderId}/cancel", new { lines = new[] { new { sku = a, quantity = 2 } }, reason = "customer changed mind" });
        Assert.Equal(HttpStatusCode.OK, partial);
        Assert.Equal("partially_cancelled", order.GetProperty("status").GetString());
        Assert.Equal(1, (await Level(Wh, a)).GetProperty("allocated").GetInt32());
        Assert.Equal(9, (await fx.GetOk($"/v1/availability/{a}?channel={GatewayFixture.Channel}")).GetProperty("available").GetInt32());
        var (tooMany, _) = await Post($"/v1/orders/{orderId}/cancel", new { lines = new[] { new { sku = a, quantity = 2 } }, reason = "again" });
        Assert.Equal(HttpStatusCode.Conflict, tooMany);

        var (all, cancelled) = await Post($"/v1/orders/{orderId}/cancel", new { reason = "fraud" });
        Assert.Equal(HttpStatusCode.OK, all);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(0, (await Level(Wh, a)).GetProperty("allocated").GetInt32());
        Assert.Equal(0, (await Level(Wh, b)).GetProperty("allocated").GetInt32());
        var (again, problem) = await Post($"/v1/orders/{orderId}/cancel", new { reason = "twice" });
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("invalid_state", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Orders_above_the_threshold_wait_for_review_escalate_and_are_approved_or_rejected()
    {
        await Policy();
        var a = Sku("f");
        await Stock(Wh, a, 10);
        var big = Order("big");
        var placed = await Place(ShipTo(big, $"cust-{_id}", (a, 2, 600m)));
        Assert.Equal("on_hold", placed.GetProperty("status").GetString());
        Assert.Contains("above the review threshold", placed.GetProperty("holdReason").GetString());
        Assert.Equal("held", Fulfilments(placed)[0].GetProperty("status").GetString());
        Assert.Equal(2, (await Level(Wh, a)).GetProperty("allocated").GetInt32()); // the stock is kept while it waits
        var (pick, _) = await Post($"/v1/fulfilments/{Fulfilments(placed)[0].GetProperty("fulfilmentId").GetString()}/pick", new { sku = a, barcode = a, quantity = 1 });
        Assert.Equal(HttpStatusCode.Conflict, pick);

        var escalated = await Eventually(async () =>
        {
            var o = await fx.GetOk($"/v1/orders/{big}");
            return o.GetProperty("escalated").GetBoolean() ? o : (JsonElement?)null;
        });
        Assert.Contains("escalated", Events(escalated));
        var (approved, order) = await Post($"/v1/orders/{big}/approve", new { note = "called the customer" });
        Assert.Equal(HttpStatusCode.OK, approved);
        Assert.Equal("sourced", order.GetProperty("status").GetString());
        var (twice, _) = await Post($"/v1/orders/{big}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, twice);

        var flagged = Order("flag");
        var held = await Place(ShipTo(flagged, "fraudster", (a, 1, 1m)));
        Assert.Equal("on_hold", held.GetProperty("status").GetString());
        var (rejected, gone) = await Post($"/v1/orders/{flagged}/reject", new { reason = "stolen card" });
        Assert.Equal(HttpStatusCode.OK, rejected);
        Assert.Equal("cancelled", gone.GetProperty("status").GetString());
        Assert.Equal(2, (await Level(Wh, a)).GetProperty("allocated").GetInt32());
    }

    [Fact]
    public async Task A_fulfilment_the_store_does_not_acknowledge_escalates()
    {
        await Policy();
        var a = Sku("e");
        await Stock(Man, a, 5);
        var orderId = Order("ack");
        var placed = await Place(ShipTo(orderId, $"cust-{_id}", (a, 1, 1m)));
        var fid = Fulfilments(placed)[0].GetProperty("fulfilmentId").GetString()!;
        var order = await Eventually(async () =>
        {
            var o = await fx.GetOk($"/v1/orders/{orderId}");
            return o.GetProperty("escalated").GetBoolean() ? o : (JsonElement?)null;
        });
        Assert.True(Fulfilments(order)[0].GetProperty("escalated").GetBoolean());
        Assert.Contains(order.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("event").GetString() == "escalated" && t.GetProperty("detail").GetString()!.Contains(fid));
        var queue = await fx.GetOk($"/v1/locations/{Man}/fulfilments");
        Assert.True(queue.GetProperty("fulfilments").EnumerateArray().Single(f => f.GetProperty("fulfilmentId").GetString() == fid).GetProperty("escalated").GetBoolean());
    }

    [Fact]
    public async Task The_call_centre_finds_a_customers_orders_newest_first()
    {
        var a = Sku("cc");
        await Stock(Wh, a, 10);
        var customer = $"cust-cc-{_id}";
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(Order($"cc{i}"));
            await Place(ShipTo(ids[^1], customer, (a, 1, 2m)));
            await Task.Delay(5);
        }

        var list = await fx.GetOk($"/v1/customers/{customer}/orders");
        Assert.Equal(ids.AsEnumerable().Reverse(), list.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("orderId").GetString()));
        Assert.All(list.GetProperty("orders").EnumerateArray(), o => Assert.Equal("sourced", o.GetProperty("status").GetString()));
        Assert.Empty((await fx.GetOk($"/v1/customers/nobody-{_id}/orders")).GetProperty("orders").EnumerateArray());
    }

    private async Task<(HttpStatusCode Status, string Body, bool Replayed)> PostWithKey(string path, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await fx.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Contains("Idempotent-Replayed"));
    }

    private static string CustomerPseudonym(string customerId) => Oms.Grains.Orders.CustomerErasure.Pseudonym(customerId);

    /// <summary>The payloads of these orders' events in the event log, read through the pull feed from the start.</summary>
    private async Task<List<string>> OrderEventsInLog(string[] orderIds)
    {
        var subjects = orderIds.Select(id => $"order:{id}").ToHashSet();
        var found = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 1000; page++)
        {
            var feed = await fx.GetOk("/v1/events?limit=1000" + (cursor is null ? "" : "&after=" + cursor));
            foreach (var e in feed.GetProperty("events").EnumerateArray())
                if (subjects.Contains(e.GetProperty("subject").GetString()!)) found.Add(e.GetProperty("data").GetRawText());
            var next = feed.TryGetProperty("next", out var n) ? n.GetString() : null;
            if (next is null || next == cursor || feed.GetProperty("events").GetArrayLength() == 0) break;
            cursor = next;
        }

        return found;
    }

    [Fact]
    public async Task Erasing_a_customer_pseudonymises_every_order_and_answers_the_same_twice()
    {
        var a = Sku("gdpr");
        await Stock(Wh, a, 10);
        var customer = $"cust-gdpr-{_id}";
        string[] ids = [Order("gdpr0"), Order("gdpr1")];
        // The first under an Idempotency-Key: the gateway keeps its answer, customer and e-mail included.
        var key = $"gdpr-key-{_id}";
        var keyed = await PostWithKey("/v1/orders", ShipTo(ids[0], customer, (a, 1, 2m)), key);
        Assert.Equal(HttpStatusCode.Created, keyed.Status);
        Assert.Contains("c@example.com", keyed.Body, StringComparison.Ordinal);
        await Place(ShipTo(ids[1], customer, (a, 1, 2m)));

        // The export holds everything, and is recorded on each order.
        var export = await fx.GetOk($"/v1/customers/{customer}/export");
        Assert.Equal(2, export.GetProperty("orders").GetArrayLength());
        Assert.Equal("c@example.com", export.GetProperty("customer").GetProperty("email").GetString());
        Assert.Contains("customer_exported", Events(await fx.GetOk($"/v1/orders/{ids[0]}")));

        var (firstStatus, first) = await Post($"/v1/customers/{customer}/erase", null);
        var (_, second) = await Post($"/v1/customers/{customer}/erase", null);
        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal(first.GetRawText(), second.GetRawText());
        Assert.Equal(2, first.GetProperty("ordersErased").GetInt32());
        foreach (var id in ids)
        {
            var text = (await fx.GetOk($"/v1/orders/{id}")).GetRawText();
            Assert.DoesNotContain("c@example.com", text, StringComparison.Ordinal);
            Assert.DoesNotContain("51.75", text, StringComparison.Ordinal);
            Assert.Single(Events(await fx.GetOk($"/v1/orders/{id}")), e => e == "customer_erased");
        }

        // The events already in the event log (what webhooks deliver and /v1/events lists) lose the e-mail too.
        var logged = await OrderEventsInLog(ids);
        Assert.NotEmpty(logged);
        Assert.All(logged, e => Assert.DoesNotContain("c@example.com", e, StringComparison.Ordinal));
        Assert.Contains(logged, e => e.Contains("erased-", StringComparison.Ordinal));

        // The kept answer is redacted too: the same key and body replay it with the pseudonym.
        var replayed = await PostWithKey("/v1/orders", ShipTo(ids[0], customer, (a, 1, 2m)), key);
        Assert.Equal(HttpStatusCode.Created, replayed.Status);
        Assert.True(replayed.Replayed, "the answer was not replayed");
        Assert.DoesNotContain("c@example.com", replayed.Body, StringComparison.Ordinal);
        Assert.Contains(CustomerPseudonym(customer), replayed.Body, StringComparison.Ordinal);

        var after = (await fx.GetOk($"/v1/customers/{customer}/export")).GetRawText();
        Assert.DoesNotContain("c@example.com", after, StringComparison.Ordinal);
        Assert.Contains("erased-", after, StringComparison.Ordinal);
        Assert.Equal(2, (await fx.GetOk($"/v1/customers/{customer}/orders")).GetProperty("orders").GetArrayLength());

        // An order placed after the erasure is the customer's new one: it keeps their data until they are erased again.
        var later = Order("gdpr2");
        await Place(ShipTo(later, customer, (a, 1, 2m)));
        Assert.Contains("c@example.com", (await fx.GetOk($"/v1/orders/{later}")).GetRawText(), StringComparison.Ordinal);
        var (_, third) = await Post($"/v1/customers/{customer}/erase", null);
        Assert.Equal(3, third.GetProperty("ordersErased").GetInt32());
        Assert.Equal(first.GetProperty("at").GetString(), third.GetProperty("at").GetString());
        Assert.DoesNotContain("c@example.com", (await fx.GetOk($"/v1/orders/{later}")).GetRawText(), StringComparison.Ordinal);
        Assert.Single(Events(await fx.GetOk($"/v1/orders/{ids[0]}")), e => e == "customer_erased");

        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync($"/v1/customers/nobody-{_id}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fx.Http.GetAsync("/v1/customers/bad%20id!/export")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("/v1/customers/bad%20id!/erase", null)).Status);
    }

    [Fact]
    public async Task Erasing_a_customer_while_their_orders_are_placed_leaves_no_order_from_before_the_erasure_with_their_data()
    {
        var a = Sku("gdprc");
        await Stock(Wh, a, 100);
        var customer = $"cust-gdprc-{_id}";
        var ids = Enumerable.Range(0, 30).Select(i => Order($"gdprc{i}")).ToArray();
        // Placed concurrently, a few milliseconds apart, with the erasure in the middle of them.
        var placing = ids.Select(async (id, i) =>
        {
            await Task.Delay(i * 4);
            await Place(ShipTo(id, customer, (a, 1, 2m)));
        }).ToList();
        await Task.Delay(50);
        var (status, erased) = await Post($"/v1/customers/{customer}/erase", null);
        Assert.Equal(HttpStatusCode.OK, status);
        await Task.WhenAll(placing);
        var at = erased.GetProperty("at").GetDateTimeOffset();

        // Every order created up to the erasure holds no personal data once the erasure reached it (an order indexed
        // after the erasure ran is erased as it arrives); orders created after it are the customer's new ones.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var orders = await Task.WhenAll(ids.Select(id => fx.GetOk($"/v1/orders/{id}")));
            var before = orders.Where(o => o.GetProperty("createdAt").GetDateTimeOffset() <= at).ToList();
            var leaking = before.Where(o => o.GetRawText().Contains("c@example.com", StringComparison.Ordinal)).Select(o => o.GetProperty("orderId").GetString()).ToList();
            if (leaking.Count == 0)
            {
                Assert.NotEmpty(before);
                Assert.All(before, o => Assert.Single(Events(o), e => e == "customer_erased"));
                Assert.All(orders.Except(before), o => Assert.DoesNotContain("customer_erased", Events(o)));
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"orders from before the erasure still hold the customer's data: {string.Join(", ", leaking)}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_sourcing_plan_explains_itself_and_changes_nothing_and_profiles_bind_to_channels()
    {
        var a = Sku("pl");
        await Stock(Wh, a, 10);
        await Stock(Oxf, a, 10);
        await Stock(Man, a, 10);
        var body = ShipTo(Order("plan"), $"cust-{_id}", (a, 2, 1m));

        var plan = await fx.PostOk("/v1/sourcing/plan", body);
        Assert.True(plan.GetProperty("complete").GetBoolean());
        var chosen = plan.GetProperty("fulfilments").EnumerateArray().Single();
        Assert.NotEmpty(chosen.GetProperty("reasons").EnumerateArray());
        var rejectedIds = plan.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("locationId").GetString()).ToHashSet();
        Assert.Equal(2, new[] { Wh, Oxf, Man }.Count(rejectedIds.Contains)); // the seeded ones not chosen (other tests may add more)
        Assert.All(plan.GetProperty("rejected").EnumerateArray(), r => Assert.NotEmpty(r.GetProperty("reasons").EnumerateArray()));
        Assert.Equal(0, (await Level(chosen.GetProperty("locationId").GetString()!, a)).GetProperty("allocated").GetInt32());

        // A profile for a second channel over the same locations: stores only, nearest first.
        var channel = $"web-prof-{_id}";
        await fx.PutOk($"/v1/channels/{channel}", new { name = "profiled", region = "UK", locationTypes = new[] { "warehouse", "store" } });
        await fx.PutOk($"/v1/sourcing/profiles/stores-{_id}", new
        {
            channels = new[] { channel },
            filters = new[] { "location_type", "not_offline", "partial_stock" },
            locationTypes = new[] { "store" },
            ranking = new[] { new { criterion = "distance", weight = 1.0 } },
            maxSplits = 1,
        });
        var storesOnly = await fx.PostOk("/v1/sourcing/plan", new
        {
            channel,
            customer = new { id = $"cust-{_id}" },
            lines = new[] { new { sku = a, quantity = 1 } },
            fulfilment = new { type = "ship", address = new { latitude = 53.48, longitude = -2.24, country = "GB" } },
        });
        Assert.Equal($"stores-{_id}", storesOnly.GetProperty("profileId").GetString());
        Assert.Equal(Man, storesOnly.GetProperty("fulfilments")[0].GetProperty("locationId").GetString());
        Assert.Contains(storesOnly.GetProperty("rejected").EnumerateArray(), r =>
            r.GetProperty("locationId").GetString() == Wh && r.GetProperty("reasons")[0].GetString()!.Contains("location type warehouse"));
    }

    [Fact]
    public async Task Returns_outside_the_policy_are_refused_and_an_exchange_places_a_linked_order()
    {
        await Policy();
        var food = Sku("food");
        var shirt = Sku("shirt");
        var bigger = Sku("shirt-l");
        await Product(food, "food");
        await Product(shirt, "apparel");
        await Product(bigger, "apparel");
        await Stock(Wh, food, 5);
        await Stock(Wh, shirt, 5);
        await Stock(Wh, bigger, 5);
        var orderId = Order("ret");
        var placed = await Place(ShipTo(orderId, $"cust-{_id}", (food, 1, 4m), (shirt, 1, 30m)));
        var (notYet, _) = await Post($"/v1/orders/{orderId}/returns", new { lines = new[] { new { sku = shirt, quantity = 1, reason = "early" } } });
        Assert.Equal(HttpStatusCode.Conflict, notYet);

        var fid = Fulfilments(placed).Single().GetProperty("fulfilmentId").GetString()!;
        await Step(fid, "pick", new { sku = food, barcode = $"BC{food}", quantity = 1 });
        await Step(fid, "pick", new { sku = shirt, barcode = $"BC{shirt}", quantity = 1 });
        await Step(fid, "pack");
        await Step(fid, "ship", new { carrier = "DPD", trackingNumber = "T" });
        // With the carrier, not yet with the customer: nothing to return yet.
        var (inTransit, transit) = await Post($"/v1/orders/{orderId}/returns", new { lines = new[] { new { sku = shirt, quantity = 1, reason = "early" } } });
        Assert.Equal(HttpStatusCode.Conflict, inTransit);
        Assert.Contains("once delivered", transit.GetProperty("detail").GetString());
        await Step(fid, "deliver");

        var (foodReturn, problem) = await Post($"/v1/orders/{orderId}/returns", new { lines = new[] { new { sku = food, quantity = 1, reason = "stale" } } });
        Assert.Equal(HttpStatusCode.Conflict, foodReturn);
        Assert.Contains("not returnable", problem.GetProperty("detail").GetString());

        var (created, exchange) = await Post($"/v1/orders/{orderId}/returns", new
        {
            lines = new[] { new { sku = shirt, quantity = 1, reason = "too small" } },
            exchange = new[] { new { sku = bigger, quantity = 1 } },
        });
        Assert.Equal(HttpStatusCode.Created, created);
        var exchangeId = exchange.GetProperty("exchangeOrderId").GetString()!;
        var linked = await fx.GetOk($"/v1/orders/{exchangeId}");
        Assert.Equal(orderId, linked.GetProperty("exchangeFor").GetString());
        Assert.Equal(1, (await Level(Wh, bigger)).GetProperty("allocated").GetInt32());
        var original = await fx.GetOk($"/v1/orders/{orderId}");
        Assert.Equal(exchangeId, original.GetProperty("returns")[0].GetProperty("exchangeOrderId").GetString());
    }

    private static async Task<JsonElement> Eventually(Func<Task<JsonElement?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 20 s");
            await Task.Delay(200);
        }
    }
}
