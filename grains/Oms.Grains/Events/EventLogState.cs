using System.Globalization;
using Oms.GrainInterfaces.Events;
using Oms.Grains.Storage;

namespace Oms.Grains.Events;

/// <summary>
/// One partition of the event log and the pure rules over it (docs/decisions/0015). Positions count from 1 and are
/// given at append, so a reader's cursor is one number. An event appended provisionally (its aggregate's write is in
/// flight) holds its position but stops every reader there until it is confirmed, or dropped when the aggregate's
/// persisted state does not have it: a reader never passes an event that may still appear, and never sees one whose
/// change did not land. A dropped or trimmed position is a hole readers step over.
/// <para>
/// The events are the state's detached items (docs/decisions/0009): each is written once as its own row, so an append
/// costs the new events, not the partition. The row keeps the positions and the provisional list.
/// </para>
/// </summary>
[GenerateSerializer, Alias("oms.EventLogState")]
public sealed class EventLogState : IDetachedItemsState
{
    /// <summary>The last position given; the next event gets <c>Last + 1</c>.</summary>
    [Id(0)] public long Last { get; set; }

    /// <summary>The first position still kept: everything before it was trimmed.</summary>
    [Id(1)] public long First { get; set; } = 1;

    /// <summary>Provisional positions, oldest first.</summary>
    [Id(2)] public List<long> Pending { get; set; } = [];

    /// <summary>The events by position; whole-state storage keeps them here, group commit as item rows.</summary>
    [Id(3)] public Dictionary<long, LogEntry>? Entries { get; set; }

    /// <summary>In a row written without its entries: how many are stored beside it.</summary>
    [Id(4)] public int StoredEntries { get; set; }

    [NonSerialized] private Dictionary<string, long>? _ids;
    [NonSerialized] private HashSet<long>? _changed;

    public int Count => Entries?.Count ?? 0;

    public bool HasPending => Pending.Count > 0;

    /// <summary>When the oldest provisional event was appended; null when none is provisional.</summary>
    public DateTimeOffset? OldestPendingAt => Pending.Count == 0 ? null : Items[Pending[0]].AppendedAt;

    /// <summary>The last position a reader may pass: before the first provisional event, else the last given.</summary>
    public long ReadableEnd => Pending.Count == 0 ? Last : Pending.Min() - 1;

    private Dictionary<long, LogEntry> Items => Entries ??= [];

    private Dictionary<string, long> Ids => _ids ??= Items.ToDictionary(e => e.Value.Event.Id, e => e.Key, StringComparer.Ordinal);

    /// <summary>
    /// Appends the events not in the log yet; an event already there as provisional is confirmed by a non-provisional
    /// append (its aggregate sends it again after its write). Returns whether anything changed.
    /// </summary>
    public bool Append(IEnumerable<IntegrationEvent> events, bool provisional, DateTimeOffset now)
    {
        var changed = false;
        foreach (var e in events)
        {
            if (Ids.TryGetValue(e.Id, out var known))
            {
                if (!provisional) changed |= Pending.Remove(known);
                continue;
            }

            var position = ++Last;
            Items[position] = new LogEntry(e, now);
            Ids[e.Id] = position;
            (_changed ??= []).Add(position);
            if (provisional) Pending.Add(position);
            changed = true;
        }

        return changed;
    }

    /// <summary>
    /// Applies <paramref name="redactions"/> to the payload of every event of <paramref name="subject"/> in the log;
    /// returns how many changed (each is written again as its row).
    /// </summary>
    public int Redact(string subject, IReadOnlyList<Redaction> redactions)
    {
        var changed = 0;
        foreach (var (position, entry) in Items.Where(e => e.Value.Event.Subject == subject).ToList())
        {
            var data = Redacted(entry.Event.Data, redactions);
            if (data == entry.Event.Data) continue;
            Items[position] = entry with { Event = entry.Event with { Data = data } };
            (_changed ??= []).Add(position);
            changed++;
        }

        return changed;
    }

    /// <summary><paramref name="data"/> with every redaction applied, in order (ordinal, whole text).</summary>
    public static string Redacted(string data, IReadOnlyList<Redaction> redactions) =>
        redactions.Where(r => r.Find.Length > 0).Aggregate(data, (d, r) => d.Replace(r.Find, r.Replace, StringComparison.Ordinal));

