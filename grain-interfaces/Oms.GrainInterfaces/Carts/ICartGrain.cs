namespace Oms.GrainInterfaces.Carts;

/// <summary>
/// One shopping cart (key = cartId): its lines and the holds behind them. The inventory grains decide whether
/// units can be held; the cart records which location holds what.
/// </summary>
public interface ICartGrain : IGrainWithStringKey
{
    /// <summary>Sets the held quantity of each given line (0 releases it), all or nothing.</summary>
    Task<CartResult> SetLinesAsync(string channel, CartLineRequest[] lines);

    Task<CartResult> RemoveLineAsync(string sku);

    Task<CartResult> ClearAsync();

    /// <summary>Pushes the expiry out by the channel's TTL.</summary>
    Task<CartResult> ExtendAsync();

    Task<CartView?> GetAsync();
}
