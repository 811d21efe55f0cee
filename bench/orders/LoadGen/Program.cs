// Order-placement load generator for bench/orders/run.sh: seeds a network of locations and a catalogue, places
// 3-line ship orders with N closed-loop clients, and checks afterwards that inventory allocations equal the
// acknowledged orders, location by location and SKU by SKU.
//
//   OrdersLoadGen seed   --url U [--key K] --layout DIR [--locations 50 --warehouses 6 --skus 500
//                        --wh-stock 5000 --store-stock 300 --seed 42]
//   OrdersLoadGen run    --url U [--key K] --layout DIR --concurrency 64 --warmup 10 --duration 30
//                        [--lines 3 --customers 50000 --prefix p --label l --timeout 30 --ramp-ms 1000 --seed 1]
//                        --out result.env --ledger acked.tsv --resolve unresolved.txt
//   OrdersLoadGen verify --url U [--key K] --layout DIR --ledgers a.tsv,b.tsv --resolve a.txt,b.txt
//                        [--concurrency 32 --sample 200] --out verify.env
//
// The layout (locations, SKUs, stock) is a pure function of the seed options; `seed` writes it to DIR
// (locations.csv, stock.csv, layout.env) and every other mode, and the pgbench baseline, read it from there.
//
// run: every client loops until warm-up + duration is over, then finishes its request in flight (bounded by
//      --timeout). Orders/s = 201s that COMPLETED inside the measured window / window length; latency percentiles =
//      requests that STARTED inside it. Each order is 3 distinct random SKUs x quantity 1, a random customer out of
//      --customers, and a ship address drawn uniformly over the same box as the locations. The order id is ours
//      ({prefix}-{client}-{seq}), so any order whose outcome we did not see (timeout, 5xx) can be looked up later.
//      Every 201's fulfilments (location, SKU, units) go to --ledger; the ids of all other outcomes to --resolve.
// verify: expected allocated per location x SKU = the ledgers + the orders of --resolve that GET /v1/orders/{id}
//      finds; then GET /v1/inventory/{location}/{sku} for EVERY pair of the layout and compare allocated, onHand
//      (must be unchanged) and reserved (must be 0). Plus a sample of acknowledged orders read back whole.
//
// One TCP connection per client (MaxConnectionsPerServer = concurrency), 127.0.0.1 only, every loop bounded in time.
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

var (mode, opts) = ParseArgs(args);
if (mode is not ("seed" or "run" or "verify"))
{
    Console.Error.WriteLine("usage: OrdersLoadGen seed|run|verify --url U --layout DIR [options]; see the head of Program.cs");
    return 2;
}

var url = Opt("url", "http://127.0.0.1:5080").TrimEnd('/');
if (!IPAddress.TryParse(new Uri(url).Host, out var ip) || !IPAddress.IsLoopback(ip))
{
    Console.Error.WriteLine($"refusing {url}: traffic goes to 127.0.0.1 only");
    return 2;
}

var key = Opt("key", "");
var layoutDir = Opt("layout", ".");
var outFile = Opt("out", "");
var json = new MediaTypeHeaderValue("application/json");
var freq = (double)Stopwatch.Frequency;

ThreadPool.GetMinThreads(out var minWorker, out var minIo);
ThreadPool.SetMinThreads(Math.Max(minWorker, 8), Math.Max(minIo, 8));

return mode switch
{
    "seed" => await Seed(),
    "run" => await Run(),
    _ => await Verify(),
};

// ---- seed ------------------------------------------------------------------------------------------------------

