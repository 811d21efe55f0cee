using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Oms.GrainInterfaces;
using Oms.GrainInterfaces.Inventory;
using Oms.Grains;
using Oms.Grains.Hosting;
using Oms.Grains.Inventory;
using Orleans.Serialization;

// Bytes written per inventory batch while a record holds few or many cart holds (docs/decisions/0009), on the
// product's durable embedded storage (SQLite file, group commit, fsync on). For each live-hold count: one record
// gets that many one-unit holds, then ROUNDS rounds of WAVE concurrent new holds + WAVE releases; every write of
// the record is measured from the product's own metric oms.storage.write.bytes (state "stock").
//   baseline (the design before, same run): the whole record serialised with the same serializer, holds included,
//   which is what every batch of that record wrote before holds were detached.
// Usage: dotnet HoldBytes.dll [--holds 100,50000] [--rounds 50] [--wave 20] [--db /tmp/x.db] [--silo-port 11185] [--gateway-port 30185]

var holdCounts = Arg("--holds", "100,50000").Split(',').Select(int.Parse).ToArray();
var rounds = int.Parse(Arg("--rounds", "50"), CultureInfo.InvariantCulture);
var wave = int.Parse(Arg("--wave", "20"), CultureInfo.InvariantCulture);
var db = Arg("--db", Path.Combine(Path.GetTempPath(), $"oms-hold-bytes-{Environment.ProcessId}.db"));
var expires = DateTimeOffset.UtcNow.AddHours(2);

var bytes = new ConcurrentQueue<long>();
using var listener = new MeterListener();
listener.InstrumentPublished = (instrument, l) =>
{
    if (instrument.Meter.Name == OmsGrainMetrics.MeterName && instrument.Name == "oms.storage.write.bytes") l.EnableMeasurementEvents(instrument);
};
listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
{
    foreach (var tag in tags)
    {
        if (tag.Key == "state" && (string?)tag.Value == "stock") bytes.Enqueue(value);
    }
});
listener.Start();

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(int.Parse(Arg("--silo-port", "11185"), CultureInfo.InvariantCulture), int.Parse(Arg("--gateway-port", "30185"), CultureInfo.InvariantCulture));
    silo.AddOmsGrains(new OmsSiloOptions { Storage = StorageMode.Sqlite, SqlitePath = db }, dashboard: false);
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
var serializer = host.Services.GetRequiredService<Serializer>();
Console.WriteLine($"hold-bytes: SQLite {db}, {Environment.ProcessorCount} cores, .NET {Environment.Version}; {rounds} rounds of {wave} new holds + {wave} releases per live-hold count");

var rows = new List<string>();
foreach (var live in holdCounts)
{
    var key = InventoryKey.For("BENCH-HOLDS", $"SKU-{live}");
    var grain = grains.GetGrain<IInventoryGrain>(key);
    await grain.SetLevelAsync(new AbsoluteLevel(10_000_000, 0, null, DateTimeOffset.UtcNow));
    var fill = Stopwatch.StartNew();
    for (var start = 0; start < live; start += 1_000)
        await Task.WhenAll(Enumerable.Range(start, Math.Min(1_000, live - start)).Select(i => grain.SetHoldAsync(new HoldRequest($"cart:live-{i}", 1, expires, 0))));
    var level = await grain.GetAsync();
    if (level.Reserved != live) throw new InvalidOperationException($"expected {live} reserved, got {level.Reserved}");
    Console.WriteLine($"  {live:N0} live holds placed in {fill.Elapsed.TotalSeconds:F1} s");

    bytes.Clear();
    var latencies = new List<double>();
    var measured = Stopwatch.StartNew();
    for (var r = 0; r < rounds; r++)
    {
        var ids = Enumerable.Range(0, wave).Select(i => $"cart:round-{r}-{i}").ToArray();
        foreach (var quantity in new[] { 1, 0 })
        {
            var sw = Stopwatch.StartNew();
            var results = await Task.WhenAll(ids.Select(id => grain.SetHoldAsync(new HoldRequest(id, quantity, expires, 0))));
            latencies.Add(sw.Elapsed.TotalMilliseconds);
            if (results.Any(x => !x.Ok)) throw new InvalidOperationException("a hold was refused");
        }
    }

    measured.Stop();
    var writes = bytes.ToArray();
    level = await grain.GetAsync();
    if (level.Reserved != live) throw new InvalidOperationException($"expected {live} reserved after the rounds, got {level.Reserved}");

    // The design before: the whole record, holds included, in the same serializer, was every write's payload.
    var whole = new StockRecord { OnHand = level.OnHand, Version = level.Version, AsOf = level.AsOf, Holds = [] };
    for (var i = 0; i < live; i++) whole.Holds[$"cart:live-{i}"] = new Hold(1, expires);
    var wholeBytes = serializer.SerializeToArray(whole).Length;
    latencies.Sort();
    rows.Add(string.Create(CultureInfo.InvariantCulture,
        $"| {live,12:N0} | {writes.Length,6} | {writes.Average(),10:F0} | {writes.Max(),9:N0} | {wholeBytes,17:N0} | {wholeBytes / writes.Average(),8:F0}x | {latencies[latencies.Count / 2],8:F1} | {2.0 * rounds * wave / measured.Elapsed.TotalSeconds,8:N0} |"));
}

await host.StopAsync();
Console.WriteLine();
Console.WriteLine($"Bytes per write of the hot record ({DateTime.UtcNow:yyyy-MM-dd HH:mm}Z; every write is one group-commit batch of that record)");
Console.WriteLine("|   live holds | writes | bytes/write | max bytes | before: whole record | before/now | wave p50 ms | holds/s |");
Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var row in rows) Console.WriteLine(row);
if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average at the end: {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}");
foreach (var f in new[] { db, db + "-wal", db + "-shm" }) File.Delete(f);

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
