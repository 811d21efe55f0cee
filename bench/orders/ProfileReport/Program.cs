// CPU by component from a CPU-sampling trace (dotnet-trace collect-linux --profile cpu-sampling: kernel perf samples
// of one process, with managed frames resolved by dotnet-trace). bench/orders/profile.sh runs it on each trace.
//
//   ProfileReport TRACE.nettrace [--top 25] [--path LABEL=REGEX ...]
//
// Every sample is one CPU sample of the process. Three views:
//  * component: walking from the leaf towards the root, the first frame of a known library (Oms.*, Orleans messaging,
//    serialization, scheduler, storage, Npgsql, ASP.NET Core/Kestrel, System.Text.Json, OpenTelemetry, sockets, ...).
//    BCL helpers (collections, strings, tasks), unresolved ReadyToRun CoreLib frames, the runtime's native code and
//    the kernel are charged to the library that called them; a sample with no such frame at all is classified by its
//    thread's bottom frames (runtime threads: GC/JIT/tiering; thread-pool dispatch without managed work; kernel only).
//  * where the leaf executes: JIT-compiled managed code, CoreLib (ReadyToRun, unresolved), coreclr native (GC, JIT,
//    stubs, type system), kernel, other native libraries.
//  * top leaf frames (exclusive) and top frames by inclusive share.
//  * with --path: for each LABEL=REGEX, the share of samples with any frame matching REGEX (inclusive: the paths
//    overlap, e.g. a view push made from inside a storage write counts for both; bench/feed-batch passes its own).
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.Tracing.Etlx;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: ProfileReport TRACE.nettrace [--top N]");
    return 2;
}

var top = 25;
var paths = new List<(string Label, Regex Pattern)>();
for (var a = 1; a + 1 < args.Length; a += 2)
{
    if (args[a] == "--top") top = int.Parse(args[a + 1], System.Globalization.CultureInfo.InvariantCulture);
    else if (args[a] == "--path" && args[a + 1].IndexOf('=') is > 0 and var eq) paths.Add((args[a + 1][..eq], new Regex(args[a + 1][(eq + 1)..], RegexOptions.Compiled)));
    else
    {
        Console.Error.WriteLine($"unknown argument {args[a]} {args[a + 1]}");
        return 2;
    }
}

var byPath = new long[paths.Count];
var etlx = TraceLog.CreateFromEventPipeDataFile(args[0], Path.ChangeExtension(args[0], ".etlx"));
using var log = new TraceLog(etlx);

