namespace Oms.Grains.Carts;

[GenerateSerializer, Alias("oms.CartLineState")]
public sealed class CartLineState
{
    [Id(0)] public int Quantity { get; set; }
    [Id(1)] public string? PickupLocationId { get; set; }

    /// <summary>Units held per location, as the inventory grains acknowledged them.</summary>
    [Id(2)] public Dictionary<string, int> Holds { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Alias("oms.CartState")]
public sealed class CartState
{
    [Id(0)] public string? Channel { get; set; }
    [Id(1)] public Dictionary<string, CartLineState> Lines { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>
    /// The holds the last change touched: SKU → locations. Written with the new <see cref="Lines"/> before any
    /// inventory grain is asked, and left there until the next write. Activation sets each of those holds to what
    /// <see cref="Lines"/> says: a no-op after a finished change, the rest of the change after a crash.
    /// </summary>
    [Id(3)] public Dictionary<string, string[]>? Intent { get; set; }

    [Id(4)] public bool Existed { get; set; }
}
