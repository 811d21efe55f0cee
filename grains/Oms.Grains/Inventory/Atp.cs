namespace Oms.Grains.Inventory;

/// <summary>The quantity model of PRODUCT.md for one location × SKU.</summary>
public static class Atp
{
    /// <summary>ATP = max(0, onHand − reserved − allocated − unavailable − safetyStock).</summary>
    public static int Compute(int onHand, int reserved, int allocated, int unavailable, int safetyStock)
    {
        long free = (long)onHand - reserved - allocated - unavailable - safetyStock;
        return free <= 0 ? 0 : (int)Math.Min(free, int.MaxValue);
    }
}
