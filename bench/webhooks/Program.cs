// Webhook delivery benchmark (bench/webhooks/run.sh starts the gateway and runs this). In one run:
//   A. orders/s through POST /v1/orders with no subscription (closed loop)
//   B. 10 subscriptions, each its own Kestrel receiver (answers 200 at once, counts, verifies a sample of signatures
//      with Oms.Grains.Webhooks.WebhookSignature); end-to-end latency from the order's 201 to each receiver's arrival
//      of that order's order.created, at a steady open-loop rate
//   C. events delivered per second to the 10 receivers while orders are placed as fast as the gateway takes them
//   D. events per order and the bytes of their JSON (from GET /v1/events)
//   E. baseline: a bare HttpClient POSTing the same signed bodies to the same receivers, 8 concurrent per receiver
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Oms.Grains.Webhooks;

var opt = Args.Parse(args);
var gw = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
{ BaseAddress = new Uri(opt.Url), Timeout = TimeSpan.FromSeconds(30) };
string runId = DateTime.UtcNow.ToString("HHmmss");
string Channel = "wb-web", Warehouse = "WB-WH";
var skus = Enumerable.Range(0, 20).Select(i => $"WB-{runId}-{i:D2}").ToArray();

void Log(string s) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {s}");
double GwCpu() // seconds of CPU used by the gateway process so far
{
    if (opt.GatewayPid <= 0) return double.NaN;
    var stat = File.ReadAllText($"/proc/{opt.GatewayPid}/stat");
    var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(f[11]) + long.Parse(f[12])) / 100.0;
}
double SelfCpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

async Task PutOk(string path, object body)
{
    var r = await gw.PutAsJsonAsync(path, body);
    if (!r.IsSuccessStatusCode) throw new Exception($"PUT {path}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
}

// ---- setup ---------------------------------------------------------------------------------------------------
await PutOk($"/v1/locations/{Warehouse}", new { name = "Bench DC", type = "warehouse", latitude = 52.2565, longitude = -1.1629, region = "UK" });
await PutOk($"/v1/channels/{Channel}", new { name = "Bench web", region = "UK", locationTypes = new[] { "warehouse" } });
foreach (var sku in skus)
{
    await PutOk($"/v1/products/{sku}", new { name = sku, barcode = $"BC{sku}" });
    await PutOk($"/v1/inventory/{Warehouse}/{sku}", new { onHand = 1_000_000, asOf = "2026-04-01T00:00:00Z" });
}

var receivers = new List<Receiver>();
for (int i = 0; i < opt.Receivers; i++) receivers.Add(await Receiver.StartAsync(opt.VerifyEvery));
Log($"{receivers.Count} receivers on {string.Join(", ", receivers.Select(r => r.Port))}");

var placed = 0L; var failed = 0L;
var created = new ConcurrentDictionary<string, long>(); // orderId -> Stopwatch timestamp of its 201 (latency phase)
var sentAt = new ConcurrentDictionary<string, long>(); // orderId -> when its POST was sent (latency phase)
var orderLat = new ConcurrentBag<double>(); // ms from sending the POST to its 201 (latency phase)
async Task<bool> PlaceAsync(string orderId, bool track)
{
    var sku = skus[(int)((uint)orderId.GetHashCode() % skus.Length)];
    var body = new
    {
        orderId,
        channel = Channel,
        customer = new { id = "wb-customer", email = "wb@example.com" },
        lines = new[] { new { sku, quantity = 1, unitPrice = 10m } },
        fulfilment = new { type = "ship", address = new { latitude = 51.75, longitude = -1.26, country = "GB" } },
    };
    try
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = JsonContent.Create(body) };
        if (opt.Idempotency) req.Headers.Add("Idempotency-Key", orderId);
        var sent = Stopwatch.GetTimestamp();
        using var r = await gw.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        var t = Stopwatch.GetTimestamp();
        if ((int)r.StatusCode != 201) { if (Interlocked.Increment(ref failed) <= 3) Log($"order {orderId}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}"); return false; }
        if (track) { created[orderId] = t; sentAt[orderId] = sent; orderLat.Add((t - sent) * 1000.0 / Stopwatch.Frequency); }
        Interlocked.Increment(ref placed);
        return true;
    }
    catch (Exception e) { if (Interlocked.Increment(ref failed) <= 3) Log($"order {orderId}: {e.Message}"); return false; }
}

async Task<(int orders, double secs)> ClosedLoop(string prefix, int concurrency, double seconds)
{
    var sw = Stopwatch.StartNew(); int n = 0, ok = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (sw.Elapsed.TotalSeconds < seconds)
            if (await PlaceAsync($"{prefix}-{Interlocked.Increment(ref n)}", false)) Interlocked.Increment(ref ok);
    }));
    return (ok, sw.Elapsed.TotalSeconds);
}

