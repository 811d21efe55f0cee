using Oms.GrainInterfaces.Webhooks;
using Oms.Grains.Notifications;

namespace Oms.Grains.Webhooks;

/// <summary>
/// Customer notifications as a subscriber of the event log, pure: the built-in subscription (the notifying event
/// types, enabled when a sender is configured) and what an outcome of <see cref="INotificationSender"/> is as a
/// delivery attempt: sent or skipped succeed (recorded as 200 and 204), a transient error retries on the webhook
/// schedule (503, its <c>Retry-After</c> kept), a permanent one is a dead letter at once.
/// </summary>
public static class NotificationAttempts
{
    /// <summary>Fixed, so the subscription is the same one on every activation and its cursors are kept.</summary>
    private static readonly DateTimeOffset Since = DateTimeOffset.UnixEpoch;

    public static WebhookSubscription Subscription(bool enabled) =>
        new(SingletonKeys.NotificationDeliveries, "internal:notifications", [.. NotificationRules.EventTypes], "customer notifications",
            enabled, [], Since, Since);

    public static WebhookAttemptResult From(NotificationOutcome outcome, DateTimeOffset at, TimeSpan took)
    {
        var ms = (int)Math.Min(int.MaxValue, took.TotalMilliseconds);
        return outcome switch
        {
            NotificationOutcome.Sent sent => new(new DeliveryAttempt(at, 200, ms, null), null),
            NotificationOutcome.Skipped skipped => new(new DeliveryAttempt(at, 204, ms, "skipped: " + skipped.Reason), null),
            NotificationOutcome.Retry retry => new(new DeliveryAttempt(at, null, ms, retry.Error), retry.RetryAfter),
            NotificationOutcome.Failed failed => new(new DeliveryAttempt(at, null, ms, failed.Error), null, Final: true),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
        };
    }
}
