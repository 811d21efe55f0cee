// SSE stock-delta stream benchmark (bench/sse/run.sh starts the embedded gateway pinned to CPU 0 and runs this on CPU 1).
//   1. stock change -> SSE delivery latency: N subscribers on GET /v1/availability/stream?channel=web-uk&skus=HOT (N = 1,
//      100, 1,000; and 1,000 without skus=), a writer PUTs /v1/inventory/{loc}/HOT every 100 ms with a unique on-hand
//      level; each `stock` event is matched to its write by version (atp as a fallback); latency = the subscriber's
//      parse of the event minus the send of the write (and minus the write's 2xx); events delivered vs expected.
//   2. memory per idle SSE connection: the gateway's VmRSS and GC heap (after a full GC induced from outside with
//      dotnet-trace, heap size read with dotnet-counters) before and after opening 1,000 idle subscribers.
//   3. hot-SKU isolation: cold-SKU reads (GET /v1/availability/{sku}?channel=web-uk, every SKU but the hot one) open
//      loop at a fixed rate, latency from the due time; idle, then while 64 carts PUT lines of the hot SKU (1, 0, 1, ...)
//      closed loop at full rate.
// Traffic to 127.0.0.1 only; every phase is bounded in time. Exits 1 when something failed (a write not 2xx, a
// subscriber that did not get ready, a lost event with STRICT_EVENTS=1, a cold read that was not 200).
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var opt = Opt.Parse(args);
if (!Uri.TryCreate(opt.Url, UriKind.Absolute, out var baseUri) || !(IPAddress.TryParse(baseUri.Host, out var ip) && IPAddress.IsLoopback(ip)))
{
    Console.Error.WriteLine($"refusing to load {opt.Url}: only a loopback IP address");
    return 2;
}

if (opt.Mode == "sale") return await Sale.RunAsync(opt, baseUri);
var failures = new List<string>();
void Log(string s) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {s}");

var api = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = 16, UseProxy = false, UseCookies = false,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
}) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
// The subscribers' own pool: one connection per open stream, so the limit is well above the largest phase.
var sseClient = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = 10_000, UseProxy = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(15),
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5),
}) { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };

var gw = new GatewayProc(opt.GatewayPid);
var asOfBase = DateTimeOffset.UtcNow.AddSeconds(-5);
long asOfSeq = 0;
int levelBase = 100_000;
double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

// ---- checks -------------------------------------------------------------------------------------------------------
{
    var r = await api.GetAsync($"/v1/locations/{opt.Location}");
    if (!r.IsSuccessStatusCode) { Console.Error.WriteLine($"location {opt.Location}: {(int)r.StatusCode}"); return 1; }
    var inv = await api.GetStringAsync($"/v1/inventory/{opt.Location}/{opt.Sku}");
    Log($"hot SKU {opt.Sku} at {opt.Location} before the run: {inv}");
    var av = JsonDocument.Parse(await api.GetStringAsync($"/v1/availability/{opt.Sku}?channel={opt.Channel}")).RootElement;
    if (!av.GetProperty("locations").EnumerateArray().Any(l => l.GetProperty("locationId").GetString() == opt.Location))
        Log($"warning: {opt.Location} is not listed in {opt.Sku}'s {opt.Channel} availability (it may simply hold 0 there)");
}

// ---- warm-up: the stream, the writer, the cold reads and the carts ----------------------------------------------------
// The gateway is one core: right after start its hot paths are still being tiered up (JIT) on that same core, and a
// short run measured cart writes at a third and reads at twice the CPU of a warm gateway. So every path runs first.
Log($"warm-up: 10 subscribers + writer, cold reads at {opt.Rate / 2}/s, {opt.Carts / 4} carts closed loop; {opt.WarmupSeconds} s");
{
    var subs = await OpenSubscribers(10, opt.Sku, "warm");
    var hotNo = int.Parse(opt.Sku[(opt.Sku.LastIndexOf('-') + 1)..]);
    var warmPaths = Enumerable.Range(1, 500).Where(i => i != hotNo).Select(i => $"/v1/availability/SKU-{i:D5}?channel={opt.Channel}").ToArray();
    using var stopCarts = new CancellationTokenSource(TimeSpan.FromSeconds(opt.WarmupSeconds));
    var carts = Enumerable.Range(0, Math.Max(1, opt.Carts / 4)).Select(k => Task.Run(async () =>
    {
        for (int i = 0; !stopCarts.IsCancellationRequested; i++)
        {
            using var c = new StringContent($"{{\"channel\":\"{opt.Channel}\",\"quantity\":{(i & 1) ^ 1}}}", Encoding.UTF8, "application/json");
            try { using var r = await api.PutAsync($"/v1/carts/sse-warm-{k}/lines/{opt.Sku}", c, stopCarts.Token); } catch (OperationCanceledException) { break; }
        }
        using var d = await api.DeleteAsync($"/v1/carts/sse-warm-{k}");
    })).ToList();
    var reads = OpenLoop(api, warmPaths, opt.Rate / 2, opt.WarmupSeconds);
    await RunWriter(opt.WarmupSeconds, "warm");
    await Task.WhenAll(carts);
    await reads;
    await Task.Delay(500);
    await CloseAll(subs);
    await Task.Delay(2000);
}

var latencyRows = new List<LatencyRow>();
foreach (var n in opt.Subscribers)
{
    if (n == opt.IdleSubscribers) continue; // measured after the memory phase, on the same connections
    latencyRows.Add(await LatencyPhase(n, filtered: true, existing: null));
}