async Task<int> Seed()
{
    var layout = Layout.Generate(
        Int("locations", 50), Int("warehouses", 6), Int("skus", 500), Int("wh-stock", 5000), Int("store-stock", 300), Int("seed", 42));
    Directory.CreateDirectory(layoutDir);
    layout.Write(layoutDir);
    using var http = Client(16, TimeSpan.FromSeconds(600));
    var sw = Stopwatch.StartNew();

    foreach (var l in layout.Locations)
    {
        await Must(http, HttpMethod.Put, $"v1/locations/{l.Id}", JsonSerializer.Serialize(new
        {
            name = l.Type == "warehouse" ? $"Warehouse {l.Id}" : $"Store {l.Id}",
            type = l.Type,
            latitude = l.Lat,
            longitude = l.Lon,
            region = "gb",
            turnaroundHours = l.Type == "warehouse" ? 24 : 8,
        }));
    }

    await Must(http, HttpMethod.Put, "v1/channels/web-gb", JsonSerializer.Serialize(new
    {
        name = "Web shop GB",
        region = "gb",
        locationTypes = new[] { "warehouse", "store" },
    }));
    Console.Error.WriteLine($"[seed] {layout.Locations.Length} locations ({layout.Locations.Count(l => l.Type == "warehouse")} warehouses) and channel web-gb in {sw.Elapsed.TotalSeconds:F1}s");

    await Parallel.ForEachAsync(layout.Skus, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (sku, ct) =>
        await Must(http, HttpMethod.Put, $"v1/products/{sku}", JsonSerializer.Serialize(new
        {
            name = $"Product {sku}",
            category = $"cat-{int.Parse(sku.AsSpan(4), CultureInfo.InvariantCulture) % 20:00}",
        })));
    Console.Error.WriteLine($"[seed] {layout.Skus.Length} products in {sw.Elapsed.TotalSeconds:F1}s");

    // One batch with every location x SKU (the gateway cuts it into chunks for the feed workers).
    var items = layout.Locations.SelectMany(l => layout.Skus.Select(s => new
    {
        locationId = l.Id,
        sku = s,
        onHand = layout.StockOf(l),
        asOf = "2026-06-01T00:00:00Z",
    })).ToArray();
    var batchStart = sw.Elapsed.TotalSeconds;
    var answer = await Must(http, HttpMethod.Post, "v1/inventory/batch", JsonSerializer.Serialize(new { items }));
    using var doc = JsonDocument.Parse(answer);
    var applied = doc.RootElement.GetProperty("applied").GetInt32();
    var rejected = doc.RootElement.GetProperty("rejected").GetArrayLength();
    Console.Error.WriteLine($"[seed] stock batch: {items.Length} rows, applied {applied}, ignored {doc.RootElement.GetProperty("ignored").GetInt32()}, rejected {rejected} in {sw.Elapsed.TotalSeconds - batchStart:F1}s");
    if (applied != items.Length || rejected != 0)
    {
        Console.Error.WriteLine($"[seed] FAILED: the stock batch was not fully applied: {Trim(answer)}");
        return 1;
    }

    WriteEnv([
        ("locations", layout.Locations.Length.ToString(CultureInfo.InvariantCulture)),
        ("warehouses", layout.Locations.Count(l => l.Type == "warehouse").ToString(CultureInfo.InvariantCulture)),
        ("skus", layout.Skus.Length.ToString(CultureInfo.InvariantCulture)),
        ("stock_rows", items.Length.ToString(CultureInfo.InvariantCulture)),
        ("batch_s", F(sw.Elapsed.TotalSeconds - batchStart)),
        ("seed_s", F(sw.Elapsed.TotalSeconds)),
    ], []);
    return 0;
}

// ---- run -------------------------------------------------------------------------------------------------------

