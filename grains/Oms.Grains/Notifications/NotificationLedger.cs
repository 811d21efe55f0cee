using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Orders;
using Oms.Grains.Orders;

namespace Oms.Grains.Notifications;

/// <summary>
/// An order's record of its customer notifications, pure so it is table-tested (docs/decisions/0019): a claim before
/// sending, the result after. An event recorded as sent, skipped or failed is done and never sent again; a claim
/// still inside its lease makes another attempt wait; a claim whose lease ran out (its sender died before recording)
/// or a transient failure may be claimed again, so one event is sent at most once unless a sender died between
/// handing the message over and recording it, and then it goes again with the same Message-ID / event id.
/// </summary>
public static class NotificationLedger
{
    public const string SentEvent = "notification.sent";
    public const string SkippedEvent = "notification.skipped";
    public const string RetryingEvent = "notification.retrying";
    public const string FailedEvent = "notification.failed";
    public const string ErasedReason = "customer data erased";

    /// <summary>Claims <paramref name="eventId"/>'s notification; true in <c>changed</c> when the state must be written.</summary>
    public static (NotificationClaim Claim, bool Changed) Claim(OrderState state, string eventId, string kind, DateTimeOffset now, TimeSpan lease)
    {
        if (!state.Exists) return (new NotificationClaim(NotificationClaimStatus.NoSuchOrder, null, null, null), false);
        var record = state.Notifications.GetValueOrDefault(eventId);
        switch (record?.Status)
        {
            case NotificationStatus.Sent or NotificationStatus.Skipped or NotificationStatus.Failed:
                return (new NotificationClaim(NotificationClaimStatus.Done, null, record, null), false);
            case NotificationStatus.Claimed when record.At + lease > now:
                return (new NotificationClaim(NotificationClaimStatus.Busy, null, record, record.At + lease), false);
        }

        if (CustomerErasure.IsErased(state))
        {
            var skipped = new NotificationRecord(eventId, kind, NotificationStatus.Skipped, null, null, ErasedReason, now, record?.Attempts ?? 0);
            Record(state, skipped);
            return (new NotificationClaim(NotificationClaimStatus.Erased, null, skipped, null), true);
        }

        var claimed = new NotificationRecord(eventId, kind, NotificationStatus.Claimed, null, null, "claimed", now, (record?.Attempts ?? 0) + 1);
        state.Notifications[eventId] = claimed;
        return (new NotificationClaim(NotificationClaimStatus.Claimed, state.Request!.Customer, claimed, null), true);
    }

    /// <summary>
    /// Records how a claimed notification went and puts it on the timeline (<c>notification.sent</c> with the channel,
    /// kind and masked address, <c>notification.skipped</c> / <c>retrying</c> / <c>failed</c> with the reason). A result
    /// for an event already done changes nothing (a late answer of an attempt whose lease ran out).
    /// </summary>
    public static bool Record(OrderState state, NotificationRecord result)
    {
        if (!state.Exists || result.Status == NotificationStatus.Claimed) return false;
        if (state.Notifications.GetValueOrDefault(result.EventId) is { Status: NotificationStatus.Sent or NotificationStatus.Skipped or NotificationStatus.Failed }) return false;
        var attempts = Math.Max(result.Attempts, state.Notifications.GetValueOrDefault(result.EventId)?.Attempts ?? 0);
        state.Notifications[result.EventId] = result with { Attempts = attempts };
        var channel = result.Channel?.ToString().ToLowerInvariant();
        var (@event, detail) = result.Status switch
        {
            NotificationStatus.Sent => (SentEvent, $"{channel} {result.Kind} to {result.To}"),
            NotificationStatus.Skipped => (SkippedEvent, $"{result.Kind}: {result.Detail}"),
            NotificationStatus.Retrying => (RetryingEvent, $"{channel} {result.Kind} to {result.To}, attempt {attempts}: {result.Detail}"),
            _ => (FailedEvent, $"{channel} {result.Kind} to {result.To}: {result.Detail}"),
        };
        state.Timeline.Add(new TimelineEntry(result.At, @event, detail));
        return true;
    }
}
