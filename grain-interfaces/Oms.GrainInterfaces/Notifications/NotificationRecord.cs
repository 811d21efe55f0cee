namespace Oms.GrainInterfaces.Notifications;

[GenerateSerializer, Alias("oms.NotificationStatus")]
public enum NotificationStatus
{
    /// <summary>An attempt claimed it and has not said how it went.</summary>
    Claimed,
    Sent,
    Skipped,
    /// <summary>A transient error: the next attempt may claim it again.</summary>
    Retrying,
    /// <summary>A permanent error: not tried again.</summary>
    Failed,
}

/// <summary>What an order holds about the notification of one of its events (key: the event id).</summary>
[GenerateSerializer, Immutable, Alias("oms.NotificationRecord")]
public sealed record NotificationRecord(
    [property: Id(0)] string EventId,
    [property: Id(1)] string Kind,
    [property: Id(2)] NotificationStatus Status,
    [property: Id(3)] NotificationChannel? Channel,
    [property: Id(4)] string? To,
    [property: Id(5)] string Detail,
    [property: Id(6)] DateTimeOffset At,
    [property: Id(7)] int Attempts);
