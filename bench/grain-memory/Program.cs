using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Oms.GrainInterfaces;
using Oms.GrainInterfaces.Inventory;
using Oms.Grains;
using Oms.Grains.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;

// Live heap per activation: an in-process silo configured as the product's (AddOmsGrains, in-memory storage),
// 100,000 inventory grains at ONE location with 100,000 distinct SKUs.
//   baseline : Dictionary<string, small record> with the same 100,000 keys (a plain in-process cache)
//   idle     : each inventory grain activated by GetAsync()
//   stateful : then SetLevelAsync on each, which writes the state (memory storage) and activates the SKU's
//              availability view grain and publishes a stock delta (memory stream): the cost per location × SKU pair.
// Every figure is the live heap after a full blocking, compacting GC. Bounded: each phase has a deadline.
// Usage: dotnet GrainMemory.dll [--count 100000] [--silo-port 11183] [--gateway-port 30183] [--concurrency 1000]

var count = IntArg("--count", 100_000);
var siloPort = IntArg("--silo-port", 11183);
var gatewayPort = IntArg("--gateway-port", 30183);
var concurrency = IntArg("--concurrency", 1_000);
var phaseLimit = TimeSpan.FromSeconds(IntArg("--phase-seconds", 300));
const string Location = "BENCH-MEM";
static string Sku(int i) => $"SKU-{i:D6}";

Console.WriteLine($"Orleans default collection age: {new GrainCollectionOptions().CollectionAge} (set to 1 h for this run)");
Console.WriteLine($"grain-memory: {count:N0} location x SKU keys, {Environment.ProcessorCount} cores, .NET {Environment.Version}, GC server={System.Runtime.GCSettings.IsServerGC}");

// --- baseline: what a plain in-process cache costs per entry ---------------------------------------------------------
var before = Heap.Measure();
var cache = new Dictionary<string, CacheEntry>(StringComparer.Ordinal);
for (var i = 0; i < count; i++)
    cache[InventoryKey.For(Location, Sku(i))] = new CacheEntry(10, 0, 0, 0, DateTimeOffset.UtcNow, 1);
var afterCache = Heap.Measure();
GC.KeepAlive(cache);
var baselinePerEntry = (afterCache.Live - before.Live) / (double)count;
Console.WriteLine($"baseline Dictionary<string, record>: {Heap.Kib(afterCache.Live - before.Live)} for {cache.Count:N0} entries");
cache = null;

// --- the silo ----------------------------------------------------------------------------------------------------------
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(siloPort, gatewayPort);
    silo.AddOmsGrains(new OmsSiloOptions { Storage = StorageMode.InMemory }, dashboard: false);
    // Nothing may be collected while we count: idle activations live for an hour.
    silo.Configure<GrainCollectionOptions>(o =>
    {
        o.CollectionAge = TimeSpan.FromHours(1);
        o.CollectionQuantum = TimeSpan.FromMinutes(30);
    });
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
var management = grains.GetGrain<IManagementGrain>(0);

