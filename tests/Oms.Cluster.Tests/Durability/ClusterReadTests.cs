using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Oms.Cluster.Tests.Durability;

/// <summary>
/// Storefront reads through two separate cluster-mode gateways that answer from their own copies of the SKU views
/// (docs/decisions/0023), while shoppers take holds through the first: the first shows each hold at once (its own
/// write), the second lags by at most its staleness bound (1 s) and is restarted mid-way; no read on either ever shows
/// more than was left, or less than the holds asked for. The lag the second gateway showed is measured and printed.
/// </summary>
public sealed class ClusterReadTests(PostgresServer postgres, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private const string AdminKey = "reads-admin-key";
    private const string Channel = "reads-web";
    private const string Location = "RD-0";
    private const string Sku = "READ-HOT";
    private const int OnHand = 4000;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    /// <summary>Clock skew between a hold's acknowledgement here and its delta there, and the read's own flight.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(150);

    private static readonly Dictionary<string, string> Auth = new()
    {
        ["Oms__Auth__Keys__0__Name"] = "reads",
        ["Oms__Auth__Keys__0__Key"] = AdminKey,
        ["Oms__Auth__Keys__0__Scopes__0"] = "admin",
    };

    [Fact]
    public async Task Reads_through_two_gateways_show_own_holds_at_once_and_others_within_the_bound_across_a_gateway_restart()
    {
        if (!PostgresServer.Available) return; // .ci/run installs PostgreSQL
        var silos = Enumerable.Range(0, 2).Select(_ => postgres.SiloArgs()).ToArray();
        var running = silos.Select(s => TestProcess.Start(RepoPaths.Silo, s.Args)).ToArray();
        var urlA = $"http://127.0.0.1:{RepoPaths.FreePort()}";
        var urlB = $"http://127.0.0.1:{RepoPaths.FreePort()}";
        string[] GatewayArgs(string url) => ["--cluster", "--connection", postgres.ConnectionString, "--urls", url];
        TestProcess? a = null, b = null;
        try
        {
            for (var i = 0; i < silos.Length; i++) await running[i].WaitReadyAsync($"{silos[i].Url}/health/ready", StartTimeout);
            a = TestProcess.Start(RepoPaths.Gateway, GatewayArgs(urlA), Auth);
            b = TestProcess.Start(RepoPaths.Gateway, GatewayArgs(urlB), Auth);
            await a.WaitReadyAsync($"{urlA}/health/ready", StartTimeout);
            await b.WaitReadyAsync($"{urlB}/health/ready", StartTimeout);
            using var httpA = Client(urlA);
            using var httpB = Client(urlB);
            Ok(await httpA.PutAsJsonAsync($"/v1/locations/{Location}", new { name = Location, type = "warehouse", latitude = 52.0, longitude = -1.5 }));
            Ok(await httpA.PutAsJsonAsync($"/v1/channels/{Channel}", new { name = "reads", locationIds = new[] { Location }, reservationTtlSeconds = 3600 }));
            Ok(await httpA.PutAsJsonAsync($"/v1/inventory/{Location}/{Sku}", new { onHand = OnHand, asOf = "2026-06-01T00:00:00Z" }));
            await WaitAsync(async () => await AvailableAsync(httpB) == OnHand, "gateway B sees the stock");

            // Holds only grow, so each read has bounds: at most what was left after the holds acknowledged before it was
            // sent (on B: before it was sent, less the bound), at least what was left after every hold asked for.
            var acks = new ConcurrentQueue<(long At, int Total)>();
            var acked = 0;
            var asked = 0;
            var violations = new ConcurrentQueue<string>();
            var lagsB = new ConcurrentBag<double>();
            var readsA = 0;
            var readsB = 0;
            var failedB = 0;
            using var stop = new CancellationTokenSource();

            async Task Shopper(int n)
            {
                using var http = Client(urlA);
                var cart = $"cart-read-{n}";
                for (var quantity = 1; !stop.IsCancellationRequested; quantity++)
                {
                    Interlocked.Increment(ref asked);
                    var response = await http.PutAsJsonAsync($"/v1/carts/{cart}/lines/{Sku}", new { channel = Channel, quantity });
                    if (response.StatusCode == HttpStatusCode.Conflict) return; // sold out
                    Ok(response);
                    var total = Interlocked.Increment(ref acked);
                    acks.Enqueue((Stopwatch.GetTimestamp(), total));
                    await Task.Delay(20);
                }
            }

            int AckedBefore(long at) => acks.Where(x => x.At <= at).Select(x => x.Total).DefaultIfEmpty(0).Max();

            async Task Reader(HttpClient http, bool own)
            {
                while (!stop.IsCancellationRequested)
                {
                    var sent = Stopwatch.GetTimestamp();
                    var before = Volatile.Read(ref acked);
                    int available;
                    try
                    {
                        available = await AvailableAsync(http);
                    }
                    catch (Exception) when (!own)
                    {
                        Interlocked.Increment(ref failedB); // gateway B is being restarted
                        await Task.Delay(100);
                        continue;
                    }

                    var after = Volatile.Read(ref asked);
                    if (available < OnHand - after) violations.Enqueue($"{(own ? "A" : "B")} read {available} with only {after} units asked for");
                    if (own)
                    {
                        Interlocked.Increment(ref readsA);
                        if (available > OnHand - before) violations.Enqueue($"A read {available} after {before} units were acknowledged through A");
                        continue;
                    }

                    Interlocked.Increment(ref readsB);
                    var bound = AckedBefore(sent - (long)((Bound + Slack).TotalSeconds * Stopwatch.Frequency));
                    if (available > OnHand - bound) violations.Enqueue($"B read {available}, but {bound} units were acknowledged more than {Bound.TotalSeconds} s before");
                    // How old the newest hold this read shows is: the lag of B's copy at that moment.
                    var shows = OnHand - available;
                    var firstMissing = acks.Where(x => x.Total > shows).Select(x => x.At).DefaultIfEmpty(long.MaxValue).Min();
                    if (firstMissing < sent) lagsB.Add(Stopwatch.GetElapsedTime(firstMissing, sent).TotalMilliseconds);
                    else lagsB.Add(0);
                }
            }

            var load = Task.WhenAll(
                Enumerable.Range(0, 4).Select(n => Task.Run(() => Shopper(n)))
                    .Concat(Enumerable.Range(0, 2).Select(_ => Task.Run(() => Reader(httpA, own: true))))
                    .Concat(Enumerable.Range(0, 2).Select(_ => Task.Run(() => Reader(httpB, own: false)))));

            await Task.Delay(TimeSpan.FromSeconds(4));
            b.KillHard(); // a gateway lost and started again: it comes back with no copies and fills them from the views
            b.Dispose();
            b = TestProcess.Start(RepoPaths.Gateway, GatewayArgs(urlB), Auth);
            await b.WaitReadyAsync($"{urlB}/health/ready", StartTimeout);
            var restarted = Volatile.Read(ref readsB);
            await Task.Delay(TimeSpan.FromSeconds(4));
            stop.Cancel();
            await load;

            var lags = lagsB.Order().ToArray();
            output.WriteLine($"reads A {readsA}, B {readsB} ({readsB - restarted} after B's restart, {failedB} failed while it was down); holds {acked}; " +
                $"B's lag behind the holds: p50 {Percentile(lags, 0.5):0} ms, p99 {Percentile(lags, 0.99):0} ms, max {lags.LastOrDefault():0} ms");
            Assert.Empty(violations);
            Assert.True(readsA > 50 && readsB - restarted > 20, $"too few reads: A {readsA}, B after restart {readsB - restarted}");
            Assert.True(acked > 40, $"only {acked} holds");
            // Once the holds stop, both gateways agree with the views within the bound.
            await WaitAsync(async () => await AvailableAsync(httpA) == OnHand - acked && await AvailableAsync(httpB) == OnHand - acked, "both gateways show every hold");
        }
        finally
        {
            a?.Dispose();
            b?.Dispose();
            foreach (var s in running) s.Dispose();
        }
    }

    private static HttpClient Client(string url)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return http;
    }

    private static async Task<int> AvailableAsync(HttpClient http)
    {
        var response = await http.GetAsync($"/v1/availability/{Sku}?channel={Channel}");
        Ok(response);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("available").GetInt32();
    }

    private static async Task WaitAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within 15 s");
            await Task.Delay(100);
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static void Ok(HttpResponseMessage response) => Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}");
}
