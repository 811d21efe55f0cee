using Oms.GrainInterfaces.Orders;
using Oms.Grains.Orders;

namespace Oms.Domain.Tests;

/// <summary>
/// The integration events of order commands (<see cref="OrderEvents"/>): the order's steps as in
/// <see cref="OrderAggregateTests"/>, and the event types each one raises, in order.
/// </summary>
public sealed class OrderEventsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("WH:A2", "", "order.created fulfilment.released")]
    [InlineData("WH:A2 ST:B1", "", "order.created fulfilment.released fulfilment.released")]
    [InlineData("WH:A2", "accept f1", "order.status_changed")]
    [InlineData("WH:A2", "accept f1|pick f1 A 2|pack f1", "order.status_changed")]
    [InlineData("WH:A2", "pick f1 A 2|pack f1|ship f1", "order.status_changed order.status_changed fulfilment.shipped")]
    [InlineData("WH:A2", "pick f1 A 2|pack f1|ship f1|deliver f1", "order.status_changed order.status_changed fulfilment.shipped order.status_changed fulfilment.delivered")]
    [InlineData("WH:A2", "cancel A 1", "order.status_changed order.cancelled")]
    [InlineData("WH:A2", "cancel", "order.status_changed order.cancelled")]
    // a short pick with nowhere else to source: the units are cancelled
    [InlineData("WH:A2", "short f1 A 1", "order.status_changed order.cancelled")]
    // re-sourced elsewhere: the new fulfilment is released
    [InlineData("WH:A2", "short f1 A 1 L2", "order.status_changed fulfilment.released")]
    [InlineData("WH:A2", "pick f1 A 2|pack f1|ship f1|deliver f1|return A 1|receive r1 A 1 resellable", "order.status_changed order.status_changed fulfilment.shipped order.status_changed fulfilment.delivered return.received")]
    public void Each_change_raises_its_events(string fulfilments, string steps, string expected)
    {
        var order = OrderAggregateTests.Placed(fulfilments);
        var placed = Raise(OrderFacts.Of(new OrderState()), order);
        if (steps.Length == 0)
        {
            Assert.Equal(expected, placed);
            return;
        }

        var raised = new List<string>();
        var at = T0;
        foreach (var step in steps.Split('|'))
        {
            at = at.AddMinutes(1);
            var before = OrderFacts.Of(order.State);
            Assert.True(OrderAggregateTests.Step(order, step, at).Ok, step);
            var types = Raise(before, order);
            if (types.Length > 0) raised.Add(types);
        }

        Assert.Equal(expected, string.Join(' ', raised));
        Assert.Equal(Enumerable.Range(1, order.State.Outbox.Count).Select(i => (long)i), order.State.Outbox.Select(e => e.Sequence));
        Assert.All(order.State.Outbox, e => Assert.Equal("order:o1", e.Subject));
    }

    [Fact]
    public void A_held_order_raises_on_hold_then_escalation_and_released_fulfilments_on_approval()
    {
        var order = OrderAggregateTests.Placed("WH:C1", policy: OrderAggregateTests.Policy(reviewAbove: 100m));
        Assert.Equal("order.created order.on_hold", Raise(OrderFacts.Of(new OrderState()), order));
        var before = OrderFacts.Of(order.State);
        Assert.True(order.EscalateDue(T0.AddHours(1)).Changed);
        Assert.Equal("escalation.raised", Raise(before, order));
        before = OrderFacts.Of(order.State);
        Assert.True(order.Approve("ok", T0.AddHours(2)).Ok);
        Assert.Equal("order.status_changed fulfilment.released", Raise(before, order));
    }

    [Theory]
    // held for payment: authorised or captured releases it, once per event id; failed cancels
    [InlineData("authorised", "order.status_changed fulfilment.released", "sourced")]
    [InlineData("captured", "order.status_changed fulfilment.released", "sourced")]
    [InlineData("failed", "order.status_changed order.cancelled", "cancelled")]
    [InlineData("refunded", "payment.refunded", "on_hold")]
    public void Payment_events_on_an_order_held_for_payment(string payment, string expected, string status)
    {
        var policy = OrderAggregateTests.Policy() with { HoldUntilPaid = true };
        var order = OrderAggregateTests.Placed("WH:A2", policy: policy);
        Assert.Equal(Order.AwaitingPayment, order.State.HoldReason);
        Raise(OrderFacts.Of(new OrderState()), order);
        var before = OrderFacts.Of(order.State);
        var e = new PaymentEvent("p1", Enum.Parse<PaymentStatus>(payment, ignoreCase: true), 20m, T0);
        Assert.True(order.Payment(e, T0.AddMinutes(1)).Ok);
        Assert.Equal(expected, Raise(before, order));
        Assert.Equal(status, System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(order.State.Status.ToString()));
        Assert.False(order.Payment(e, T0.AddMinutes(2)).Changed);
    }

    [Fact]
    public void Each_refund_the_payment_service_reports_raises_payment_refunded_with_its_amount_once()
    {
        var order = OrderAggregateTests.Placed("WH:A2");
        Raise(OrderFacts.Of(new OrderState()), order);
        foreach (var (id, amount) in new[] { ("r1", 2.5m), ("r1", 2.5m), ("r2", 3m) })
        {
            var before = OrderFacts.Of(order.State);
            order.Payment(new PaymentEvent(id, PaymentStatus.Refunded, amount, T0), T0.AddMinutes(1));
            Raise(before, order);
        }

        var refunds = order.State.Outbox.Where(e => e.Type == "payment.refunded")
            .Select(e => System.Text.Json.JsonSerializer.Deserialize<GrainInterfaces.Events.PaymentEventData>(e.Data, Grains.Events.EventJson.Options)!)
            .Select(d => (d.OrderId, d.PaymentEventId, d.Amount));
        Assert.Equal([("o1", "r1", (decimal?)2.5m), ("o1", "r2", 3m)], refunds);
    }

    [Fact]
    public void A_fraud_hold_is_not_released_by_a_payment()
    {
        var order = OrderAggregateTests.Placed("WH:C1", policy: OrderAggregateTests.Policy(reviewAbove: 100m) with { HoldUntilPaid = true });
        Assert.True(order.Payment(new PaymentEvent("p1", PaymentStatus.Authorised, null, T0), T0).Ok);
        Assert.True(order.State.OnHold);
    }

    [Fact]
    public void Sent_events_leave_the_outbox_but_the_order_still_answers_for_them()
    {
        var order = OrderAggregateTests.Placed("WH:A2");
        Raise(OrderFacts.Of(new OrderState()), order);
        var ids = order.State.Outbox.Select(e => e.Id).ToArray();
        OrderEvents.Sent(order.State, 1);
        Assert.Single(order.State.Outbox);
        Assert.Equal(ids, OrderEvents.Holds(order.State, [.. ids, "evt_other_1"]));
    }

    private static string Raise(OrderFacts before, Order order)
    {
        var from = order.State.Outbox.Count;
        OrderEvents.Raise(before, order, T0, "n");
        return string.Join(' ', order.State.Outbox.Skip(from).Select(e => e.Type));
    }
}
