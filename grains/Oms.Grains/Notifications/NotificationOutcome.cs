using Oms.GrainInterfaces.Notifications;

namespace Oms.Grains.Notifications;

/// <summary>How <see cref="INotificationSender.SendAsync"/> went: the delivery loop retries <see cref="Retry"/>, dead-letters <see cref="Failed"/>.</summary>
public abstract record NotificationOutcome
{
    private NotificationOutcome() { }

    /// <summary>Sent now, or already sent by an earlier attempt (<paramref name="Repeated"/>: nothing was sent this time).</summary>
    public sealed record Sent(NotificationChannel Channel, string Detail, bool Repeated = false) : NotificationOutcome;

    /// <summary>Nothing to send: not a notifying event, opted out, no address, customer erased.</summary>
    public sealed record Skipped(string Reason) : NotificationOutcome;

    /// <summary>A transient error (connection, SMTP 4xx, HTTP 5xx/429, another attempt holding the claim): try again.</summary>
    public sealed record Retry(string Error, TimeSpan? RetryAfter = null) : NotificationOutcome;

    /// <summary>A permanent error (SMTP 5xx, HTTP 4xx, a payload that cannot be read): do not try again.</summary>
    public sealed record Failed(string Error) : NotificationOutcome;
}
