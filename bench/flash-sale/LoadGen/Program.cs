// Flash-sale load generator: N closed-loop clients, each PUT /v1/carts/{distinct cartId}/lines/{sku} {"channel","quantity":1}.
//
//   FlashLoadGen timed --url http://127.0.0.1:5080 [--key K] --sku HOT --channel C --concurrency 1000
//                      --warmup 5 --duration 20 [--ramp-ms 1000] [--prefix p] [--timeout 30] [--out result.env]
//   FlashLoadGen fixed --url ... --sku S500 --channel C --concurrency 1000 --total 10000 [--ramp-ms 500] ...
//
// timed: every client loops until warm-up + duration is over (then finishes its request in flight, bounded by
//        --timeout). Throughput = 200s that COMPLETED inside the measured window / window length; latency
//        percentiles = requests that STARTED inside the measured window. Warm-up and drain 200s are counted
//        too (ok_total), because every 200 is a hold the server must show in "reserved".
// fixed: exactly --total requests shared by the clients (each cart id used once).
//
// One TCP connection per client (MaxConnectionsPerServer = concurrency): HTTP/1.1 has no multiplexing, so 1,000
// requests in flight need 1,000 connections; fewer keep-alive connections would silently cap the concurrency at the
// connection count. It is also what pgbench does (one connection per client), and what 1,000 shoppers look like.
// Every loop is bounded in time: the run stops at its deadline, each request at --timeout, the whole process at a
// hard deadline.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

var (mode, opts) = ParseArgs(args);
if (mode is not ("timed" or "fixed"))
{
    Console.Error.WriteLine("usage: FlashLoadGen timed|fixed --url U --sku S --channel C --concurrency N [--key K] [--warmup s --duration s | --total n] [--ramp-ms ms] [--prefix p] [--timeout s] [--out file]");
    return 2;
}

var url = Opt("url", "http://127.0.0.1:5080").TrimEnd('/');
var uri = new Uri(url);
if (!IPAddress.TryParse(uri.Host, out var ip) || !IPAddress.IsLoopback(ip))
{
    Console.Error.WriteLine($"refusing {url}: traffic goes to 127.0.0.1 only");
    return 2;
}

var key = Opt("key", "");
var sku = Opt("sku", "HOT");
var channel = Opt("channel", "C1");
var concurrency = int.Parse(Opt("concurrency", "1000"), CultureInfo.InvariantCulture);
var warmup = double.Parse(Opt("warmup", "5"), CultureInfo.InvariantCulture);
var duration = double.Parse(Opt("duration", "20"), CultureInfo.InvariantCulture);
var total = int.Parse(Opt("total", "10000"), CultureInfo.InvariantCulture);
var rampMs = int.Parse(Opt("ramp-ms", mode == "timed" ? "1000" : "500"), CultureInfo.InvariantCulture);
var prefix = Opt("prefix", $"fs{Environment.ProcessId}");
var timeout = TimeSpan.FromSeconds(double.Parse(Opt("timeout", "30"), CultureInfo.InvariantCulture));
var outFile = Opt("out", "");
var label = Opt("label", mode);

ThreadPool.GetMinThreads(out var minWorker, out var minIo);
ThreadPool.SetMinThreads(Math.Max(minWorker, 8), Math.Max(minIo, 8));

using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = concurrency,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    ConnectTimeout = TimeSpan.FromSeconds(10),
    UseProxy = false,
    UseCookies = false,
    AutomaticDecompression = DecompressionMethods.None,
};
using var http = new HttpClient(handler) { BaseAddress = new Uri(url + "/"), Timeout = timeout };
http.DefaultRequestVersion = HttpVersion.Version11;
http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
if (key.Length > 0) http.DefaultRequestHeaders.Add("X-Api-Key", key);

var body = Encoding.UTF8.GetBytes($"{{\"channel\":\"{channel}\",\"quantity\":1}}");
var json = new MediaTypeHeaderValue("application/json");

