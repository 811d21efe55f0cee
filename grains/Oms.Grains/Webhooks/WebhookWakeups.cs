using Oms.GrainInterfaces.Webhooks;
using Oms.Grains.Events;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Oms.Grains.Webhooks;

/// <summary>
/// Wakes the delivery grains of the enabled subscriptions: soon after an event-log partition says events became
/// readable (wakes are gathered over <see cref="Gather"/>, so a busy log sends a few per second, not one per order),
/// and once when this silo has started, so that deliveries resume after a restart without waiting for new events or a
/// reminder. Each delivery grain also polls by itself; a lost wake costs latency, not events.
/// </summary>
public sealed partial class WebhookWakeups(
    IGrainFactory grains, TimeProvider clock, IOptions<Notifications.NotificationOptions> notifications, ILogger<WebhookWakeups> logger)
    : IEventLogListener, ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan SetFreshFor = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartDelay = TimeSpan.FromSeconds(1);

    private int _scheduled;
    private (WebhookSet Set, DateTimeOffset At)? _cached;

    public void Readable(int partition)
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            await Task.Delay(Gather);
            Volatile.Write(ref _scheduled, 0);
            await WakeAllAsync();
        });
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WebhookWakeups), ServiceLifecycleStage.Active, started =>
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(StartDelay);
                await WakeAllAsync(fresh: true);
            });
            return Task.CompletedTask;
        });

    private async Task WakeAllAsync(bool fresh = false)
    {
        try
        {
            var now = clock.GetUtcNow();
            if (fresh || _cached is not { } cached || now - cached.At > SetFreshFor)
                _cached = cached = (await grains.Ref<IWebhooksGrain>(SingletonKeys.Webhooks).GetSetAsync(), now);
            if (notifications.Value.Delivers) await grains.Ref<IWebhookDeliveryGrain>(SingletonKeys.NotificationDeliveries).WakeAsync();
            foreach (var subscription in cached.Set.Subscriptions.Values)
            {
                if (subscription.Enabled) await grains.Ref<IWebhookDeliveryGrain>(subscription.Id).WakeAsync();
            }
        }
        catch (Exception ex)
        {
            LogWakeFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not wake the webhook deliveries; they poll")]
    private partial void LogWakeFailed(Exception ex);
}
