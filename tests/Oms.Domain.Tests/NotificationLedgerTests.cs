using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Notifications;
using Oms.Grains.Orders;
using NS = Oms.GrainInterfaces.Notifications.NotificationStatus;

namespace Oms.Domain.Tests;

/// <summary>The order's notification ledger: claim, result, never twice, leases, erasure.</summary>
public sealed class NotificationLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private static OrderState State() => new()
    {
        Request = new OrderRequest(null, "web", new Customer("c1", null, "ann@example.com", "+447700900123"), [new OrderLineRequest("A", 1, 1m)], FulfilmentType.Ship, null, null),
    };

    private static NotificationRecord Result(NS status, string detail = "250 ok") =>
        new("e1", "shipped", status, NotificationChannel.Email, "a***@example.com", detail, T0.AddSeconds(1), 1);

    [Theory]
    [InlineData(NS.Sent, NotificationClaimStatus.Done)]
    [InlineData(NS.Skipped, NotificationClaimStatus.Done)]
    [InlineData(NS.Failed, NotificationClaimStatus.Done)]
    [InlineData(NS.Retrying, NotificationClaimStatus.Claimed)]
    public void After_a_result_a_second_claim_is_refused_unless_it_was_transient(NS result, NotificationClaimStatus second)
    {
        var state = State();
        var (first, changed) = NotificationLedger.Claim(state, "e1", "shipped", T0, Lease);
        Assert.True(changed);
        Assert.Equal(NotificationClaimStatus.Claimed, first.Status);
        Assert.Equal("ann@example.com", first.Customer!.Email);

        Assert.True(NotificationLedger.Record(state, Result(result)));
        var (again, _) = NotificationLedger.Claim(state, "e1", "shipped", T0.AddSeconds(2), Lease);

        Assert.Equal(second, again.Status);
        Assert.Equal(second == NotificationClaimStatus.Claimed ? 2 : 1, again.Record!.Attempts);
    }

    [Fact]
    public void A_claim_holds_for_its_lease_then_may_be_taken_again()
    {
        var state = State();
        NotificationLedger.Claim(state, "e1", "shipped", T0, Lease);

        var (busy, changed) = NotificationLedger.Claim(state, "e1", "shipped", T0.AddMinutes(1), Lease);
        Assert.Equal((NotificationClaimStatus.Busy, false, T0 + Lease), (busy.Status, changed, busy.RetryAt));

        var (taken, _) = NotificationLedger.Claim(state, "e1", "shipped", T0 + Lease, Lease);
        Assert.Equal(NotificationClaimStatus.Claimed, taken.Status);
    }

    [Theory]
    [InlineData(NS.Sent, "notification.sent", "email shipped to a***@example.com")]
    [InlineData(NS.Skipped, "notification.skipped", "shipped: customer opted out")]
    [InlineData(NS.Retrying, "notification.retrying", "email shipped to a***@example.com, attempt 1: SMTP 451: try later")]
    [InlineData(NS.Failed, "notification.failed", "email shipped to a***@example.com: SMTP 550: no such user")]
    public void A_result_is_on_the_timeline_once(NS status, string @event, string detail)
    {
        var state = State();
        NotificationLedger.Claim(state, "e1", "shipped", T0, Lease);
        var why = status switch { NS.Skipped => "customer opted out", NS.Retrying => "SMTP 451: try later", NS.Failed => "SMTP 550: no such user", _ => "250 ok" };

        Assert.True(NotificationLedger.Record(state, Result(status, why)));
        var late = NotificationLedger.Record(state, Result(NS.Sent));

        Assert.Equal(new TimelineEntry(T0.AddSeconds(1), @event, detail), state.Timeline[0]);
        Assert.Equal(status == NS.Retrying, late); // a transient failure may still be followed by a success
        Assert.Equal(status == NS.Retrying ? 2 : 1, state.Timeline.Count);
    }

    [Fact]
    public void After_erasure_nothing_is_claimed_and_the_skip_is_recorded_without_personal_data()
    {
        var state = State();
        NotificationLedger.Claim(state, "e0", "order_confirmation", T0, Lease);
        NotificationLedger.Record(state, Result(NS.Sent) with { EventId = "e0", Kind = "order_confirmation" });
        CustomerErasure.Erase(state, T0.AddMinutes(1));

        var (claim, changed) = NotificationLedger.Claim(state, "e1", "shipped", T0.AddMinutes(2), Lease);

        Assert.Equal((NotificationClaimStatus.Erased, true), (claim.Status, changed));
        Assert.Null(claim.Customer);
        Assert.Equal(NS.Skipped, state.Notifications["e1"].Status);
        Assert.Null(state.Notifications["e0"].To);
        Assert.Null(state.Request!.Customer.Phone);
        Assert.Equal("email order_confirmation to (erased)", state.Timeline.Single(t => t.Event == NotificationLedger.SentEvent).Detail);
        Assert.Contains(state.Timeline, t => t is { Event: NotificationLedger.SkippedEvent, Detail: "shipped: customer data erased" });
        Assert.DoesNotContain(state.Timeline, t => t.Detail.Contains("example.com", StringComparison.Ordinal));
    }

    [Fact]
    public void No_order_no_claim() => Assert.Equal(NotificationClaimStatus.NoSuchOrder, NotificationLedger.Claim(new OrderState(), "e1", "shipped", T0, Lease).Claim.Status);
}