async Task<int> Run()
{
    var layout = Layout.Read(layoutDir);
    var concurrency = Int("concurrency", 64);
    var warmup = Dbl("warmup", 10);
    var duration = Dbl("duration", 30);
    var linesPerOrder = Int("lines", 3);
    var customers = Int("customers", 50_000);
    var rampMs = Int("ramp-ms", 1000);
    var prefix = Opt("prefix", $"o{Environment.ProcessId}");
    var label = Opt("label", "run");
    var channel = Opt("channel", "web-gb");
    var timeout = TimeSpan.FromSeconds(Dbl("timeout", 30));
    var baseSeed = Int("seed", 1);
    var ledgerFile = Opt("ledger", "");
    var resolveFile = Opt("resolve", "");
    if (linesPerOrder > layout.Skus.Length) throw new ArgumentException("more lines than SKUs");

    using var http = Client(concurrency, timeout);
    long Ticks(double seconds) => (long)(seconds * freq);
    var t0 = Stopwatch.GetTimestamp();
    var warmupEnd = t0 + Ticks(warmup);
    var end = warmupEnd + Ticks(duration);
    var hardSeconds = warmup + duration + timeout.TotalSeconds + 10;
    using var hardStop = new CancellationTokenSource(TimeSpan.FromSeconds(hardSeconds));
    var seconds = (int)Math.Ceiling(hardSeconds) + 2;
    var perSecondOk = new int[seconds];
    var workers = Enumerable.Range(0, concurrency).Select(i => new Worker(i)).ToArray();
    var errorSamples = new ConcurrentQueue<string>();
    var sampledKinds = new ConcurrentDictionary<string, int>();
    var (latMin, latMax, lonMin, lonMax) = Layout.Box;

    async Task RunWorker(Worker w)
    {
        if (rampMs > 0) await Task.Delay(TimeSpan.FromMilliseconds((double)rampMs * w.Id / concurrency), hardStop.Token);
        var rng = new Random(HashCode.Combine(baseSeed, w.Id, prefix));
        var buffer = new ArrayBufferWriter<byte>(1024);
        var skus = new string[linesPerOrder];
        var seq = 0;
        while (!hardStop.IsCancellationRequested && Stopwatch.GetTimestamp() < end)
        {
            var orderId = $"{prefix}-{w.Id}-{seq++}";
            for (var i = 0; i < linesPerOrder; i++)
            {
                string s;
                do s = layout.Skus[rng.Next(layout.Skus.Length)]; while (Array.IndexOf(skus, s, 0, i) >= 0);
                skus[i] = s;
            }

            var customer = rng.Next(1, customers + 1);
            buffer.ResetWrittenCount();
            using (var j = new Utf8JsonWriter(buffer))
            {
                j.WriteStartObject();
                j.WriteString("orderId", orderId);
                j.WriteString("channel", channel);
                j.WriteStartObject("customer");
                j.WriteString("id", $"cust-{customer}");
                if (customer % 10 == 0) j.WriteString("tier", "gold");
                j.WriteString("email", $"cust-{customer}@example.com");
                j.WriteEndObject();
                j.WriteStartArray("lines");
                foreach (var s in skus)
                {
                    j.WriteStartObject();
                    j.WriteString("sku", s);
                    j.WriteNumber("quantity", 1);
                    j.WriteNumber("unitPrice", Math.Round(4.99m + rng.Next(0, 9000) / 100m, 2));
                    j.WriteEndObject();
                }

                j.WriteEndArray();
                j.WriteStartObject("fulfilment");
                j.WriteString("type", "ship");
                j.WriteStartObject("address");
                j.WriteNumber("latitude", Math.Round(latMin + rng.NextDouble() * (latMax - latMin), 4));
                j.WriteNumber("longitude", Math.Round(lonMin + rng.NextDouble() * (lonMax - lonMin), 4));
                j.WriteString("country", "GB");
                j.WriteEndObject();
                j.WriteEndObject();
                j.WriteEndObject();
            }

            var start = Stopwatch.GetTimestamp();
            int status;
            string? problem = null;
            byte[]? answer = null;
            try
            {
                using var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
                content.Headers.ContentType = json;
                using var response = await http.PostAsync("v1/orders", content, hardStop.Token);
                answer = await response.Content.ReadAsByteArrayAsync(hardStop.Token);
                status = (int)response.StatusCode;
                if (status == 409 && !Encoding.UTF8.GetString(answer).Contains("insufficient_stock", StringComparison.Ordinal)) status = 4091;
                if (status is not 201) problem = $"{status} {Trim(Encoding.UTF8.GetString(answer))}";
            }
            catch (Exception ex)
            {
                status = -1; // outcome unknown: the order may or may not exist
                problem = $"{ex.GetType().Name}: {Trim(ex.Message)}";
            }

            var done = Stopwatch.GetTimestamp();
            if (status == 201)
            {
                var lines = 0;
                try
                {
                    using var doc = JsonDocument.Parse(answer);
                    foreach (var f in doc.RootElement.GetProperty("fulfilments").EnumerateArray())
                    {
                        var loc = f.GetProperty("locationId").GetString()!;
                        w.Fulfilments++;
                        foreach (var l in f.GetProperty("lines").EnumerateArray())
                        {
                            w.Ledger.Add((orderId, loc, l.GetProperty("sku").GetString()!, l.GetProperty("quantity").GetInt32()));
                            lines++;
                        }
                    }
                }
                catch (Exception ex)
                {
                    problem = $"201 with an unreadable body: {ex.Message}";
                }

                if (lines != linesPerOrder)
                {
                    w.BadBodies++;
                    w.Resolve.Add(orderId);
                    problem ??= $"201 with {lines} fulfilment lines for {linesPerOrder} order lines";
                }
            }
            else
            {
                w.Resolve.Add(orderId);
            }

            w.Record(status, start, done, warmupEnd, end);
            if (status == 201)
            {
                var second = (int)((done - t0) / freq);
                if (second < perSecondOk.Length) Interlocked.Increment(ref perSecondOk[second]);
            }

            if (problem is not null && sampledKinds.AddOrUpdate(problem[..Math.Min(problem.Length, 40)], 1, (_, n) => n + 1) <= 3)
                errorSamples.Enqueue($"{orderId} after {(done - start) * 1000.0 / freq:F0} ms: {problem}");
        }
    }

    Console.Error.WriteLine($"[{label}] {concurrency} clients -> POST {url}/v1/orders ({linesPerOrder} lines over {layout.Skus.Length} SKUs, " +
        $"{layout.Locations.Length} locations), warm-up {warmup}s + {duration}s");
    try
    {
        await Task.WhenAll(workers.Select(w => Task.Run(() => RunWorker(w))));
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine($"[{label}] hard deadline ({hardSeconds:F0}s) reached; some clients were cut off");
    }

    var finished = Stopwatch.GetTimestamp();
    var byStatus = new SortedDictionary<int, long>();
    var lat = new List<long>();
    long okWarmup = 0, okMeasured = 0, okDrain = 0, measuredStarted = 0, fulfilments = 0, badBodies = 0;
    foreach (var w in workers)
    {
        foreach (var (s, c) in w.ByStatus) byStatus[s] = byStatus.GetValueOrDefault(s) + c;
        okWarmup += w.OkWarmup;
        okMeasured += w.OkMeasured;
        okDrain += w.OkDrain;
        measuredStarted += w.MeasuredStarted;
        lat.AddRange(w.Latencies);
        fulfilments += w.Fulfilments;
        badBodies += w.BadBodies;
    }

    lat.Sort();
    double Pct(double p) => lat.Count == 0 ? double.NaN : lat[Math.Min(lat.Count - 1, (int)Math.Ceiling(p / 100 * lat.Count) - 1)] * 1000.0 / freq;
    var okTotal = byStatus.GetValueOrDefault(201);
    var measuredFrom = (int)Math.Ceiling(warmup);
    var timeline = string.Join(" ", Enumerable.Range(0, (int)Math.Ceiling(duration / 5))
        .Select(i => perSecondOk.Skip(measuredFrom + i * 5).Take(5).Sum() / 5.0)
        .Select(x => x.ToString("0", CultureInfo.InvariantCulture)));

    if (ledgerFile.Length > 0)
    {
        File.WriteAllLines(ledgerFile, workers.SelectMany(w => w.Ledger).Select(e => $"{e.OrderId}\t{e.Location}\t{e.Sku}\t{e.Quantity}"));
    }

    if (resolveFile.Length > 0) File.WriteAllLines(resolveFile, workers.SelectMany(w => w.Resolve));
    var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    WriteEnv([
        ("label", label),
        ("concurrency", concurrency.ToString(CultureInfo.InvariantCulture)),
        ("window_s", F(duration)),
        ("ok_rate", F(okMeasured / duration)),
        ("attempt_rate", F(measuredStarted / duration)),
        ("p50_ms", F(Pct(50))),
        ("p90_ms", F(Pct(90))),
        ("p99_ms", F(Pct(99))),
        ("max_ms", F(lat.Count == 0 ? double.NaN : lat[^1] * 1000.0 / freq)),
        ("samples", lat.Count.ToString(CultureInfo.InvariantCulture)),
        ("ok_warmup", okWarmup.ToString(CultureInfo.InvariantCulture)),
        ("ok_measured", okMeasured.ToString(CultureInfo.InvariantCulture)),
        ("ok_drain", okDrain.ToString(CultureInfo.InvariantCulture)),
        ("ok_total", okTotal.ToString(CultureInfo.InvariantCulture)),
        ("fulfilments_per_order", F(okTotal == 0 ? 0 : (double)fulfilments / okTotal)),
        ("bad_bodies", badBodies.ToString(CultureInfo.InvariantCulture)),
        ("conflict_total", byStatus.GetValueOrDefault(409).ToString(CultureInfo.InvariantCulture)),
        ("unknown_total", byStatus.GetValueOrDefault(-1).ToString(CultureInfo.InvariantCulture)),
        ("other_total", byStatus.Where(kv => kv.Key is not (201 or 409 or -1)).Sum(kv => kv.Value).ToString(CultureInfo.InvariantCulture)),
        ("requests_total", byStatus.Values.Sum().ToString(CultureInfo.InvariantCulture)),
        ("statuses", string.Join(",", byStatus.Select(kv => $"{(kv.Key == -1 ? "exception" : kv.Key == 4091 ? "409-other" : kv.Key.ToString(CultureInfo.InvariantCulture))}:{kv.Value}"))),
        ("timeline_5s", timeline),
        ("elapsed_s", F((finished - t0) / freq)),
        ("cpu_s", F(cpu)),
    ], errorSamples);
    return 0;
}

