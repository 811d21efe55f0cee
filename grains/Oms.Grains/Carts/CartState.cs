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
    /// Write-ahead record of a change in flight: SKU → the locations being changed. Written before any inventory
    /// grain is asked, cleared after the outcome is recorded. If the grain dies in between, activation puts each
    /// of those holds back to what <see cref="Lines"/> says (the change was never acknowledged).
    /// </summary>
    [Id(3)] public Dictionary<string, string[]>? Intent { get; set; }

    [Id(4)] public bool Existed { get; set; }
}