// Ordered: the first rule that matches a frame name wins for that frame.
(string Component, Regex Pattern)[] rules =
[
    ("OMS code (Oms.*)", new(@"(^|!|\s)Oms\.|^Oms\b", RegexOptions.Compiled)),
    ("Npgsql", new(@"Npgsql", RegexOptions.Compiled)),
    ("Orleans storage (ADO.NET provider, group commit)", new(@"Orleans\.Storage|AdoNet|RelationalStorage|DbExtensions|System\.Data\.", RegexOptions.Compiled)),
    ("Orleans serialization", new(@"Orleans\.Serialization|Codec|Serializer|Copier", RegexOptions.Compiled)),
    ("Orleans messaging / networking", new(@"Orleans\.Runtime\.Messaging|Orleans\.Networking|Orleans\.Messaging|MessageCenter|Connection|IncomingMessage|OutgoingMessage|Gateway|MessageSerializer", RegexOptions.Compiled)),
    ("Orleans scheduler / activation", new(@"Orleans\.Runtime\.Scheduler|WorkItemGroup|ActivationData|Catalog|ActivationDirectory|GrainDirectory", RegexOptions.Compiled)),
    ("Orleans streams / reminders / timers", new(@"Orleans\.Streams|Orleans\.Providers\.Streams|Reminder|GrainTimer", RegexOptions.Compiled)),
    ("Orleans runtime (calls, invokers, other)", new(@"Orleans|OrleansCodeGen", RegexOptions.Compiled)),
    ("ASP.NET Core / Kestrel", new(@"Microsoft\.AspNetCore|Kestrel", RegexOptions.Compiled)),
    ("System.Text.Json", new(@"System\.Text\.Json", RegexOptions.Compiled)),
    ("OpenTelemetry / metrics", new(@"OpenTelemetry|System\.Diagnostics\.Metrics|Prometheus", RegexOptions.Compiled)),
    ("sockets / System.Net", new(@"System\.Net\.|System\.IO\.Pipelines", RegexOptions.Compiled)),
    ("logging / DI / hosting", new(@"Microsoft\.Extensions\.", RegexOptions.Compiled)),
];
// Frames that never decide the component (charged to the caller): BCL helpers, unresolved frames, native, kernel.
var passThrough = new Regex(@"^(system\.private\.corelib!\?|libcoreclr\.so|libclrjit\.so|libc\.so|libSystem\.|vmlinux|\[|\?|ld-linux|libstdc|libgcc|linux-vdso)|" +
    @"System\.Collections|System\.Linq|System\.String|System\.Runtime\.CompilerServices|System\.Threading|System\.Buffer|System\.Span|" +
    @"System\.Memory|System\.Number|System\.Text\.(UTF8|Encoding|StringBuilder|Ascii|Unicode)|System\.Guid|System\.Array|System\.Object|System\.Runtime\.Intrinsics|" +
    @"System\.Diagnostics\.Stopwatch|System\.Math|System\.Type|System\.Reflection|System\.Delegate|System\.Action|System\.Func|System\.ValueTuple|" +
    @"System\.HashCode|System\.Globalization|System\.DateTime|System\.TimeSpan|System\.Enum|System\.Int|System\.Decimal|System\.Double|System\.Runtime\.InteropServices|System\.GC|System\.Exception", RegexOptions.Compiled);

var byComponent = new Dictionary<string, long>();
var byLeafKind = new Dictionary<string, long>();
var exclusive = new Dictionary<string, long>();
var inclusive = new Dictionary<string, long>();
long total = 0;
var seen = new HashSet<string>();
var frames = new List<string>(128);
foreach (var ev in log.Events)
{
    var cs = ev.CallStack();
    if (cs is null) continue;
    frames.Clear();
    for (var f = cs; f is not null; f = f.Caller)
    {
        var method = f.CodeAddress.FullMethodName;
        var module = f.CodeAddress.ModuleName;
        frames.Add(string.IsNullOrEmpty(method) ? $"{(string.IsNullOrEmpty(module) ? "?" : module)}!?" : method);
    }

    if (frames.Count == 0) continue;
    total++;
    // leaf kind
    var leaf = frames[0];
    string kind = leaf.StartsWith("vmlinux", StringComparison.Ordinal) ? "kernel"
        : leaf.StartsWith("libcoreclr", StringComparison.Ordinal) || leaf.StartsWith("libclrjit", StringComparison.Ordinal) ? "coreclr/clrjit native (GC, JIT, stubs, type system)"
        : leaf.StartsWith("system.private.corelib!?", StringComparison.OrdinalIgnoreCase) ? "CoreLib ReadyToRun (unresolved)"
        : leaf.Contains(".so", StringComparison.Ordinal) || leaf.EndsWith("!?", StringComparison.Ordinal) ? "other native / unresolved"
        : "managed (resolved)";
    byLeafKind[kind] = byLeafKind.GetValueOrDefault(kind) + 1;
    // exclusive: the leaf-most resolved managed frame (or the leaf when there is none)
    var ex = frames.FirstOrDefault(n => !n.EndsWith("!?", StringComparison.Ordinal) && !n.Contains(".so!", StringComparison.Ordinal) && !n.StartsWith("vmlinux", StringComparison.Ordinal)) ?? leaf;
    exclusive[ex] = exclusive.GetValueOrDefault(ex) + 1;
    seen.Clear();
    foreach (var n in frames)
    {
        if (seen.Add(n)) inclusive[n] = inclusive.GetValueOrDefault(n) + 1;
    }

    for (var p = 0; p < paths.Count; p++)
    {
        if (frames.Any(paths[p].Pattern.IsMatch)) byPath[p]++;
    }

    string? component = null;
    foreach (var n in frames)
    {
        if (passThrough.IsMatch(n)) continue;
        foreach (var (c, p) in rules)
        {
            if (p.IsMatch(n))
            {
                component = c;
                break;
            }
        }

        if (component is not null) break;
    }

    if (component is null)
    {
        var joined = string.Join(" ", frames);
        component = joined.Contains("ThreadPoolWorkQueue", StringComparison.Ordinal) || joined.Contains("PortableThreadPool", StringComparison.Ordinal) || joined.Contains("LowLevelLifoSemaphore", StringComparison.Ordinal)
            ? "thread pool (dispatch, spinning, wake-ups) and BCL work under it"
            : joined.Contains("Tasks.", StringComparison.Ordinal) || joined.Contains("AsyncMethodBuilder", StringComparison.Ordinal) || joined.Contains("Timer", StringComparison.Ordinal)
                ? "tasks / timers (BCL only)"
                : frames.All(n => n.StartsWith("vmlinux", StringComparison.Ordinal) || n.StartsWith("libc.so", StringComparison.Ordinal) || n.EndsWith("!?", StringComparison.Ordinal) && !n.StartsWith("system.private", StringComparison.OrdinalIgnoreCase))
                    ? (frames.Any(n => n.StartsWith("libcoreclr", StringComparison.Ordinal)) ? "runtime native threads (GC, JIT/tiering, finalizer: unresolved libcoreclr)" : "kernel / native only")
                    : "other BCL (no library frame)";
    }

    byComponent[component] = byComponent.GetValueOrDefault(component) + 1;
}