// ---- verify ----------------------------------------------------------------------------------------------------

async Task<int> Verify()
{
    var layout = Layout.Read(layoutDir);
    var concurrency = Int("concurrency", 32);
    var sampleSize = Int("sample", 200);
    using var http = Client(concurrency, TimeSpan.FromSeconds(30));
    var sw = Stopwatch.StartNew();

    var expected = new Dictionary<(string, string), long>();
    var byOrder = new Dictionary<string, List<(string Loc, string Sku, int Qty)>>(StringComparer.Ordinal);
    foreach (var file in Files("ledgers"))
    {
        foreach (var line in File.ReadLines(file))
        {
            var p = line.Split('\t');
            var qty = int.Parse(p[3], CultureInfo.InvariantCulture);
            expected[(p[1], p[2])] = expected.GetValueOrDefault((p[1], p[2])) + qty;
            if (!byOrder.TryGetValue(p[0], out var list)) byOrder[p[0]] = list = [];
            list.Add((p[1], p[2], qty));
        }
    }

    // Outcomes we did not see: the order grain says whether the order exists and what it allocated.
    var resolve = Files("resolve").SelectMany(File.ReadLines).Where(l => l.Length > 0).Distinct().ToArray();
    long resolvedPlaced = 0, resolvedAbsent = 0, unresolved = 0;
    var resolvedLines = new ConcurrentBag<(string Loc, string Sku, int Qty)>();
    var notes = new ConcurrentQueue<string>();
    await Parallel.ForEachAsync(resolve, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, ct) =>
    {
        var (status, body) = await Get(http, $"v1/orders/{id}");
        if (status == 404) Interlocked.Increment(ref resolvedAbsent);
        else if (status == 200)
        {
            Interlocked.Increment(ref resolvedPlaced);
            foreach (var l in FulfilmentLines(body)) resolvedLines.Add(l);
            notes.Enqueue($"order {id}: not acknowledged with 201 but exists ({Trim(Status(body))})");
        }
        else
        {
            Interlocked.Increment(ref unresolved);
            notes.Enqueue($"order {id}: GET answered {status} {Trim(body)}");
        }
    });
    foreach (var (loc, sku, qty) in resolvedLines) expected[(loc, sku)] = expected.GetValueOrDefault((loc, sku)) + qty;

    // Every location x SKU of the layout.
    var pairs = layout.Locations.SelectMany(l => layout.Skus.Select(s => (Loc: l, Sku: s))).ToArray();
    long allocatedTotal = 0, mismatches = 0, onHandChanged = 0, reservedNonZero = 0, overAllocated = 0, readFailures = 0;
    var mismatchLines = new ConcurrentQueue<string>();
    await Parallel.ForEachAsync(pairs, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (pair, ct) =>
    {
        var (status, body) = await Get(http, $"v1/inventory/{pair.Loc.Id}/{pair.Sku}");
        if (status != 200)
        {
            Interlocked.Increment(ref readFailures);
            mismatchLines.Enqueue($"{pair.Loc.Id}/{pair.Sku}: GET answered {status} {Trim(body)}");
            return;
        }

        using var doc = JsonDocument.Parse(body);
        var r = doc.RootElement;
        var onHand = r.GetProperty("onHand").GetInt32();
        var reserved = r.GetProperty("reserved").GetInt32();
        var allocated = r.GetProperty("allocated").GetInt32();
        var want = expected.GetValueOrDefault((pair.Loc.Id, pair.Sku));
        Interlocked.Add(ref allocatedTotal, allocated);
        if (allocated != want)
        {
            Interlocked.Increment(ref mismatches);
            mismatchLines.Enqueue($"{pair.Loc.Id}/{pair.Sku}: allocated {allocated}, acknowledged orders {want}");
        }

        if (onHand != layout.StockOf(pair.Loc))
        {
            Interlocked.Increment(ref onHandChanged);
            mismatchLines.Enqueue($"{pair.Loc.Id}/{pair.Sku}: onHand {onHand}, seeded {layout.StockOf(pair.Loc)}");
        }

        if (reserved != 0) Interlocked.Increment(ref reservedNonZero);
        if (allocated > onHand) Interlocked.Increment(ref overAllocated);
    });

    // A sample of acknowledged orders read back whole: same fulfilment lines as in their 201.
    var rng = new Random(7);
    var sample = byOrder.Keys.OrderBy(_ => rng.Next()).Take(sampleSize).ToArray();
    long sampleBad = 0;
    await Parallel.ForEachAsync(sample, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, ct) =>
    {
        var (status, body) = await Get(http, $"v1/orders/{id}");
        var want = string.Join(";", byOrder[id].Select(l => $"{l.Loc}/{l.Sku}x{l.Qty}").Order(StringComparer.Ordinal));
        var got = status == 200 ? string.Join(";", FulfilmentLines(body).Select(l => $"{l.Loc}/{l.Sku}x{l.Qty}").Order(StringComparer.Ordinal)) : $"HTTP {status}";
        if (want != got)
        {
            Interlocked.Increment(ref sampleBad);
            mismatchLines.Enqueue($"order {id}: 201 said {want}, GET says {got}");
        }
    });

    var expectedTotal = expected.Values.Sum();
    WriteEnv([
        ("orders_acked", byOrder.Count.ToString(CultureInfo.InvariantCulture)),
        ("resolve_checked", resolve.Length.ToString(CultureInfo.InvariantCulture)),
        ("resolved_placed", resolvedPlaced.ToString(CultureInfo.InvariantCulture)),
        ("resolved_absent", resolvedAbsent.ToString(CultureInfo.InvariantCulture)),
        ("unresolved", unresolved.ToString(CultureInfo.InvariantCulture)),
        ("pairs_checked", pairs.Length.ToString(CultureInfo.InvariantCulture)),
        ("read_failures", readFailures.ToString(CultureInfo.InvariantCulture)),
        ("allocated_total", allocatedTotal.ToString(CultureInfo.InvariantCulture)),
        ("expected_total", expectedTotal.ToString(CultureInfo.InvariantCulture)),
        ("mismatches", mismatches.ToString(CultureInfo.InvariantCulture)),
        ("onhand_changed", onHandChanged.ToString(CultureInfo.InvariantCulture)),
        ("reserved_nonzero", reservedNonZero.ToString(CultureInfo.InvariantCulture)),
        ("over_allocated", overAllocated.ToString(CultureInfo.InvariantCulture)),
        ("sample_checked", sample.Length.ToString(CultureInfo.InvariantCulture)),
        ("sample_bad", sampleBad.ToString(CultureInfo.InvariantCulture)),
        ("locations_used", expected.Where(kv => kv.Value > 0).Select(kv => kv.Key.Item1).Distinct().Count().ToString(CultureInfo.InvariantCulture)),
        ("units_at_warehouses", expected.Where(kv => kv.Key.Item1.StartsWith("WH-", StringComparison.Ordinal)).Sum(kv => kv.Value).ToString(CultureInfo.InvariantCulture)),
        ("verify_s", F(sw.Elapsed.TotalSeconds)),
    ], mismatchLines.Take(20).Select(m => $"mismatch: {m}").Concat(notes.Take(10).Select(n => $"note: {n}")));
    return 0;
}

