using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Oms.Cluster.Tests.Durability;

/// <summary>
/// A rolling upgrade: the three silos of a PostgreSQL cluster stopped gracefully (SIGTERM, as Kubernetes stops a pod)
/// and started again one at a time, each after the previous one is back and Active, while a flash sale churns cart
/// holds, orders are placed and storefronts read. Nothing acknowledged is lost, nothing is oversold, every silo stops
/// in under 10 s, and the requests that failed during the roll are counted: a failure may only be a 503 with
/// <c>Retry-After</c> (never another 5xx, never a dropped connection), and their share is reported (goal &lt; 0.1 %).
/// </summary>
public sealed class RollingUpgradeTests(PostgresServer postgres, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private const string AdminKey = "rolling-admin-key";
    private const string SaleChannel = "roll-sale";
    private const string OrderChannel = "roll-orders";
    private const string SaleSku = "ROLL-FLASH";
    private const int SaleUnitsPerLocation = 150;
    private const int SaleWorkers = 24;
    private const int CartsPerWorker = 20;
    private const int OrderWorkers = 8;
    private const int ReadWorkers = 4;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan GracefulStopLimit = TimeSpan.FromSeconds(10);
    private static readonly string[] Locations = ["RL-0", "RL-1", "RL-2"];
    private static readonly string[] SaleLocations = ["RL-0", "RL-1"];
    private static readonly string[] OrderSkus = ["ROLL-0", "ROLL-1", "ROLL-2", "ROLL-3"];

    private static readonly Dictionary<string, string> Auth = new()
    {
        ["Oms__Auth__Keys__0__Name"] = "rolling",
        ["Oms__Auth__Keys__0__Key"] = AdminKey,
        ["Oms__Auth__Keys__0__Scopes__0"] = "admin",
        ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
    };

    /// <summary>The silo's own stop steps (Orleans.Hosting at Information, as in its appsettings) in its log.</summary>
    private static readonly Dictionary<string, string> SiloLogging = new() { ["Logging__LogLevel__Orleans.Hosting"] = "Information", ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information", ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ", ["Logging__LogLevel__Orleans.Runtime.SiloLifecycleSubject"] = "Debug" };

    private readonly Tally _tally = new();

    [Fact]
    public async Task Three_silos_restarted_one_at_a_time_during_a_sale_lose_nothing_oversell_nothing_and_fail_only_with_503()
    {
        if (!PostgresServer.Available) return; // .ci/run installs PostgreSQL
        var silos = Enumerable.Range(0, 3).Select(_ => postgres.SiloArgs()).ToArray();
        var running = silos.Select(s => TestProcess.Start(RepoPaths.Silo, s.Args, SiloLogging)).ToArray();
        var gatewayUrl = $"http://127.0.0.1:{RepoPaths.FreePort()}";
        TestProcess? gateway = null;
        var passed = false;
        try
        {
            for (var i = 0; i < silos.Length; i++) await running[i].WaitReadyAsync($"{silos[i].Url}/health/ready", StartTimeout);
            gateway = TestProcess.Start(RepoPaths.Gateway, ["--cluster", "--connection", postgres.ConnectionString, "--urls", gatewayUrl], Auth);
            await gateway.WaitReadyAsync($"{gatewayUrl}/health/ready", StartTimeout);
            using var http = new HttpClient { BaseAddress = new Uri(gatewayUrl), Timeout = TimeSpan.FromSeconds(45) };
            http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
            await SetUpAsync(http);

            // The load runs from before the first stop until after the last silo is back.
            using var stop = new CancellationTokenSource();
            var carts = new ConcurrentDictionary<string, CartLine>();
            var orders = new ConcurrentDictionary<string, PlacedOrder>();
            var load = Task.WhenAll(
                Enumerable.Range(0, SaleWorkers).Select(w => Task.Run(() => ShopAsync(http, w, carts, stop.Token)))
                    .Concat(Enumerable.Range(0, OrderWorkers).Select(w => Task.Run(() => OrderAsync(http, w, orders, stop.Token))))
                    .Concat(Enumerable.Range(0, ReadWorkers).Select(w => Task.Run(() => ReadAsync(http, w, stop.Token)))));

            await Task.Delay(TimeSpan.FromSeconds(5));
            var rollStarted = Stopwatch.GetTimestamp();
            for (var i = 0; i < silos.Length; i++)
            {
                var stopped = running[i].StopGracefully(TimeSpan.FromSeconds(60));
                var stoppedLog = running[i].Log;
                if (stopped >= GracefulStopLimit) running[i].WriteLog(Path.Combine(Path.GetTempPath(), $"oms-rolling-silo{i}-stopped.log"));
                running[i].Dispose();
                var restart = Stopwatch.GetTimestamp();
                running[i] = TestProcess.Start(RepoPaths.Silo, silos[i].Args, SiloLogging);
                await running[i].WaitReadyAsync($"{silos[i].Url}/health/ready", StartTimeout);
                output.WriteLine($"silo {i}: graceful stop {stopped.TotalSeconds:0.0} s, back and Active {Stopwatch.GetElapsedTime(restart).TotalSeconds:0.0} s later");
                Assert.True(stopped < GracefulStopLimit, $"silo {i} took {stopped.TotalSeconds:0.0} s to stop gracefully; its log:\n{stoppedLog}");
                await Task.Delay(TimeSpan.FromSeconds(3)); // as a rollout waits before the next pod (minReadySeconds)
            }

            var rolled = Stopwatch.GetElapsedTime(rollStarted);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await stop.CancelAsync();
            await load;

            output.WriteLine($"roll of 3 silos: {rolled.TotalSeconds:0} s; {_tally}");
            Assert.True(_tally.Count("ok") > 1000, _tally.ToString());
            Assert.True(_tally.Unexpected == 0, $"failed other than with 503 + Retry-After: {_tally}\ngateway log:\n{gateway.Log}");
            // The goal is < 0.1 %, met in about half of the runs here (0–0.34 %, once 1.16 %: README "Rolling upgrades");
            // the bound catches a regression without failing on this 2-core machine's spread.
            Assert.True(_tally.FailedShare < 0.02, $"more than 2 % failed: {_tally}");

            await NothingAcknowledgedIsLostAsync(http, carts, orders);
            await ReplayTheUndecidedAsync(http, carts, orders);
            await InventoryMatchesCartsAndOrdersAsync(http, carts, orders);
            passed = true;
        }
        finally
        {
            // On a failure, every process's whole log (the last 80 lines rarely explain a stall) in the temp directory.
            if (!passed)
            {
                gateway?.WriteLog(Path.Combine(Path.GetTempPath(), "oms-rolling-gateway.log"));
                for (var i = 0; i < running.Length; i++) running[i].WriteLog(Path.Combine(Path.GetTempPath(), $"oms-rolling-silo{i}-after.log"));
            }

            gateway?.Dispose();
            foreach (var silo in running) silo.Dispose();
        }
    }

    [Fact]
    public async Task The_embedded_process_stops_gracefully_within_10_s_with_a_live_stream_open_and_keeps_its_writes()
    {
        var dir = Path.Combine(Path.GetTempPath(), "oms-stop-" + Guid.NewGuid().ToString("N")[..8]);
        var url = $"http://127.0.0.1:{RepoPaths.FreePort()}";
        var args = new[] { "--data", Path.Combine(dir, "oms.db"), "--urls", url, "--silo-port", RepoPaths.FreePort().ToString(), "--gateway-port", RepoPaths.FreePort().ToString() };
        try
        {
            using (var first = TestProcess.Start(RepoPaths.Gateway, args))
            {
                await first.WaitReadyAsync($"{url}/health/ready", StartTimeout);
                using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
                Ok(await http.PutAsJsonAsync("/v1/locations/ES-0", new { name = "es", type = "warehouse", latitude = 51.5, longitude = 0.0 }));
                Ok(await http.PutAsJsonAsync("/v1/channels/es-web", new { name = "web", locationIds = new[] { "ES-0" } }));
                Ok(await http.PutAsJsonAsync("/v1/inventory/ES-0/ES-SKU", new { onHand = 10, asOf = "2026-06-01T00:00:00Z" }));

                // A storefront subscriber with its stream open, and a hold acknowledged just before the stop.
                using var stream = await http.GetAsync("/v1/availability/stream?channel=es-web&skus=ES-SKU", HttpCompletionOption.ResponseHeadersRead);
                using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
                while (await reader.ReadLineAsync() is { } line && line != "event: ready")
                {
                }

                Ok(await http.PutAsJsonAsync("/v1/carts/es-cart/lines/ES-SKU", new { channel = "es-web", quantity = 3 }));
                // Before the stream ended at the stop, the open stream held it for the host's 30 s shutdown timeout.
                var stopped = first.StopGracefully(TimeSpan.FromSeconds(60));
                output.WriteLine($"embedded process: graceful stop {stopped.TotalSeconds:0.0} s with a stream open");
                Assert.True(stopped < GracefulStopLimit, $"the embedded process took {stopped.TotalSeconds:0.0} s to stop:\n{first.Log}");
            }

            using var second = TestProcess.Start(RepoPaths.Gateway, args);
            await second.WaitReadyAsync($"{url}/health/ready", StartTimeout);
            using var again = new HttpClient { BaseAddress = new Uri(url) };
            Assert.Equal(3, await HeldAsync(again, "es-cart", "ES-SKU"));
            Assert.Equal(3, (await again.GetFromJsonAsync<JsonElement>("/v1/inventory/ES-0/ES-SKU")).GetProperty("reserved").GetInt32());
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task SetUpAsync(HttpClient http)
    {
        for (var l = 0; l < Locations.Length; l++)
            Ok(await http.PutAsJsonAsync($"/v1/locations/{Locations[l]}", new { name = Locations[l], type = "warehouse", latitude = 52.0 + l, longitude = -1.5 }));
        // Holds outlive the test: every acknowledged hold must still be there at the end.
        Ok(await http.PutAsJsonAsync($"/v1/channels/{SaleChannel}", new { name = "sale", locationIds = SaleLocations, reservationTtlSeconds = 3600 }));
        Ok(await http.PutAsJsonAsync($"/v1/channels/{OrderChannel}", new { name = "orders", locationIds = Locations }));
        foreach (var location in SaleLocations)
            Ok(await http.PutAsJsonAsync($"/v1/inventory/{location}/{SaleSku}", new { onHand = SaleUnitsPerLocation, asOf = "2026-06-01T00:00:00Z" }));
        foreach (var location in Locations)
            foreach (var sku in OrderSkus)
                Ok(await http.PutAsJsonAsync($"/v1/inventory/{location}/{sku}", new { onHand = 5000, asOf = "2026-06-01T00:00:00Z" }));
    }

    /// <summary>
    /// What a cart line is known to hold: the quantity of its last acknowledged PUT (a refused one changes nothing), and
    /// the desired quantity of a later PUT that failed, whose effect is not known until it is replayed.
    /// </summary>
    private sealed record CartLine(int Acknowledged, int? Undecided);

    /// <summary>An order placed: its body, and whether the POST was acknowledged (201) or failed undecided.</summary>
    private sealed record PlacedOrder(object Body, bool Acknowledged);

    /// <summary>A shopper sets the quantity of its 20 carts' lines to 0, 1 or 2 in turn: holds taken and released, 800 carts for 300 units.</summary>
    private async Task ShopAsync(HttpClient http, int worker, ConcurrentDictionary<string, CartLine> carts, CancellationToken stop)
    {
        var random = new Random(worker);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var cartId = $"rc-{worker}-{n % CartsPerWorker}";
            var quantity = random.Next(0, 3);
            var outcome = await SendAsync(() => http.PutAsJsonAsync($"/v1/carts/{cartId}/lines/{SaleSku}", new { channel = SaleChannel, quantity }));
            var known = carts.GetValueOrDefault(cartId, new CartLine(0, null));
            carts[cartId] = outcome switch
            {
                Outcome.Ok => new CartLine(quantity, null),
                Outcome.Refused => known,
                _ => known with { Undecided = quantity },
            };
        }
    }

    private async Task OrderAsync(HttpClient http, int worker, ConcurrentDictionary<string, PlacedOrder> orders, CancellationToken stop)
    {
        var random = new Random(1000 + worker);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var orderId = $"ro-{worker}-{n}";
            var body = new
            {
                orderId,
                channel = OrderChannel,
                customer = new { id = $"rcust-{worker}" },
                lines = OrderSkus.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).Select(s => new { sku = s, quantity = random.Next(1, 3), unitPrice = 2m }).ToArray(),
                fulfilment = new { type = "ship" },
            };
            var outcome = await SendAsync(() => http.PostAsJsonAsync("/v1/orders", body), created: true);
            if (outcome != Outcome.Refused) orders[orderId] = new PlacedOrder(body, outcome == Outcome.Ok);
        }
    }

    private async Task ReadAsync(HttpClient http, int worker, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var path = n % 2 == 0 ? $"/v1/availability/{SaleSku}?channel={SaleChannel}" : $"/v1/availability/{OrderSkus[(worker + n) % OrderSkus.Length]}?channel={OrderChannel}";
            await SendAsync(() => http.GetAsync(path));
        }
    }

    private enum Outcome
    {
        Ok,
        Refused,
        Failed,
    }

    /// <summary>Sends one request and counts its answer; 409 <c>insufficient_stock</c> is a business answer, not a failure.</summary>
    private async Task<Outcome> SendAsync(Func<Task<HttpResponseMessage>> send, bool created = false)
    {
        try
        {
            using var response = await send();
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300 && (!created || response.StatusCode == HttpStatusCode.Created))
            {
                _tally.Add("ok");
                return Outcome.Ok;
            }

            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Conflict && body.Contains("\"insufficient_stock\"", StringComparison.Ordinal))
            {
                _tally.Add("409 insufficient_stock");
                return Outcome.Refused;
            }

            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
            {
                _tally.Add("503 Retry-After");
                return Outcome.Failed;
            }

            _tally.Add($"{status} {Code(body)}", unexpected: true);
            return Outcome.Failed;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            _tally.Add(ex.GetType().Name, unexpected: true);
            return Outcome.Failed;
        }
    }

    /// <summary>Every acknowledged order is there; every cart line whose last PUT was acknowledged holds what it said.</summary>
    private static async Task NothingAcknowledgedIsLostAsync(HttpClient http, ConcurrentDictionary<string, CartLine> carts, ConcurrentDictionary<string, PlacedOrder> orders)
    {
        foreach (var (orderId, _) in orders.Where(o => o.Value.Acknowledged))
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v1/orders/{orderId}")).StatusCode);
        foreach (var (cartId, line) in carts.Where(c => c.Value.Undecided is null))
            Assert.True(await HeldAsync(http, cartId) == line.Acknowledged, $"{cartId}: acknowledged {line.Acknowledged}, holds {await HeldAsync(http, cartId)}");
    }

    /// <summary>
    /// A failed request had an effect or none; its replay (the cart PUT sets a quantity, an order POST is keyed by its
    /// orderId) decides it, as a client retrying after <c>Retry-After</c> would.
    /// </summary>
    private async Task ReplayTheUndecidedAsync(HttpClient http, ConcurrentDictionary<string, CartLine> carts, ConcurrentDictionary<string, PlacedOrder> orders)
    {
        var replayed = 0;
        foreach (var (cartId, line) in carts.Where(c => c.Value.Undecided is not null).ToArray())
        {
            var held = await HeldAsync(http, cartId);
            Assert.True(held == line.Acknowledged || held == line.Undecided, $"{cartId}: holds {held}, neither {line.Acknowledged} nor {line.Undecided}");
            var response = await http.PutAsJsonAsync($"/v1/carts/{cartId}/lines/{SaleSku}", new { channel = SaleChannel, quantity = line.Undecided });
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"replay of {cartId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            carts[cartId] = new CartLine(await HeldAsync(http, cartId), null);
            replayed++;
        }

        foreach (var (orderId, order) in orders.Where(o => !o.Value.Acknowledged).ToArray())
        {
            var response = await http.PostAsJsonAsync("/v1/orders", order.Body);
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Conflict, $"replay of {orderId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            replayed++;
        }

        output.WriteLine($"{replayed} undecided requests replayed");
    }

    /// <summary>
    /// Conservation: the sale SKU's reservations are exactly the carts' lines, never above stock; the order SKUs'
    /// allocations exactly the orders' fulfilment lines. (Provisional allocations of an order whose POST failed are
    /// resolved by its replay or released at their deadline, hence the wait.)
    /// </summary>
    private async Task InventoryMatchesCartsAndOrdersAsync(HttpClient http, ConcurrentDictionary<string, CartLine> carts, ConcurrentDictionary<string, PlacedOrder> orders)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var mismatches = new List<string>();
            var reserved = 0;
            foreach (var location in SaleLocations)
            {
                var level = await LevelAsync(http, location, SaleSku);
                Assert.True(level.Reserved <= level.OnHand, $"oversold at {location}: {level}");
                reserved += level.Reserved;
            }

            var carted = carts.Values.Sum(c => c.Acknowledged);
            if (reserved != carted) mismatches.Add($"{SaleSku}: inventory reserves {reserved}, carts hold {carted}");

            var expected = new Dictionary<(string, string), int>();
            var found = 0;
            foreach (var orderId in orders.Keys)
            {
                using var response = await http.GetAsync($"/v1/orders/{orderId}");
                if (response.StatusCode == HttpStatusCode.NotFound) continue;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                found++;
                var order = await response.Content.ReadFromJsonAsync<JsonElement>();
                foreach (var f in order.GetProperty("fulfilments").EnumerateArray())
                    foreach (var line in f.GetProperty("lines").EnumerateArray())
                    {
                        var key = (f.GetProperty("locationId").GetString()!, line.GetProperty("sku").GetString()!);
                        expected[key] = expected.GetValueOrDefault(key) + line.GetProperty("quantity").GetInt32();
                    }
            }

            foreach (var location in Locations)
                foreach (var sku in OrderSkus)
                {
                    var level = await LevelAsync(http, location, sku);
                    Assert.True(level.Allocated <= level.OnHand, $"oversold at {location}/{sku}: {level}");
                    if (level.Allocated != expected.GetValueOrDefault((location, sku)))
                        mismatches.Add($"{location}/{sku}: inventory allocates {level.Allocated}, orders {expected.GetValueOrDefault((location, sku))}");
                }

            if (mismatches.Count == 0)
            {
                output.WriteLine($"{carts.Count} carts hold {carted} of {SaleLocations.Length * SaleUnitsPerLocation} sale units; {found} orders allocate {expected.Values.Sum()} units; inventory matches both");
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"inventory never matched: {string.Join("; ", mismatches)}");
            await Task.Delay(2000);
        }
    }

    private sealed record Level(int OnHand, int Reserved, int Allocated);

    private static async Task<Level> LevelAsync(HttpClient http, string location, string sku)
    {
        var level = await http.GetFromJsonAsync<JsonElement>($"/v1/inventory/{location}/{sku}");
        return new Level(level.GetProperty("onHand").GetInt32(), level.GetProperty("reserved").GetInt32(), level.GetProperty("allocated").GetInt32());
    }

    private static Task<int> HeldAsync(HttpClient http, string cartId) => HeldAsync(http, cartId, SaleSku);

    private static async Task<int> HeldAsync(HttpClient http, string cartId, string sku)
    {
        using var response = await http.GetAsync($"/v1/carts/{cartId}");
        if (response.StatusCode == HttpStatusCode.NotFound) return 0;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lines");
        return lines.EnumerateArray().Where(l => l.GetProperty("sku").GetString() == sku).Sum(l => l.GetProperty("quantity").GetInt32());
    }

    private static string Code(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var code) ? code.GetString() ?? "" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static void Ok(HttpResponseMessage response) => Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}");

    /// <summary>Answers counted by kind; "unexpected" are the ones a rolling upgrade must never cause.</summary>
    private sealed class Tally
    {
        private readonly ConcurrentDictionary<string, int> _counts = new();
        private int _unexpected;

        public int Unexpected => _unexpected;

        public int Count(string kind) => _counts.GetValueOrDefault(kind);

        public double FailedShare => (double)(Count("503 Retry-After") + Unexpected) / Math.Max(1, _counts.Values.Sum());

        public void Add(string kind, bool unexpected = false)
        {
            _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
            if (unexpected) Interlocked.Increment(ref _unexpected);
        }

        public override string ToString() =>
            $"{_counts.Values.Sum()} requests, failed {FailedShare:P3}: " + string.Join(", ", _counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}"));
    }
}
