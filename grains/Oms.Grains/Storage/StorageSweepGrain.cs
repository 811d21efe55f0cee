using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Storage;

namespace Oms.Grains.Storage;

/// <summary>
/// The storage sweep's schedule (docs/decisions/0022): the first run a minute after activation (or after one
/// <see cref="RetentionOptions.SweepEvery"/>, if that is shorter), then one every <see cref="RetentionOptions.SweepEvery"/>, on
/// the one due-time primitive (<see cref="DueTimer"/>), whose reminder brings the grain back after a restart. The
/// sweep itself is <see cref="StorageSweeper"/>; a silo without one (the in-memory mode) has nothing to sweep.
/// </summary>
public sealed partial class StorageSweepGrain(
    IServiceProvider services,
    IOptions<RetentionOptions> options,
    TimeProvider clock,
    ILogger<StorageSweepGrain> logger) : Grain, IStorageSweepGrain, IRemindable
{
    private const string SweepReminder = "storage-sweep";
    private static readonly TimeSpan FirstRunAfter = TimeSpan.FromMinutes(1);

    private readonly StorageSweeper? _sweeper = services.GetService<StorageSweeper>();
    private DueTimer _timer = null!;
    private DateTimeOffset _next;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _timer = new DueTimer(this, SweepReminder, SweepIfDueAsync, clock, ex => LogReminderFailed(ex), TimeSpan.Zero);
        _timer.MayHaveReminder(_sweeper is not null);
        var every = options.Value.SweepEvery;
        _next = clock.GetUtcNow() + (every < FirstRunAfter ? every : FirstRunAfter);
        return _timer.ScheduleAsync(_sweeper is null ? null : _next);
    }

    public Task StartAsync() => Task.CompletedTask;

    public async Task<Dictionary<string, int>> SweepNowAsync()
    {
        if (_sweeper is null) return [];
        var deleted = await _sweeper.SweepAsync(clock.GetUtcNow(), options.Value);
        foreach (var (stateName, count) in deleted) OmsGrainMetrics.RowsSwept.Add(count, new KeyValuePair<string, object?>("state", stateName));
        if (deleted.Count > 0) LogSwept(string.Join(", ", deleted.Select(d => $"{d.Key} {d.Value}")));
        return deleted;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != SweepReminder) return Task.CompletedTask;
        _timer.MayHaveReminder(true);
        return SweepIfDueAsync();
    }

    private async Task SweepIfDueAsync()
    {
        if (_sweeper is null)
        {
            await _timer.ScheduleAsync(null);
            return;
        }

        if (clock.GetUtcNow() >= _next)
        {
            try
            {
                await SweepNowAsync();
            }
            catch (Exception ex)
            {
                LogSweepFailed(ex); // the next run tries again
            }

            _next = clock.GetUtcNow() + options.Value.SweepEvery;
        }

        await _timer.ScheduleAsync(_next);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage sweep deleted {Deleted}")]
    private partial void LogSwept(string deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage sweep failed; trying again at the next run")]
    private partial void LogSweepFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage sweep: the reminder could not be changed")]
    private partial void LogReminderFailed(Exception ex);
}