    /// <summary>The aggregate's write landed: these provisional events may be read. Returns whether any was provisional.</summary>
    public bool Confirm(IEnumerable<string> eventIds)
    {
        var changed = false;
        foreach (var id in eventIds)
        {
            if (Ids.TryGetValue(id, out var position)) changed |= Pending.Remove(position);
        }

        return changed;
    }

    /// <summary>Provisional events appended before <paramref name="before"/>, by subject: the ones to ask their aggregate about.</summary>
    public IReadOnlyDictionary<string, string[]> Unconfirmed(DateTimeOffset before) =>
        Pending.Select(p => Items[p]).Where(e => e.AppendedAt <= before)
            .GroupBy(e => e.Event.Subject, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Event.Id).ToArray(), StringComparer.Ordinal);

    /// <summary>
    /// The aggregate answered about <paramref name="asked"/>: the ones it has are confirmed, the others dropped (their
    /// write failed). Returns whether anything changed.
    /// </summary>
    public bool Resolve(IEnumerable<string> asked, IReadOnlySet<string> existing)
    {
        var changed = false;
        foreach (var id in asked)
        {
            if (!Ids.TryGetValue(id, out var position) || !Pending.Remove(position)) continue;
            changed = true;
            if (existing.Contains(id)) continue;
            Remove(position);
        }

        return changed;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> readable events after <paramref name="after"/>. Stops before the first provisional
    /// event and after <paramref name="durable"/>, the last position storage has: a position not written yet is given
    /// again to another event if the partition dies first, and a reader past it would skip that event.
    /// <see cref="EventPage.Through"/> is how far the reader may move: past holes, never past a provisional one.
    /// </summary>
    public EventPage Read(int partition, long after, int limit, long durable = long.MaxValue)
    {
        var events = new List<LoggedEvent>(Math.Min(limit, 64));
        var stop = Math.Min(ReadableEnd, durable);
        var through = Math.Max(after, First - 1);
        for (var p = through + 1; p <= stop && events.Count < limit; p++)
        {
            through = p;
            if (Items.TryGetValue(p, out var entry)) events.Add(new LoggedEvent(partition, p, entry.Event));
        }

        // Nothing left to return before the stop: a reader past every hole need not come back for them.
        if (events.Count < limit) through = Math.Max(through, stop);
        return new EventPage([.. events], Math.Max(through, after));
    }

    /// <summary>
    /// Drops the oldest events beyond <paramref name="keep"/> and those appended before <paramref name="olderThan"/>,
    /// never a provisional one or anything after it. Returns how many went.
    /// </summary>
    public int Trim(int keep, DateTimeOffset olderThan)
    {
        var limit = ReadableEnd;
        var removed = 0;
        while (First <= limit && (Count > keep || !Items.TryGetValue(First, out var e) || e.AppendedAt < olderThan))
        {
            if (Items.ContainsKey(First))
            {
                Remove(First);
                removed++;
            }

            First++;
        }

        return removed;
    }

    private void Remove(long position)
    {
        if (!Items.Remove(position, out var entry)) return;
        Ids.Remove(entry.Event.Id);
        (_changed ??= []).Add(position);
    }

    public EventLogState Copy() => new()
    {
        Last = Last,
        First = First,
        Pending = [.. Pending],
        Entries = Entries is null ? null : new Dictionary<long, LogEntry>(Entries),
        StoredEntries = StoredEntries,
        _changed = _changed,
    };

    /// <summary>The copy for a write takes the record of changed entries with it; the working state starts a new one.</summary>
    public EventLogState TakeForWrite()
    {
        var copy = Copy();
        _changed = null;
        return copy;
    }

    public int DetachedItemCount => Entries?.Count ?? StoredEntries;

    public object WithoutDetachedItems() => new EventLogState { Last = Last, First = First, Pending = [.. Pending], StoredEntries = Count };

    public IReadOnlyList<KeyValuePair<string, object?>> TakeChangedItems()
    {
        if (_changed is null) return [];
        var changes = _changed.Select(p => KeyValuePair.Create(Key(p), (object?)Entries?.GetValueOrDefault(p))).ToList();
        _changed = null;
        return changes;
    }

    public void AttachItems(IEnumerable<KeyValuePair<string, object>> items)
    {
        foreach (var (key, item) in items) Items[long.Parse(key, CultureInfo.InvariantCulture)] = (LogEntry)item;
        StoredEntries = 0;
        _ids = null;
    }

    private static string Key(long position) => position.ToString("D19", CultureInfo.InvariantCulture);
}
