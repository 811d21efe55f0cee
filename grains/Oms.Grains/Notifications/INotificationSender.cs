using Oms.GrainInterfaces.Events;

namespace Oms.Grains.Notifications;

/// <summary>The customer-notification consumer of the event log (a DI singleton in the silo; docs/decisions/0019).</summary>
public interface INotificationSender
{
    /// <summary>
    /// Handles one integration event: decides whether it notifies the customer, renders, sends, records on the order's
    /// timeline. Safe to call again for the same event (at-least-once delivery): never sends twice for one event id.
    /// </summary>
    Task<NotificationOutcome> SendAsync(IntegrationEvent e, CancellationToken cancellationToken);
}
