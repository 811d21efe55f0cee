using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;

namespace Oms.Grains.Inventory;

/// <summary>
/// The authority for one location × SKU. Each change is applied in memory, persisted, and only then
/// acknowledged and pushed to the SKU's availability view. Readers get the last persisted level.
/// </summary>
public sealed partial class InventoryGrain(
    [PersistentState("stock", OmsNames.Storage)] IPersistentState<StockRecord> state,
    ILogger<InventoryGrain> logger) : Grain, IInventoryGrain
{
    private string _locationId = "";
    private string _sku = "";
    private InventoryLevel? _committed;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_locationId, _sku) = InventoryKey.Parse(this.GetPrimaryKeyString());
        state.State ??= new StockRecord();
        return Task.CompletedTask;
    }

    public async Task<SetLevelResult> SetLevelAsync(AbsoluteLevel level)
    {
        var outcome = state.State.ApplyAbsolute(level);
        if (outcome == FeedOutcome.Applied) await CommitAsync();
        return new SetLevelResult(outcome != FeedOutcome.Stale, Committed);
    }

    public async Task<AdjustResult> AdjustAsync(Adjustment adjustment)
    {
        var applied = state.State.Adjust(adjustment);
        if (applied) await CommitAsync();
        return new AdjustResult(applied, !applied, Committed);
    }

    public async Task<InventoryLevel> SetInboundAsync(InboundLine inbound)
    {
        state.State.SetInbound(inbound);
        await CommitAsync();
        return Committed;
    }

    public Task<InventoryLevel> GetAsync() => Task.FromResult(Committed);

    private InventoryLevel Committed => _committed ??= state.State.ToLevel(_locationId, _sku);

    private async Task CommitAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The in-memory record is ahead of storage; the write may or may not have landed. Storage is the truth:
            // drop this activation so the next call reloads it.
            DeactivateOnIdle();
            throw;
        }

        _committed = state.State.ToLevel(_locationId, _sku);
        try
        {
            await GrainFactory.GetGrain<ISkuAvailabilityGrain>(_sku).UpdateAsync(_committed.ToLocationStock());
        }
        catch (Exception ex)
        {
            // The change is durable; the view re-reads every location when it is next activated.
            LogViewPushFailed(ex, _locationId, _sku);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push {LocationId}/{Sku} to the availability view")]
    private partial void LogViewPushFailed(Exception ex, string locationId, string sku);
}
