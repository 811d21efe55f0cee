using Oms.GrainInterfaces.Orders;

namespace Oms.Grains.Orders;

/// <summary>
/// What an <see cref="Order"/> command decided: done (with the effects the grain must perform), or refused with the
/// outcome, a detail and the field at fault, never an exception. A refused command changed nothing.
/// </summary>
public sealed record OrderDecision(
    OrderOutcome Outcome,
    string? Detail,
    string? Field,
    IReadOnlyList<OrderEffect> Effects,
    string? CreatedId = null,
    bool Changed = true)
{
    public static OrderDecision Unchanged { get; } = new(OrderOutcome.Ok, null, null, [], Changed: false);

    public bool Ok => Outcome == OrderOutcome.Ok;

    public static OrderDecision Done(IReadOnlyList<OrderEffect> effects, string? createdId = null) => new(OrderOutcome.Ok, null, null, effects, createdId);

    public static OrderDecision Refuse(OrderOutcome outcome, string detail, string? field = null) => new(outcome, detail, field, [], Changed: false);

    public static OrderDecision InvalidState(string detail) => Refuse(OrderOutcome.InvalidState, detail);

    /// <summary>This decision followed by the one that finished it (a short pick and its re-sourcing).</summary>
    public OrderDecision Then(OrderDecision next) => next with { Effects = [.. Effects, .. next.Effects], CreatedId = next.CreatedId ?? CreatedId };
}
