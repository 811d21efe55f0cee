using Oms.Grains.Carts;

namespace Oms.Grains.Storage;

/// <summary>What the sweep looks at: a state name (null: any cleared state) and the age from which a row may go.</summary>
public sealed record RetentionQuery(string? StateName, TimeSpan Age, bool ReadsPayload);

/// <summary>
/// Which stored rows nothing needs any more (docs/decisions/0022). Pure: the sweep reads the rows a query names and
/// deletes those this says may go, each only if it is unchanged since it was read.
/// </summary>
public static class RetentionRules
{
    public const string Idempotency = "idempotency";
    public const string Cart = "cart";

    /// <summary>The rows to look at, oldest allowed first. Only a cart's payload is read; the others go by age alone.</summary>
    public static IReadOnlyList<RetentionQuery> Queries(RetentionOptions options) =>
    [
        new(Idempotency, options.IdempotencyKeys, ReadsPayload: false),
        new(Cart, options.Carts, ReadsPayload: true),
        new(null, options.ClearedStates, ReadsPayload: false),
    ];

    /// <summary>
    /// May this row go? A cleared row (no payload) after <see cref="RetentionOptions.ClearedStates"/>; an
    /// idempotency record after <see cref="RetentionOptions.IdempotencyKeys"/> (its answer is no longer replayed); a
    /// cart after <see cref="RetentionOptions.Carts"/> if it has no lines or its holds expired that long ago. An empty
    /// cart keeps the intent of its last change (a no-op once the change finished); if that change was cut short, the
    /// holds it left expire in their inventory records at their own time, so deleting the cart leaks nothing.
    /// Anything else stays.
    /// </summary>
    public static bool MayDelete(string stateName, DateTimeOffset modifiedOn, bool cleared, object? state, DateTimeOffset now, RetentionOptions options)
    {
        var age = now - modifiedOn;
        if (cleared) return age >= options.ClearedStates;
        return stateName switch
        {
            Idempotency => age >= options.IdempotencyKeys,
            Cart => age >= options.Carts && state is CartState cart && CartIsDone(cart, now - options.Carts),
            _ => false,
        };
    }

    private static bool CartIsDone(CartState cart, DateTimeOffset expiredBefore) =>
        cart.Lines.Count == 0 || cart.ExpiresAt is { } expires && expires <= expiredBefore;
}
