using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Reference;
using Oms.Grains;
using Oms.Grains.Availability;

namespace Oms.Gateway.Availability;

/// <summary>
/// This gateway's copies of the SKU views it is asked about (docs/decisions/0023), so that a storefront read costs no
/// grain call and no recomputation: each copy (<see cref="SkuCopy"/>) is fetched once from its view, moved forward by
/// the view's deltas, and keeps each channel's answer, serialised, until the copy or the reference data changes.
/// <list type="bullet">
/// <item>Embedded, the views run in this process and hand every delta over before their update returns (through
/// <see cref="StockDeltaHub"/>, the registered <see cref="IStockDeltaListener"/>): a write is acknowledged only once
/// the copy shows it.</item>
/// <item>On the cluster, the stock-delta stream feeds the copies (<see cref="StockDeltaHub"/>), this gateway's own
/// acknowledged writes invalidate the SKUs they touched, and a gap in a view's delta sequence makes the copy fetch
/// again.</item>
/// <item>Either way a copy is fetched again once it is older than <see cref="AvailabilityOptions.MaxStaleness"/>:
/// the bound on how far a read may lag a write whose delta was lost.</item>
/// </list>
/// Concurrent misses of one SKU share one fetch. At most <see cref="AvailabilityOptions.MaxSkus"/> copies are kept.
/// </summary>
public sealed class AvailabilityCopies(
    IGrainFactory grains,
    IOptions<AvailabilityOptions> options,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    TimeProvider clock,
    OmsMetrics metrics,
    bool viewsInProcess) : IStockDeltaListener
{
    /// <summary>Deltas kept for a SKU whose first fetch is on its way; beyond that the fetch is not trusted.</summary>
    private const int MaxPending = 1_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long _maxStalenessTicks = (long)(options.Value.MaxStaleness.TotalSeconds * clock.TimestampFrequency);
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public int Count => _entries.Count;

    /// <summary>The copy of <paramref name="sku"/>, fetched when this gateway has none, or none fresh enough.</summary>
    public ValueTask<SkuCopy> GetAsync(string sku)
    {
        if (_entries.TryGetValue(sku, out var entry) && Fresh(entry) is { } copy) return ValueTask.FromResult(copy);
        return new ValueTask<SkuCopy>(FetchAsync(sku));
    }

    /// <summary>What <paramref name="channel"/> can sell of the copy's SKU everywhere, kept until the copy or the reference data changes.</summary>
    public ChannelAnswer Answer(SkuCopy copy, ChannelPolicy channel, ReferenceSnapshot reference)
    {
        if (!_entries.TryGetValue(copy.Sku, out var entry)) return new ChannelAnswer(copy, reference, copy.Answer(channel, reference, AvailabilityScope.All), _json);
        var answers = entry.Answers;
        if (answers.TryGetValue(channel.ChannelId, out var kept) && ReferenceEquals(kept.Copy, copy) && ReferenceEquals(kept.Reference, reference))
            return kept;
        var answer = new ChannelAnswer(copy, reference, copy.Answer(channel, reference, AvailabilityScope.All), _json);
        answers[channel.ChannelId] = answer;
        return answer;
    }

    /// <inheritdoc />
    public void Apply(StockDelta delta)
    {
        if (!_entries.TryGetValue(delta.Sku, out var entry)) return; // nobody here reads it: nothing to keep
        lock (entry.Gate)
        {
            if (entry.Copy is { } copy)
            {
                var next = copy.Apply(delta);
                if (next.Gap && !copy.Gap) metrics.AvailabilityCopyGaps.Add(1);
                entry.Copy = next;
            }
            else if (entry.Fetching is not null)
            {
                // The first fetch is on its way: this delta may be newer than what it read.
                (entry.Pending ??= []).Add(delta);
                if (entry.Pending.Count > MaxPending) Expire(entry);
            }
        }
    }

    /// <summary>
    /// This gateway has just changed <paramref name="sku"/>'s stock (a cart line, a level, a product): on the cluster its
    /// delta may still be on its way, so the next read here fetches the view again (its writer reads its own write).
    /// Embedded, the view has already told this object, so nothing is needed.
    /// </summary>
    public void Written(string sku)
    {
        if (!viewsInProcess) Invalidate(sku);
    }

    /// <inheritdoc />
    public void Invalidate(string sku)
    {
        if (!_entries.TryGetValue(sku, out var entry)) return;
        lock (entry.Gate) Expire(entry);
    }

    /// <summary>Every copy is fetched again before its next use (the delta stream was lost or replaced).</summary>
    public void InvalidateAll()
    {
        foreach (var entry in _entries.Values)
            lock (entry.Gate) Expire(entry);
    }

    /// <summary>The next read fetches again, and a fetch already on its way cannot make the copy fresh.</summary>
    private static void Expire(Entry entry)
    {
        Volatile.Write(ref entry.FreshUntil, long.MinValue);
        entry.Generation++;
        entry.Fetching = null;
        entry.Pending = null;
    }

    private SkuCopy? Fresh(Entry entry)
    {
        var copy = entry.Copy;
        return copy is { Gap: false } && clock.GetTimestamp() < Volatile.Read(ref entry.FreshUntil) ? copy : null;
    }

    private async Task<SkuCopy> FetchAsync(string sku)
    {
        var entry = _entries.GetOrAdd(sku, static _ => new Entry());
        if (_entries.Count > options.Value.MaxSkus) Trim();
        Task<SkuCopy> fetching;
        lock (entry.Gate)
        {
            if (Fresh(entry) is { } copy) return copy;
            fetching = entry.Fetching ??= FetchIntoAsync(entry, sku, entry.Generation);
        }

        return await fetching;
    }

    private async Task<SkuCopy> FetchIntoAsync(Entry entry, string sku, int generation)
    {
        var started = clock.GetTimestamp();
        await Task.Yield(); // out of the caller's lock before the call goes out
        SkuStock fetched;
        try
        {
            fetched = await grains.Ref<ISkuAvailabilityGrain>(sku).GetStockAsync();
        }
        catch
        {
            lock (entry.Gate)
            {
                if (entry.Generation == generation) entry.Fetching = null;
            }

            throw;
        }

        metrics.AvailabilityCopyFetches.Add(1);
        lock (entry.Gate)
        {
            var copy = entry.Copy is { } known ? known.Merge(fetched) : SkuCopy.From(fetched);
            if (entry.Generation != generation)
            {
                // Invalidated while on its way: good enough for whoever waited on it, not fresh for the next reader.
                entry.Copy ??= copy;
                return copy;
            }

            foreach (var delta in entry.Pending ?? []) copy = copy.Apply(delta);
            entry.Pending = null;
            entry.Copy = copy;
            Volatile.Write(ref entry.FreshUntil, started + _maxStalenessTicks);
            entry.Fetching = null;
            return copy;
        }
    }

    /// <summary>Over the limit: drops a tenth of the copies (whichever the dictionary lists first; they are fetched again when read).</summary>
    private void Trim()
    {
        var drop = Math.Max(1, options.Value.MaxSkus / 10);
        foreach (var key in _entries.Keys.Take(drop)) _entries.TryRemove(key, out _);
    }

    private sealed class Entry
    {
        public readonly Lock Gate = new();
        public readonly ConcurrentDictionary<string, ChannelAnswer> Answers = new(StringComparer.Ordinal);
        public volatile SkuCopy? Copy;
        /// <summary>The copy may be used until then (timestamps of the clock): its fetch's start plus the staleness bound.</summary>
        public long FreshUntil = long.MinValue;
        public int Generation;
        public Task<SkuCopy>? Fetching;
        public List<StockDelta>? Pending;
    }
}