// ---- memory per idle connection -------------------------------------------------------------------------------------
Log("memory: settling, full GC in the gateway, then the figures before");
await Task.Delay(2000);
var memBefore = await gw.MeasureAsync(opt.Tools, opt.Work, "before");
Log($"memory before: {memBefore}");
var idle = await OpenSubscribers(opt.IdleSubscribers, opt.Sku, "idle");
await Task.Delay(TimeSpan.FromSeconds(opt.IdleSeconds));
var memAfter = await gw.MeasureAsync(opt.Tools, opt.Work, "after");
Log($"memory with {idle.Count} idle subscribers: {memAfter}");
int idleHeartbeats = idle.Sum(s => s.Heartbeats), idleStock = idle.Sum(s => s.StockEvents);
if (opt.Subscribers.Contains(opt.IdleSubscribers))
    latencyRows.Add(await LatencyPhase(opt.IdleSubscribers, filtered: true, existing: idle));
else
    await CloseAll(idle);
if (opt.Unfiltered > 0)
    latencyRows.Add(await LatencyPhase(opt.Unfiltered, filtered: false, existing: null));

// ---- hot-SKU isolation --------------------------------------------------------------------------------------------
var iso = await IsolationPhase();

// ---- report -------------------------------------------------------------------------------------------------------
string F(double x, string f = "F1") => double.IsNaN(x) ? "n/a" : x.ToString(f);
Console.WriteLine();
Console.WriteLine($"SSE stock-delta stream, gateway {opt.Url} (pid {opt.GatewayPid}), channel {opt.Channel}, hot SKU {opt.Sku} at {opt.Location}; writer: one PUT /v1/inventory/{opt.Location}/{opt.Sku} every {opt.IntervalMs} ms on average (gaps ±{opt.Jitter * 100:F0} %) for {opt.Seconds} s per row, a unique onHand each");
Console.WriteLine();
Console.WriteLine("1. Stock change -> SSE delivery. Latency (ms) = the subscriber's parse of the `stock` event minus the send of the write that caused it (matched by version), and minus that write's 2xx");
Console.WriteLine($"{"subscribers",-18} {"writes",6} {"events got/expected",20} {"lost",5} {"dup",4} {"other",5} {"resync",6} | {"p50",6} {"p99",6} {"p99.9",6} {"max",6} | {"2xx p50",7} {"p99",6} {"max",6} | {"spread p50",10} {"p99",6} | {"PUT p50",7} {"p99",6} | {"gw cores",8} {"steal0 ms",9}");
foreach (var r in latencyRows)
    Console.WriteLine($"{r.Label,-18} {r.Writes,6} {$"{r.Got}/{r.Expected}",20} {r.Lost,5} {r.Duplicates,4} {r.Other,5} {r.Resyncs,6} | {r.Sent.P50,6:F1} {r.Sent.P99,6:F1} {r.Sent.P999,6:F1} {r.Sent.Max,6:F1} | {r.Acked.P50,7:F1} {r.Acked.P99,6:F1} {r.Acked.Max,6:F1} | {r.Spread.P50,10:F1} {r.Spread.P99,6:F1} | {r.Write.P50,7:F1} {r.Write.P99,6:F1} | {r.Win.GwCores,8:F2} {r.Win.Steal0Ms,9:F0}");
Console.WriteLine("   spread: per write, the last subscriber's parse minus the first one's. other: stock events of the SKU at that location matching no write of the row.");
Console.WriteLine("   lost = expected - distinct writes seen, over all subscribers (expected = applied writes x subscribers). steal0: time the hypervisor took from CPU 0 (the gateway's).");
foreach (var r in latencyRows) Console.WriteLine($"   {r.Label}: {r.Win}");
Console.WriteLine();
Console.WriteLine($"2. Memory per idle SSE connection ({idle.Count} subscribers on channel={opt.Channel}&skus={opt.Sku}, {opt.IdleSeconds} s idle; {idleHeartbeats} heartbeats and {idleStock} stock events meanwhile)");
Console.WriteLine($"   before: {memBefore}");
Console.WriteLine($"   after:  {memAfter}");
double rssPer = (memAfter.RssKb - memBefore.RssKb) * 1024.0 / Math.Max(1, idle.Count);
double heapPer = memAfter.HeapBytes >= 0 && memBefore.HeapBytes >= 0 ? (memAfter.HeapBytes - memBefore.HeapBytes) / (double)Math.Max(1, idle.Count) : double.NaN;
Console.WriteLine($"   per connection: RSS {rssPer / 1024:F1} KiB, GC heap {F(heapPer / 1024)} KiB (both after an induced full GC: {(memBefore.GcInduced && memAfter.GcInduced ? "yes" : "no")}); threads {memBefore.Threads} -> {memAfter.Threads}");
Console.WriteLine();
Console.WriteLine($"3. Hot-SKU isolation: cold reads GET /v1/availability/SKU-xxxxx?channel={opt.Channel} (the 499 SKUs but {opt.Sku}), open loop {opt.Rate} req/s, {opt.IsoSeconds} s each, latency (ms) from the due time");
Console.WriteLine($"{"",-26} {"reads",7} {"non-200",7} {"dropped",7} {"p50",6} {"p99",6} {"p99.9",6} {"max",6} | {"gw cores",8} {"lg cores",8} {"steal0 ms",9}");
Console.WriteLine($"{"idle",-26} {iso.Idle.Count,7} {iso.Idle.Errors,7} {iso.Idle.Dropped,7} {iso.Idle.Lat.P50,6:F2} {iso.Idle.Lat.P99,6:F2} {iso.Idle.Lat.P999,6:F2} {iso.Idle.Lat.Max,6:F1} | {iso.IdleWin.GwCores,8:F2} {iso.IdleWin.LgCores,8:F2} {iso.IdleWin.Steal0Ms,9:F0}");
Console.WriteLine($"{$"during the sale ({opt.Carts} carts)",-26} {iso.Sale.Count,7} {iso.Sale.Errors,7} {iso.Sale.Dropped,7} {iso.Sale.Lat.P50,6:F2} {iso.Sale.Lat.P99,6:F2} {iso.Sale.Lat.P999,6:F2} {iso.Sale.Lat.Max,6:F1} | {iso.SaleWin.GwCores,8:F2} {iso.SaleWin.LgCores,8:F2} {iso.SaleWin.Steal0Ms,9:F0}");
double isoRatio = iso.Sale.Lat.P99 / iso.Idle.Lat.P99;
string codes = string.Join(", ", iso.Carts.Codes.OrderBy(k => k.Key).Select(k => $"{k.Key}: {k.Value}"));
Console.WriteLine($"   p99 during the sale / idle: {isoRatio:F2} (target <= 2: {(isoRatio <= 2 ? "met" : "NOT met")}); measured from the send instead of the due time: idle p99 {iso.Idle.Sent.P99:F2}, sale p99 {iso.Sale.Sent.P99:F2} ms");
Console.WriteLine($"   flash sale ({opt.Carts} carts, closed loop, PUT /v1/carts/{{id}}/lines/{opt.Sku} quantity 1 then 0, a child process at nice {opt.SaleNice} on the same CPU): {iso.Carts.Writes} writes in {iso.Carts.Seconds:F1} s = {iso.Carts.Writes / iso.Carts.Seconds:F0}/s, latency p50 {iso.Carts.P50:F1} ms, p99 {iso.Carts.P99:F1} ms, max {iso.Carts.Max:F1} ms; status {codes}; its CPU {iso.Carts.Cores:F2} cores");
Console.WriteLine($"   idle: {iso.IdleWin}");
Console.WriteLine($"   sale: {iso.SaleWin}");