var freq = (double)Stopwatch.Frequency;
long Ticks(double seconds) => (long)(seconds * freq);
var t0 = Stopwatch.GetTimestamp();
var warmupEnd = t0 + Ticks(mode == "timed" ? warmup : 0);
var end = warmupEnd + Ticks(mode == "timed" ? duration : 0);
// Hard deadline for the whole process: the run, plus one request timeout, plus slack. Nothing outlives it.
var hardSeconds = (mode == "timed" ? warmup + duration : 600) + timeout.TotalSeconds + 10;
using var hardStop = new CancellationTokenSource(TimeSpan.FromSeconds(hardSeconds));

var next = -1;
var workers = new Worker[concurrency];
for (var i = 0; i < concurrency; i++) workers[i] = new Worker(i);

var errorSamples = new System.Collections.Concurrent.ConcurrentQueue<string>();
var sampledKinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(); // up to 3 samples per kind of failure

async Task RunWorker(Worker w)
{
    if (rampMs > 0) await Task.Delay(TimeSpan.FromMilliseconds((double)rampMs * w.Id / concurrency), hardStop.Token);
    var seq = 0;
    while (!hardStop.IsCancellationRequested)
    {
        string cartId;
        if (mode == "timed")
        {
            if (Stopwatch.GetTimestamp() >= end) break;
            cartId = $"{prefix}-{w.Id}-{seq++}";
        }
        else
        {
            var n = Interlocked.Increment(ref next);
            if (n >= total) break;
            cartId = $"{prefix}-{n}";
        }

        var start = Stopwatch.GetTimestamp();
        int status;
        string? problem = null;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = json;
            using var response = await http.PutAsync($"v1/carts/{cartId}/lines/{sku}", content, hardStop.Token);
            var text = await response.Content.ReadAsStringAsync(hardStop.Token);
            status = (int)response.StatusCode;
            if (status == 409 && !text.Contains("insufficient_stock", StringComparison.Ordinal)) status = 4091; // another 409
            if (status is not (200 or 409)) problem = $"{status} {Trim(text)}";
        }
        catch (Exception ex)
        {
            status = -1; // outcome unknown: the hold may or may not have been taken
            problem = $"{ex.GetType().Name}: {Trim(ex.Message)}";
        }

        var done = Stopwatch.GetTimestamp();
        w.Record(status, start, done, warmupEnd, end, mode == "fixed");
        if (problem is not null && sampledKinds.AddOrUpdate(problem[..Math.Min(problem.Length, 40)], 1, (_, n) => n + 1) <= 3)
            errorSamples.Enqueue($"{cartId} after {(done - start) * 1000.0 / freq:F0} ms: {problem}");
    }
}

Console.Error.WriteLine($"[{label}] {mode}: {concurrency} clients -> PUT {url}/v1/carts/*/lines/{sku}" +
    (mode == "timed" ? $", warm-up {warmup}s + {duration}s" : $", {total} requests"));
var tasks = workers.Select(w => Task.Run(() => RunWorker(w))).ToArray();
try
{
    await Task.WhenAll(tasks);
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine($"[{label}] hard deadline ({hardSeconds:F0}s) reached; some clients were cut off");
}

var finished = Stopwatch.GetTimestamp();

// ---- aggregate ----------------------------------------------------------------------------------------------
var byStatus = new SortedDictionary<int, long>();
long okWarmup = 0, okMeasured = 0, okDrain = 0, okTotal = 0, conflicts = 0, unknown = 0, other = 0, measuredStarted = 0;
var lat = new List<long>();
var latOk = new List<long>();
foreach (var w in workers)
{
    foreach (var (s, c) in w.ByStatus) byStatus[s] = byStatus.GetValueOrDefault(s) + c;
    okWarmup += w.OkWarmup;
    okMeasured += w.OkMeasured;
    okDrain += w.OkDrain;
    lat.AddRange(w.Latencies);
    latOk.AddRange(w.OkLatencies);
    measuredStarted += w.MeasuredStarted;
}

okTotal = byStatus.GetValueOrDefault(200);
conflicts = byStatus.GetValueOrDefault(409);
unknown = byStatus.GetValueOrDefault(-1);
other = byStatus.Where(kv => kv.Key is not (200 or 409 or -1)).Sum(kv => kv.Value);
lat.Sort();
latOk.Sort();

double Pct(List<long> xs, double p) => xs.Count == 0 ? double.NaN : xs[Math.Min(xs.Count - 1, (int)Math.Ceiling(p / 100 * xs.Count) - 1)] * 1000.0 / freq;

