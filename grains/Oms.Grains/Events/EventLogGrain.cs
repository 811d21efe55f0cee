using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Orders;
using Oms.Grains.Storage;

namespace Oms.Grains.Events;

/// <summary>
/// One partition of the durable event log: the shell of I/O around <see cref="EventLogState"/>. Reentrant with group
/// commit (<see cref="WriteCoalescer"/>): every append waits for the write that carries it, and appends that arrive
/// while one write runs share the next. Confirmations are not written by themselves; they go out with the next write,
/// and a provisional event whose confirmation was lost (this grain died) is resolved by asking its aggregate once it
/// has waited <see cref="EventLogOptions.ResolveAfter"/>. A reminder while anything is provisional brings the partition
/// back after a restart to do that.
/// </summary>
[Reentrant]
public sealed partial class EventLogGrain(
    [PersistentState("events", OmsNames.Storage)] IPersistentState<EventLogState> state,
    IOptions<EventLogOptions> options,
    TimeProvider clock,
    IEventLogListener listener,
    ILogger<EventLogGrain> logger) : Grain, IEventLogGrain, IRemindable
{
    private const string ResolveReminder = "resolve-events";
    /// <summary>The soonest the timer fires again: an aggregate that could not be reached is not asked in a loop.</summary>
    private static readonly TimeSpan ResolveRetry = TimeSpan.FromSeconds(1);

    private EventLogState _log = null!;
    /// <summary>The last position storage has: readers stop there (<see cref="EventLogState.Read"/>).</summary>
    private long _durable;
    private WriteCoalescer _writer = null!;
    private DueTimer _resolve = null!;
    private bool _resolving;
    private bool _scheduled;

    private int Partition => (int)this.GetPrimaryKeyLong();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _log = (state.State ?? new EventLogState()).Copy();
        _durable = _log.Last;
        if (options.Value.EntriesInMemory) this.DelayDeactivation(TimeSpan.FromDays(3650));
        _writer = new WriteCoalescer(WriteAsync, RecoverAsync);
        _resolve = new DueTimer(this, ResolveReminder, ResolveDueAsync, clock, ex => LogReminderFailed(ex, Partition), TimeSpan.FromMilliseconds(50), ResolveRetry, interleave: true);
        _resolve.MayHaveReminder(_log.HasPending);
        return ScheduleAsync();
    }

    public async Task AppendAsync(IntegrationEvent[] events, bool provisional)
    {
        var retention = options.Value;
        var now = clock.GetUtcNow();
        var changed = _log.Append(events, provisional, now);
        changed |= _log.Trim(retention.RetainPerPartition, now - retention.RetainFor) > 0;
        await (changed ? _writer.CommitAsync() : _writer.DurableAsync());
        if (changed && !provisional) listener.Readable(Partition);
        // Armed once; the tick re-arms for whatever is still provisional, so a busy log does not churn its timer or reminder.
        if (provisional && !_scheduled) await ScheduleAsync();
    }

    public Task ConfirmAsync(string[] eventIds)
    {
        if (_log.Confirm(eventIds)) listener.Readable(Partition);
        return Task.CompletedTask;
    }

    public async Task<int> RedactAsync(string subject, Redaction[] redactions)
    {
        var changed = _log.Redact(subject, redactions);
        await (changed > 0 ? _writer.CommitAsync() : _writer.DurableAsync());
        return changed;
    }

    public Task<EventPage> ReadAsync(long after, int limit) => Task.FromResult(_log.Read(Partition, after, Math.Clamp(limit, 1, 1000), _durable));

    public Task<long> EndAsync() => Task.FromResult(Math.Min(_log.ReadableEnd, _durable));

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResolveReminder) return Task.CompletedTask;
        _resolve.MayHaveReminder(true);
        return ResolveDueAsync();
    }

    private async Task WriteAsync(int changes)
    {
        if (options.Value.EntriesInMemory)
        {
            state.State = (EventLogState)_log.WithoutDetachedItems();
            _log.TakeChangedItems(); // nothing writes them: forget which changed
        }
        else
        {
            state.State = _log.TakeForWrite();
        }

        var last = _log.Last;
        await state.WriteStateAsync();
        if (last <= _durable) return;
        _durable = last;
        listener.Readable(Partition);
    }

    /// <summary>A write failed: it may or may not have landed. Storage is the truth again (its appenders were refused).</summary>
    private async Task RecoverAsync(Exception ex)
    {
        LogWriteFailed(ex, Partition);
        try
        {
            await state.ReadStateAsync();
            var stored = (state.State ?? new EventLogState()).Copy();
            // Entries kept only in memory are not in storage: a recovery keeps them, and takes the stored positions.
            if (options.Value.EntriesInMemory) stored.Entries = _log.Entries?.Where(e => e.Key <= stored.Last).ToDictionary(e => e.Key, e => e.Value);
            _log = stored;
            _durable = stored.Last;
        }
        catch (Exception readFailure)
        {
            LogWriteFailed(readFailure, Partition);
            DeactivateOnIdle();
        }
    }

    /// <summary>Asks each aggregate about its provisional events that waited too long; confirms or drops them.</summary>
    private async Task ResolveDueAsync()
    {
        if (_resolving) return;
        _resolving = true;
        try
        {
            var due = _log.Unconfirmed(clock.GetUtcNow() - options.Value.ResolveAfter);
            var changed = false;
            foreach (var (subject, ids) in due)
            {
                try
                {
                    var existing = await ExistingAsync(subject, ids);
                    changed |= _log.Resolve(ids, existing);
                }
                catch (Exception ex)
                {
                    LogResolveFailed(ex, subject);
                }
            }

            if (changed)
            {
                await _writer.CommitAsync();
                listener.Readable(Partition);
            }
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Partition);
        }
        finally
        {
            _resolving = false;
        }

        await ScheduleAsync();
    }

    /// <summary>The aggregate behind a subject says which of its events exist; a subject with no such aggregate has none provisional.</summary>
    private async Task<IReadOnlySet<string>> ExistingAsync(string subject, string[] ids) =>
        EventSubjects.OrderOf(subject) is { } orderId
            ? (await GrainFactory.Ref<IOrderGrain>(orderId).HasEventsAsync(ids)).ToHashSet(StringComparer.Ordinal)
            : ids.ToHashSet(StringComparer.Ordinal);

    /// <summary>The timer for the oldest provisional event's resolution, and the reminder while any exists.</summary>
    private Task ScheduleAsync()
    {
        var next = _log.OldestPendingAt + options.Value.ResolveAfter;
        _scheduled = next is not null;
        return _resolve.ScheduleAsync(next);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event log partition {Partition}: a write or its recovery failed")]
    private partial void LogWriteFailed(Exception ex, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not resolve provisional events of {Subject}; asking again later")]
    private partial void LogResolveFailed(Exception ex, string subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event log partition {Partition}: the resolve reminder could not be changed")]
    private partial void LogReminderFailed(Exception ex, int partition);
}