Console.WriteLine();
Console.WriteLine("SUMMARY");
Console.WriteLine("| measure | figure |");
Console.WriteLine("| --- | --- |");
foreach (var r in latencyRows)
    Console.WriteLine($"| write -> SSE event, {r.Label} | p50 {r.Sent.P50:F1} / p99 {r.Sent.P99:F1} / p99.9 {r.Sent.P999:F1} / max {r.Sent.Max:F1} ms (from the 2xx: p50 {r.Acked.P50:F1}, p99 {r.Acked.P99:F1}); {r.Got:N0}/{r.Expected:N0} events, {r.Lost} lost, {r.Resyncs} resync; gateway {r.Win.GwCores:F2} cores |");
Console.WriteLine($"| memory per idle SSE connection | RSS {rssPer / 1024:F1} KiB, GC heap {F(heapPer / 1024)} KiB |");
Console.WriteLine($"| cold reads at {opt.Rate}/s, idle | p50 {iso.Idle.Lat.P50:F2} / p99 {iso.Idle.Lat.P99:F2} / p99.9 {iso.Idle.Lat.P999:F2} ms |");
Console.WriteLine($"| cold reads at {opt.Rate}/s, during the flash sale | p50 {iso.Sale.Lat.P50:F2} / p99 {iso.Sale.Lat.P99:F2} / p99.9 {iso.Sale.Lat.P999:F2} ms; p99 ratio **{isoRatio:F2}** (target <= 2: {(isoRatio <= 2 ? "met" : "not met")}) |");
Console.WriteLine($"| flash sale cart writes | {iso.Carts.Writes / iso.Carts.Seconds:F0}/s ({codes}), p50 {iso.Carts.P50:F1} / p99 {iso.Carts.P99:F1} ms |");
var noisy = latencyRows.Select(r => (Label: r.Label, Win: r.Win)).Append((Label: "cold reads idle", Win: iso.IdleWin)).Append((Label: "cold reads during the sale", Win: iso.SaleWin))
    .Where(x => x.Win.Cpu0Busy - x.Win.GwCores > 0.2 || x.Win.Steal0Ms > 0.05 * x.Win.Seconds * 1000).ToList();
foreach (var (label, win) in noisy)
    Console.WriteLine($"WARNING: {label}: other processes used {Math.Max(0, win.Cpu0Busy - win.GwCores):F2} of CPU 0 (the gateway's core) and the hypervisor stole {win.Steal0Ms:F0} ms of it in {win.Seconds:F0} s: that row measures the neighbours as much as the gateway");
Console.WriteLine($"RESULT iso_ratio={isoRatio:F3} lost={latencyRows.Sum(r => r.Lost)} resyncs={latencyRows.Sum(r => r.Resyncs)} failures={failures.Count}");
foreach (var f in failures) Console.Error.WriteLine($"FAILURE: {f}");
if (failures.Count > 0) return 1;
return opt.Strict && isoRatio > 2 ? 3 : 0;

// =====================================================================================================================

async Task<List<Subscriber>> OpenSubscribers(int n, string? sku, string tag)
{
    var path = $"/v1/availability/stream?channel={Uri.EscapeDataString(opt.Channel)}" + (sku is null ? "" : $"&skus={Uri.EscapeDataString(sku)}");
    var subs = Enumerable.Range(0, n).Select(i => new Subscriber(opt.Sku, opt.Location)).ToList();
    var gate = new SemaphoreSlim(64);
    var sw = Stopwatch.StartNew();
    foreach (var s in subs)
    {
        await gate.WaitAsync();
        s.Start(sseClient, path);
        _ = s.Ready.Task.ContinueWith(_ => gate.Release(), TaskScheduler.Default);
    }

    var all = Task.WhenAll(subs.Select(s => s.Ready.Task));
    if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) != all || all.IsFaulted)
    {
        var bad = subs.Where(s => !s.Ready.Task.IsCompletedSuccessfully).ToList();
        throw new Exception($"{tag}: {bad.Count} of {n} subscribers not ready within 60 s; first error: {bad.Select(s => s.Error).FirstOrDefault(e => e is not null) ?? "none (timeout)"}");
    }

    Log($"{tag}: {n} subscribers ready in {sw.Elapsed.TotalSeconds:F1} s");
    return subs;
}