var window = mode == "timed" ? duration : (finished - t0) / freq;
var okRate = mode == "timed" ? okMeasured / duration : okTotal / window;
var attemptsRate = mode == "timed" ? measuredStarted / duration : byStatus.Values.Sum() / window;

var result = new List<(string Key, string Value)>
{
    ("label", label),
    ("mode", mode),
    ("concurrency", concurrency.ToString(CultureInfo.InvariantCulture)),
    ("window_s", F(window)),
    ("ok_rate", F(okRate)),
    ("attempt_rate", F(attemptsRate)),
    ("p50_ms", F(Pct(lat, 50))),
    ("p90_ms", F(Pct(lat, 90))),
    ("p99_ms", F(Pct(lat, 99))),
    ("max_ms", F(lat.Count == 0 ? double.NaN : lat[^1] * 1000.0 / freq)),
    ("ok_p50_ms", F(Pct(latOk, 50))),
    ("ok_p99_ms", F(Pct(latOk, 99))),
    ("samples", lat.Count.ToString(CultureInfo.InvariantCulture)),
    ("ok_warmup", okWarmup.ToString(CultureInfo.InvariantCulture)),
    ("ok_measured", okMeasured.ToString(CultureInfo.InvariantCulture)),
    ("ok_drain", okDrain.ToString(CultureInfo.InvariantCulture)),
    ("ok_total", okTotal.ToString(CultureInfo.InvariantCulture)),
    ("conflict_total", conflicts.ToString(CultureInfo.InvariantCulture)),
    ("unknown_total", unknown.ToString(CultureInfo.InvariantCulture)),
    ("other_total", other.ToString(CultureInfo.InvariantCulture)),
    ("requests_total", byStatus.Values.Sum().ToString(CultureInfo.InvariantCulture)),
    ("statuses", string.Join(",", byStatus.Select(kv => $"{(kv.Key == -1 ? "exception" : kv.Key == 4091 ? "409-other" : kv.Key.ToString(CultureInfo.InvariantCulture))}:{kv.Value}"))),
    ("elapsed_s", F((finished - t0) / freq)),
    ("cpu_s", F(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds)),
};

foreach (var (k, v) in result) Console.WriteLine($"{k}={v}");
foreach (var e in errorSamples) Console.WriteLine($"# error sample: {e}");
if (outFile.Length > 0)
{
    File.WriteAllLines(outFile, result.Select(r => $"{r.Key}='{r.Value.Replace("'", "", StringComparison.Ordinal)}'")
        .Concat(errorSamples.Select(e => $"# error sample: {e.Replace('\n', ' ')}")));
}

return 0;

static string F(double x) => double.IsNaN(x) ? "nan" : x.ToString("0.###", CultureInfo.InvariantCulture);

static string Trim(string s)
{
    s = s.Replace('\n', ' ').Replace('\r', ' ');
    return s.Length <= 300 ? s : s[..300] + "…";
}

string Opt(string name, string fallback) => opts.TryGetValue(name, out var v) ? v : fallback;

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

/// <summary>One closed-loop client's counters (no sharing between clients while running).</summary>
internal sealed class Worker(int id)
{
    public int Id { get; } = id;
    public Dictionary<int, long> ByStatus { get; } = [];
    public List<long> Latencies { get; } = new(256);
    public List<long> OkLatencies { get; } = new(256);
    public long OkWarmup { get; private set; }
    public long OkMeasured { get; private set; }
    public long OkDrain { get; private set; }
    public long MeasuredStarted { get; private set; }

    public void Record(int status, long start, long done, long warmupEnd, long end, bool all)
    {
        ByStatus[status] = ByStatus.GetValueOrDefault(status) + 1;
        var measured = all || (start >= warmupEnd && start < end);
        if (measured)
        {
            MeasuredStarted++;
            Latencies.Add(done - start);
            if (status == 200) OkLatencies.Add(done - start);
        }

        if (status != 200) return;
        if (all || (done >= warmupEnd && done < end)) OkMeasured++;
        else if (done < warmupEnd) OkWarmup++;
        else OkDrain++;
    }
}
