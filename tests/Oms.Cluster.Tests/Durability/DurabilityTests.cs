using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Oms.Cluster.Tests.Durability;

/// <summary>
/// Acknowledged writes survive crashes: real processes, killed with SIGKILL, restarted on the same storage.
/// </summary>
public sealed class DurabilityTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string AdminKey = "durability-admin-key";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private static readonly Dictionary<string, string> ClusterAuth = new()
    {
        ["Oms__Auth__Keys__0__Name"] = "durability",
        ["Oms__Auth__Keys__0__Key"] = AdminKey,
        ["Oms__Auth__Keys__0__Scopes__0"] = "admin",
    };

    private sealed record Expected(string LocationId, string Sku, int OnHand, long Version);

    [Fact]
    public async Task Embedded_sqlite_keeps_every_acknowledged_write_across_a_hard_kill()
    {
        var dir = Path.Combine(Path.GetTempPath(), "oms-sqlite-" + Guid.NewGuid().ToString("N")[..8]);
        var args = new[] { "--data", Path.Combine(dir, "oms.db"), "--urls", $"http://127.0.0.1:{RepoPaths.FreePort()}", "--silo-port", RepoPaths.FreePort().ToString(), "--gateway-port", RepoPaths.FreePort().ToString() };
        var url = args[3];
        try
        {
            List<Expected> expected;
            using (var first = TestProcess.Start(RepoPaths.Gateway, args))
            {
                await first.WaitReadyAsync($"{url}/health/ready", StartTimeout);
                using var http = Client(url, key: null);
                expected = await WriteStockAsync(http, locations: 2, skus: 40);
                // Two carts: one whose hold expires while the process is down, one that outlives the restart.
                Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/v1/channels/short", new { name = "s", locationIds = new[] { "L-0" }, reservationTtlSeconds = 2 })).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/v1/channels/long", new { name = "l", locationIds = new[] { "L-1" } })).StatusCode);
                foreach (var location in new[] { "L-0", "L-1" })
                    Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/v1/inventory/{location}/HOLD-1", new { onHand = 10, asOf = "2026-06-01T00:00:00Z" })).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/v1/carts/short-cart/lines/HOLD-1", new { channel = "short", quantity = 3 })).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/v1/carts/long-cart/lines/HOLD-1", new { channel = "long", quantity = 4 })).StatusCode);
                // The short channel's announcement of the hold (7 left), so that its expiry is a change to announce.
                await WaitForAvailableAsync(http, "stock:HOLD-1:short", 7, TimeSpan.FromSeconds(20));
                first.KillHard(); // right after the last acknowledgement
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            using var second = TestProcess.Start(RepoPaths.Gateway, args);
            await second.WaitReadyAsync($"{url}/health/ready", StartTimeout);
            using var again = Client(url, key: null);
            // Nothing reads HOLD-1 (the event feed does not wake the inventory record): the reminder kept in the
            // SQLite file brings the record back after the restart and the expired hold goes (period 1 min).
            await WaitForAvailableAsync(again, "stock:HOLD-1:short", 10, TimeSpan.FromSeconds(90));
            await AssertAllAsync(again, expected, TimeSpan.FromSeconds(30));
            Assert.Equal(0, (await again.GetFromJsonAsync<JsonElement>("/v1/inventory/L-0/HOLD-1")).GetProperty("reserved").GetInt32());
            Assert.Equal(4, (await again.GetFromJsonAsync<JsonElement>("/v1/inventory/L-1/HOLD-1")).GetProperty("reserved").GetInt32());
            Assert.Equal(4, (await again.GetFromJsonAsync<JsonElement>("/v1/carts/long-cart")).GetProperty("lines")[0].GetProperty("quantity").GetInt32());
            Assert.Equal(0, (await again.GetFromJsonAsync<JsonElement>("/v1/carts/short-cart")).GetProperty("lines").GetArrayLength());
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

    [Fact]
    public async Task A_two_silo_postgres_cluster_loses_nothing_when_a_silo_dies_or_the_whole_cluster_restarts()
    {
        if (!PostgresServer.Available) return; // .ci/run installs PostgreSQL; locally without it there is nothing to run against
        var siloA = postgres.SiloArgs();
        var siloB = postgres.SiloArgs();
        var gatewayUrl = $"http://127.0.0.1:{RepoPaths.FreePort()}";
        var gatewayArgs = new[] { "--cluster", "--connection", postgres.ConnectionString, "--urls", gatewayUrl };

        List<Expected> expected;
        SaleHold[] saleAcknowledged;
        var a = TestProcess.Start(RepoPaths.Silo, siloA.Args);
        var b = TestProcess.Start(RepoPaths.Silo, siloB.Args);
        TestProcess? gateway = null;
        try
        {
            await a.WaitReadyAsync($"{siloA.Url}/health/ready", StartTimeout);
            await b.WaitReadyAsync($"{siloB.Url}/health/ready", StartTimeout);
            gateway = TestProcess.Start(RepoPaths.Gateway, gatewayArgs, ClusterAuth);
            await gateway.WaitReadyAsync($"{gatewayUrl}/health/ready", StartTimeout);

            using var http = Client(gatewayUrl, AdminKey);
            Assert.Equal(HttpStatusCode.Unauthorized, (await new HttpClient().GetAsync($"{gatewayUrl}/v1/locations/L-0")).StatusCode);
            expected = await WriteStockAsync(http, locations: 3, skus: 40);
            await SetUpSaleAsync(http);

            // A flash sale, and one silo dies hard in the middle of it: its grains re-activate on the other from PostgreSQL.
            var sale = RunSaleAsync(http);
            await Task.Delay(400);
            a.KillHard();
            saleAcknowledged = await sale;
            await AssertAllAsync(http, expected, TimeSpan.FromSeconds(120));
            await AssertSaleAsync(http, saleAcknowledged, gateway);
        }
        finally
        {
            gateway?.Dispose();
            a.Dispose();
            b.Dispose();
        }

        // The whole cluster restarts.
        using var a2 = TestProcess.Start(RepoPaths.Silo, siloA.Args);
        using var b2 = TestProcess.Start(RepoPaths.Silo, siloB.Args);
        // Ready, not live: ready is the silo Active in membership (live only says its process answers HTTP).
        await a2.WaitReadyAsync($"{siloA.Url}/health/ready", StartTimeout);
        await b2.WaitReadyAsync($"{siloB.Url}/health/ready", StartTimeout);
        using var gateway2 = TestProcess.Start(RepoPaths.Gateway, gatewayArgs, ClusterAuth);
        await gateway2.WaitReadyAsync($"{gatewayUrl}/health/ready", StartTimeout);
        using var http2 = Client(gatewayUrl, AdminKey);
        await AssertAllAsync(http2, expected, TimeSpan.FromSeconds(60));
        await AssertSaleAsync(http2, saleAcknowledged, gateway2);

        // Every hold expires by itself, acknowledged or half-done, also after the restart. A request stalled by the
        // dead silo was processed up to the 30 s call timeout after the sale ended, and took its expiry from then.
        var deadline = _saleEnded + TimeSpan.FromSeconds(SaleTtlSeconds + 30 + 10);
        while (true)
        {
            var reserved = 0;
            foreach (var location in SaleLocations)
                reserved += (await http2.GetFromJsonAsync<JsonElement>($"/v1/inventory/{location}/{SaleSku}")).GetProperty("reserved").GetInt32();
            if (reserved == 0) break;
            Assert.True(DateTimeOffset.UtcNow < deadline, $"{reserved} units still held after every expiry");
            await Task.Delay(1000);
        }
    }

    private const string SaleSku = "FLASH-1";
    private const string SaleChannel = "flash";
    private const int SaleTtlSeconds = 45;
    private static readonly string[] SaleLocations = ["L-0", "L-1"];
    private DateTimeOffset _saleEnded;

    private async Task SetUpSaleAsync(HttpClient http)
    {
        var channel = await http.PutAsJsonAsync($"/v1/channels/{SaleChannel}", new { name = "flash", locationIds = SaleLocations, reservationTtlSeconds = SaleTtlSeconds });
        Assert.Equal(HttpStatusCode.OK, channel.StatusCode);
        foreach (var location in SaleLocations)
        {
            var put = await http.PutAsJsonAsync($"/v1/inventory/{location}/{SaleSku}", new { onHand = 150, asOf = "2026-06-01T00:00:00Z" });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
    }

    /// <summary>An acknowledged hold: it existed at least from <see cref="AckedAt"/> until <see cref="ExpiresAt"/>.</summary>
    private sealed record SaleHold(string CartId, DateTimeOffset AckedAt, DateTimeOffset ExpiresAt);

    /// <summary>800 shoppers for 300 units; returns the holds that were acknowledged (200).</summary>
    private async Task<SaleHold[]> RunSaleAsync(HttpClient http)
    {
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<SaleHold>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 800), new ParallelOptions { MaxDegreeOfParallelism = 48 }, async (i, _) =>
        {
            try
            {
                var response = await http.PutAsJsonAsync($"/v1/carts/sale-{i}/lines/{SaleSku}", new { channel = SaleChannel, quantity = 1 });
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                    acknowledged.Add(new SaleHold($"sale-{i}", DateTimeOffset.UtcNow, body.GetProperty("expiresAt").GetDateTimeOffset()));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not acknowledged: it may have left a half-done hold, which must expire.
            }
        });
        _saleEnded = DateTimeOffset.UtcNow;
        return [.. acknowledged];
    }

    /// <summary>
    /// No oversell: acknowledged holds alive at the same instant never exceed the 300 units, and inventory never
    /// holds more than it has. Every acknowledged hold not yet expired is still held. (The dead silo stalls
    /// requests for up to the 30 s call timeout, so the sale can outlast the TTL and early holds free their units.)
    /// </summary>
    private static async Task AssertSaleAsync(HttpClient http, SaleHold[] acknowledged, TestProcess gateway)
    {
        // A failed read names its answer and the gateway's log (which says what a 503 was), not just the status.
        async Task<JsonElement> Get(string path)
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}\ngateway log:\n{gateway.Log}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }

        Assert.NotEmpty(acknowledged);
        var events = acknowledged.SelectMany(h => new[] { (At: h.AckedAt, Delta: 1), (At: h.ExpiresAt, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta);
        var live = 0;
        var mostLive = 0;
        foreach (var e in events) mostLive = Math.Max(mostLive, live += e.Delta);
        Assert.InRange(mostLive, 1, 300);

        var reserved = 0;
        foreach (var location in SaleLocations)
        {
            var level = await Get($"/v1/inventory/{location}/{SaleSku}");
            Assert.True(level.GetProperty("reserved").GetInt32() <= level.GetProperty("onHand").GetInt32(), $"oversold: {level}");
            reserved += level.GetProperty("reserved").GetInt32();
        }

        var stillHeld = acknowledged.Where(h => h.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(2)).ToArray();
        Assert.True(reserved >= stillHeld.Length, $"{stillHeld.Length} unexpired holds acknowledged, {reserved} held");
        foreach (var hold in stillHeld)
        {
            var body = await Get($"/v1/carts/{hold.CartId}");
            // Reading hundreds of carts (each activated from storage after a restart) takes seconds: a hold may
            // have reached its expiry while the others were read. The cart answered before this instant.
            if (hold.ExpiresAt <= DateTimeOffset.UtcNow) continue;
            var lines = body.GetProperty("lines");
            Assert.True(lines.GetArrayLength() == 1 && lines[0].GetProperty("quantity").GetInt32() == 1,
                $"acknowledged hold of {hold.CartId} (expires {hold.ExpiresAt:O}) lost: {body}");
        }
    }

    /// <summary>Waits until the event feed's latest <c>stock.changed</c> of <paramref name="subject"/> says <paramref name="available"/>.</summary>
    private static async Task WaitForAvailableAsync(HttpClient http, string subject, int available, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int? latest = null;
        string? cursor = null;
        while (DateTime.UtcNow < deadline)
        {
            while (true)
            {
                var page = await http.GetFromJsonAsync<JsonElement>("/v1/events?types=stock.changed" + (cursor is null ? "" : "&after=" + cursor));
                foreach (var e in page.GetProperty("events").EnumerateArray())
                    if (e.GetProperty("subject").GetString() == subject) latest = e.GetProperty("data").GetProperty("available").GetInt32();
                var next = page.TryGetProperty("next", out var n) ? n.GetString() : null;
                if (next is null || next == cursor) break;
                cursor = next;
            }

            if (latest == available) return;
            await Task.Delay(500);
        }

        Assert.Fail($"{subject}: latest announced available {latest?.ToString() ?? "none"}, expected {available} within {timeout}");
    }

    private static HttpClient Client(string url, string? key)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(40) };
        if (key is not null) http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    /// <summary>Writes absolute levels and adjustments concurrently; returns what each acknowledged answer said.</summary>
    private static async Task<List<Expected>> WriteStockAsync(HttpClient http, int locations, int skus)
    {
        for (var l = 0; l < locations; l++)
        {
            var put = await http.PutAsJsonAsync($"/v1/locations/L-{l}", new { name = $"L{l}", type = "warehouse", latitude = 51.0 + l, longitude = 0.5 });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var keys = (from l in Enumerable.Range(0, locations) from s in Enumerable.Range(0, skus) select ($"L-{l}", $"SKU-{s}")).ToArray();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<Expected>();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) =>
        {
            var (location, sku) = key;
            var put = await http.PutAsJsonAsync($"/v1/inventory/{location}/{sku}", new { onHand = 100, asOf = "2026-06-01T00:00:00Z" });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var adjust = await http.PostAsJsonAsync("/v1/inventory/adjustments", new { locationId = location, sku, delta = -(sku.Length + location.Length), reason = "sale", eventId = $"{location}-{sku}" });
            Assert.Equal(HttpStatusCode.OK, adjust.StatusCode);
            var level = (await adjust.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("level");
            acknowledged.Add(new Expected(location, sku, level.GetProperty("onHand").GetInt32(), level.GetProperty("version").GetInt64()));
        });
        return [.. acknowledged];
    }

    /// <summary>Reads every record back; a record may be briefly unreachable while the cluster notices a dead silo.</summary>
    private static async Task AssertAllAsync(HttpClient http, List<Expected> expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var e in expected)
        {
            while (true)
            {
                HttpResponseMessage? response = null;
                try
                {
                    response = await http.GetAsync($"/v1/inventory/{e.LocationId}/{e.Sku}");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
                {
                }

                if (response?.StatusCode == HttpStatusCode.OK)
                {
                    var level = await response.Content.ReadFromJsonAsync<JsonElement>();
                    Assert.Equal(e.OnHand, level.GetProperty("onHand").GetInt32());
                    Assert.Equal(e.Version, level.GetProperty("version").GetInt64());
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{e.LocationId}/{e.Sku}: {(int?)response?.StatusCode} {(response is null ? "" : await response.Content.ReadAsStringAsync())}");
                await Task.Delay(500);
            }
        }
    }
}