async Task CloseAll(List<Subscriber> subs)
{
    foreach (var s in subs) s.Stop();
    await Task.WhenAny(Task.WhenAll(subs.Select(s => s.Loop ?? Task.CompletedTask)), Task.Delay(10_000));
}

async Task<List<Write>> RunWriter(double seconds, string tag)
{
    // Mean interval opt.IntervalMs; with --jitter j each gap is uniform in [(1-j), (1+j)] × the mean, so that the writes
    // do not keep one phase against a periodic timer inside the gateway (the stream's pulling agents poll every 100 ms).
    var writes = new List<Write>();
    int count = (int)(seconds * 1000 / opt.IntervalMs);
    var rnd = new Random(count);
    var due = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20;
    for (int i = 0; i < count; i++)
    {
        if (i > 0) due += (long)(opt.IntervalMs * (1 + opt.Jitter * (2 * rnd.NextDouble() - 1)) / 1000.0 * Stopwatch.Frequency);
        var wait = Ms(due - Stopwatch.GetTimestamp());
        if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait));
        int onHand = levelBase++;
        var asOf = asOfBase.AddMilliseconds(Interlocked.Increment(ref asOfSeq));
        var body = $"{{\"onHand\":{onHand},\"asOf\":\"{asOf.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\"}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var sent = Stopwatch.GetTimestamp();
        var w = new Write { Index = i, OnHand = onHand, Sent = sent, Late = Ms(sent - due) };
        try
        {
            using var resp = await api.PutAsync($"/v1/inventory/{opt.Location}/{opt.Sku}", content);
            var text = await resp.Content.ReadAsStringAsync();
            w.Acked = Stopwatch.GetTimestamp();
            w.Status = (int)resp.StatusCode;
            if (resp.IsSuccessStatusCode)
            {
                var root = JsonDocument.Parse(text).RootElement;
                w.Applied = root.GetProperty("applied").GetBoolean();
                var level = root.GetProperty("level");
                w.Version = level.GetProperty("version").GetInt64();
                w.Atp = level.GetProperty("atp").GetInt32();
                if (!w.Applied) failures.Add($"{tag}: write {i} (onHand {onHand}) answered applied:false");
            }
            else failures.Add($"{tag}: write {i}: {w.Status} {text}");
        }
        catch (Exception e) { w.Acked = Stopwatch.GetTimestamp(); failures.Add($"{tag}: write {i}: {e.Message}"); }
        writes.Add(w);
    }

    return writes;
}

async Task<LatencyRow> LatencyPhase(int n, bool filtered, List<Subscriber>? existing)
{
    var label = $"{n:N0}{(filtered ? " (skus=)" : " unfiltered")}";
    Log($"latency: {label}");
    var subs = existing ?? await OpenSubscribers(n, filtered ? opt.Sku : null, label);
    foreach (var s in subs) s.Clear();
    await Task.Delay(1000);
    var win0 = Window.Start(gw);
    var writes = await RunWriter(opt.Seconds, label);
    var win = win0.Stop();
    // Trailing events: wait until every subscriber has every applied write, at most 10 s.
    var applied = writes.Where(w => w.Applied).ToList();
    var byVersion = applied.ToDictionary(w => w.Version);
    var byAtp = applied.GroupBy(w => w.Atp).ToDictionary(g => g.Key, g => g.First());
    var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
    while (Stopwatch.GetTimestamp() < deadline && subs.Any(s => s.HotCount < applied.Count)) await Task.Delay(100);
    await Task.Delay(300);
    foreach (var s in subs) s.Stop();

    var sent = new List<double>(); var acked = new List<double>();
    long got = 0, dup = 0, other = 0;
    var first = new long[writes.Count]; var last = new long[writes.Count];
    Array.Fill(first, long.MaxValue); Array.Fill(last, long.MinValue);
    foreach (var s in subs)
    {
        var seen = new HashSet<int>();
        foreach (var e in s.Snapshot())
        {
            if (!byVersion.TryGetValue(e.Version, out var w) && !byAtp.TryGetValue(e.Atp, out w)) { other++; continue; }
            if (!seen.Add(w.Index)) { dup++; continue; }
            got++;
            sent.Add(Ms(e.T - w.Sent)); acked.Add(Ms(e.T - w.Acked));
            first[w.Index] = Math.Min(first[w.Index], e.T); last[w.Index] = Math.Max(last[w.Index], e.T);
        }
    }

    var spread = new List<double>();
    for (int i = 0; i < writes.Count; i++) if (last[i] >= first[i]) spread.Add(Ms(last[i] - first[i]));
    long expected = (long)applied.Count * subs.Count;
    var row = new LatencyRow(label, writes.Count, got, expected, expected - got, dup, other, subs.Sum(s => s.Resyncs),
        Stats.Of(sent), Stats.Of(acked), Stats.Of(spread), Stats.Of(writes.Select(w => Ms(w.Acked - w.Sent)).ToList()), win);
    var ended = subs.Count(s => s.EndedEarly);
    Log($"latency {label}: {got}/{expected} events, p50 {row.Sent.P50:F1} p99 {row.Sent.P99:F1} max {row.Sent.Max:F1} ms; {win}; late writes {writes.Count(w => w.Late > opt.IntervalMs)}; streams ended early {ended}");
    if (ended > 0) failures.Add($"{label}: {ended} streams ended before the phase was over ({subs.Select(s => s.Error).FirstOrDefault(e => e is not null)})");
    if (opt.StrictEvents && got < expected) failures.Add($"{label}: {expected - got} events lost");
    await CloseAll(subs);
    return row;
}