try
{
    // Warm-up: JIT, pools, directory structures, the catalog, the memory storage and stream provider, on other
    // locations and other SKUs (so no view grain of the measured SKUs is active before the measurement).
    await ForEach(2_000, i => grains.GetGrain<IInventoryGrain>(InventoryKey.For("WARMUP", $"W-{i}")).SetLevelAsync(Level()), "warm-up");
    await ForEach(2_000, i => grains.GetGrain<IInventoryGrain>(InventoryKey.For("WARMUP2", $"W-{i}")).GetAsync(), "warm-up");
    await Task.Delay(1000);

    // Side figure: what building a grain reference costs (the gateway does it on every request). Orleans 10 resolves the
    // interface type by reflection on each GetGrain call; a Dictionary lookup of the same key is the comparison.
    const int refs = 200_000;
    for (var i = 0; i < 50_000; i++) GC.KeepAlive(grains.GetGrain<IInventoryGrain>(InventoryKey.For("REF", Sku(i % 1000)))); // tier-up
    var refWatch = Stopwatch.StartNew();
    for (var i = 0; i < refs; i++) GC.KeepAlive(grains.GetGrain<IInventoryGrain>(InventoryKey.For("REF", Sku(i % 1000))));
    var getGrainUs = refWatch.Elapsed.TotalMicroseconds / refs;
    // The product's GrainRefs.Ref<T>(key): interface and grain type resolved once per interface.
    for (var i = 0; i < 50_000; i++) GC.KeepAlive(grains.Ref<IInventoryGrain>(InventoryKey.For("REF", Sku(i % 1000))));
    refWatch.Restart();
    for (var i = 0; i < refs; i++) GC.KeepAlive(grains.Ref<IInventoryGrain>(InventoryKey.For("REF", Sku(i % 1000))));
    var refUs = refWatch.Elapsed.TotalMicroseconds / refs;
    var lookup = Enumerable.Range(0, 1000).ToDictionary(i => InventoryKey.For("REF", Sku(i)), i => (object)i, StringComparer.Ordinal);
    for (var i = 0; i < 50_000; i++) GC.KeepAlive(lookup[InventoryKey.For("REF", Sku(i % 1000))]);
    refWatch.Restart();
    for (var i = 0; i < refs; i++) GC.KeepAlive(lookup[InventoryKey.For("REF", Sku(i % 1000))]);
    var lookupUs = refWatch.Elapsed.TotalMicroseconds / refs;

    // Second baseline: an empty grain (no state, no fields) on the same silo: what Orleans itself costs per activation.
    await ForEach(2_000, i => grains.GetGrain<IEmptyGrain>($"W-{i}").PingAsync(), "warm-up");
    var emptyStart = Heap.Measure();
    var sw = Stopwatch.StartNew();
    await ForEach(count, i => grains.GetGrain<IEmptyGrain>(InventoryKey.For(Location, Sku(i))).PingAsync(), "empty activation");
    var emptySeconds = sw.Elapsed.TotalSeconds;
    var emptyEnd = Heap.Measure();

    var start = Heap.Measure();
    var startActivations = await management.GetTotalActivationCount();

    sw.Restart();
    await ForEach(count, i => grains.GetGrain<IInventoryGrain>(InventoryKey.For(Location, Sku(i))).GetAsync(), "idle activation");
    var idleSeconds = sw.Elapsed.TotalSeconds;
    var idle = Heap.Measure();
    var idleActivations = await management.GetTotalActivationCount();

    sw.Restart();
    await ForEach(count, i => grains.GetGrain<IInventoryGrain>(InventoryKey.For(Location, Sku(i))).SetLevelAsync(Level()), "SetLevelAsync");
    var setSeconds = sw.Elapsed.TotalSeconds;
    await Task.Delay(1000);
    var stateful = Heap.Measure();
    var statefulActivations = await management.GetTotalActivationCount();
    var byType = await management.GetSimpleGrainStatistics();

    // The grains are still there (nothing was collected): read one back.
    var check = await grains.GetGrain<IInventoryGrain>(InventoryKey.For(Location, Sku(count - 1))).GetAsync();
    if (check.OnHand != 10 || check.Version != 1) throw new InvalidOperationException($"unexpected state after SetLevelAsync: {check}");

    double Per(long bytes) => bytes / (double)count;
    var emptyPer = Per(emptyEnd.Live - emptyStart.Live);
    var idlePer = Per(idle.Live - start.Live);
    var pairPer = Per(stateful.Live - start.Live);
    var setPer = Per(stateful.Live - idle.Live);

    Console.WriteLine();
    Console.WriteLine("Activations by grain type after SetLevelAsync:");
    foreach (var s in byType.GroupBy(s => s.GrainType).Select(g => (Type: g.Key, Count: g.Sum(x => x.ActivationCount))).OrderByDescending(x => x.Count).Take(8))
        Console.WriteLine($"  {s.Count,9:N0}  {s.Type}");
    Console.WriteLine();
    Console.WriteLine($"activations: {startActivations:N0} before, {idleActivations:N0} idle, {statefulActivations:N0} after SetLevelAsync");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"GetGrain<IInventoryGrain>(key), no call: {getGrainUs:F2} us each; GrainRefs.Ref<IInventoryGrain>(key): {refUs:F2} us; building the key + Dictionary lookup: {lookupUs:F2} us"));
    Console.WriteLine($"time: {count:N0} empty-grain activations in {emptySeconds:F1} s ({count / emptySeconds:N0}/s)");
    Console.WriteLine($"time: {count:N0} activations by GetAsync in {idleSeconds:F1} s ({count / idleSeconds:N0}/s); {count:N0} SetLevelAsync in {setSeconds:F1} s ({count / setSeconds:N0}/s)");
    Console.WriteLine($"large-object heap growth (stream cache blocks and big arrays): idle {Heap.Kib(idle.Loh - start.Loh)}, after SetLevelAsync {Heap.Kib(stateful.Loh - start.Loh)}");
    if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average (1/5/15 min) at the end: {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}");
    Console.WriteLine($"process working set: {Heap.Mib(start.WorkingSet)} -> {Heap.Mib(idle.WorkingSet)} -> {Heap.Mib(stateful.WorkingSet)}");
    Console.WriteLine();
    Console.WriteLine($"Live heap after full GC, {count:N0} keys at one location ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z)");
    Console.WriteLine($"{"per location x SKU key",-66} {"bytes",10} {"x baseline",10}");
    Row("baseline: Dictionary<string, record> entry", baselinePerEntry);
    Row("empty grain (no state, no fields): Orleans' own per-activation cost", emptyPer);
    Row("idle inventory grain (GetAsync)", idlePer);
    Row("SetLevelAsync increment (state + view grain + storage + stream)", setPer);
    Row("total per location x SKU pair (inventory + view)", pairPer);
    Console.WriteLine($"Target: <= 4 KiB (4096 B) per idle inventory grain -> {(idlePer <= 4096 ? "yes" : "NO")} ({idlePer:F0} B)");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RESULT baseline_bytes={baselinePerEntry:F0} empty_grain_bytes={emptyPer:F0} idle_bytes={idlePer:F0} pair_bytes={pairPer:F0} set_increment_bytes={setPer:F0} activations={statefulActivations}"));

    void Row(string name, double bytes) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-66} {bytes,10:F0} {bytes / baselinePerEntry,10:F1}"));
}
finally
{
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    try { await host.StopAsync(stop.Token); } catch (Exception ex) { Console.Error.WriteLine($"stop: {ex.Message}"); }
}

