using System.Diagnostics;
using System.Globalization;
using System.Net;

// Load generator for GET /v1/availability/{sku}?channel=... with a random SKU-00001..SKU-00500 and channel.
//
//   open   (default): open loop at a fixed rate. Request i is due at start + i/rate whatever happened to earlier
//          ones; latency is measured from the due time (so a stall is not hidden: no coordinated omission) and,
//          separately, from the moment the request was handed to HttpClient.
//   closed: N workers, each sends its next request as soon as the last one answered (what wrk does).
//
// Traffic goes only to loopback addresses; every run is bounded by --duration (+ --warmup, + a drain of at most 10 s).
// Prints a human line and a machine line: RESULT key=value ...

var opts = Options.Parse(args);
if (!opts.IsLoopback())
{
    Console.Error.WriteLine($"refusing to load {opts.Url}: only 127.0.0.0/8, localhost or [::1]");
    return 2;
}

using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = opts.Connections,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    AutomaticDecompression = DecompressionMethods.None,
    UseProxy = false,
    UseCookies = false,
};
using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };

var channels = new[] { "web-uk", "web-de", "web-fr" };
var paths = new string[500 * channels.Length];
for (var s = 0; s < 500; s++)
    for (var c = 0; c < channels.Length; c++)
        paths[s * channels.Length + c] = $"{opts.Url.TrimEnd('/')}/v1/availability/SKU-{s + 1:D5}?channel={channels[c]}";

var wall = Stopwatch.StartNew();
var result = opts.Mode == "closed" ? await Closed(opts, client, paths) : await Open(opts, client, paths);
// On a 2-core machine the load generator competes with the server: say how much CPU it took.
var cores = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds / wall.Elapsed.TotalSeconds;
result.Print(opts);
Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "LOADGEN cores={0:F2}", cores));
return result.Ok ? 0 : 1;

static async Task<Result> Open(Options opts, HttpClient client, string[] paths)
{
    var warmupCount = (long)(opts.Rate * opts.Warmup);
    var measuredCount = (long)(opts.Rate * opts.Duration);
    var total = warmupCount + measuredCount;
    if (total > 50_000_000) throw new ArgumentException("rate × (warm-up + duration) too large");

    // Indexed by request number, warm-up included (the timeline shows it); percentiles use the measured part only.
    var fromDue = new long[total];     // ticks (Stopwatch) from due time to full response
    var fromSend = new long[total];    // ticks from hand-off to HttpClient to full response
    var lag = new long[total];         // ticks the dispatcher was late
    var status = new int[total];
    var inFlight = 0;
    var dropped = 0L;
    var pending = new List<Task>(capacity: 1024);
    var tickPerSec = (double)Stopwatch.Frequency;
    var rnd = new Random(12345);

    var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
    var deadline = start + (long)((opts.Warmup + opts.Duration + 10) * tickPerSec);

    // The dispatcher: a dedicated thread that sleeps ~1 ms when ahead of schedule and fires every due request.
    var dispatcher = new Thread(() =>
    {
        for (long i = 0; i < total; i++)
        {
            var due = start + (long)(i / opts.Rate * tickPerSec);
            while (true)
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= due) break;
                if (now > deadline) return;
                if (due - now > tickPerSec / 2000) Thread.Sleep(1); else Thread.Yield();
            }

            if (Stopwatch.GetTimestamp() > deadline) return;
            if (Volatile.Read(ref inFlight) >= opts.MaxInFlight)
            {
                if (i >= warmupCount) Interlocked.Increment(ref dropped);
                status[i] = -2;
                continue;
            }

            Interlocked.Increment(ref inFlight);
            var path = paths[rnd.Next(paths.Length)];
            var dueCopy = due;
            var task = Send(client, path, dueCopy, i, fromDue, fromSend, lag, status, () => Interlocked.Decrement(ref inFlight));
            lock (pending) pending.Add(task);
        }
    }) { IsBackground = true, Name = "dispatcher" };
    dispatcher.Start();
    dispatcher.Join(TimeSpan.FromSeconds(opts.Warmup + opts.Duration + 10));

    Task[] all;
    lock (pending) all = [.. pending];
    var drain = Task.WhenAll(all);
    await Task.WhenAny(drain, Task.Delay(TimeSpan.FromSeconds(10)));
    var elapsed = (Stopwatch.GetTimestamp() - start) / tickPerSec - opts.Warmup;
    if (opts.Timeline) PrintTimeline(opts, fromDue, status, warmupCount);

    var w = (int)warmupCount;
    return Result.From("open", fromDue[w..], fromSend[w..], lag[w..], status[w..], dropped, Math.Max(elapsed, opts.Duration), opts.Rate);
}

