namespace Oms.GrainInterfaces.Inventory;

/// <summary>
/// The authority for one location × SKU (key from <see cref="InventoryKey.For"/>). Non-reentrant: every
/// change is applied, persisted and only then acknowledged, one at a time.
/// </summary>
public interface IInventoryGrain : IGrainWithStringKey
{
    Task<SetLevelResult> SetLevelAsync(AbsoluteLevel level);

    Task<AdjustResult> AdjustAsync(Adjustment adjustment);

    /// <summary>Adds or replaces expected stock under its reference; quantity 0 removes it.</summary>
    Task<InventoryLevel> SetInboundAsync(InboundLine inbound);

    /// <summary>The last persisted level. Interleaves, so a reader never waits behind a write.</summary>
    [AlwaysInterleave]
    Task<InventoryLevel> GetAsync();
}
