using Oms.GrainInterfaces.Sourcing;

namespace Oms.GrainInterfaces.Notifications;

[GenerateSerializer, Alias("oms.NotificationClaimStatus")]
public enum NotificationClaimStatus
{
    /// <summary>Claimed for this attempt: send it, then record the result.</summary>
    Claimed,
    /// <summary>Already sent, skipped or failed for good: do nothing.</summary>
    Done,
    /// <summary>Another attempt holds the claim (it may be sending right now): try again after <see cref="NotificationClaim.RetryAt"/>.</summary>
    Busy,
    /// <summary>The customer's data was erased: nothing is sent (recorded as skipped).</summary>
    Erased,
    NoSuchOrder,
}

/// <summary>
/// The answer of <c>IOrderGrain.ClaimNotificationAsync</c>: whether this attempt may send, and to whom (the order's
/// customer as held now, so an erasure or a later preference wins over the event's copy).
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.NotificationClaim")]
public sealed record NotificationClaim(
    [property: Id(0)] NotificationClaimStatus Status,
    [property: Id(1)] Customer? Customer,
    [property: Id(2)] NotificationRecord? Record,
    [property: Id(3)] DateTimeOffset? RetryAt);