// ---- A: no subscriptions -------------------------------------------------------------------------------------
Log($"warm-up {opt.Warmup} s (no subscriptions)");
await ClosedLoop($"wb-{runId}-warm", opt.Concurrency, opt.Warmup);
var cpu0 = GwCpu();
Log($"A: orders/s without subscriptions, {opt.Concurrency} concurrent, {opt.Seconds} s");
var a = await ClosedLoop($"wb-{runId}-a", opt.Concurrency, opt.Seconds);
var cpuA = GwCpu() - cpu0;

// ---- subscriptions -------------------------------------------------------------------------------------------
for (int i = 0; i < receivers.Count; i++)
{
    var r = await gw.PutAsJsonAsync($"/v1/webhooks/wb-{runId}-{i}", new
    {
        url = receivers[i].Url,
        events = new[] { "order.created", "fulfilment.released", "order.status_changed" },
        enabled = true,
    });
    var text = await r.Content.ReadAsStringAsync();
    if (!r.IsSuccessStatusCode) throw new Exception($"PUT /v1/webhooks: {(int)r.StatusCode} {text}");
    receivers[i].Secret = JsonDocument.Parse(text).RootElement.GetProperty("secret").GetString()!;
}
Log("10 subscriptions put; warm-up of the delivery path 5 s at 20 orders/s");
await OpenLoop($"wb-{runId}-w2", 20, 5, false);
await Drain(TimeSpan.FromSeconds(20));

// ---- B: latency at a steady rate -----------------------------------------------------------------------------
Log($"B: latency, {opt.Rate} orders/s for {opt.LatencySeconds} s");
foreach (var r in receivers) r.TrackPrefix = $"order:wb-{runId}-lat-";
await OpenLoop($"wb-{runId}-lat", opt.Rate, opt.LatencySeconds, true);
var until = DateTime.UtcNow.AddSeconds(15);
while (DateTime.UtcNow < until && receivers.Sum(r => r.Arrivals.Count) < created.Count * receivers.Count) await Task.Delay(100);
foreach (var r in receivers) r.TrackPrefix = null;
var lat = new List<double>(); var latSent = new List<double>(); int missing = 0;
foreach (var (order, t201) in created)
    foreach (var r in receivers)
        if (r.Arrivals.TryGetValue(order, out var t)) { lat.Add((t - t201) * 1000.0 / Stopwatch.Frequency); latSent.Add((t - sentAt[order]) * 1000.0 / Stopwatch.Frequency); } else missing++;
lat.Sort(); latSent.Sort();
double P(List<double> xs, double q) => xs.Count == 0 ? double.NaN : xs[Math.Min(xs.Count - 1, (int)Math.Ceiling(q * xs.Count) - 1)];
await Drain(TimeSpan.FromSeconds(20));

// ---- C: delivery throughput ----------------------------------------------------------------------------------
Log($"C: delivery throughput, orders closed loop {opt.Concurrency} concurrent for {opt.Seconds} s");
long recv0 = receivers.Sum(r => r.Count);
var cpu1 = GwCpu();
var swC = Stopwatch.StartNew(); var startC = Stopwatch.GetTimestamp();
var c = await ClosedLoop($"wb-{runId}-c", opt.Concurrency, opt.Seconds);
long recvDuringPlace = receivers.Sum(r => r.Count) - recv0;
double placeSecs = swC.Elapsed.TotalSeconds;
var cpuPlace = GwCpu() - cpu1;
// wait until every receiver has stopped getting events (drained)
var drained = await Drain(TimeSpan.FromSeconds(40));
long recvTotal = receivers.Sum(r => r.Count) - recv0;
double lastArrivalSecs = (receivers.Max(r => r.LastArrival) - startC) / (double)Stopwatch.Frequency;
var cpuC = GwCpu() - cpu1;