async Task<IsoResult> IsolationPhase()
{
    Log($"isolation: hot SKU {opt.Sku} at {opt.Location} set to 1,000,000 on hand");
    {
        var asOf = asOfBase.AddMilliseconds(Interlocked.Increment(ref asOfSeq));
        using var c = new StringContent($"{{\"onHand\":1000000,\"asOf\":\"{asOf.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\"}}", Encoding.UTF8, "application/json");
        var r = await api.PutAsync($"/v1/inventory/{opt.Location}/{opt.Sku}", c);
        if (!r.IsSuccessStatusCode) throw new Exception($"PUT level: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    var hot = int.Parse(opt.Sku[(opt.Sku.LastIndexOf('-') + 1)..]);
    var cold = Enumerable.Range(1, 500).Where(i => i != hot).Select(i => $"/v1/availability/SKU-{i:D5}?channel={opt.Channel}").ToArray();
    var readClient = new HttpClient(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 64, UseProxy = false, UseCookies = false,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    }) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };

    Log($"isolation: cold reads {opt.Rate}/s, 3 s warm-up + {opt.IsoSeconds} s, idle");
    await OpenLoop(readClient, cold, opt.Rate, 3);
    var w0 = Window.Start(gw);
    var idle = await OpenLoop(readClient, cold, opt.Rate, opt.IsoSeconds);
    var idleWin = w0.Stop();
    Log($"isolation idle: p50 {idle.Lat.P50:F2} p99 {idle.Lat.P99:F2} p99.9 {idle.Lat.P999:F2} ms; {idleWin}");

    // The sale runs in a child process of this program at nice 10 on the same CPU, so that the cold reads (this
    // process, nice 0) are not queued behind the carts' own client work: the figure is meant to be the gateway's.
    var dll = Path.Combine(AppContext.BaseDirectory, "Sse.dll");
    var psi = new ProcessStartInfo("nice")
    {
        RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
    };
    foreach (var a in new[] { "-n", opt.SaleNice.ToString(), Environment.ProcessPath!, dll, "--mode", "sale", "--url", opt.Url, "--sku", opt.Sku,
                 "--channel", opt.Channel, "--carts", opt.Carts.ToString(), "--warmup", "3", "--iso-seconds", opt.IsoSeconds.ToString(CultureInfo.InvariantCulture) })
        psi.ArgumentList.Add(a);
    using var child = Process.Start(psi)!;
    var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    string? resultLine = null;
    var stdout = Task.Run(async () =>
    {
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == "READY") ready.TrySetResult();
            else if (line.StartsWith("SALE ")) resultLine = line[5..];
        }
        ready.TrySetResult();
    });
    var stderr = Task.Run(async () => { while (await child.StandardError.ReadLineAsync() is { } line) Console.Error.WriteLine($"  sale: {line}"); });
    if (await Task.WhenAny(ready.Task, Task.Delay(30_000)) != ready.Task) { child.Kill(true); throw new Exception("the sale process did not start its carts within 30 s"); }
    if (child.HasExited) throw new Exception($"the sale process exited {child.ExitCode} before its carts ran");

    Log($"isolation: flash sale, {opt.Carts} carts closed loop (nice {opt.SaleNice}); cold reads 3 s warm-up + {opt.IsoSeconds} s");
    await OpenLoop(readClient, cold, opt.Rate, 3);
    var w1 = Window.Start(gw);
    var sale = await OpenLoop(readClient, cold, opt.Rate, opt.IsoSeconds);
    var saleWin = w1.Stop();
    using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40)))
    {
        try { await child.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { child.Kill(true); throw new Exception("the sale process did not finish within 40 s"); }
    }
    await Task.WhenAll(stdout, stderr);
    if (child.ExitCode != 0 || resultLine is null) throw new Exception($"the sale process exited {child.ExitCode} without a result");
    var res = JsonSerializer.Deserialize<SaleResult>(resultLine)!;
    Log($"isolation sale: p50 {sale.Lat.P50:F2} p99 {sale.Lat.P99:F2} p99.9 {sale.Lat.P999:F2} ms; {res.Writes / res.Seconds:F0} cart writes/s; {saleWin}");
    if (idle.Errors + sale.Errors > 0) failures.Add($"cold reads: {idle.Errors + sale.Errors} not 200 (idle {idle.Errors}, sale {sale.Errors})");
    if (res.Writes == 0) failures.Add("the flash sale wrote nothing");
    return new IsoResult(idle, sale, idleWin, saleWin, res);
}

