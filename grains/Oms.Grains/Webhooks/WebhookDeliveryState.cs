using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Webhooks;
using Oms.Grains.Storage;

namespace Oms.Grains.Webhooks;

/// <summary>
/// The deliveries of one subscription and the pure rules over them (docs/decisions/0016). The subscription reads
/// each event-log partition from its own cursor; what it reads becomes deliveries, in read order (<see
/// cref="WebhookDelivery.Seq"/>). A subject always falls in the same lane and a lane sends one delivery at a time, its
/// oldest unfinished one, so a subject's events reach the receiver in order and a failing subject holds up only its
/// lane. At most <see cref="MaxOpen"/> deliveries are unfinished: past that the cursors wait and the events wait in
/// the log, so a receiver that is down costs the log's retention, not this state. Finished deliveries are kept for the
/// delivery log, the newest <c>keep</c>.
/// <para>
/// The deliveries are the state's detached items (docs/decisions/0009): a write costs the deliveries that changed.
/// Nothing here needs a write to land before a delivery is attempted: the state is written as a consistent snapshot
/// (cursors with the deliveries they produced), so losing the latest snapshot only means sending a delivery again,
/// which at-least-once delivery allows and the receiver dedupes by <c>webhook-id</c>.
/// </para>
/// </summary>
[GenerateSerializer, Alias("oms.WebhookDeliveryState")]
public sealed class WebhookDeliveryState : IDetachedItemsState
{
    public const int MaxOpen = 1000;

    /// <summary>The subscription these deliveries belong to (its creation time); another one starts afresh.</summary>
    [Id(0)] public DateTimeOffset? Subscription { get; set; }

    /// <summary>Per event-log partition, the last position read.</summary>
    [Id(1)] public long[] Cursors { get; set; } = new long[OmsNames.EventLogPartitions];

    /// <summary>The next delivery's <see cref="WebhookDelivery.Seq"/>.</summary>
    [Id(2)] public long NextSeq { get; set; } = 1;

    /// <summary>The deliveries by id; group commit stores them as item rows.</summary>
    [Id(3)] public Dictionary<string, WebhookDelivery>? Deliveries { get; set; }

    /// <summary>In a row written without its deliveries: how many are stored beside it.</summary>
    [Id(4)] public int StoredDeliveries { get; set; }

    [NonSerialized] private HashSet<string>? _changed;
    [NonSerialized] private Dictionary<int, SortedSet<(long Seq, string Id)>>? _lanes;
    /// <summary>How many deliveries are finished, once counted; kept by <see cref="Put"/> and <see cref="Remove"/>.</summary>
    [NonSerialized] private int? _finished;

    private int FinishedCount => _finished ??= Items.Values.Count(d => d.IsFinished);

    private Dictionary<string, WebhookDelivery> Items => Deliveries ??= [];

    /// <summary>Unfinished deliveries by lane, oldest first.</summary>
    private Dictionary<int, SortedSet<(long Seq, string Id)>> Lanes
    {
        get
        {
            if (_lanes is not null) return _lanes;
            _lanes = [];
            foreach (var d in Items.Values.Where(d => !d.IsFinished)) LaneOf(d.Lane).Add((d.Seq, d.Id));
            return _lanes;
        }
    }

    public int OpenCount => Lanes.Values.Sum(l => l.Count);

    public bool HasRoom => OpenCount < MaxOpen;

    public WebhookDelivery? Get(string id) => Items.GetValueOrDefault(id);

    /// <summary>For a subscription not seen before: no deliveries, and every cursor at <paramref name="ends"/> (the log's readable end).</summary>
    public void Reset(DateTimeOffset subscription, long[] ends)
    {
        foreach (var id in Items.Keys.ToList()) Remove(id);
        Subscription = subscription;
        Cursors = [.. ends];
        _lanes = null;
        _finished = null;
    }

    public static int LaneOf(string subject, int lanes) => (int)((uint)OmsNames.StableHash(subject) % (uint)lanes);

