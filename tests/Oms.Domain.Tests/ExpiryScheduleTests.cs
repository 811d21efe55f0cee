using Oms.Grains.Inventory;

namespace Oms.Domain.Tests;

public sealed class ExpiryScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>Times in milliseconds after T0; null = none. "now" is T0 + now.</summary>
    [Theory]
    // nothing pending: no timer, no reminder
    [InlineData(null, null, 0, null, false)]
    // a hold: wake at its expiry, reminder at once
    [InlineData(600000, null, 0, 600000, true)]
    // a provisional allocation just made (deadline = now + window, 30 s): wake at the end of the grace, no reminder yet
    [InlineData(null, 30000, 0, 5000, false)]
    [InlineData(null, 30000, 4900, 5000, false)]
    // ... still unconfirmed when the grace ends: reminder, wake at its deadline
    [InlineData(null, 30000, 5000, 30000, true)]
    [InlineData(null, 30000, 29000, 30000, true)]
    // a deadline postponed after the order could not be asked (now + 10 s): long past its grace
    [InlineData(null, 110000, 100000, 110000, true)]
    // a hold and a fresh allocation: the hold's reminder; the timer at the allocation's deadline when that is first
    [InlineData(600000, 30000, 0, 30000, true)]
    [InlineData(20000, 30000, 0, 20000, true)]
    public void A_grain_wakes_at_its_first_due_time_and_registers_a_reminder_only_for_what_can_wait(
        int? hold, int? deadline, int now, int? wake, bool reminder)
    {
        var plan = ExpirySchedule.Plan(At(hold), At(deadline), T0.AddMilliseconds(now), Window, Grace);
        Assert.Equal(At(wake), plan.Wake);
        Assert.Equal(reminder, plan.Reminder);
    }

    private static DateTimeOffset? At(int? ms) => ms is { } m ? T0.AddMilliseconds(m) : null;
}