// Open loop, schedule-based: request i is due at start + i/rate whatever happened to the earlier ones; latency from the
// due time (a stall is not hidden) and from the send. A dedicated dispatcher thread, like bench/loadgen (which spins
// with Thread.Yield when the next request is due within 0.5 ms; this one sleeps with usleep instead).
async Task<OpenResult> OpenLoop(HttpClient client, string[] paths, double rate, double seconds)
{
    long total = (long)(rate * seconds);
    var fromDue = new double[total]; var fromSend = new double[total]; var status = new int[total];
    long dropped = 0; int inFlight = 0;
    var tasks = new List<Task>((int)total);
    var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20;
    var f = (double)Stopwatch.Frequency;
    var rnd = new Random(7);
    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var dispatcher = new Thread(() =>
    {
        for (long i = 0; i < total; i++)
        {
            var due = start + (long)(i / rate * f);
            // Sleep, never spin: at 2,000/s a spinning dispatcher would take most of CPU 1 from the sale process beside it.
            // usleep (hrtimer, ~50 µs slack) rather than Thread.Sleep(1), whose millisecond steps would make every
            // request up to ~1 ms late (that lateness is counted in the latency from due).
            while (true)
            {
                var ahead = due - Stopwatch.GetTimestamp();
                if (ahead <= 0) break;
                Native.usleep((uint)Math.Clamp(ahead * 1_000_000 / Stopwatch.Frequency, 20, 1000));
            }

            if (Volatile.Read(ref inFlight) >= 2000) { dropped++; status[i] = -2; continue; }
            Interlocked.Increment(ref inFlight);
            var idx = i; var d = due; var path = paths[rnd.Next(paths.Length)];
            tasks.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var r = await client.GetAsync(path);
                    await r.Content.ReadAsByteArrayAsync();
                    status[idx] = (int)r.StatusCode;
                }
                catch { status[idx] = -1; }
                var end = Stopwatch.GetTimestamp();
                fromDue[idx] = Ms(end - d); fromSend[idx] = Ms(end - sent);
                Interlocked.Decrement(ref inFlight);
            }));
        }
        done.SetResult();
    }) { IsBackground = true, Name = "dispatcher" };
    dispatcher.Start();
    await done.Task;
    await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(15_000));
    var okDue = new List<double>(); var okSend = new List<double>(); long errors = 0;
    for (long i = 0; i < total; i++)
    {
        if (status[i] == -2) continue;
        if (status[i] != 200) { errors++; continue; }
        okDue.Add(fromDue[i]); okSend.Add(fromSend[i]);
    }

    return new OpenResult(total, errors, dropped, Stats.Of(okDue), Stats.Of(okSend));
}

// =====================================================================================================================

sealed record Opt(string Mode, string Url, int GatewayPid, string Channel, string Sku, string Location, int[] Subscribers, int Unfiltered, int IdleSubscribers,
    double Seconds, double WarmupSeconds, int IntervalMs, double Jitter, double IdleSeconds, double Rate, double IsoSeconds, int Carts, int SaleNice, string Tools, string Work, bool StrictEvents, bool Strict)
{
    public static Opt Parse(string[] a)
    {
        string Get(string name, string dflt) { var i = Array.IndexOf(a, "--" + name); return i >= 0 && i + 1 < a.Length ? a[i + 1] : dflt; }
        return new Opt(Get("mode", "bench"), Get("url", "http://127.0.0.1:5195"), int.Parse(Get("gateway-pid", "0")), Get("channel", "web-uk"), Get("sku", "SKU-00001"),
            Get("location", "WH-UK-DAV"), Get("subscribers", "1,100,1000").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray(),
            int.Parse(Get("unfiltered", "1000")), int.Parse(Get("idle", "1000")), double.Parse(Get("seconds", "15")), double.Parse(Get("warmup", "20")),
            int.Parse(Get("interval-ms", "100")), double.Parse(Get("jitter", "0.5")), double.Parse(Get("idle-seconds", "5")), double.Parse(Get("rate", "2000")),
            double.Parse(Get("iso-seconds", "15")), int.Parse(Get("carts", "64")), int.Parse(Get("sale-nice", "10")), Get("tools", ""), Get("work", Path.GetTempPath()), Get("strict-events", "0") == "1", Get("strict", "0") == "1");
    }
}

sealed class Write
{
    public int Index, OnHand, Atp = int.MinValue, Status;
    public long Sent, Acked, Version = long.MinValue;
    public bool Applied;
    public double Late;
}

readonly record struct StockSeen(long T, long Version, int Atp);

sealed record LatencyRow(string Label, int Writes, long Got, long Expected, long Lost, long Duplicates, long Other, int Resyncs,
    Stats Sent, Stats Acked, Stats Spread, Stats Write, WindowResult Win);

sealed record OpenResult(long Count, long Errors, long Dropped, Stats Lat, Stats Sent);

sealed record IsoResult(OpenResult Idle, OpenResult Sale, WindowResult IdleWin, WindowResult SaleWin, SaleResult Carts);

sealed record SaleResult(long Writes, double Seconds, double P50, double P99, double Max, Dictionary<string, long> Codes, double Cores);

/// <summary>CPU over a window: the gateway's and this program's (cores), and per CPU how busy it was in all and how much
/// time the hypervisor took from it (steal): a neighbour or a stolen vCPU shows here, not in the latencies alone.</summary>
sealed record WindowResult(double Seconds, double GwCores, double LgCores, double Cpu0Busy, double Cpu1Busy, double Steal0Ms, double Steal1Ms)
{
    public override string ToString() => $"gateway {GwCores:F2} cores, load program {LgCores:F2}; cpu0 busy {Cpu0Busy:F2} (others {Math.Max(0, Cpu0Busy - GwCores):F2}), cpu1 busy {Cpu1Busy:F2}; steal {Steal0Ms:F0}/{Steal1Ms:F0} ms";
}

sealed class Window
{
    private GatewayProc _gw = null!;
    private long _t; private double _g, _s; private long[] _c0 = [], _c1 = [];
    public static Window Start(GatewayProc gw) => new() { _gw = gw, _t = Stopwatch.GetTimestamp(), _g = gw.CpuSeconds(), _s = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, _c0 = Cpu("cpu0"), _c1 = Cpu("cpu1") };
    public WindowResult Stop()
    {
        var secs = (Stopwatch.GetTimestamp() - _t) / (double)Stopwatch.Frequency;
        var c0 = Cpu("cpu0"); var c1 = Cpu("cpu1");
        double Busy(long[] a, long[] b) => b.Length == 0 || a.Length == 0 ? double.NaN : ((b[0] + b[1] + b[2] + b[5] + b[6]) - (a[0] + a[1] + a[2] + a[5] + a[6])) / 100.0 / secs;
        double Steal(long[] a, long[] b) => b.Length < 8 || a.Length < 8 ? double.NaN : (b[7] - a[7]) * 10.0;
        return new WindowResult(secs, (_gw.CpuSeconds() - _g) / secs, (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - _s) / secs,
            Busy(_c0, c0), Busy(_c1, c1), Steal(_c0, c0), Steal(_c1, c1));
    }