    /// <summary>
    /// Takes a read of <paramref name="partition"/>: events of the subscribed <paramref name="types"/> become pending
    /// deliveries, the cursor moves to what the read covered. Returns how many deliveries it added.
    /// </summary>
    public int Take(int partition, EventPage page, IReadOnlySet<string> types, int lanes, DateTimeOffset now)
    {
        var added = 0;
        foreach (var logged in page.Events)
        {
            if (logged.Position <= Cursors[partition]) continue;
            Cursors[partition] = logged.Position;
            if (!types.Contains(logged.Event.Type)) continue;
            Add($"{partition}-{logged.Position}", logged.Event, lanes, now);
            added++;
        }

        Cursors[partition] = Math.Max(Cursors[partition], page.Through);
        return added;
    }

    /// <summary>A delivery outside the log (a <c>webhook.test</c>).</summary>
    public WebhookDelivery Add(string id, IntegrationEvent e, int lanes, DateTimeOffset now)
    {
        var delivery = new WebhookDelivery(id, e, NextSeq++, LaneOf(e.Subject, lanes), DeliveryStatus.Pending, [], 0, now, now);
        Put(delivery);
        return delivery;
    }

    /// <summary>The lane's oldest unfinished delivery; null when the lane has none.</summary>
    public WebhookDelivery? Head(int lane) => Lanes.TryGetValue(lane, out var open) && open.Count > 0 ? Items[open.Min.Id] : null;

    /// <summary>Each lane's oldest unfinished delivery that is due at <paramref name="now"/>, and when the next of the others falls due.</summary>
    public (List<WebhookDelivery> Due, DateTimeOffset? Next) Heads(DateTimeOffset now, IReadOnlySet<int> busy)
    {
        var due = new List<WebhookDelivery>();
        DateTimeOffset? next = null;
        foreach (var (lane, open) in Lanes)
        {
            if (open.Count == 0 || busy.Contains(lane)) continue;
            var head = Items[open.Min.Id];
            if (head.NextAttemptAt <= now) due.Add(head);
            else if (next is null || head.NextAttemptAt < next) next = head.NextAttemptAt;
        }

        return (due, next);
    }

    /// <summary>
    /// Records an attempt: a 2xx finishes the delivery; otherwise the schedule says when the next attempt goes (a
    /// longer <c>Retry-After</c> wins), and a spent schedule makes it a dead letter. A 410 leaves it failed and due
    /// again at once: the subscription is disabled, and re-enabling it resumes here. A <paramref name="final"/> failure
    /// is a dead letter at once.
    /// </summary>
    public WebhookDelivery Record(string id, DeliveryAttempt attempt, TimeSpan? retryAfter, IReadOnlyList<TimeSpan> schedule, double jitter, bool final = false)
    {
        var d = Items[id];
        var verdict = RetrySchedule.Judge(attempt.StatusCode);
        var attempts = d.Attempts.Length < WebhookDelivery.MaxAttemptsKept ? [.. d.Attempts, attempt] : d.Attempts[1..].Append(attempt).ToArray();
        var tries = d.Tries + 1;
        var next = verdict switch
        {
            DeliveryVerdict.Succeeded => (DateTimeOffset?)null,
            _ when final => null,
            DeliveryVerdict.Gone => attempt.At,
            _ => RetrySchedule.Next(schedule, tries, attempt.At, jitter, retryAfter),
        };
        var status = verdict == DeliveryVerdict.Succeeded ? DeliveryStatus.Succeeded : next is null ? DeliveryStatus.Dead : DeliveryStatus.Failed;
        var recorded = d with { Status = status, Attempts = attempts, Tries = tries, NextAttemptAt = next ?? attempt.At };
        Put(recorded);
        return recorded;
    }

    /// <summary>The receiver answered again after failures: the other lanes' failed heads need not wait out their schedule.</summary>
    public int RetryFailedNow(DateTimeOffset now)
    {
        var moved = 0;
        foreach (var open in Lanes.Values)
        {
            if (open.Count == 0) continue;
            var head = Items[open.Min.Id];
            if (head.Status != DeliveryStatus.Failed || head.NextAttemptAt <= now) continue;
            Put(head with { NextAttemptAt = now });
            moved++;
        }

        return moved;
    }

