namespace Oms.Grains.Inventory;

/// <summary>
/// When an inventory grain must wake up, and whether it needs a reminder to come back after its silo dies.
/// <para>
/// A hold lives for minutes, so it always gets the reminder. A provisional allocation is normally confirmed by its
/// order within milliseconds of being written; registering a reminder for each one (and unregistering it a minute
/// later) cost two reminder-table writes per order line. So a provisional allocation gets the reminder only once it
/// has waited <c>grace</c> unconfirmed: the grain wakes at that point to check. A silo that dies inside the grace
/// leaves the allocation provisional in storage until the grain is next activated (any read, feed or order of that
/// record), which resolves it at once; the units meanwhile count as allocated, so nothing can be oversold.
/// </para>
/// </summary>
public static class ExpirySchedule
{
    /// <summary>
    /// <paramref name="nextHold"/>: the first hold expiry; <paramref name="nextDeadline"/>: the earliest provisional
    /// allocation's deadline, which its order set to the allocation time plus <paramref name="confirmWindow"/>.
    /// </summary>
    public static (DateTimeOffset? Wake, bool Reminder) Plan(
        DateTimeOffset? nextHold, DateTimeOffset? nextDeadline, DateTimeOffset now, TimeSpan confirmWindow, TimeSpan grace)
    {
        var graceEnds = nextDeadline - confirmWindow + grace;
        var reminder = nextHold is not null || graceEnds <= now;
        var wake = Earliest(nextHold, nextDeadline);
        if (!reminder) wake = Earliest(wake, graceEnds);
        return (wake, reminder);
    }

    /// <summary>The earlier of two optional moments (null when both are).</summary>
    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a <= b ? a : b;
}
