using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Webhooks;
using Oms.Grains.Webhooks;

namespace Oms.Domain.Tests;

/// <summary>The rules of one subscription's deliveries: what a read takes, lane order, attempts, dead letters, replay, the bounded log.</summary>
public sealed class WebhookDeliveryStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan[] Schedule = [TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5)];
    private static readonly HashSet<string> Types = ["order.created", "order.cancelled"];
    private static readonly HashSet<int> None = [];

    private static IntegrationEvent E(string subject, long sequence, string type = "order.created") =>
        new($"evt_{subject}_{sequence}", type, T0, subject, sequence, "{}");

    private static EventPage Page(long through, params (long Position, IntegrationEvent Event)[] events) =>
        new([.. events.Select(e => new LoggedEvent(0, e.Position, e.Event))], through);

    private static DeliveryAttempt Attempt(int? status, DateTimeOffset at) => new(at, status, 5, status is >= 200 and < 300 ? null : "failed");

    private static WebhookDeliveryState Fresh()
    {
        var s = new WebhookDeliveryState();
        s.Reset(T0, [0, 0, 0, 0]);
        return s;
    }

    [Fact]
    public void A_read_takes_the_subscribed_types_and_moves_the_cursor_past_everything_it_covered()
    {
        var s = Fresh();
        var added = s.Take(0, Page(9, (1, E("order:a", 1)), (2, E("order:a", 2, "order.status_changed")), (5, E("order:b", 1))), Types, 8, T0);
        Assert.Equal(2, added);
        Assert.Equal(9, s.Cursors[0]);
        Assert.Equal(["0-5", "0-1"], s.List(null, 10).Select(d => d.Id));
        Assert.All(s.List(null, 10), d => Assert.Equal(DeliveryStatus.Pending, d.Status));

        // The same positions again (a read repeated after a lost write) add nothing.
        Assert.Equal(0, s.Take(0, Page(9, (1, E("order:a", 1)), (5, E("order:b", 1))), Types, 8, T0));
    }

    [Fact]
    public void A_lane_sends_its_oldest_delivery_first_and_one_at_a_time()
    {
        var s = Fresh();
        s.Take(0, Page(3, (1, E("order:a", 1)), (2, E("order:a", 2)), (3, E("order:a", 3))), Types, 8, T0);
        var (due, _) = s.Heads(T0, None);
        var head = Assert.Single(due);
        Assert.Equal("0-1", head.Id);
        Assert.Empty(s.Heads(T0, new HashSet<int> { head.Lane }).Due); // a busy lane offers nothing more
        s.Record(head.Id, Attempt(200, T0), null, Schedule, 0.5);
        Assert.Equal("0-2", s.Head(head.Lane)!.Id);
    }

    public static TheoryData<int?, int, DeliveryStatus, double?> Outcomes => new()
    {
        // status code, attempts before, status after, seconds to the next attempt (null: none)
        { 200, 0, DeliveryStatus.Succeeded, null },
        { 204, 2, DeliveryStatus.Succeeded, null },
        { 500, 0, DeliveryStatus.Failed, 5 },
        { null, 1, DeliveryStatus.Failed, 300 },
        { 302, 0, DeliveryStatus.Failed, 5 },
        { 500, 2, DeliveryStatus.Dead, null },
        { 410, 0, DeliveryStatus.Failed, 0 },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void An_attempt_finishes_retries_or_dead_letters_the_delivery(int? status, int before, DeliveryStatus expected, double? nextSeconds)
    {
        var s = Fresh();
        s.Take(0, Page(1, (1, E("order:a", 1))), Types, 8, T0);
        for (var i = 0; i < before; i++) s.Record("0-1", Attempt(500, T0), null, Schedule, 0.5);
        var at = T0.AddMinutes(1);
        var d = s.Record("0-1", Attempt(status, at), null, Schedule, 0.5); // jitter 0.5: no change
        Assert.Equal(expected, d.Status);
        Assert.Equal(before + 1, d.Attempts.Length);
        if (nextSeconds is { } seconds) Assert.Equal(at.AddSeconds(seconds), d.NextAttemptAt);
        Assert.Equal(d.IsFinished, s.Head(d.Lane) is null);
    }

    [Fact]
    public void A_longer_retry_after_wins_and_a_success_retries_the_other_waiting_lanes_at_once()
    {
        var s = Fresh();
        var subjects = Enumerable.Range(0, 40).Select(i => $"order:o{i}").ToList();
        s.Take(0, Page(40, [.. subjects.Select((x, i) => ((long)i + 1, E(x, 1)))]), Types, 4, T0);
        var heads = s.Heads(T0, None).Due;
        Assert.Equal(4, heads.Count);
        var first = s.Record(heads[0].Id, Attempt(429, T0), TimeSpan.FromMinutes(2), Schedule, 0.5);
        Assert.Equal(T0.AddMinutes(2), first.NextAttemptAt);
        foreach (var h in heads.Skip(1)) s.Record(h.Id, Attempt(503, T0), null, Schedule, 0.5);
        Assert.Empty(s.Heads(T0.AddSeconds(1), None).Due);

        Assert.Equal(4, s.RetryFailedNow(T0.AddSeconds(1)));
        Assert.Equal(4, s.Heads(T0.AddSeconds(1), None).Due.Count);
    }

    [Fact]
    public void A_replay_sends_again_with_a_fresh_schedule_at_the_end_of_its_lane()
    {
        var s = Fresh();
        s.Take(0, Page(2, (1, E("order:a", 1)), (2, E("order:a", 2))), Types, 1, T0);
        s.Record("0-1", Attempt(500, T0), null, Schedule, 0.5);
        s.Record("0-1", Attempt(500, T0), null, Schedule, 0.5);
        Assert.Equal(DeliveryStatus.Dead, s.Record("0-1", Attempt(500, T0), null, Schedule, 0.5).Status);
        Assert.Equal("0-2", s.Head(0)!.Id);

        Assert.Equal(1, s.ReplayDead(T0.AddHours(1)));
        var replayed = s.Get("0-1")!;
        Assert.Equal((DeliveryStatus.Pending, 0, 3), (replayed.Status, replayed.Tries, replayed.Attempts.Length));
        Assert.Equal("0-2", s.Head(0)!.Id); // behind the lane's later events
        s.Record("0-2", Attempt(200, T0), null, Schedule, 0.5);
        Assert.Equal("0-1", s.Head(0)!.Id);
        Assert.Null(s.Replay("0-9", T0));
    }

    [Fact]
    public void Unfinished_deliveries_are_bounded_and_finished_ones_are_trimmed_to_the_log_size()
    {
        var s = Fresh();
        var events = Enumerable.Range(1, WebhookDeliveryState.MaxOpen).Select(i => ((long)i, E($"order:o{i}", 1))).ToArray();
        s.Take(0, Page(WebhookDeliveryState.MaxOpen, events), Types, 8, T0);
        Assert.False(s.HasRoom);

        foreach (var d in s.List(null, 2000)) s.Record(d.Id, Attempt(200, T0), null, Schedule, 0.5);
        Assert.True(s.HasRoom);
        Assert.Equal(0, s.TrimFinished(900)); // within a quarter over: not yet
        Assert.Equal(WebhookDeliveryState.MaxOpen - 100, s.TrimFinished(100));
        Assert.Equal(Enumerable.Range(901, 100).Reverse().Select(i => $"0-{i}"), s.List(null, 1000).Select(d => d.Id));
    }

    [Fact]
    public void A_write_carries_only_the_deliveries_that_changed_and_a_failed_one_hands_them_to_the_next()
    {
        var s = Fresh();
        s.Take(0, Page(2, (1, E("order:a", 1)), (2, E("order:b", 1))), Types, 8, T0);
        var first = s.TakeForWrite();
        Assert.Equal(2, first.TakeChangedItems().Count);
        s.Record("0-1", Attempt(200, T0), null, Schedule, 0.5);
        var failed = s.TakeForWrite();
        s.ChangedAgain(failed);
        var next = s.TakeForWrite();
        Assert.Equal(["0-1"], next.TakeChangedItems().Select(i => i.Key));
        var row = (WebhookDeliveryState)next.WithoutDetachedItems();
        Assert.Null(row.Deliveries);
        Assert.Equal(2, row.StoredDeliveries);
    }
}
