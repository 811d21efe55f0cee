using Oms.GrainInterfaces.Orders;

namespace Oms.Grains.Orders;

/// <summary>What an order's events are derived from, taken before a command: <see cref="OrderEvents.Raise"/> compares it with after.</summary>
public sealed record OrderFacts(
    bool Exists,
    OrderStatus Status,
    bool OnHold,
    bool ReviewEscalated,
    IReadOnlyDictionary<string, (FulfilmentStatus Status, bool Escalated, int CarrierExceptions)> Fulfilments,
    IReadOnlyDictionary<string, (string Status, bool Escalated)> Returns,
    IReadOnlyDictionary<string, int> Cancelled,
    int Refunds)
{
    public static OrderFacts Of(OrderState s) => new(
        s.Exists, s.Status, s.OnHold, s.OnHold && s.Escalated,
        s.Fulfilments.ToDictionary(f => f.FulfilmentId, f => (f.Status, f.Escalated, f.CarrierExceptions), StringComparer.Ordinal),
        s.Returns.ToDictionary(r => r.ReturnId, r => (r.Status, r.Escalated), StringComparer.Ordinal),
        new Dictionary<string, int>(s.Cancelled, StringComparer.Ordinal),
        s.Refunds.Count);
}
