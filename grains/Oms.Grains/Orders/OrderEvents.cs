using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Orders;
using Oms.Grains.Events;

namespace Oms.Grains.Orders;

/// <summary>
/// The integration events of one order command, derived by comparing the order before (<see cref="OrderFacts"/>) and
/// after it: one rule for every command, so no command can change an order without its events. They go into the
/// order's outbox (<see cref="OrderState.Outbox"/>), which is written with the change itself (docs/decisions/0015),
/// numbered by the order's own sequence.
/// </summary>
public static class OrderEvents
{
    /// <summary>How many sent event ids an order remembers, so the event log can still ask about them.</summary>
    public const int RememberedSentIds = 64;

    /// <summary>Appends the events of the change from <paramref name="before"/> to the outbox; returns how many.</summary>
    public static int Raise(OrderFacts before, Order order, DateTimeOffset now, string nonce)
    {
        var s = order.State;
        if (!s.Exists) return 0;
        var count = 0;
        void Emit(string type, string data)
        {
            var sequence = ++s.EventSequence;
            s.Outbox.Add(new IntegrationEvent(EventIds.For(nonce, sequence), type, now, EventSubjects.Order(order.Id), sequence, data));
            count++;
        }

        if (!before.Exists) Emit(EventTypes.OrderCreated, OrderData(order, null, null));
        else if (before.Status != s.Status) Emit(EventTypes.OrderStatusChanged, OrderData(order, before.Status, null));
        if (s.OnHold && (!before.Exists || !before.OnHold)) Emit(EventTypes.OrderOnHold, OrderData(order, null, null));

        var cancelled = s.Cancelled
            .Select(c => new LineQuantity(c.Key, c.Value - before.Cancelled.GetValueOrDefault(c.Key)))
            .Where(c => c.Quantity > 0).OrderBy(c => c.Sku, StringComparer.Ordinal).ToArray();
        if (before.Exists && cancelled.Length > 0) Emit(EventTypes.OrderCancelled, OrderData(order, null, cancelled));

        if (s.OnHold && s.Escalated && !before.ReviewEscalated)
            Emit(EventTypes.EscalationRaised, Escalation(order, "review", order.Id, null, s.HoldReason ?? "fraud review waiting"));

        foreach (var f in s.Fulfilments)
        {
            var known = before.Fulfilments.TryGetValue(f.FulfilmentId, out var was);
            if ((!known || was.Status != f.Status) && FulfilmentType(f.Status) is { } type)
                Emit(type, EventJson.Write(new FulfilmentEventData(order.Id, s.Request!.Channel, s.Request.Customer, order.View(f))));
            if (f.Escalated && !(known && was.Escalated))
                Emit(EventTypes.EscalationRaised, Escalation(order, "fulfilment", f.FulfilmentId, f.LocationId, $"{f.LocationId} has not acknowledged {f.FulfilmentId}"));
            if (f.CarrierExceptions > (known ? was.CarrierExceptions : 0))
                Emit(EventTypes.EscalationRaised, Escalation(order, "carrier", f.FulfilmentId, f.LocationId,
                    $"{f.Carrier} reports an exception for {f.TrackingNumber}: {f.LastCarrierEvent?.Detail ?? "no detail"}"));
        }

        foreach (var r in s.Returns)
        {
            var known = before.Returns.TryGetValue(r.ReturnId, out var was);
            if (r.Status == ReturnState.Received && !(known && was.Status == ReturnState.Received))
            {
                var view = order.View().Returns.First(v => v.ReturnId == r.ReturnId);
                Emit(EventTypes.ReturnReceived, EventJson.Write(new ReturnEventData(order.Id, s.Request!.Channel, view)));
            }

            if (r.Escalated && !(known && was.Escalated))
                Emit(EventTypes.EscalationRaised, Escalation(order, "return", r.ReturnId, null, $"return {r.ReturnId} not received and checked"));
        }

        foreach (var refund in s.Refunds.Skip(before.Refunds))
            Emit(EventTypes.PaymentRefunded, EventJson.Write(new PaymentEventData(order.Id, s.Request!.Channel, s.Request.Customer, refund.EventId, refund.Amount, refund.At)));

        return count;
    }

    /// <summary>Which fulfilment event a new status is; null for the steps in between (picking, packing), which have none.</summary>
    public static string? FulfilmentType(FulfilmentStatus status) => status switch
    {
        FulfilmentStatus.Released => EventTypes.FulfilmentReleased,
        FulfilmentStatus.ReadyForPickup => EventTypes.FulfilmentReadyForPickup,
        FulfilmentStatus.Shipped => EventTypes.FulfilmentShipped,
        FulfilmentStatus.Delivered or FulfilmentStatus.Collected => EventTypes.FulfilmentDelivered,
        _ => null,
    };

    /// <summary>The events the log took: out of the outbox, their ids remembered (bounded) for the log's questions.</summary>
    public static void Sent(OrderState s, int count)
    {
        count = Math.Min(count, s.Outbox.Count);
        s.SentEventIds.AddRange(s.Outbox.Take(count).Select(e => e.Id));
        s.Outbox.RemoveRange(0, count);
        if (s.SentEventIds.Count > RememberedSentIds) s.SentEventIds.RemoveRange(0, s.SentEventIds.Count - RememberedSentIds);
    }

    /// <summary>Which of <paramref name="ids"/> this order's state holds, sent or not.</summary>
    public static string[] Holds(OrderState s, IEnumerable<string> ids) =>
        [.. ids.Where(id => s.Outbox.Any(e => e.Id == id) || s.SentEventIds.Contains(id))];

    private static string OrderData(Order order, OrderStatus? previous, LineQuantity[]? cancelled)
    {
        var s = order.State;
        var r = s.Request!;
        var lines = r.Lines.Select(l => new OrderLineView(l.Sku, l.Quantity, l.UnitPrice, s.Cancelled.GetValueOrDefault(l.Sku), s.ReturnedUnits(l.Sku))).ToArray();
        return EventJson.Write(new OrderEventData(
            order.Id, r.Channel, s.Status, previous, r.Type, r.Customer, r.PickupLocationId, lines, s.Total, s.OnHold ? s.HoldReason : null, cancelled, s.CreatedAt));
    }

    private static string Escalation(Order order, string kind, string id, string? locationId, string detail) =>
        EventJson.Write(new EscalationEventData(order.Id, order.State.Request!.Channel, kind, id, locationId, detail));
}