return 0;

AbsoluteLevel Level() => new(10, null, null, DateTimeOffset.UtcNow);

async Task ForEach<T>(int n, Func<int, Task<T>> call, string what)
{
    using var deadline = new CancellationTokenSource(phaseLimit);
    await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = deadline.Token },
        async (i, _) => await call(i));
    _ = what;
}

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>A grain with nothing in it, for the Orleans per-activation floor.</summary>
public interface IEmptyGrain : IGrainWithStringKey
{
    Task<int> PingAsync();
}

public sealed class EmptyGrain : Grain, IEmptyGrain
{
    public Task<int> PingAsync() => Task.FromResult(1);
}

/// <summary>What a plain cache would keep per location × SKU: the same numbers a StockRecord holds.</summary>
sealed record CacheEntry(int OnHand, int SafetyStock, int Reserved, int Allocated, DateTimeOffset? AsOf, long Version);

static class Heap
{
    public readonly record struct Sample(long Live, long Loh, long WorkingSet);

    public static Sample Measure()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var live = GC.GetTotalMemory(forceFullCollection: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var loh = info.GenerationInfo.Length > 3 ? info.GenerationInfo[3].SizeAfterBytes : 0;
        return new Sample(live, loh, Environment.WorkingSet);
    }

    public static string Kib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N0} KiB");

    public static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:N0} MiB");
}