// ---- C2: delivery of a backlog (subscriptions disabled while orders are placed, then enabled) -----------------
async Task PutSubs(bool enabled)
{
    for (int i = 0; i < receivers.Count; i++)
    {
        var r = await gw.PutAsJsonAsync($"/v1/webhooks/wb-{runId}-{i}", new { url = receivers[i].Url, events = new[] { "order.created", "fulfilment.released", "order.status_changed" }, enabled });
        if (!r.IsSuccessStatusCode) throw new Exception($"PUT /v1/webhooks: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }
}
Log($"C2: backlog, subscriptions disabled, {opt.BacklogOrders} orders, then enabled");
await PutSubs(false);
long recvB0 = receivers.Sum(r => r.Count);
var backlogOk = 0; var nB = 0;
var swB = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, opt.Concurrency).Select(async _ =>
{
    while (Interlocked.Increment(ref nB) <= opt.BacklogOrders && swB.Elapsed.TotalSeconds < 60)
        if (await PlaceAsync($"wb-{runId}-b-{nB}", false)) Interlocked.Increment(ref backlogOk);
}));
double backlogPlaceSecs = swB.Elapsed.TotalSeconds;
long whileDisabled = receivers.Sum(r => r.Count) - recvB0;
await Task.Delay(1000);
long expectedBacklog = (long)backlogOk * 2 * receivers.Count;
var cpu2 = GwCpu();
var startB = Stopwatch.GetTimestamp();
await PutSubs(true);
var drainedB = await Drain(TimeSpan.FromSeconds(60));
long backlogGot = receivers.Sum(r => r.Count) - recvB0 - whileDisabled;
double backlogSecs = (receivers.Max(r => r.LastArrival) - startB) / (double)Stopwatch.Frequency;
var cpuBacklog = GwCpu() - cpu2;

// ---- D: events per order, bytes ------------------------------------------------------------------------------
Log("D: events per order from GET /v1/events");
var cOrders = new HashSet<string>();
long evCount = 0, evBytes = 0; var byType = new SortedDictionary<string, int>();
string? after = null;
for (int page = 0; page < 2000; page++)
{
    var doc = JsonDocument.Parse(await gw.GetStringAsync("/v1/events?limit=1000" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after))));
    var events = doc.RootElement.GetProperty("events");
    foreach (var e in events.EnumerateArray())
    {
        var subject = e.GetProperty("subject").GetString() ?? "";
        if (!subject.StartsWith($"order:wb-{runId}-c-")) continue;
        cOrders.Add(subject);
        evCount++; evBytes += Encoding.UTF8.GetByteCount(e.GetRawText());
        var type = e.GetProperty("type").GetString()!;
        byType[type] = byType.GetValueOrDefault(type) + 1;
    }
    var next = doc.RootElement.GetProperty("next").GetString();
    if (events.GetArrayLength() == 0 || next == after) break;
    after = next;
}
int subscribedPerOrder = cOrders.Count == 0 ? 0 : (int)Math.Round(byType.Where(kv => kv.Key is "order.created" or "fulfilment.released" or "order.status_changed").Sum(kv => kv.Value) / (double)cOrders.Count);

// ---- E: baseline ---------------------------------------------------------------------------------------------
var samples = receivers.SelectMany(r => r.Samples).Take(200).ToArray();
if (samples.Length == 0) throw new Exception("no delivery body captured");
double avgBody = receivers.Sum(r => r.Bytes) / (double)Math.Max(1, receivers.Sum(r => r.Count));
Log($"E: baseline, bare HttpClient, {opt.Lanes} concurrent per receiver, {opt.BaselineSeconds} s, bodies {samples.Min(s => s.Length)}-{samples.Max(s => s.Length)} B");
var bare = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };
long bn = 0, bErr = 0;
var cpuSelf0 = SelfCpu();
var swE = Stopwatch.StartNew();
await Task.WhenAll(receivers.SelectMany(r => Enumerable.Range(0, opt.Lanes).Select(async lane =>
{
    int k = lane;
    while (swE.Elapsed.TotalSeconds < opt.BaselineSeconds)
    {
        var body = samples[k++ % samples.Length];
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var req = new HttpRequestMessage(HttpMethod.Post, r.Url + "baseline") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        req.Headers.Add(WebhookSignature.IdHeader, id);
        req.Headers.Add(WebhookSignature.TimestampHeader, ts.ToString());
        req.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Standard(id, ts, body, [r.Secret]));
        req.Headers.Add(WebhookSignature.BodySignatureHeader, WebhookSignature.Body(body, r.Secret));
        try { using var resp = await bare.SendAsync(req); if (resp.IsSuccessStatusCode) Interlocked.Increment(ref bn); else Interlocked.Increment(ref bErr); }
        catch { Interlocked.Increment(ref bErr); }
    }
})));
double eSecs = swE.Elapsed.TotalSeconds;
var cpuSelfE = SelfCpu() - cpuSelf0;

