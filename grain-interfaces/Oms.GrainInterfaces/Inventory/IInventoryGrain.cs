namespace Oms.GrainInterfaces.Inventory;

/// <summary>
/// The authority for one location × SKU (key from <see cref="InventoryKey.For"/>). Every change is applied in
/// memory in arrival order, persisted (many changes per write under load: group commit) and only then
/// acknowledged.
/// </summary>
public interface IInventoryGrain : IGrainWithStringKey
{
    Task<SetLevelResult> SetLevelAsync(AbsoluteLevel level);

    Task<AdjustResult> AdjustAsync(Adjustment adjustment);

    /// <summary>Adds or replaces expected stock under its reference; quantity 0 removes it.</summary>
    Task<InventoryLevel> SetInboundAsync(InboundLine inbound);

    /// <summary>Sets, raises, lowers or releases (quantity 0) a cart hold; idempotent per reservation id.</summary>
    Task<HoldResult> SetHoldAsync(HoldRequest request);

    /// <summary>Takes a provisional allocation (all or nothing at this location); idempotent per allocation id and token.</summary>
    Task<AllocationResult> AllocateAsync(AllocationRequest request);

    /// <summary>The order persisted the allocation: it no longer needs resolving.</summary>
    [OneWay]
    Task ConfirmAllocationAsync(string allocationId, string token);

    /// <summary>Lowers an allocation to <paramref name="quantity"/> units (0 releases it); never raises.</summary>
    Task<InventoryLevel> ReleaseAllocationAsync(string allocationId, int quantity);

    Task<InventoryLevel> MoveAsync(StockMovement movement);

    /// <summary>The last persisted level. Interleaves, so a reader never waits behind a write.</summary>
    [AlwaysInterleave]
    Task<InventoryLevel> GetAsync();
}
