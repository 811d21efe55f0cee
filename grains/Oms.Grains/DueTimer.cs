namespace Oms.Grains;

/// <summary>
/// Wakes a grain when something it holds falls due (an escalation, an expiry, a deadline): a one-shot grain timer at
/// the due time while the grain is active, and a reminder every minute while anything is due (or, where the grain
/// says so, only while something due must survive a restart), so that a restart brings the grain back; no reminder
/// while nothing is due, so the reminder table does not grow with idle grains.
/// </summary>
public sealed class DueTimer(
    Grain grain,
    string reminderName,
    Func<Task> onDue,
    TimeProvider clock,
    Action<Exception> reminderFailed,
    TimeSpan margin,
    TimeSpan minimumWait = default,
    bool interleave = false)
{
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private IGrainTimer? _timer;
    private DateTimeOffset? _due;
    private bool _reminderOn;
    private bool _wanted;
    private bool _changing;

    /// <summary>On activation: a reminder of an earlier activation may exist; the next <see cref="ScheduleAsync"/> with nothing due removes it.</summary>
    public void MayHaveReminder(bool value) => _reminderOn = value;

    /// <summary>
    /// Arms the timer for <paramref name="next"/> (disarms it for null) unless it is already armed for that moment,
    /// and keeps the reminder only while something is due. A reminder that cannot be changed is tried again at the
    /// next call.
    /// </summary>
    public Task ScheduleAsync(DateTimeOffset? next) => ScheduleAsync(next, reminder: next is not null);

    /// <summary>As <see cref="ScheduleAsync(DateTimeOffset?)"/>, with the grain deciding whether the reminder is needed.</summary>
    /// <remarks>
    /// In a reentrant grain several calls interleave: one change of the reminder runs at a time, and it goes on until
    /// the reminder is as the latest call wants it (a register and an unregister racing each other made the
    /// unregister fail on the register's new tag). A call made while another changes it returns at once.
    /// </remarks>
    public async Task ScheduleAsync(DateTimeOffset? next, bool reminder)
    {
        Arm(next);
        _wanted = reminder;
        if (_changing) return;
        _changing = true;
        try
        {
            while (_reminderOn != _wanted)
            {
                var target = _wanted;
                try
                {
                    if (target) await grain.RegisterOrUpdateReminder(reminderName, ReminderPeriod, ReminderPeriod);
                    else if (await grain.GetReminder(reminderName) is { } existing) await grain.UnregisterReminder(existing);
                    _reminderOn = target;
                }
                catch (Exception ex)
                {
                    reminderFailed(ex); // tried again at the next call
                    break;
                }
            }
        }
        finally
        {
            _changing = false;
        }
    }

    /// <summary>The timer alone, for <paramref name="next"/> (none for null); the reminder is left as it is.</summary>
    public void Arm(DateTimeOffset? next)
    {
        if (next == _due) return;
        _timer?.Dispose();
        _timer = null;
        _due = next;
        if (next is not { } due) return;
        var wait = due - clock.GetUtcNow() + margin;
        _timer = grain.RegisterGrainTimer(
            static (self, _) => self.FireAsync(), this,
            new GrainTimerCreationOptions(wait < minimumWait ? minimumWait : wait, Timeout.InfiniteTimeSpan) { Interleave = interleave });
    }

    private Task FireAsync()
    {
        _due = null; // fired: the next schedule arms it again, even for the same moment
        _timer = null;
        return onDue();
    }
}