static IEnumerable<(string Loc, string Sku, int Qty)> FulfilmentLines(string orderJson)
{
    using var doc = JsonDocument.Parse(orderJson);
    var list = new List<(string, string, int)>();
    foreach (var f in doc.RootElement.GetProperty("fulfilments").EnumerateArray())
    {
        if (f.GetProperty("status").GetString() == "cancelled") continue;
        var loc = f.GetProperty("locationId").GetString()!;
        foreach (var l in f.GetProperty("lines").EnumerateArray())
            list.Add((loc, l.GetProperty("sku").GetString()!, l.GetProperty("quantity").GetInt32() - l.GetProperty("cancelled").GetInt32()));
    }

    return list;
}

static string Status(string orderJson)
{
    using var doc = JsonDocument.Parse(orderJson);
    return $"status {doc.RootElement.GetProperty("status").GetString()}";
}

// ---- helpers ---------------------------------------------------------------------------------------------------

HttpClient Client(int connections, TimeSpan requestTimeout)
{
    var handler = new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    };
    var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(url + "/"), Timeout = requestTimeout };
    http.DefaultRequestVersion = HttpVersion.Version11;
    http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
    if (key.Length > 0) http.DefaultRequestHeaders.Add("X-Api-Key", key);
    return http;
}

async Task<string> Must(HttpClient http, HttpMethod method, string path, string body)
{
    using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path} -> {(int)response.StatusCode} {Trim(text)}");
    return text;
}