// ---- report --------------------------------------------------------------------------------------------------
long verified = receivers.Sum(r => r.Verified), badSig = receivers.Sum(r => r.BadSignatures), baseBad = receivers.Sum(r => r.BaselineBad);
Console.WriteLine();
Console.WriteLine($"Webhooks bench, run {runId}, orders {(opt.Idempotency ? "with" : "without")} Idempotency-Key, {receivers.Count} subscribers (events order.created, fulfilment.released, order.status_changed), gateway {opt.Url}");
Console.WriteLine($"A  orders/s, no subscriptions ({opt.Concurrency} concurrent, {a.secs:F1} s): {a.orders / a.secs:F1}  (gateway CPU {cpuA * 1000 / Math.Max(1, a.orders):F2} ms/order)");
Console.WriteLine($"C  orders/s, 10 subscriptions (same load):            {c.orders / c.secs:F1}  (gateway CPU while placing {cpuPlace * 1000 / Math.Max(1, c.orders):F2} ms/order; incl. draining the deliveries {cpuC * 1000 / Math.Max(1, c.orders):F2} ms/order)");
Console.WriteLine($"C  events delivered/s to the 10 receivers while placing: {recvDuringPlace / placeSecs:F0}  ({recvDuringPlace} in {placeSecs:F1} s)");
Console.WriteLine($"C  all {recvTotal} deliveries of phase C ({c.orders} orders × {subscribedPerOrder} subscribed events × {receivers.Count} = {(long)c.orders * subscribedPerOrder * receivers.Count} expected) arrived within {lastArrivalSecs:F1} s of the start: {recvTotal / lastArrivalSecs:F0} events/s overall; drained: {drained.ok}");
Console.WriteLine($"C2 backlog: {backlogOk} orders placed in {backlogPlaceSecs:F1} s ({backlogOk / backlogPlaceSecs:F1} orders/s) with the 10 subscriptions disabled ({whileDisabled} deliveries meanwhile); after enabling, {backlogGot} of ~{expectedBacklog} deliveries in {backlogSecs:F1} s: {backlogGot / backlogSecs:F0} events/s (gateway CPU {cpuBacklog * 1000 / Math.Max(1, backlogGot):F2} ms per delivery); drained: {drainedB.ok}");
var ol = orderLat.OrderBy(x => x).ToList();
Console.WriteLine($"B  POST /v1/orders -> 201 at {opt.Rate} orders/s: p50 {P(ol, 0.50):F1} ms, p99 {P(ol, 0.99):F1} ms");
Console.WriteLine($"B  order 201 -> receiver's order.created, {opt.Rate} orders/s open loop, {created.Count} orders × {receivers.Count} receivers = {lat.Count} arrivals ({missing} missing): p50 {P(lat, 0.50):F1} ms, p90 {P(lat, 0.90):F1} ms, p99 {P(lat, 0.99):F1} ms, max {(lat.Count > 0 ? lat[^1] : double.NaN):F1} ms (negative: the event arrived before the client had its 201)");
Console.WriteLine($"B  POST sent -> receiver's order.created: p50 {P(latSent, 0.50):F1} ms, p90 {P(latSent, 0.90):F1} ms, p99 {P(latSent, 0.99):F1} ms");
Console.WriteLine($"D  events per order (phase C, {cOrders.Count} orders): {evCount / (double)Math.Max(1, cOrders.Count):F2} ({string.Join(", ", byType.Select(kv => $"{kv.Key} {kv.Value / (double)Math.Max(1, cOrders.Count):F2}"))}); event JSON (as GET /v1/events serves it) {evBytes / (double)Math.Max(1, cOrders.Count):F0} B per order, {evBytes / (double)Math.Max(1, evCount):F0} B per event");
Console.WriteLine($"   delivery bodies: {avgBody:F0} B on average; signatures verified on a sample: {verified} ok, {badSig} bad (baseline: {baseBad} bad)");
Console.WriteLine($"E  baseline, bare HttpClient, {opt.Lanes} concurrent per receiver ({opt.Lanes * receivers.Count} in all), same signed bodies: {bn / eSecs:F0} requests/s ({bErr} errors; load generator + receivers CPU {cpuSelfE * 1e6 / Math.Max(1, bn):F0} µs/request)");
Console.WriteLine($"   orders placed in the whole run: {placed}");
Console.WriteLine($"   ratio delivered/baseline: while placing {recvDuringPlace / placeSecs / (bn / eSecs):F3}, backlog {backlogGot / backlogSecs / (bn / eSecs):F3}; order failures {failed}");
foreach (var r in receivers) await r.DisposeAsync();
return failed > 0 || badSig > 0 || !drained.ok || !drainedB.ok ? 1 : 0;

