using Oms.GrainInterfaces.Events;
using Oms.Grains.Events;

namespace Oms.Domain.Tests;

/// <summary>The event-log partition's rules: positions, provisional events, resolution, reads and trimming.</summary>
public sealed class EventLogStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IntegrationEvent E(string id, string subject = "order:o1", long sequence = 1) =>
        new(id, EventTypes.OrderCreated, T0, subject, sequence, "{}");

    /// <summary>
    /// A script of steps, then what a reader from position 0 sees. Steps: "+a" appends a, "~a" appends it
    /// provisionally, "!a" confirms it, "?a" resolves it as existing, "-a" resolves it as missing (its write failed).
    /// Expected: the ids read, and how far the reader may move.
    /// </summary>
    [Theory]
    [InlineData("+a +b", "a b", 2)]
    // a provisional event stops readers before it: later confirmed events wait behind it
    [InlineData("+a ~b +c", "a", 1)]
    [InlineData("+a ~b +c !b", "a b c", 3)]
    // a re-sent event is not added twice; sent again as final it confirms the provisional one
    [InlineData("+a +a", "a", 1)]
    [InlineData("~a +a", "a", 1)]
    // resolution: the aggregate has it (confirmed) or not (dropped: a hole readers step over)
    [InlineData("~a +b ?a", "a b", 2)]
    [InlineData("~a +b -a", "b", 2)]
    [InlineData("~a -a", "", 1)]
    // a confirmation of an unknown or already final id changes nothing
    [InlineData("+a !x !a", "a", 1)]
    public void Readers_see_confirmed_events_in_position_order_and_never_pass_a_provisional_one(string script, string expected, long through)
    {
        var log = new EventLogState();
        foreach (var step in script.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var id = step[1..];
            switch (step[0])
            {
                case '+': log.Append([E(id)], provisional: false, T0); break;
                case '~': log.Append([E(id)], provisional: true, T0); break;
                case '!': log.Confirm([id]); break;
                case '?': log.Resolve([id], new HashSet<string> { id }); break;
                case '-': log.Resolve([id], new HashSet<string>()); break;
            }
        }

        var page = log.Read(0, 0, 100);
        Assert.Equal(expected, string.Join(' ', page.Events.Select(e => e.Event.Id)));
        Assert.Equal(through, page.Through);
    }

    [Fact]
    public void A_read_with_a_limit_pages_through_everything_once()
    {
        var log = new EventLogState();
        log.Append([.. Enumerable.Range(1, 10).Select(i => E($"e{i}", sequence: i))], provisional: false, T0);
        var seen = new List<string>();
        long after = 0;
        for (var i = 0; i < 20; i++)
        {
            var page = log.Read(0, after, 3);
            seen.AddRange(page.Events.Select(e => e.Event.Id));
            after = page.Through;
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"e{i}"), seen);
        Assert.Equal(10, after);
    }

    [Fact]
    public void Only_events_waiting_longer_than_the_window_are_asked_about_grouped_by_subject()
    {
        var log = new EventLogState();
        log.Append([E("a", "order:o1")], provisional: true, T0);
        log.Append([E("b", "order:o2")], provisional: true, T0.AddSeconds(1));
        log.Append([E("c", "order:o1", 2)], provisional: true, T0.AddSeconds(10));
        var due = log.Unconfirmed(T0.AddSeconds(5));
        Assert.Equal(["a"], due["order:o1"]);
        Assert.Equal(["b"], due["order:o2"]);
        Assert.Equal(T0, log.OldestPendingAt);
    }

    [Theory]
    // keep the newest N
    [InlineData(5, 0, 10, 6, 5)]
    // and nothing older than the age
    [InlineData(100, 7, 10, 8, 3)]
    public void Trimming_drops_the_oldest_and_readers_behind_it_continue_at_the_first_kept(int keep, int olderThanMinutes, int appended, long first, int count)
    {
        var log = new EventLogState();
        for (var i = 1; i <= appended; i++) log.Append([E($"e{i}", sequence: i)], provisional: false, T0.AddMinutes(i));
        log.Trim(keep, olderThanMinutes == 0 ? DateTimeOffset.MinValue : T0.AddMinutes(olderThanMinutes + 1));
        Assert.Equal((first, count), (log.First, log.Count));
        var page = log.Read(0, 0, 100);
        Assert.Equal($"e{first}", page.Events[0].Event.Id);
        Assert.Equal(appended, page.Through);
    }

    [Fact]
    public void Trimming_never_drops_a_provisional_event_or_anything_after_it()
    {
        var log = new EventLogState();
        log.Append([E("a")], provisional: false, T0);
        log.Append([E("b")], provisional: true, T0);
        log.Append([E("c")], provisional: false, T0);
        log.Trim(0, DateTimeOffset.MaxValue);
        Assert.Equal((2L, 2), (log.First, log.Count));
    }

    [Fact]
    public void Storage_gets_each_event_once_and_the_row_without_them()
    {
        var log = new EventLogState();
        log.Append([E("a"), E("b", sequence: 2)], provisional: true, T0);
        var first = log.TakeForWrite();
        Assert.Equal(["0000000000000000001", "0000000000000000002"], first.TakeChangedItems().Select(i => i.Key));
        var row = (EventLogState)first.WithoutDetachedItems();
        Assert.Null(row.Entries);
        Assert.Equal((2L, 2, 2), (row.Last, row.StoredEntries, row.Pending.Count));

        log.Confirm(["a", "b"]);
        Assert.Empty(log.TakeForWrite().TakeChangedItems()); // a confirmation rewrites the row only

        var loaded = new EventLogState { Last = row.Last, StoredEntries = row.StoredEntries };
        loaded.AttachItems(first.Entries!.Select(e => KeyValuePair.Create(e.Key.ToString("D19"), (object)e.Value)));
        loaded.Append([E("a")], provisional: false, T0);
        Assert.Equal(2, loaded.Count); // the ids index is rebuilt from the loaded entries: no duplicate
    }

    [Fact]
    public void A_reader_never_passes_a_position_storage_does_not_have_yet()
    {
        var log = new EventLogState();
        var at = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        log.Append([new IntegrationEvent("e1", "order.created", at, "order:a", 1, "{}"), new IntegrationEvent("e2", "order.created", at, "order:b", 1, "{}")], provisional: false, at);
        var page = log.Read(0, 0, 100, durable: 1);
        Assert.Equal([1L], page.Events.Select(e => e.Position));
        Assert.Equal(1, page.Through);
        Assert.Equal(2, log.Read(0, 1, 100, durable: 2).Through);
    }
    /// <summary>A customer's erasure: only the subject's events change, every occurrence is replaced, ids and order stay.</summary>
    [Theory]
    [InlineData("order:o1", """{"customer":{"id":"c1","email":"c@example.com"},"to":"c@example.com"}""", """{"customer":{"id":"c1","email":"erased-x"},"to":"erased-x"}""", 1)]
    [InlineData("order:o2", """{"customer":{"id":"c1","email":"c@example.com"}}""", """{"customer":{"id":"c1","email":"c@example.com"}}""", 0)] // another order
    [InlineData("order:o1", """{"customer":{"id":"c1"}}""", """{"customer":{"id":"c1"}}""", 0)] // nothing to replace
    public void Redaction_replaces_personal_data_in_the_subjects_events_only(string subject, string data, string expected, int changed)
    {
        var log = new EventLogState();
        log.Append([new IntegrationEvent("e1", EventTypes.OrderCreated, T0, subject, 1, data), new IntegrationEvent("e2", EventTypes.OrderCreated, T0, "order:o3", 1, data)], provisional: false, T0);
        log.TakeChangedItems(); // written

        Assert.Equal(changed, log.Redact("order:o1", [new Redaction("c@example.com", "erased-x"), new Redaction("", "never")]));
        var page = log.Read(0, 0, 10);
        Assert.Equal(["e1", "e2"], page.Events.Select(e => e.Event.Id));
        Assert.Equal(expected, page.Events[0].Event.Data);
        Assert.Equal(data, page.Events[1].Event.Data); // order:o3 untouched
        Assert.Equal(changed, log.TakeChangedItems().Count); // each redacted event's row is written again
    }

    [Theory]
    [InlineData("{}", "{}")]
    [InlineData("""a "b" a""", """z "b" z""")]
    public void Redacted_applies_every_replacement_in_order(string data, string expected) =>
        Assert.Equal(expected, EventLogState.Redacted(data, [new Redaction("a", "y"), new Redaction("y", "z")]));
}