string Pct(long n) => total == 0 ? "-" : (100.0 * n / total).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " %";
string Short(string s) => s.Length <= 150 ? s : s[..150] + "…";
Console.WriteLine($"trace {Path.GetFileName(args[0])}: {total} CPU samples");
Console.WriteLine();
Console.WriteLine("| component (first library frame from the leaf) | share |");
Console.WriteLine("| --- | ---: |");
foreach (var (k, v) in byComponent.OrderByDescending(kv => kv.Value)) Console.WriteLine($"| {k} | {Pct(v)} |");
Console.WriteLine();
Console.WriteLine("| where the leaf executes | share |");
Console.WriteLine("| --- | ---: |");
foreach (var (k, v) in byLeafKind.OrderByDescending(kv => kv.Value)) Console.WriteLine($"| {k} | {Pct(v)} |");
Console.WriteLine();
if (paths.Count > 0)
{
    Console.WriteLine("| path (samples with a matching frame; paths overlap) | share |");
    Console.WriteLine("| --- | ---: |");
    for (var p = 0; p < paths.Count; p++) Console.WriteLine($"| {paths[p].Label} | {Pct(byPath[p])} |");
    Console.WriteLine();
}

Console.WriteLine($"Top {top} exclusive (leaf-most resolved managed frame; native/kernel leaves charged to it):");
foreach (var (k, v) in exclusive.OrderByDescending(kv => kv.Value).Take(top)) Console.WriteLine($"  {Pct(v),8}  {Short(k)}");
Console.WriteLine();
Console.WriteLine($"Top {top * 2} inclusive (resolved managed frames):");
foreach (var (k, v) in inclusive.Where(kv => !kv.Key.EndsWith("!?", StringComparison.Ordinal) && !kv.Key.Contains(".so!", StringComparison.Ordinal) && !kv.Key.StartsWith("vmlinux", StringComparison.Ordinal))
             .OrderByDescending(kv => kv.Value).Take(top * 2))
    Console.WriteLine($"  {Pct(v),8}  {Short(k)}");
return 0;