    /// <summary>Sends a kept delivery again, now, with a fresh schedule; it joins the end of its lane. Null when not kept.</summary>
    public WebhookDelivery? Replay(string id, DateTimeOffset now)
    {
        if (!Items.TryGetValue(id, out var d)) return null;
        var replayed = d with { Status = DeliveryStatus.Pending, Tries = 0, NextAttemptAt = now, Seq = d.IsFinished ? NextSeq++ : d.Seq };
        Put(replayed);
        return replayed;
    }

    public int ReplayDead(DateTimeOffset now)
    {
        var dead = Items.Values.Where(d => d.Status == DeliveryStatus.Dead).OrderBy(d => d.Seq).Select(d => d.Id).ToList();
        foreach (var id in dead) Replay(id, now);
        return dead.Count;
    }

    /// <summary>
    /// Once more than a quarter over <paramref name="keep"/> finished deliveries are kept, drops the oldest down to
    /// <paramref name="keep"/> (so trimming is not paid per delivery). Returns how many went.
    /// </summary>
    public int TrimFinished(int keep)
    {
        var count = FinishedCount;
        if (count <= keep + keep / 4) return 0;
        var drop = Items.Values.Where(d => d.IsFinished).OrderBy(d => d.Seq).Take(count - keep).Select(d => d.Id).ToList();
        foreach (var id in drop) Remove(id);
        return drop.Count;
    }

    /// <summary>The delivery log, newest first.</summary>
    public WebhookDelivery[] List(DeliveryStatus? status, int limit) =>
        [.. Items.Values.Where(d => status is null || d.Status == status).OrderByDescending(d => d.Seq).Take(limit)];

    private SortedSet<(long, string)> LaneOf(int lane) =>
        (_lanes ??= []).TryGetValue(lane, out var set) ? set : _lanes[lane] = [];

    private void Put(WebhookDelivery d)
    {
        if (Items.TryGetValue(d.Id, out var old))
        {
            if (!old.IsFinished) Lanes[old.Lane].Remove((old.Seq, old.Id));
            else if (_finished is not null) _finished--;
        }

        Items[d.Id] = d;
        if (!d.IsFinished) LaneOf(d.Lane).Add((d.Seq, d.Id));
        else if (_finished is not null) _finished++;
        (_changed ??= []).Add(d.Id);
    }

    private void Remove(string id)
    {
        if (!Items.Remove(id, out var old)) return;
        if (!old.IsFinished) Lanes[old.Lane].Remove((old.Seq, old.Id));
        else if (_finished is not null) _finished--;
        (_changed ??= []).Add(id);
    }

    public WebhookDeliveryState Copy() => new()
    {
        Subscription = Subscription,
        Cursors = [.. Cursors],
        NextSeq = NextSeq,
        Deliveries = Deliveries is null ? null : new Dictionary<string, WebhookDelivery>(Deliveries),
        StoredDeliveries = StoredDeliveries,
        _changed = _changed,
    };

    /// <summary>A write of <paramref name="failed"/> did not land: its changed deliveries go with the next one.</summary>
    public void ChangedAgain(WebhookDeliveryState failed)
    {
        if (failed._changed is null) return;
        (_changed ??= []).UnionWith(failed._changed);
    }

    /// <summary>The copy for a write takes the record of changed deliveries with it; the working state starts a new one.</summary>
    public WebhookDeliveryState TakeForWrite()
    {
        var copy = Copy();
        _changed = null;
        return copy;
    }

    public int DetachedItemCount => Deliveries?.Count ?? StoredDeliveries;

    public object WithoutDetachedItems() =>
        new WebhookDeliveryState { Subscription = Subscription, Cursors = [.. Cursors], NextSeq = NextSeq, StoredDeliveries = Items.Count };

    public IReadOnlyList<KeyValuePair<string, object?>> TakeChangedItems()
    {
        if (_changed is null) return [];
        var changes = _changed.Select(id => KeyValuePair.Create(id, (object?)Deliveries?.GetValueOrDefault(id))).ToList();
        _changed = null;
        return changes;
    }

    public void AttachItems(IEnumerable<KeyValuePair<string, object>> items)
    {
        foreach (var (key, item) in items) Items[key] = (WebhookDelivery)item;
        StoredDeliveries = 0;
        _lanes = null;
        _finished = null;
    }
}