async Task OpenLoop(string prefix, double rate, double seconds, bool track)
{
    var start = Stopwatch.GetTimestamp(); var tasks = new List<Task>();
    int total = (int)(rate * seconds);
    for (int i = 0; i < total; i++)
    {
        var due = start + (long)(i / rate * Stopwatch.Frequency);
        var wait = (due - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
        if (wait > 1) await Task.Delay(TimeSpan.FromMilliseconds(wait));
        tasks.Add(PlaceAsync($"{prefix}-{i}", track));
    }
    await Task.WhenAll(tasks);
}

async Task<(bool ok, double lastArrival)> Drain(TimeSpan max)
{
    var deadline = DateTime.UtcNow + max; long last = -1; var quietSince = DateTime.UtcNow;
    while (DateTime.UtcNow < deadline)
    {
        await Task.Delay(250);
        long now = receivers.Sum(r => r.Count);
        if (now != last) { last = now; quietSince = DateTime.UtcNow; }
        else if (DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(2.5)) return (true, 0);
    }
    return (false, 0);
}

sealed class Receiver : IAsyncDisposable
{
    private WebApplication _app = null!;
    public int Port; public string Url = ""; public string Secret = "";
    public long Count, Bytes, Verified, BadSignatures, BaselineCount, BaselineBad, LastArrival;
    public volatile string? TrackPrefix;
    public readonly ConcurrentDictionary<string, long> Arrivals = new();
    public readonly ConcurrentQueue<string> Samples = new();
    private int _samples;

    public static async Task<Receiver> StartAsync(int verifyEvery)
    {
        var r = new Receiver();
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = b.Build();
        app.Run(async ctx =>
        {
            var t = Stopwatch.GetTimestamp();
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            var baseline = ctx.Request.Path.StartsWithSegments("/baseline");
            long n = baseline ? Interlocked.Increment(ref r.BaselineCount) : Interlocked.Increment(ref r.Count);
            if (!baseline)
            {
                Interlocked.Add(ref r.Bytes, ms.Length);
                Interlocked.Exchange(ref r.LastArrival, t);
                if (r._samples < 50 && Interlocked.Increment(ref r._samples) <= 50) r.Samples.Enqueue(Encoding.UTF8.GetString(ms.ToArray()));
                if (r.TrackPrefix is { } prefix)
                {
                    using var doc = JsonDocument.Parse(ms.ToArray());
                    var subject = doc.RootElement.GetProperty("subject").GetString()!;
                    if (subject.StartsWith(prefix) && doc.RootElement.GetProperty("type").GetString() == "order.created")
                        r.Arrivals.TryAdd(subject["order:".Length..], t);
                }
            }
            if (n % verifyEvery == 1 && r.Secret.Length > 0)
            {
                var h = ctx.Request.Headers;
                var body = Encoding.UTF8.GetString(ms.ToArray());
                var ok = long.TryParse(h[WebhookSignature.TimestampHeader], out var ts)
                    && h[WebhookSignature.SignatureHeader].ToString().Split(' ').Contains(WebhookSignature.Standard(h[WebhookSignature.IdHeader]!, ts, body, [r.Secret]))
                    && h[WebhookSignature.BodySignatureHeader] == WebhookSignature.Body(body, r.Secret);
                if (baseline) { if (!ok) Interlocked.Increment(ref r.BaselineBad); }
                else if (ok) Interlocked.Increment(ref r.Verified); else Interlocked.Increment(ref r.BadSignatures);
            }
            ctx.Response.StatusCode = 200;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        r.Port = new Uri(address).Port; r.Url = $"http://127.0.0.1:{r.Port}/"; r._app = app;
        return r;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

sealed record Args(string Url, int GatewayPid, int Receivers, int Concurrency, double Warmup, double Seconds, double Rate, double LatencySeconds, double BaselineSeconds, int Lanes, int VerifyEvery, int BacklogOrders, bool Idempotency)
{
    public static Args Parse(string[] a)
    {
        string Get(string name, string dflt) { var i = Array.IndexOf(a, "--" + name); return i >= 0 && i + 1 < a.Length ? a[i + 1] : dflt; }
        return new Args(Get("url", "http://127.0.0.1:5080"), int.Parse(Get("gateway-pid", "0")), int.Parse(Get("receivers", "10")),
            int.Parse(Get("concurrency", "16")), double.Parse(Get("warmup", "8")), double.Parse(Get("seconds", "15")),
            double.Parse(Get("rate", "10")), double.Parse(Get("latency-seconds", "15")), double.Parse(Get("baseline-seconds", "10")),
            int.Parse(Get("lanes", "8")), int.Parse(Get("verify-every", "25")), int.Parse(Get("backlog-orders", "500")), Get("idempotency", "1") == "1");
    }
}
