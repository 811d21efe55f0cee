using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Oms.Cluster.Tests.Durability;

/// <summary>
/// A silo killed while orders are being allocated on the two-silo PostgreSQL cluster: every acknowledged order
/// survives, and once the provisional allocations of half-placed orders have been resolved, inventory allocates
/// exactly what the persisted orders say (nothing leaked, nothing allocated twice, nothing oversold). A webhook
/// receiver that fails every other request is subscribed throughout: it gets every event of every persisted order,
/// each accepted first in sequence order per order, and deduping by <c>webhook-id</c> leaves one effect per event.
/// </summary>
public sealed class OrderFaultTests(PostgresServer postgres, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private const string AdminKey = "order-fault-admin-key";
    private const string Channel = "orders-fault";
    private const int Orders = 400;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly string[] Locations = ["FL-0", "FL-1", "FL-2"];
    private static readonly string[] Skus = ["FS-0", "FS-1", "FS-2", "FS-3", "FS-4"];

    /// <summary>Stock events on (off by default); loopback receivers allowed; 16 attempts 100 ms to 1 s apart instead of hours.</summary>
    private static readonly Dictionary<string, string> Webhooks = new Dictionary<string, string>
    {
        ["Oms__Webhooks__AllowedHosts__0"] = "127.0.0.1",
        ["Oms__Webhooks__Timeout"] = "00:00:05",
        ["Oms__Events__Stock"] = "true",
    }.Concat(Enumerable.Range(0, 16).Select(i => KeyValuePair.Create($"Oms__Webhooks__RetrySchedule__{i}", TimeSpan.FromMilliseconds(i == 0 ? 0 : Math.Min(1000, 100 * i)).ToString("c"))))
        .ToDictionary();

    private static readonly Dictionary<string, string> Auth = new(Webhooks)
    {
        ["Oms__Auth__Keys__0__Name"] = "order-fault",
        ["Oms__Auth__Keys__0__Key"] = AdminKey,
        ["Oms__Auth__Keys__0__Scopes__0"] = "admin",
    };

    [Fact]
    public async Task A_silo_killed_mid_allocation_leaks_nothing_after_recovery()
    {
        if (!PostgresServer.Available) return; // .ci/run installs PostgreSQL
        var siloA = postgres.SiloArgs();
        var siloB = postgres.SiloArgs();
        var gatewayUrl = $"http://127.0.0.1:{RepoPaths.FreePort()}";
        using var a = TestProcess.Start(RepoPaths.Silo, siloA.Args, Webhooks);
        using var b = TestProcess.Start(RepoPaths.Silo, siloB.Args, Webhooks);
        await a.WaitReadyAsync($"{siloA.Url}/health/live", StartTimeout);
        await b.WaitReadyAsync($"{siloB.Url}/health/live", StartTimeout);
        using var gateway = TestProcess.Start(RepoPaths.Gateway, ["--cluster", "--connection", postgres.ConnectionString, "--urls", gatewayUrl], Auth);
        await gateway.WaitReadyAsync($"{gatewayUrl}/health/ready", StartTimeout);
        using var http = new HttpClient { BaseAddress = new Uri(gatewayUrl), Timeout = TimeSpan.FromSeconds(45) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);

        for (var l = 0; l < Locations.Length; l++)
            Ok(await http.PutAsJsonAsync($"/v1/locations/{Locations[l]}", new { name = Locations[l], type = "warehouse", latitude = 51.0 + l, longitude = -1.0 }));
        Ok(await http.PutAsJsonAsync($"/v1/channels/{Channel}", new { name = "fault", locationIds = Locations }));
        foreach (var location in Locations)
        {
            foreach (var sku in Skus) Ok(await http.PutAsJsonAsync($"/v1/inventory/{location}/{sku}", new { onHand = 40, asOf = "2026-06-01T00:00:00Z" }));
        }

        await using var receiver = await Gateway.Tests.Webhooks.TestReceiver.StartAsync();
        receiver.Answer = (_, n) => new Gateway.Tests.Webhooks.ReceiverAnswer(n % 2 == 0 ? 500 : 200);
        Ok(await http.PutAsJsonAsync("/v1/webhooks/fault-receiver", new { url = receiver.Url, events = new[] { "order.created", "fulfilment.released", "stock.changed", "stock.out" }, enabled = true }));
        var subscribedAt = DateTimeOffset.UtcNow; // events before it (the setup's stock levels) need not reach the receiver

        // 400 orders of 1-3 lines for 600 units, and one silo dies hard while they are being allocated.
        var acknowledged = new ConcurrentBag<string>();
        var random = new Random(7);
        var bodies = Enumerable.Range(0, Orders).Select(i => new
        {
            orderId = $"fo-{i}",
            channel = Channel,
            customer = new { id = $"fc-{i % 50}" },
            lines = Skus.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(s => new { sku = s, quantity = random.Next(1, 3), unitPrice = 1m }).ToArray(),
            fulfilment = new { type = "ship" },
        }).ToArray();
        var run = Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (body, _) =>
        {
            try
            {
                var response = await http.PostAsJsonAsync("/v1/orders", body);
                if (response.StatusCode == HttpStatusCode.Created) acknowledged.Add(body.orderId);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not acknowledged: it may have left provisional allocations, which must be resolved.
            }
        });
        await Task.Delay(500);
        a.KillHard();
        await run;
        var killed = DateTime.UtcNow;
        Assert.NotEmpty(acknowledged);

        // Every acknowledged order is there.
        foreach (var orderId in acknowledged)
        {
            var order = await Eventually(http, $"/v1/orders/{orderId}");
            Assert.Equal(HttpStatusCode.OK, order.Status);
        }

        // Inventory converges to exactly what the persisted orders allocate: provisional allocations of orders
        // that never persisted are released once their deadline passes and the order says so (30 s, and up to a
        // minute more for a reminder to bring back a grain whose silo died).
        var deadline = DateTime.UtcNow.AddSeconds(150);
        string last = "";
        while (true)
        {
            var expected = new Dictionary<(string, string), int>();
            foreach (var body in bodies)
            {
                var (status, order) = await Eventually(http, $"/v1/orders/{body.orderId}");
                if (status == HttpStatusCode.NotFound) continue;
                foreach (var f in order.GetProperty("fulfilments").EnumerateArray())
                {
                    foreach (var line in f.GetProperty("lines").EnumerateArray())
                    {
                        var key = (f.GetProperty("locationId").GetString()!, line.GetProperty("sku").GetString()!);
                        expected[key] = expected.GetValueOrDefault(key) + line.GetProperty("quantity").GetInt32();
                    }
                }
            }

            var mismatches = new List<string>();
            foreach (var location in Locations)
            {
                foreach (var sku in Skus)
                {
                    var (_, level) = await Eventually(http, $"/v1/inventory/{location}/{sku}");
                    var allocated = level.GetProperty("allocated").GetInt32();
                    Assert.True(allocated <= level.GetProperty("onHand").GetInt32(), $"oversold: {level}");
                    if (allocated != expected.GetValueOrDefault((location, sku))) mismatches.Add($"{location}/{sku}: inventory {allocated}, orders {expected.GetValueOrDefault((location, sku))}");
                }
            }

            if (mismatches.Count == 0)
            {
                output.WriteLine($"{acknowledged.Count} of {Orders} orders acknowledged, {expected.Values.Sum()} units allocated; inventory matched the orders {(DateTime.UtcNow - killed).TotalSeconds:0} s after the run");
                break;
            }

            last = string.Join("; ", mismatches);
            Assert.True(DateTime.UtcNow < deadline, $"allocations never matched the orders: {last}");
            await Task.Delay(2000);
        }

        var events = await EveryPersistedOrderHasItsEventsOnceInSequence(http, bodies.Select(b => b.orderId), acknowledged);
        events.AddRange((await StockEventsOnceSettled(http)).Where(e => e.GetProperty("at").GetDateTimeOffset() > subscribedAt));
        await TheReceiverGotEveryEventInOrderPerOrder(receiver, events);
    }

    /// <summary>
    /// The stock events the allocations caused (each SKU view announces per channel, coalesced over 500 ms), once two
    /// reads a few seconds apart find the same ones: a view whose silo died announces again on its next change.
    /// </summary>
    private async Task<List<JsonElement>> StockEventsOnceSettled(HttpClient http)
    {
        var previous = -1;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var events = await ReadFeed(http, "stock.changed,stock.out");
            if (events.Count == previous && events.Count > 0)
            {
                output.WriteLine($"{events.Count} stock events for {events.Select(e => e.GetProperty("subject").GetString()).Distinct().Count()} SKU x channel subjects");
                return events;
            }

            Assert.True(DateTime.UtcNow < deadline, $"stock events never settled ({events.Count})");
            previous = events.Count;
            await Task.Delay(3000);
        }
    }

    /// <summary>
    /// Every event of the feed reached the receiver and was accepted; per order, the first acceptances came in
    /// sequence order (a re-send after the kill repeats an event, never overtakes one); one effect per webhook-id.
    /// </summary>
    private async Task TheReceiverGotEveryEventInOrderPerOrder(Gateway.Tests.Webhooks.TestReceiver receiver, List<JsonElement> events)
    {
        var ids = events.Select(e => e.GetProperty("id").GetString()!).ToList();
        try
        {
            await receiver.WaitForAsync(r => ids.All(r.Effects.ContainsKey), $"all {ids.Count} events accepted", 150);
        }
        catch (TimeoutException)
        {
            var missing = events.Where(e => !receiver.Effects.ContainsKey(e.GetProperty("id").GetString()!)).Take(5).Select(e => e.GetRawText());
            throw new TimeoutException($"not accepted: {string.Join("; ", missing)}");
        }
        var accepted = receiver.Effects.Keys.ToHashSet();
        var firstAccepted = new List<JsonElement>();
        var seen = new HashSet<string>();
        foreach (var request in receiver.Requests)
        {
            if (request.Accepted && seen.Add(request.Id)) firstAccepted.Add(request.Json);
        }

        Assert.Equal(accepted.Count, seen.Count);
        Assert.All(ids, id => Assert.Contains(id, seen));
        foreach (var subject in firstAccepted.GroupBy(e => e.GetProperty("subject").GetString()))
        {
            var sequences = subject.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
            Assert.Equal(sequences.Order(), sequences);
        }

        var repeats = receiver.Effects.Values.Sum() - receiver.Effects.Count;
        output.WriteLine($"webhooks: {ids.Count} events accepted by a receiver failing every other request, {receiver.Requests.Count} requests, {repeats} accepted more than once (deduped by webhook-id)");
    }

    /// <summary>
    /// The event log after the kill: every persisted order (every acknowledged one among them) has order.created and a
    /// released fulfilment per fulfilment, each event once, numbered 1, 2, ... without a gap; no event of an order that
    /// was never persisted. Provisional events of orders whose write was in flight resolve within the window (5 s),
    /// or a minute later through the reminder when the log partition's silo died.
    /// </summary>
    private async Task<List<JsonElement>> EveryPersistedOrderHasItsEventsOnceInSequence(HttpClient http, IEnumerable<string> orderIds, IEnumerable<string> acknowledged)
    {
        var persisted = new Dictionary<string, int>();
        foreach (var orderId in orderIds)
        {
            var (status, order) = await Eventually(http, $"/v1/orders/{orderId}");
            if (status == HttpStatusCode.OK) persisted[orderId] = order.GetProperty("fulfilments").GetArrayLength();
        }

        Assert.All(acknowledged, o => Assert.Contains(o, persisted.Keys));
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var events = new List<JsonElement>();
        string? cursor = null;
        while (true)
        {
            var (_, page) = await Eventually(http, "/v1/events?limit=1000&types=order.created,fulfilment.released" + (cursor is null ? "" : $"&after={cursor}"));
            events.AddRange(page.GetProperty("events").EnumerateArray());
            cursor = page.GetProperty("next").GetString();
            var bySubject = events.GroupBy(e => e.GetProperty("subject").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
            var missing = persisted.Where(o => bySubject.GetValueOrDefault($"order:{o.Key}")?.Count != 1 + o.Value).Select(o => o.Key).ToList();
            if (missing.Count == 0)
            {
                Assert.Equal(events.Count, events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
                Assert.All(bySubject, s =>
                {
                    Assert.True(persisted.ContainsKey(s.Key["order:".Length..]), $"events of an order that was never persisted: {s.Key}");
                    Assert.Equal("order.created", s.Value[0].GetProperty("type").GetString());
                    Assert.Equal(Enumerable.Range(1, s.Value.Count).Select(i => (long)i), s.Value.Select(e => e.GetProperty("sequence").GetInt64()));
                });
                output.WriteLine($"{events.Count} events of {persisted.Count} persisted orders in the feed, each once, in sequence");
                return events;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{missing.Count} persisted orders lack events, e.g. {string.Join(", ", missing.Take(5))}");
            await Task.Delay(1000);
        }
    }

    /// <summary>The whole feed of <paramref name="types"/>, paged until the cursor stops moving (a filtered page may be empty yet move on).</summary>
    private static async Task<List<JsonElement>> ReadFeed(HttpClient http, string types)
    {
        var events = new List<JsonElement>();
        string? cursor = null;
        while (true)
        {
            var (_, page) = await Eventually(http, $"/v1/events?limit=1000&types={types}" + (cursor is null ? "" : $"&after={cursor}"));
            events.AddRange(page.GetProperty("events").EnumerateArray());
            var next = page.GetProperty("next").GetString();
            if (next == cursor) return events;
            cursor = next;
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Eventually(HttpClient http, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                var response = await http.GetAsync(path);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound)
                    return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
            }
            catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException) && DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} did not answer");
            await Task.Delay(500);
        }
    }

    private static void Ok(HttpResponseMessage response) => Assert.Equal(HttpStatusCode.OK, response.StatusCode);

}
