using Oms.Grains.Webhooks;

namespace Oms.Gateway.Tests.Webhooks;

/// <summary>
/// Webhook deliveries end to end: orders placed over HTTP reach a real Kestrel receiver signed, in sequence per
/// order; a receiver that fails (500, timeouts, 429 with Retry-After, down altogether, 410) gets everything once it
/// answers again, or the deliveries are dead-lettered and replayed; the delivery log shows every attempt.
/// </summary>
[Collection(WebhookDeliveryCollection.Name)]
public sealed class WebhookDeliveryTests(WebhookDeliveryFixture fx)
{
    private static readonly string[] OrderEvents = ["order.created", "order.status_changed", "order.cancelled", "fulfilment.released"];

    private readonly string _id = Guid.NewGuid().ToString("N")[..10];

    private async Task<string> SubscribeAsync(string hook, string url, string[]? events = null)
    {
        var put = await fx.PutOk($"/v1/webhooks/{hook}", new { url, events = events ?? OrderEvents, enabled = true });
        return put.GetProperty("secret").GetString()!;
    }

    private async Task<string> PlaceAsync(string orderId, int quantity = 1)
    {
        var sku = $"WD-{_id}";
        await fx.PutOk($"/v1/products/{sku}", new { name = sku, barcode = $"BC{sku}" });
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{sku}", new { onHand = 1000, asOf = "2026-04-01T00:00:00Z" });
        var response = await fx.Http.PostAsJsonAsync("/v1/orders", new
        {
            orderId,
            channel = GatewayFixture.Channel,
            customer = new { id = "wh-customer", email = "wh@example.com" },
            lines = new[] { new { sku, quantity, unitPrice = 10m } },
            fulfilment = new { type = "ship", address = new { latitude = 51.75, longitude = -1.26, country = "GB" } },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return orderId;
    }

    private async Task CancelAsync(string orderId)
    {
        var response = await fx.Http.PostAsJsonAsync($"/v1/orders/{orderId}/cancel", new { reason = "test" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<JsonElement>> DeliveriesAsync(string hook, string? status = null) =>
        [.. (await fx.GetOk($"/v1/webhooks/{hook}/deliveries" + (status is null ? "" : $"?status={status}"))).GetProperty("deliveries").EnumerateArray()];

    private static string Subject(ReceivedWebhook r) => r.Json.GetProperty("subject").GetString()!;

    private static IEnumerable<ReceivedWebhook> Of(TestReceiver receiver, string orderId) => receiver.Requests.Where(r => Subject(r) == $"order:{orderId}");

    private static void AssertSigned(ReceivedWebhook r, string secret)
    {
        Assert.Contains(WebhookSignature.Standard(r.Id, long.Parse(r.Timestamp), r.Body, [secret]), r.Signature.Split(' '));
        Assert.Equal(WebhookSignature.Body(r.Body, secret), r.BodySignature);
        Assert.Equal(r.Id, r.Json.GetProperty("id").GetString());
        Assert.InRange(long.Parse(r.Timestamp), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Orders_events_reach_the_receiver_signed_in_sequence_and_the_same_as_the_feed()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var hook = $"wd-ok-{_id}";
        var secret = await SubscribeAsync(hook, receiver.Url);
        var orders = Enumerable.Range(0, 6).Select(i => $"ord-wd-{_id}-{i}").ToList();
        await Task.WhenAll(orders.Select(o => PlaceAsync(o)));
        await Task.WhenAll(orders.Select(CancelAsync));

        // created, released, cancelled, status changed: at least 3 per order, all with increasing sequences
        await receiver.WaitForAsync(r => orders.All(o => Of(r, o).Any(x => x.Json.GetProperty("type").GetString() == "order.cancelled")), "every order's cancellation");
        foreach (var order in orders)
        {
            var got = Of(receiver, order).ToList();
            var sequences = got.Select(r => r.Json.GetProperty("sequence").GetInt64()).ToList();
            Assert.Equal(sequences.Order(), sequences);
            Assert.Equal(sequences.Count, sequences.Distinct().Count());
            Assert.Equal(1, sequences[0]);
            Assert.All(got, r => AssertSigned(r, secret));
            Assert.All(got, r => Assert.Contains(r.Json.GetProperty("type").GetString(), OrderEvents));
        }

        // The feed lists the same events with the same payloads.
        var feed = (await fx.GetOk("/v1/events?limit=1000&types=order.cancelled")).GetProperty("events").EnumerateArray()
            .Where(e => orders.Any(o => e.GetProperty("subject").GetString() == $"order:{o}")).ToList();
        Assert.Equal(orders.Count, feed.Count);
        foreach (var e in feed)
        {
            var delivered = receiver.Requests.Single(r => r.Id == e.GetProperty("id").GetString());
            Assert.Equal(e.GetProperty("data").GetRawText(), delivered.Json.GetProperty("data").GetRawText());
        }

        var log = await DeliveriesAsync(hook, "succeeded");
        Assert.True(log.Count >= orders.Count * 3);
        Assert.All(log, d => Assert.Equal(200, d.GetProperty("attempts")[0].GetProperty("statusCode").GetInt32()));
    }

    [Fact]
    public async Task Failures_are_retried_with_every_attempt_logged_and_retry_after_is_honoured()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var hook = $"wd-retry-{_id}";
        await SubscribeAsync(hook, receiver.Url, ["order.created"]);
        // First attempt 500, second times out (the attempt limit is 1 s), third 429 with Retry-After 1, then 200.
        receiver.Answer = (_, n) => n switch
        {
            0 => new ReceiverAnswer(500),
            1 => new ReceiverAnswer(200, Delay: TimeSpan.FromSeconds(3)),
            2 => new ReceiverAnswer(429, RetryAfter: "1"),
            _ => new ReceiverAnswer(204),
        };
        var order = await PlaceAsync($"ord-wd-retry-{_id}");
        await receiver.WaitForAsync(r => r.Effects.Count == 1, "the event delivered once");

        var requests = receiver.Requests.ToList();
        Assert.Equal(4, requests.Count);
        Assert.Single(requests.Select(r => r.Id).Distinct()); // the same webhook-id on every attempt
        Assert.True(requests[3].At - requests[2].At >= TimeSpan.FromSeconds(0.9), $"Retry-After 1 s, got {requests[3].At - requests[2].At}");

        var delivery = Assert.Single(await DeliveriesAsync(hook));
        Assert.Equal("succeeded", delivery.GetProperty("status").GetString());
        var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(4, attempts.Count);
        Assert.Equal(500, attempts[0].GetProperty("statusCode").GetInt32());
        Assert.False(attempts[1].TryGetProperty("statusCode", out _));
        Assert.Contains("no answer within", attempts[1].GetProperty("error").GetString());
        Assert.InRange(attempts[1].GetProperty("durationMs").GetInt32(), 900, 2900);
        Assert.Equal(429, attempts[2].GetProperty("statusCode").GetInt32());
        Assert.Equal(204, attempts[3].GetProperty("statusCode").GetInt32());
        Assert.Equal($"order:{order}", delivery.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task A_receiver_that_is_down_gets_everything_in_order_per_order_when_it_comes_back()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var hook = $"wd-back-{_id}";
        var up = false;
        receiver.Answer = (_, _) => new ReceiverAnswer(up ? 200 : 503);
        await SubscribeAsync(hook, receiver.Url);
        var orders = Enumerable.Range(0, 8).Select(i => $"ord-wd-back-{_id}-{i}").ToList();
        await Task.WhenAll(orders.Select(o => PlaceAsync(o)));
        await receiver.WaitForAsync(r => r.Requests.Count >= 3, "failing attempts");
        up = true; // back before the schedule is spent: the first success retries every waiting lane at once

        await receiver.WaitForAsync(r => orders.All(o => Of(r, o).Count(x => r.Effects.ContainsKey(x.Id)) >= 2), "every order's events accepted");
        Assert.Empty(await DeliveriesAsync(hook, "dead"));
        foreach (var o in orders)
        {
            // What the receiver accepted, in arrival order, is the order's sequence without gaps.
            var accepted = Of(receiver, o).Where(x => x.Json.GetProperty("sequence").GetInt64() > 0).DistinctBy(x => x.Id)
                .Select(x => x.Json.GetProperty("sequence").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(1, accepted.Count).Select(i => (long)i), accepted);
        }
    }

    [Fact]
    public async Task Deliveries_that_spend_their_schedule_are_dead_letters_and_a_bulk_replay_delivers_them()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var hook = $"wd-down-{_id}";
        var up = false;
        receiver.Answer = (_, _) => new ReceiverAnswer(up ? 200 : 500);
        await SubscribeAsync(hook, receiver.Url);
        var orders = Enumerable.Range(0, 10).Select(i => $"ord-wd-down-{_id}-{i}").ToList();
        foreach (var o in orders) await PlaceAsync(o);
        foreach (var o in orders) await CancelAsync(o);
        var feed = (await fx.GetOk("/v1/events?limit=1000")).GetProperty("events").EnumerateArray()
            .Where(e => orders.Any(o => e.GetProperty("subject").GetString() == $"order:{o}") && OrderEvents.Contains(e.GetProperty("type").GetString())).ToList();

        // Down until every delivery has spent its four attempts.
        await WaitAsync(async () => (await DeliveriesAsync(hook, "dead")).Count == feed.Count, $"{feed.Count} dead letters", 60);
        var dead = await DeliveriesAsync(hook, "dead");
        Assert.All(dead, d => Assert.Equal(WebhookDeliveryFixture.Attempts, d.GetProperty("attempts").GetArrayLength()));
        Assert.All(dead, d => Assert.False(d.TryGetProperty("nextAttemptAt", out _)));
        Assert.Empty(receiver.Effects);

        up = true;
        var response = await fx.Http.PostAsync($"/v1/webhooks/{hook}/replay-dead", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(feed.Count, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("replayed").GetInt32());

        await receiver.WaitForAsync(r => r.Effects.Count == feed.Count, "every replayed dead letter accepted", 30);
        Assert.All(feed, e => Assert.Equal(1, receiver.Effects[e.GetProperty("id").GetString()!]));
        Assert.Empty(await DeliveriesAsync(hook, "dead"));
    }

    [Fact]
    public async Task A_410_disables_the_subscription_and_reenabling_it_resumes_where_it_stopped()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var hook = $"wd-gone-{_id}";
        receiver.Answer = (_, _) => new ReceiverAnswer(410);
        await SubscribeAsync(hook, receiver.Url, ["order.created"]);
        var first = await PlaceAsync($"ord-wd-gone-{_id}-1");
        await receiver.WaitForAsync(r => r.Requests.Count >= 1, "the first attempt");
        await WaitAsync(async () => !(await fx.GetOk($"/v1/webhooks/{hook}")).GetProperty("enabled").GetBoolean(), "the subscription disabled");
        var info = await fx.GetOk($"/v1/webhooks/{hook}");
        Assert.Contains("410", info.GetProperty("disabledReason").GetString());

        var second = await PlaceAsync($"ord-wd-gone-{_id}-2");
        await Task.Delay(500);
        Assert.Single(receiver.Requests); // nothing more while disabled

        receiver.Answer = (_, _) => new ReceiverAnswer(200);
        await fx.PutOk($"/v1/webhooks/{hook}", new { url = receiver.Url, events = new[] { "order.created" }, enabled = true });
        await receiver.WaitForAsync(r => r.Effects.Count == 2, "both orders' events after re-enabling");
        // Two orders are two subjects: order is kept within a subject, not across them.
        Assert.Equal([$"order:{first}", $"order:{second}"], receiver.Requests.Skip(1).Select(Subject).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_test_event_is_delivered_and_a_replay_sends_the_same_webhook_id_again()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var hook = $"wd-test-{_id}";
        var secret = await SubscribeAsync(hook, receiver.Url, ["order.created"]);
        var response = await fx.Http.PostAsync($"/v1/webhooks/{hook}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("webhook.test", queued.GetProperty("type").GetString());
        await receiver.WaitForAsync(r => r.Effects.Count == 1, "the test event");
        var got = Assert.Single(receiver.Requests);
        AssertSigned(got, secret);
        Assert.Equal(hook, got.Json.GetProperty("data").GetProperty("webhookId").GetString());

        var deliveryId = queued.GetProperty("deliveryId").GetString()!;
        var replay = await fx.Http.PostAsync($"/v1/webhooks/{hook}/deliveries/{deliveryId}/replay", null);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        // The receiver records a request before it counts its effect: wait for the effect, not the request.
        await receiver.WaitForAsync(r => r.Effects.GetValueOrDefault(got.Id) == 2, "the replay");
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(got.Id, receiver.Requests.Last().Id); // a receiver deduping by webhook-id applies it once
        // The attempt is logged after the receiver answered: the log may trail the receiver by a moment.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Assert.Single(await DeliveriesAsync(hook)).GetProperty("attempts").GetArrayLength() < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(2, Assert.Single(await DeliveriesAsync(hook)).GetProperty("attempts").GetArrayLength());
    }

    [Fact]
    public async Task Deleting_a_subscription_stops_its_deliveries_and_its_log()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var hook = $"wd-del-{_id}";
        await SubscribeAsync(hook, receiver.Url, ["order.created"]);
        await PlaceAsync($"ord-wd-del-{_id}-1");
        await receiver.WaitForAsync(r => r.Effects.Count == 1, "the first event");
        Assert.Equal(HttpStatusCode.NoContent, (await fx.Http.DeleteAsync($"/v1/webhooks/{hook}")).StatusCode);
        await PlaceAsync($"ord-wd-del-{_id}-2");
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync($"/v1/webhooks/{hook}/deliveries")).StatusCode);

        // Put again: a new subscription starts at the end of the log, without the old one's history.
        await SubscribeAsync(hook, receiver.Url, ["order.created"]);
        Assert.Empty(await DeliveriesAsync(hook));
        await Task.Delay(300);
        Assert.Single(receiver.Requests);
    }

    public static TheoryData<string, string, HttpStatusCode> BadRequests => new()
    {
        { "GET", "/v1/webhooks/wd-bad/deliveries?status=lost", HttpStatusCode.BadRequest },
        { "GET", "/v1/webhooks/wd-bad/deliveries?limit=0", HttpStatusCode.BadRequest },
        { "GET", "/v1/webhooks/wd-bad/deliveries?limit=100000", HttpStatusCode.BadRequest },
        { "GET", "/v1/webhooks/bad%20id/deliveries", HttpStatusCode.BadRequest },
        { "GET", "/v1/webhooks/wd-unknown/deliveries", HttpStatusCode.NotFound },
        { "POST", "/v1/webhooks/wd-unknown/test", HttpStatusCode.NotFound },
        { "POST", "/v1/webhooks/bad%20id/test", HttpStatusCode.BadRequest },
        { "POST", "/v1/webhooks/wd-unknown/replay-dead", HttpStatusCode.NotFound },
        { "POST", "/v1/webhooks/wd-bad/deliveries/no-such/replay", HttpStatusCode.NotFound },
        { "POST", "/v1/webhooks/wd-bad/deliveries/bad%20id/replay", HttpStatusCode.BadRequest },
        { "POST", "/v1/webhooks/wd-unknown/deliveries/0-1/replay", HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_delivery_requests_are_4xx_problems(string method, string path, HttpStatusCode expected)
    {
        await fx.PutOk("/v1/webhooks/wd-bad", new { url = "http://127.0.0.1:9/hook", events = new[] { "order.created" }, enabled = false });
        var response = await fx.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task WaitAsync(Func<Task<bool>> done, string what, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} not seen within {seconds} s");
            await Task.Delay(25);
        }
    }
}