// Per second of the schedule: how many answered and the worst latency (from due): shows whether a bad p99 is
// one stall or a steady tail.
static void PrintTimeline(Options opts, long[] fromDue, int[] status, long warmupCount)
{
    var perSecond = (int)Math.Ceiling(opts.Rate);
    var first = -(int)Math.Ceiling(warmupCount / (double)perSecond);
    for (var s = first; warmupCount + (long)s * perSecond < fromDue.Length; s++)
    {
        var from = Math.Max(0, warmupCount + (long)s * perSecond);
        var to = Math.Min(fromDue.Length, warmupCount + (long)(s + 1) * perSecond);
        var slice = Enumerable.Range((int)from, (int)(to - from))
            .Where(i => status[i] == 200).Select(i => fromDue[i] * 1000.0 / Stopwatch.Frequency).OrderBy(x => x).ToArray();
        if (slice.Length == 0) { Console.WriteLine($"  t={s,3}s  no answers"); continue; }
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  t={0,3}s  n={1,6}  p50={2,8:F3}  p99={3,8:F3}  max={4,8:F3} ms",
            s, slice.Length, slice[slice.Length / 2], slice[Math.Min(slice.Length - 1, (int)(slice.Length * 0.99))], slice[^1]));
    }
}

static async Task Send(HttpClient client, string path, long due, long index, long[] fromDue, long[] fromSend, long[] lag, int[] status, Action done)
{
    try
    {
        var sent = Stopwatch.GetTimestamp();
        int code;
        try
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead);
            code = (int)response.StatusCode;
        }
        catch
        {
            code = -1;
        }

        var end = Stopwatch.GetTimestamp();
        fromDue[index] = end - due;
        fromSend[index] = end - sent;
        lag[index] = sent - due;
        status[index] = code;
    }
    finally
    {
        done();
    }
}

static async Task<Result> Closed(Options opts, HttpClient client, string[] paths)
{
    var latencies = new List<long>[opts.Connections];
    var codes = new List<int>[opts.Connections];
    var tickPerSec = (double)Stopwatch.Frequency;
    var warmEnd = Stopwatch.GetTimestamp() + (long)(opts.Warmup * tickPerSec);
    var end = warmEnd + (long)(opts.Duration * tickPerSec);
    var workers = Enumerable.Range(0, opts.Connections).Select(w => Task.Run(async () =>
    {
        var rnd = new Random(w);
        var mine = latencies[w] = new List<long>(1 << 16);
        var myCodes = codes[w] = new List<int>(1 << 16);
        while (true)
        {
            var sent = Stopwatch.GetTimestamp();
            if (sent >= end) return;
            int code;
            try
            {
                using var response = await client.GetAsync(paths[rnd.Next(paths.Length)], HttpCompletionOption.ResponseContentRead);
                code = (int)response.StatusCode;
            }
            catch
            {
                code = -1;
            }

            var done = Stopwatch.GetTimestamp();
            if (sent >= warmEnd && done <= end)
            {
                mine.Add(done - sent);
                myCodes.Add(code);
            }
        }
    })).ToArray();
    await Task.WhenAny(Task.WhenAll(workers), Task.Delay(TimeSpan.FromSeconds(opts.Warmup + opts.Duration + 15)));
    var all = latencies.Where(l => l is not null).SelectMany(l => l).ToArray();
    var allCodes = codes.Where(c => c is not null).SelectMany(c => c).ToArray();
    return Result.From("closed", all, all, new long[all.Length], allCodes, 0, opts.Duration, double.NaN);
}

