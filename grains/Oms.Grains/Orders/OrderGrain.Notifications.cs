using Oms.GrainInterfaces.Notifications;
using Oms.Grains.Notifications;

namespace Oms.Grains.Orders;

/// <summary>Customer notifications (docs/decisions/0019): the pure <see cref="NotificationLedger"/> decides, the shell persists.</summary>
public sealed partial class OrderGrain
{
    public async Task<NotificationClaim> ClaimNotificationAsync(string eventId, string kind, TimeSpan lease)
    {
        var (claim, changed) = NotificationLedger.Claim(state.State, eventId, kind, clock.GetUtcNow(), lease);
        if (changed) await WriteOrReloadAsync();
        return claim;
    }

    public async Task RecordNotificationAsync(NotificationRecord record)
    {
        if (NotificationLedger.Record(state.State, record)) await WriteOrReloadAsync();
    }

    private async Task WriteOrReloadAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await ReloadAsync(); // storage is the truth again (as in RunAsync); the caller claims or records again
            throw;
        }
    }
}
