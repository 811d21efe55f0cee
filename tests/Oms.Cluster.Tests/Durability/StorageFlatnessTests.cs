using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Oms.Cluster.Tests.Durability;

/// <summary>
/// Storage stays flat under a steady load (docs/decisions/0022): the embedded process, its SQLite file and retention
/// shortened to seconds, while carts come and go and every request carries a new Idempotency-Key. Without the sweep
/// every cart and every key would leave a row for good.
/// </summary>
public sealed class StorageFlatnessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(24);

    [Fact]
    public async Task Embedded_storage_stays_flat_while_carts_and_idempotency_keys_come_and_go()
    {
        var dir = Path.Combine(Path.GetTempPath(), "oms-flat-" + Guid.NewGuid().ToString("N")[..8]);
        var db = Path.Combine(dir, "oms.db");
        var url = $"http://127.0.0.1:{RepoPaths.FreePort()}";
        var args = new[] { "--data", db, "--urls", url, "--silo-port", RepoPaths.FreePort().ToString(), "--gateway-port", RepoPaths.FreePort().ToString() };
        var retention = new Dictionary<string, string>
        {
            ["Oms__Retention__SweepEvery"] = "00:00:02",
            ["Oms__Retention__IdempotencyKeys"] = "00:00:03",
            ["Oms__Retention__Carts"] = "00:00:03",
        };
        try
        {
            using var process = TestProcess.Start(RepoPaths.Gateway, args, retention);
            await process.WaitReadyAsync($"{url}/health/ready", TimeSpan.FromSeconds(90));
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(40) };
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/v1/locations/L-0", new { name = "L0", type = "warehouse", latitude = 51.0, longitude = 0.5 })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/v1/channels/web", new { name = "web", locationIds = new[] { "L-0" } })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/v1/inventory/L-0/FLAT-1", new { onHand = 1_000_000, asOf = "2026-06-01T00:00:00Z" })).StatusCode);

            var carts = 0;
            var keys = 0;
            var samples = new List<(TimeSpan At, long Carts, long Keys, long Rows)>();
            var started = DateTime.UtcNow;
            var stop = started + Load;
            var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                for (var i = 0; DateTime.UtcNow < stop; i++)
                {
                    var cart = $"flat-{w}-{i}";
                    var put = await http.PutAsJsonAsync($"/v1/carts/{cart}/lines/FLAT-1", new { channel = "web", quantity = 1 });
                    Assert.Equal(HttpStatusCode.OK, put.StatusCode);
                    using var extend = new HttpRequestMessage(HttpMethod.Post, $"/v1/carts/{cart}/extend");
                    extend.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                    Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(extend)).StatusCode);
                    Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v1/carts/{cart}")).StatusCode);
                    Interlocked.Increment(ref carts);
                    Interlocked.Increment(ref keys);
                }
            })).ToArray();
            while (DateTime.UtcNow < stop)
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                samples.Add((DateTime.UtcNow - started, Count(db, "cart"), Count(db, "idempotency"), Count(db, null)));
            }

            await Task.WhenAll(workers);
            foreach (var s in samples) output.WriteLine($"{s.At.TotalSeconds,5:F1} s: cart rows {s.Carts}, idempotency rows {s.Keys}, all rows {s.Rows}");
            output.WriteLine($"{carts} carts and {keys} keys used in {Load.TotalSeconds} s");

            // Every cart and key written leaves a row without the sweep; with it, what is left is a few seconds' worth.
            var last = samples[^1];
            Assert.True(carts >= 200, $"only {carts} carts: too little load to show anything");
            Assert.True(samples.Max(s => s.Keys) > 0 && samples.Max(s => s.Carts) > 0, "the load wrote no idempotency or cart rows");
            Assert.True(last.Carts < carts / 2, $"{last.Carts} cart rows left of {carts} carts");
            Assert.True(last.Keys < keys / 2, $"{last.Keys} idempotency rows left of {keys} keys");
            // Flat: the second half of the run holds no more rows than the first half's peak, plus a margin for rate changes.
            var firstHalfPeak = samples.Take(samples.Count / 2).Max(s => s.Rows);
            var secondHalfPeak = samples.Skip(samples.Count / 2).Max(s => s.Rows);
            Assert.True(secondHalfPeak <= firstHalfPeak * 3, $"rows grew: first half peak {firstHalfPeak}, second half {secondHalfPeak}");
            // And bounded by the rate: two rows per cart for at most ~10 s (3 s retention, sweeps 2 s apart, slack).
            var perSecond = carts / Load.TotalSeconds;
            Assert.True(last.Rows <= 2 * perSecond * 10 + 50, $"{last.Rows} rows at {perSecond:F0} carts/s");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static long Count(string db, string? stateName)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = stateName is null
            ? "SELECT count(*) FROM OrleansStorage"
            : "SELECT count(*) FROM OrleansStorage WHERE GrainTypeString = $s AND PayloadBinary IS NOT NULL";
        if (stateName is not null) command.Parameters.AddWithValue("$s", stateName);
        return (long)command.ExecuteScalar()!;
    }
}