sealed record Options(string Url, string Mode, double Rate, double Duration, double Warmup, int Connections, int MaxInFlight, string Label, bool Timeline)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        double D(string name, string fallback) => double.Parse(Get(name, fallback), CultureInfo.InvariantCulture);
        var o = new Options(
            Get("--url", "http://127.0.0.1:5181"),
            Get("--mode", "open"),
            D("--rate", "1000"),
            Math.Clamp(D("--duration", "15"), 1, 300),
            Math.Clamp(D("--warmup", "3"), 0, 60),
            int.Parse(Get("--connections", "32"), CultureInfo.InvariantCulture),
            int.Parse(Get("--max-in-flight", "20000"), CultureInfo.InvariantCulture),
            Get("--label", "target"),
            Array.IndexOf(args, "--timeline") >= 0);
        if (o.Rate <= 0) throw new ArgumentException("--rate must be > 0");
        return o;
    }

    public bool IsLoopback()
    {
        var uri = new Uri(Url);
        if (uri.IsLoopback) return true;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}

sealed record Result(string Mode, int Count, int Errors, long Dropped, double Seconds, double TargetRate,
    double P50, double P90, double P99, double P999, double Max, double SendP50, double SendP99, double SendP999, double LagP99, double LagMax,
    IReadOnlyDictionary<int, int> Codes)
{
    public bool Ok => Count > 0 && Errors == 0 && Dropped == 0;

    public static Result From(string mode, long[] fromDue, long[] fromSend, long[] lag, int[] status, long dropped, double seconds, double rate)
    {
        var ok = Enumerable.Range(0, status.Length).Where(i => status[i] == 200).ToArray();
        double Ms(long t) => t * 1000.0 / Stopwatch.Frequency;
        double[] Sorted(long[] src) { var a = ok.Select(i => Ms(src[i])).ToArray(); Array.Sort(a); return a; }
        static double P(double[] a, double q) => a.Length == 0 ? double.NaN : a[Math.Min(a.Length - 1, (int)Math.Ceiling(q * a.Length) - 1)];
        var due = Sorted(fromDue);
        var send = Sorted(fromSend);
        var late = Sorted(lag);
        var codes = status.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        return new Result(mode, ok.Length, status.Length - ok.Length - (int)dropped, dropped, seconds, rate,
            P(due, .50), P(due, .90), P(due, .99), P(due, .999), due.Length == 0 ? double.NaN : due[^1],
            P(send, .50), P(send, .99), P(send, .999), P(late, .99), late.Length == 0 ? double.NaN : late[^1], codes);
    }

    public void Print(Options o)
    {
        var inv = CultureInfo.InvariantCulture;
        var rps = Count / Seconds;
        var codes = string.Join(",", Codes.OrderBy(k => k.Key).Select(k => $"{k.Key}:{k.Value}"));
        Console.WriteLine(string.Format(inv,
            "{0} [{1}{2}] ok={3} errors={4} dropped={5} rps={6:F0} | from due: p50={7:F3} p90={8:F3} p99={9:F3} p99.9={10:F3} max={11:F3} ms | from send: p50={12:F3} p99={13:F3} p99.9={14:F3} ms | dispatch lag p99={15:F3} max={16:F3} ms | codes {17}",
            o.Label, Mode, double.IsNaN(TargetRate) ? "" : string.Format(inv, " @{0:F0}/s", TargetRate), Count, Errors, Dropped, rps,
            P50, P90, P99, P999, Max, SendP50, SendP99, SendP999, LagP99, LagMax, codes));
        Console.WriteLine(string.Format(inv,
            "RESULT label={0} mode={1} rps={2:F1} count={3} errors={4} dropped={5} p50={6:F3} p99={7:F3} p999={8:F3} max={9:F3} send_p50={10:F3} send_p99={11:F3} send_p999={12:F3} lag_p99={13:F3}",
            o.Label, Mode, rps, Count, Errors, Dropped, P50, P99, P999, Max, SendP50, SendP99, SendP999, LagP99));
    }
}
