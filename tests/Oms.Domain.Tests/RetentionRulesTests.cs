using Oms.Grains.Carts;
using Oms.Grains.Storage;

namespace Oms.Domain.Tests;

/// <summary>Which stored rows the storage sweep may delete (<see cref="RetentionRules"/>), with the default retention.</summary>
public sealed class RetentionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetentionOptions Defaults = new();

    public enum Cart { None, Empty, EmptyWithIntent, HeldUntilNow, HeldExpired23h, HeldExpired24h }

    [Theory]
    // Idempotency records: kept while their answer is replayed (24 h), then deleted.
    [InlineData("idempotency", 23.9, false, Cart.None, false)]
    [InlineData("idempotency", 24.0, false, Cart.None, true)]
    [InlineData("idempotency", 500, false, Cart.None, true)]
    // Carts: empty or expired for a day, by the last write's age; holding stock, or mid-change, they stay.
    [InlineData("cart", 23.9, false, Cart.Empty, false)]
    [InlineData("cart", 24.0, false, Cart.Empty, true)]
    [InlineData("cart", 48, false, Cart.EmptyWithIntent, true)] // every emptied cart keeps its last intent; holds expire in inventory anyway
    [InlineData("cart", 48, false, Cart.HeldUntilNow, false)] // a long TTL still running
    [InlineData("cart", 48, false, Cart.HeldExpired23h, false)]
    [InlineData("cart", 48, false, Cart.HeldExpired24h, true)] // the inventory records released those holds at expiry
    [InlineData("cart", 48, false, Cart.None, false)] // unreadable: never guessed
    // Cleared states (no payload), whatever their kind: after an hour.
    [InlineData("delivery", 0.9, true, Cart.None, false)]
    [InlineData("delivery", 1.0, true, Cart.None, true)]
    [InlineData("cart", 1.0, true, Cart.None, true)]
    // Everything else is business data or bounded by its own grain (orders, stock, event log, announcements).
    [InlineData("order", 10_000, false, Cart.None, false)]
    [InlineData("stock", 10_000, false, Cart.None, false)]
    [InlineData("events", 10_000, false, Cart.None, false)]
    public void A_row_goes_only_when_nothing_needs_it(string stateName, double ageHours, bool cleared, Cart cart, bool deleted) =>
        Assert.Equal(deleted, RetentionRules.MayDelete(stateName, Now - TimeSpan.FromHours(ageHours), cleared, State(cart), Now, Defaults));

    [Fact]
    public void The_sweep_reads_payloads_only_of_carts_and_takes_each_age_from_the_options()
    {
        var options = new RetentionOptions { IdempotencyKeys = TimeSpan.FromHours(48), Carts = TimeSpan.FromHours(2), ClearedStates = TimeSpan.FromMinutes(5) };
        Assert.Equal(
            [new("idempotency", TimeSpan.FromHours(48), false), new("cart", TimeSpan.FromHours(2), true), new RetentionQuery(null, TimeSpan.FromMinutes(5), false)],
            RetentionRules.Queries(options));
        Assert.True(RetentionRules.MayDelete("cart", Now - TimeSpan.FromHours(2), false, State(Cart.Empty), Now, options));
        Assert.False(RetentionRules.MayDelete("idempotency", Now - TimeSpan.FromHours(24), false, null, Now, options));
    }

    private static CartState? State(Cart cart)
    {
        var held = new Dictionary<string, CartLineState> { ["SKU-1"] = new() { Quantity = 1, Holds = { ["L-1"] = 1 } } };
        return cart switch
        {
            Cart.None => null,
            Cart.Empty => new CartState { Existed = true, Channel = "web" },
            Cart.EmptyWithIntent => new CartState { Existed = true, Intent = new() { ["SKU-1"] = ["L-1"] } },
            Cart.HeldUntilNow => new CartState { Lines = held, ExpiresAt = Now },
            Cart.HeldExpired23h => new CartState { Lines = held, ExpiresAt = Now - TimeSpan.FromHours(23) },
            Cart.HeldExpired24h => new CartState { Lines = held, ExpiresAt = Now - TimeSpan.FromHours(24) },
            _ => throw new ArgumentOutOfRangeException(nameof(cart)),
        };
    }
}
