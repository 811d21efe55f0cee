namespace Oms.GrainInterfaces.Carts;

/// <summary>
/// One shopping cart (key = cartId): its lines and the holds behind them. The inventory grains decide whether
/// units can be held; the cart records which location holds what.
/// </summary>
public interface ICartGrain : IGrainWithStringKey
{
    /// <summary>Sets the held quantity of each given line (0 releases it), all or nothing.</summary>
    [Repeatable]
    Task<CartResult> SetLinesAsync(string channel, CartLineRequest[] lines);

    [Repeatable]
    Task<CartResult> RemoveLineAsync(string sku);

    [Repeatable]
    Task<CartResult> ClearAsync();

    /// <summary>Pushes the expiry out by the channel's TTL.</summary>
    Task<CartResult> ExtendAsync();

    [Repeatable]
    Task<CartView?> GetAsync();
}
