using System.Net.Http.Headers;
using System.Text;
using Oms.Grains.Webhooks;

namespace Oms.Gateway.Tests;

/// <summary>
/// <c>POST /v1/carriers/{carrier}/tracking</c> (API.md "Events out and in"): signed per Standard Webhooks with the
/// carrier's secret, it moves a shipped fulfilment, delivers it, escalates an exception, once per event id; a late
/// event is only recorded; a bad signature, an old timestamp or an unknown carrier is 401 and changes nothing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class CarrierTrackingTests(GatewayFixture fx)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..10];
    private const string Carrier = GatewayFixture.Carrier;
    private const string Path = $"/v1/carriers/{Carrier}/tracking";

    private async Task<(string OrderId, string FulfilmentId, string TrackingNumber)> Shipped(string name)
    {
        var sku = $"CT-{name}-{_id}";
        await fx.PutOk($"/v1/products/{sku}", new { name = sku });
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{sku}", new { onHand = 10, asOf = "2026-04-01T00:00:00Z" });
        await fx.PutOk($"/v1/inventory/{GatewayFixture.StoreNear}/{sku}", new { onHand = 10, asOf = "2026-04-01T00:00:00Z" });
        var orderId = $"ord-ct-{name}-{_id}";
        var placed = await fx.Http.PostAsJsonAsync("/v1/orders", new
        {
            orderId,
            channel = GatewayFixture.Channel,
            customer = new { id = $"cust-{_id}" },
            lines = new[] { new { sku, quantity = 1, unitPrice = 3m } },
            fulfilment = new { type = "ship", address = new { latitude = 51.75, longitude = -1.26, country = "GB" } },
        });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var fid = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("fulfilments")[0].GetProperty("fulfilmentId").GetString()!;
        var number = $"TN-{name}-{_id}";
        await fx.PostOk($"/v1/fulfilments/{fid}/pick", new { sku, barcode = sku, quantity = 1 });
        await fx.PostOk($"/v1/fulfilments/{fid}/pack", new { });
        // The ship names the carrier as people write it; its webhook path is the configured id.
        await fx.PostOk($"/v1/fulfilments/{fid}/ship", new { carrier = "Test-Carrier", trackingNumber = number });
        return (orderId, fid, number);
    }

    private static string Event(string eventId, string trackingNumber, string status, string at = "2026-12-02T10:00:00Z", string? detail = null) =>
        JsonSerializer.Serialize(new { eventId, trackingNumber, status, at, detail });

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(
        string body, string? secret = GatewayFixture.CarrierSecret, string path = Path, long skewSeconds = 0, string? signature = null, string msgId = "msg_1")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + skewSeconds;
        request.Headers.Add(WebhookSignature.IdHeader, msgId);
        request.Headers.Add(WebhookSignature.TimestampHeader, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, signature ?? (secret is null ? "" : WebhookSignature.Standard(msgId, ts, body, [secret])));
        using var response = await fx.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<JsonElement> SendOk(string body, string? secret = GatewayFixture.CarrierSecret)
    {
        var (status, json) = await Send(body, secret);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {json}");
        return json;
    }

    private async Task<List<JsonElement>> FeedOf(string orderId, string type, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var (events, _) = await fx.ReadAll(types: type);
            var mine = events.Where(e => EventTestHelpers.Subject(e) == $"order:{orderId}").ToList();
            if (mine.Count >= atLeast || DateTime.UtcNow > deadline) return mine;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task In_transit_out_for_delivery_and_delivered_move_the_shipment_and_delivered_is_the_deliver_step()
    {
        var (orderId, fid, number) = await Shipped("happy");
        var transit = await SendOk(Event($"ev-{_id}-1", number, "in_transit", "2026-12-02T10:00:00Z", "Hub Northampton"));
        Assert.Equal(("shipped", "in_transit"), (transit.GetProperty("status").GetString(), transit.GetProperty("trackingStatus").GetString()));
        Assert.Equal("Hub Northampton", transit.GetProperty("lastCarrierEvent").GetProperty("detail").GetString());

        var ofd = await SendOk(Event($"ev-{_id}-2", number, "out_for_delivery", "2026-12-02T11:00:00Z"));
        Assert.Equal("out_for_delivery", ofd.GetProperty("trackingStatus").GetString());

        var delivered = await SendOk(Event($"ev-{_id}-3", number, "delivered", "2026-12-02T12:00:00Z", "Left with neighbour"));
        Assert.Equal(("delivered", "delivered"), (delivered.GetProperty("status").GetString(), delivered.GetProperty("trackingStatus").GetString()));
        Assert.Equal("2026-12-02T12:00:00Z", delivered.GetProperty("lastCarrierEvent").GetProperty("at").GetString());

        var order = await fx.GetOk($"/v1/orders/{orderId}");
        Assert.Equal("delivered", order.GetProperty("status").GetString());
        Assert.Equal("delivered", order.GetProperty("fulfilments")[0].GetProperty("trackingStatus").GetString());
        Assert.Equal("delivered", (await fx.GetOk($"/v1/fulfilments/{fid}")).GetProperty("trackingStatus").GetString());
        Assert.Single(await FeedOf(orderId, "fulfilment.delivered", 1));
        Assert.Contains(await FeedOf(orderId, "order.status_changed", 3), e => e.GetProperty("data").GetProperty("status").GetString() == "delivered");

        // A late in_transit (carrier time before the delivery) is recorded, answered 200, and moves nothing back.
        var late = await SendOk(Event($"ev-{_id}-0", number, "in_transit", "2026-12-02T09:00:00Z"));
        Assert.Equal(("delivered", "delivered"), (late.GetProperty("status").GetString(), late.GetProperty("trackingStatus").GetString()));
        var after = await fx.GetOk($"/v1/orders/{orderId}");
        Assert.Equal("delivered", after.GetProperty("status").GetString());
        Assert.Contains(after.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("event").GetString() == "carrier_event_ignored");
        Assert.Single(await FeedOf(orderId, "fulfilment.delivered", 1));
    }

    [Fact]
    public async Task An_exception_escalates_the_order_and_raises_escalation_raised()
    {
        var (orderId, _, number) = await Shipped("exc");
        var exception = await SendOk(Event($"ev-{_id}-x", number, "exception", detail: "Address not found"));
        Assert.Equal(("shipped", "exception"), (exception.GetProperty("status").GetString(), exception.GetProperty("trackingStatus").GetString()));
        var order = await fx.GetOk($"/v1/orders/{orderId}");
        Assert.True(order.GetProperty("escalated").GetBoolean());
        Assert.Contains(order.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("event").GetString() == "escalated"
            && t.GetProperty("detail").GetString()!.Contains("Address not found"));
        var raised = Assert.Single(await FeedOf(orderId, "escalation.raised", 1));
        Assert.Equal("carrier", raised.GetProperty("data").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_repeated_event_id_answers_the_same_and_changes_nothing_and_the_previous_secret_still_signs()
    {
        var (orderId, _, number) = await Shipped("rep");
        var body = Event($"ev-{_id}-r", number, "in_transit");
        var first = await SendOk(body, GatewayFixture.CarrierPreviousSecret);
        var timeline = (await fx.GetOk($"/v1/orders/{orderId}")).GetProperty("timeline").GetArrayLength();
        var again = await SendOk(body);
        Assert.Equal(first.ToString(), again.ToString());
        Assert.Equal(timeline, (await fx.GetOk($"/v1/orders/{orderId}")).GetProperty("timeline").GetArrayLength());
    }

    public static TheoryData<string, string?, string, long, string?> Unauthorized => new()
    {
        { "another secret", WebhookSecrets.NewSecret(), Path, 0, null },
        { "no signature", null, Path, 0, null },
        { "a malformed signature", null, Path, 0, "v1,not-base64!" },
        { "a timestamp 6 min old", GatewayFixture.CarrierSecret, Path, -360, null },
        { "a timestamp 6 min ahead", GatewayFixture.CarrierSecret, Path, 360, null },
        { "an unknown carrier with our secret", GatewayFixture.CarrierSecret, "/v1/carriers/other-carrier/tracking", 0, null },
        { "a carrier id that is no id", GatewayFixture.CarrierSecret, "/v1/carriers/bad%20id!/tracking", 0, null },
    };

    [Theory]
    [MemberData(nameof(Unauthorized))]
    public async Task Bad_signatures_old_timestamps_and_unknown_carriers_are_401_and_change_nothing(string why, string? secret, string path, long skew, string? signature)
    {
        var (orderId, fid, number) = await Shipped("unauth");
        var before = await fx.GetOk($"/v1/orders/{orderId}");
        var (status, problem) = await Send(Event($"ev-{_id}-u", number, "delivered"), secret, path, skew, signature);
        Assert.True(status == HttpStatusCode.Unauthorized, $"{why}: {(int)status}");
        Assert.Equal("unauthorized", problem.GetProperty("code").GetString());
        Assert.Equal(before.ToString(), (await fx.GetOk($"/v1/orders/{orderId}")).ToString());
        Assert.False((await fx.GetOk($"/v1/fulfilments/{fid}")).TryGetProperty("trackingStatus", out _));
        // The same event, signed, is still new: the refused one left no trace of its id.
        Assert.Equal("delivered", (await SendOk(Event($"ev-{_id}-u", number, "delivered"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unknown_tracking_number_is_404()
    {
        var (status, problem) = await Send(Event($"ev-{_id}-n", $"TN-none-{_id}", "in_transit"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("trackingNumber", problem.GetProperty("field").GetString());
    }

    public static TheoryData<string, string> BadInput => new()
    {
        { "not json", "{" },
        { "an array", "[]" },
        { "no eventId", """{"trackingNumber":"T","status":"in_transit","at":"2026-12-02T10:00:00Z"}""" },
        { "a bad eventId", """{"eventId":"bad id!","trackingNumber":"T","status":"in_transit","at":"2026-12-02T10:00:00Z"}""" },
        { "an eventId of 65 chars", $$"""{"eventId":"{{new string('e', 65)}}","trackingNumber":"T","status":"in_transit","at":"2026-12-02T10:00:00Z"}""" },
        { "no trackingNumber", """{"eventId":"e1","status":"in_transit","at":"2026-12-02T10:00:00Z"}""" },
        { "a blank trackingNumber", """{"eventId":"e1","trackingNumber":"  ","status":"in_transit","at":"2026-12-02T10:00:00Z"}""" },
        { "a trackingNumber of 101 chars", $$"""{"eventId":"e1","trackingNumber":"{{new string('t', 101)}}","status":"in_transit","at":"2026-12-02T10:00:00Z"}""" },
        { "no status", """{"eventId":"e1","trackingNumber":"T","at":"2026-12-02T10:00:00Z"}""" },
        { "an unknown status", """{"eventId":"e1","trackingNumber":"T","status":"lost","at":"2026-12-02T10:00:00Z"}""" },
        { "a numeric status", """{"eventId":"e1","trackingNumber":"T","status":1,"at":"2026-12-02T10:00:00Z"}""" },
        { "no at", """{"eventId":"e1","trackingNumber":"T","status":"in_transit"}""" },
        { "at without an offset", """{"eventId":"e1","trackingNumber":"T","status":"in_transit","at":"2026-12-02T10:00:00"}""" },
        { "at not a time", """{"eventId":"e1","trackingNumber":"T","status":"in_transit","at":"yesterday"}""" },
        { "at in the future", """{"eventId":"e1","trackingNumber":"T","status":"in_transit","at":"2099-01-01T00:00:00Z"}""" },
        { "detail of 1001 chars", $$"""{"eventId":"e1","trackingNumber":"T","status":"in_transit","at":"2026-12-02T10:00:00Z","detail":"{{new string('d', 1001)}}"}""" },
        { "a blank detail", """{"eventId":"e1","trackingNumber":"T","status":"in_transit","at":"2026-12-02T10:00:00Z","detail":" "}""" },
        { "a numeric eventId", """{"eventId":1,"trackingNumber":"T","status":"in_transit","at":"2026-12-02T10:00:00Z"}""" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_400_never_5xx(string why, string body)
    {
        var (status, problem) = await Send(body);
        Assert.True(status == HttpStatusCode.BadRequest, $"{why}: {(int)status} {problem}");
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_413_and_another_media_type_415()
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Send(new string(' ', 65 * 1024))).Status);
        var body = Event($"ev-{_id}-m", "T", "in_transit");
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Headers.Add(WebhookSignature.IdHeader, "msg_m");
        request.Headers.Add(WebhookSignature.TimestampHeader, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Standard("msg_m", ts, body, [GatewayFixture.CarrierSecret]));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await fx.Http.SendAsync(request)).StatusCode);
    }
}