async Task<(int Status, string Body)> Get(HttpClient http, string path)
{
    try
    {
        using var response = await http.GetAsync(path);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
    catch (Exception ex)
    {
        return (-1, $"{ex.GetType().Name}: {ex.Message}");
    }
}

IEnumerable<string> Files(string option) =>
    Opt(option, "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(File.Exists);

void WriteEnv(IEnumerable<(string Key, string Value)> result, IEnumerable<string> comments)
{
    var rows = result.ToList();
    var extra = comments.ToList();
    foreach (var (k, v) in rows) Console.WriteLine($"{k}={v}");
    foreach (var c in extra) Console.WriteLine($"# {c}");
    if (outFile.Length > 0)
    {
        File.WriteAllLines(outFile, rows.Select(r => $"{r.Key}='{r.Value.Replace("'", "", StringComparison.Ordinal)}'")
            .Concat(extra.Select(c => $"# {c.Replace('\n', ' ')}")));
    }
}

static string F(double x) => double.IsNaN(x) ? "nan" : x.ToString("0.###", CultureInfo.InvariantCulture);

static string Trim(string s)
{
    s = s.Replace('\n', ' ').Replace('\r', ' ');
    return s.Length <= 300 ? s : s[..300] + "…";
}

string Opt(string name, string fallback) => opts.TryGetValue(name, out var v) ? v : fallback;
int Int(string name, int fallback) => int.Parse(Opt(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
double Dbl(string name, double fallback) => double.Parse(Opt(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

static (string Mode, Dictionary<string, string> Options) ParseArgs(string[] a)
{
    var o = new Dictionary<string, string>(StringComparer.Ordinal);
    var m = a.Length > 0 ? a[0] : "";
    for (var i = 1; i < a.Length; i++)
    {
        if (!a[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument {a[i]}");
        o[a[i][2..]] = i + 1 < a.Length ? a[++i] : "";
    }

    return (m, o);
}

internal sealed record LocationSpec(string Id, string Type, double Lat, double Lon);

/// <summary>Locations spread uniformly over a box the size of Great Britain, SKUs, and the stock of each pair.</summary>
internal sealed record Layout(LocationSpec[] Locations, string[] Skus, int WarehouseStock, int StoreStock)
{
    public static readonly (double LatMin, double LatMax, double LonMin, double LonMax) Box = (50.6, 55.6, -4.2, 1.4);

    public int StockOf(LocationSpec l) => l.Type == "warehouse" ? WarehouseStock : StoreStock;

    public static Layout Generate(int locations, int warehouses, int skus, int whStock, int storeStock, int seed)
    {
        var rng = new Random(seed);
        var (latMin, latMax, lonMin, lonMax) = Box;
        var locs = Enumerable.Range(1, locations).Select(i =>
        {
            var wh = i <= warehouses;
            var id = wh ? $"WH-{i:00}" : $"ST-{i - warehouses:00}";
            return new LocationSpec(id, wh ? "warehouse" : "store",
                Math.Round(latMin + rng.NextDouble() * (latMax - latMin), 4), Math.Round(lonMin + rng.NextDouble() * (lonMax - lonMin), 4));
        }).ToArray();
        return new Layout(locs, [.. Enumerable.Range(1, skus).Select(i => $"SKU-{i:00000}")], whStock, storeStock);
    }

    public void Write(string dir)
    {
        File.WriteAllLines(Path.Combine(dir, "locations.csv"),
            Locations.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Id},{l.Type},{l.Lat},{l.Lon}")));
        File.WriteAllLines(Path.Combine(dir, "stock.csv"), Locations.SelectMany(l => Skus.Select(s => $"{l.Id},{s},{StockOf(l)}")));
        File.WriteAllLines(Path.Combine(dir, "skus.txt"), Skus);
        File.WriteAllLines(Path.Combine(dir, "layout.env"), [$"WAREHOUSE_STOCK={WarehouseStock}", $"STORE_STOCK={StoreStock}"]);
    }

    public static Layout Read(string dir)
    {
        var locs = File.ReadAllLines(Path.Combine(dir, "locations.csv")).Select(line => line.Split(','))
            .Select(p => new LocationSpec(p[0], p[1], double.Parse(p[2], CultureInfo.InvariantCulture), double.Parse(p[3], CultureInfo.InvariantCulture)))
            .ToArray();
        var env = File.ReadAllLines(Path.Combine(dir, "layout.env")).Select(l => l.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
        return new Layout(locs, File.ReadAllLines(Path.Combine(dir, "skus.txt")), env["WAREHOUSE_STOCK"], env["STORE_STOCK"]);
    }
}

/// <summary>One closed-loop client's counters and ledger (nothing shared between clients while running).</summary>
internal sealed class Worker(int id)
{
    public int Id { get; } = id;
    public Dictionary<int, long> ByStatus { get; } = [];
    public List<long> Latencies { get; } = new(256);
    public List<(string OrderId, string Location, string Sku, int Quantity)> Ledger { get; } = new(1024);
    public List<string> Resolve { get; } = [];
    public long OkWarmup { get; private set; }
    public long OkMeasured { get; private set; }
    public long OkDrain { get; private set; }
    public long MeasuredStarted { get; private set; }
    public long Fulfilments { get; set; }
    public long BadBodies { get; set; }

    public void Record(int status, long start, long done, long warmupEnd, long end)
    {
        ByStatus[status] = ByStatus.GetValueOrDefault(status) + 1;
        if (start >= warmupEnd && start < end)
        {
            MeasuredStarted++;
            Latencies.Add(done - start);
        }

        if (status != 201) return;
        if (done >= warmupEnd && done < end) OkMeasured++;
        else if (done < warmupEnd) OkWarmup++;
        else OkDrain++;
    }
}