    // /proc/stat: user nice system idle iowait irq softirq steal ... in clock ticks (USER_HZ = 100)
    private static long[] Cpu(string name)
    {
        foreach (var line in File.ReadLines("/proc/stat"))
            if (line.StartsWith(name + " ")) return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(long.Parse).ToArray();
        return [];
    }
}

/// <summary>The flash sale, as a child process (--mode sale): carts closed loop on the hot SKU, each setting its line to
/// 1 and then 0; counts and latencies in the measured window after the warm-up; one JSON line on stdout.</summary>
static class Sale
{
    public static async Task<int> RunAsync(Opt opt, Uri baseUri)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = opt.Carts, UseProxy = false, UseCookies = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        }) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        var codes = new ConcurrentDictionary<string, long>();
        var lats = new ConcurrentBag<List<double>>();
        long writes = 0, started = 0; int measuring = 0;
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(opt.WarmupSeconds + opt.IsoSeconds + 30)); // bounded whatever happens
        var run = Guid.NewGuid().ToString("N")[..6];
        var bodies = new[] { $"{{\"channel\":\"{opt.Channel}\",\"quantity\":1}}", $"{{\"channel\":\"{opt.Channel}\",\"quantity\":0}}" };
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable.Range(0, opt.Carts).Select(k => Task.Run(async () =>
        {
            var lat = new List<double>(); lats.Add(lat);
            var cart = $"sse-{run}-{k}";
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                using var c = new StringContent(bodies[i & 1], Encoding.UTF8, "application/json");
                var t = Stopwatch.GetTimestamp();
                string code;
                try
                {
                    using var r = await client.PutAsync($"/v1/carts/{cart}/lines/{opt.Sku}", c, stop.Token);
                    await r.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    code = ((int)r.StatusCode).ToString();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
                catch (Exception e) { code = e.GetType().Name; }
                if (i == 0 && Interlocked.Increment(ref started) == opt.Carts) allStarted.TrySetResult();
                if (Volatile.Read(ref measuring) == 1)
                {
                    lat.Add((Stopwatch.GetTimestamp() - t) * 1000.0 / Stopwatch.Frequency);
                    codes.AddOrUpdate(code, 1, (_, v) => v + 1);
                    Interlocked.Increment(ref writes);
                }
            }

            try { using var d = await client.DeleteAsync($"/v1/carts/{cart}"); } catch { /* best effort: the holds expire anyway */ }
        })).ToArray();

        if (await Task.WhenAny(allStarted.Task, Task.Delay(20_000)) != allStarted.Task) { Console.Error.WriteLine("not every cart answered within 20 s"); return 1; }
        Console.WriteLine("READY");
        Console.Out.Flush();
        await Task.Delay(TimeSpan.FromSeconds(opt.WarmupSeconds));
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var sw = Stopwatch.StartNew();
        Volatile.Write(ref measuring, 1);
        await Task.Delay(TimeSpan.FromSeconds(opt.IsoSeconds));
        Volatile.Write(ref measuring, 0);
        var secs = sw.Elapsed.TotalSeconds;
        var cores = (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpu0) / secs;
        stop.Cancel();
        await Task.WhenAny(Task.WhenAll(workers), Task.Delay(15_000));
        var st = Stats.Of(lats.SelectMany(l => l).ToList());
        Console.WriteLine("SALE " + JsonSerializer.Serialize(new SaleResult(writes, secs, st.P50, st.P99, st.Max, new Dictionary<string, long>(codes), cores)));
        return 0;
    }
}

sealed record Stats(int N, double P50, double P99, double P999, double Max)
{
    public static Stats Of(List<double> xs)
    {
        if (xs.Count == 0) return new Stats(0, double.NaN, double.NaN, double.NaN, double.NaN);
        xs.Sort();
        double P(double q) => xs[Math.Clamp((int)Math.Ceiling(q * xs.Count) - 1, 0, xs.Count - 1)];
        return new Stats(xs.Count, P(0.50), P(0.99), P(0.999), xs[^1]);
    }
}

/// <summary>One SSE connection: a hand-written line parser over the raw response stream (no package), the parse time of
/// every `stock` event of the hot SKU at the written location, and counts of the other event types.</summary>
sealed class Subscriber(string hotSku, string hotLocation)
{
    private static readonly byte[] Event = "event:"u8.ToArray(), Data = "data:"u8.ToArray();
    private readonly List<StockSeen> _seen = new(256);
    private readonly CancellationTokenSource _cts = new();
    private volatile bool _stopping;
    public readonly TaskCompletionSource Ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public Task? Loop;
    public int Heartbeats, Resyncs, StockEvents, OtherEvents;
    public volatile int HotCount;
    public string? Error;
    public bool EndedEarly;

    public void Start(HttpClient client, string path) => Loop = Task.Run(() => RunAsync(client, path));
    public void Stop() { _stopping = true; _cts.Cancel(); }
    public void Clear() { lock (_seen) { _seen.Clear(); HotCount = 0; } }
    public List<StockSeen> Snapshot() { lock (_seen) return [.. _seen]; }

