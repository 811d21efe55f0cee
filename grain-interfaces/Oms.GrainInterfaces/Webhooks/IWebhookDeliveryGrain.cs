using Oms.GrainInterfaces.Events;

namespace Oms.GrainInterfaces.Webhooks;

/// <summary>
/// Deliveries to one subscription (key = the subscription id): reads every event-log partition from a durable
/// cursor, sends in order per subject, retries, dead-letters, and keeps the delivery log (docs/decisions/0016).
/// </summary>
public interface IWebhookDeliveryGrain : IGrainWithStringKey
{
    /// <summary>
    /// The subscription as it now is. A subscription this grain has not seen (new, or put again after a delete)
    /// starts at the end of the log: it gets the events that become readable from now on.
    /// </summary>
    Task UpdateAsync(WebhookSubscription subscription);

    /// <summary>The subscription was removed: its deliveries and log go.</summary>
    Task RemoveAsync();

    /// <summary>New events may be readable; cheap and safe to call at any time.</summary>
    [Orleans.Concurrency.OneWay]
    Task WakeAsync();

    /// <summary>Queues <paramref name="test"/> (a <c>webhook.test</c> event) for this subscription only; null when it is not known here.</summary>
    Task<WebhookDelivery?> SendTestAsync(IntegrationEvent test);

    /// <summary>The delivery log, newest first: pending and failed ones, and the last finished ones.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<WebhookDelivery[]> ListAsync(DeliveryStatus? status, int limit);

    /// <summary>Delivers again at once (the same <c>webhook-id</c>), with a fresh retry schedule; null when no such delivery is kept.</summary>
    Task<WebhookDelivery?> ReplayAsync(string deliveryId);

    /// <summary>Replays every dead letter; returns how many.</summary>
    Task<int> ReplayDeadAsync();
}