    private async Task RunAsync(HttpClient client, string path)
    {
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, path);
            req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var resp = await client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, _cts.Token);
            if (!resp.IsSuccessStatusCode) throw new Exception($"stream answered {(int)resp.StatusCode}: {await resp.Content.ReadAsStringAsync()}");
            await using var stream = await resp.Content.ReadAsStreamAsync(_cts.Token);
            var buf = new byte[4096]; int len = 0;
            var data = new ArrayBufferWriter<byte>(512);
            string? type = null;
            while (true)
            {
                if (len == buf.Length) Array.Resize(ref buf, buf.Length * 2);
                int n = await stream.ReadAsync(buf.AsMemory(len), _cts.Token);
                if (n == 0) break;
                len += n;
                int start = 0;
                while (true)
                {
                    int nl = Array.IndexOf(buf, (byte)'\n', start, len - start);
                    if (nl < 0) break;
                    var line = buf.AsSpan(start, nl - start);
                    if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
                    start = nl + 1;
                    if (line.Length == 0) { Dispatch(type, data.WrittenSpan); type = null; data.Clear(); continue; }
                    if (line.StartsWith(Event)) type = Encoding.UTF8.GetString(Trim(line[Event.Length..]));
                    else if (line.StartsWith(Data))
                    {
                        if (data.WrittenCount > 0) data.Write("\n"u8);
                        data.Write(Trim(line[Data.Length..]));
                    }
                    // id:, retry: and comments are not needed here
                }

                if (start > 0) { Buffer.BlockCopy(buf, start, buf, 0, len - start); len -= start; }
            }

            if (!_stopping) { EndedEarly = true; Error ??= "the server ended the stream"; }
        }
        catch (OperationCanceledException) when (_stopping) { }
        catch (Exception e)
        {
            Error = e.Message;
            if (!_stopping) EndedEarly = true;
        }
        finally
        {
            Ready.TrySetException(new Exception(Error ?? "stream closed before ready"));
        }
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s) => s.Length > 0 && s[0] == ' ' ? s[1..] : s;

    private void Dispatch(string? type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case "stock":
                StockEvents++;
                string? sku = null, loc = null; long version = long.MinValue; int atp = int.MinValue;
                var r = new Utf8JsonReader(data);
                while (r.Read())
                {
                    if (r.TokenType != JsonTokenType.PropertyName || r.CurrentDepth != 1) continue;
                    if (r.ValueTextEquals("sku"u8)) { r.Read(); sku = r.GetString(); }
                    else if (r.ValueTextEquals("locationId"u8)) { r.Read(); loc = r.GetString(); }
                    else if (r.ValueTextEquals("version"u8)) { r.Read(); version = r.GetInt64(); }
                    else if (r.ValueTextEquals("atp"u8)) { r.Read(); atp = r.GetInt32(); }
                    else r.Skip();
                }

                var t = Stopwatch.GetTimestamp();
                if (sku == hotSku && loc == hotLocation)
                    lock (_seen) { _seen.Add(new StockSeen(t, version, atp)); HotCount++; }
                break;
            case "ready": Ready.TrySetResult(); break;
            case "resync": Resyncs++; Ready.TrySetResult(); break;
            case "heartbeat": Heartbeats++; break;
            default: OtherEvents++; break;
        }
    }
}

/// <summary>The gateway process seen from outside: CPU from /proc, VmRSS and threads from /proc, the GC heap after a
/// full GC induced with dotnet-trace (the GCHeapCollect keyword) and read with dotnet-counters.</summary>
sealed class GatewayProc(int pid)
{
    public double CpuSeconds()
    {
        if (pid <= 0) return double.NaN;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(f[11]) + long.Parse(f[12])) / 100.0;
    }

    public async Task<Mem> MeasureAsync(string tools, string work, string tag)
    {
        bool induced = false; long heap = -1, committed = -1;
        string trace = Path.Combine(tools, "dotnet-trace"), counters = Path.Combine(tools, "dotnet-counters");
        if (tools.Length > 0 && File.Exists(trace) && File.Exists(counters) && pid > 0)
        {
            var nettrace = Path.Combine(work, $"gc-{tag}.nettrace");
            induced = await RunAsync(trace, $"collect -p {pid} --providers Microsoft-Windows-DotNETRuntime:0x800000:4 --rundown false --duration 00:00:00:01 -o {nettrace}", 30) == 0;
            await Task.Delay(500);
            var json = Path.Combine(work, $"counters-{tag}.json");
            if (await RunAsync(counters, $"collect -p {pid} --counters System.Runtime[dotnet.gc.last_collection.heap.size,dotnet.gc.last_collection.memory.committed_size] --format json -o {json} --duration 00:00:00:02", 30) == 0 && File.Exists(json))
            {
                var last = new Dictionary<string, double>();
                foreach (var e in JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("Events").EnumerateArray())
                    last[e.GetProperty("name").GetString() + "|" + (e.TryGetProperty("tags", out var tg) ? tg.GetString() : "")] = e.GetProperty("value").GetDouble();
                heap = (long)last.Where(kv => kv.Key.StartsWith("dotnet.gc.last_collection.heap.size")).Sum(kv => kv.Value);
                committed = (long)last.Where(kv => kv.Key.StartsWith("dotnet.gc.last_collection.memory.committed_size")).Sum(kv => kv.Value);
            }
        }

        long rss = 0; int threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:")) rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            else if (line.StartsWith("Threads:")) threads = int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].Trim());
        }

        return new Mem(rss, heap, committed, threads, induced);
    }

    private static async Task<int> RunAsync(string file, string arguments, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var drain = Task.WhenAll(p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); return -1; }
        await drain;
        return p.ExitCode;
    }
}

sealed record Mem(long RssKb, long HeapBytes, long CommittedBytes, int Threads, bool GcInduced)
{
    public override string ToString() =>
        $"VmRSS {RssKb / 1024.0:F1} MiB, GC heap {(HeapBytes >= 0 ? $"{HeapBytes / 1048576.0:F1} MiB" : "n/a")}, GC committed {(CommittedBytes >= 0 ? $"{CommittedBytes / 1048576.0:F1} MiB" : "n/a")}, threads {Threads}{(GcInduced ? " (after an induced full GC)" : "")}";
}

static class Native
{
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    public static extern int usleep(uint microseconds);
}
