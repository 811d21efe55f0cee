using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Webhooks;
using Oms.Grains.Notifications;
using Oms.Grains.Storage;

namespace Oms.Grains.Webhooks;

/// <summary>
/// Deliveries to one subscription: the shell of I/O around <see cref="WebhookDeliveryState"/>. Reentrant: it reads the
/// event log, runs one sender per busy lane and writes its state by group commit (<see cref="WriteCoalescer"/>), all
/// interleaved in its turns. It comes when a log partition has new events (<see cref="WebhookWakeups"/>), when a
/// retry falls due (<see cref="DueTimer"/>, whose reminder is kept while the subscription is enabled, so a silo's
/// death or a restart brings it back), and every <see cref="Poll"/> while active.
/// <para>
/// The same grain, under <see cref="SingletonKeys.NotificationDeliveries"/>, delivers customer notifications: a
/// built-in subscriber of the notifying event types whose "receiver" is <see cref="INotificationSender"/>, so
/// notifications get the cursor, the order per order, the retries and the dead letters of webhooks
/// (docs/decisions/0019).
/// </para>
/// </summary>
[Reentrant]
public sealed partial class WebhookDeliveryGrain(
    [PersistentState("deliveries", OmsNames.Storage)] IPersistentState<WebhookDeliveryState> state,
    WebhookSender sender,
    INotificationSender notifications,
    IOptions<NotificationOptions> notificationOptions,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookDeliveryGrain> logger) : Grain, IWebhookDeliveryGrain, IRemindable
{
    private const string DueReminder = "webhook-deliveries";
    private const int ReadLimit = 256;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    private readonly HashSet<int> _busy = [];
    private WebhookDeliveryState _state = null!;
    private WriteCoalescer _writer = null!;
    private DueTimer _due = null!;
    private IGrainTimer? _poll;
    private WebhookSubscription? _subscription;
    private HashSet<string> _types = [];
    private bool _pumping;
    private bool _pumpAgain;

    private string Id => this.GetPrimaryKeyString();

    private bool Enabled => _subscription is { Enabled: true };

    private bool IsNotifications => Id == SingletonKeys.NotificationDeliveries;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _state = (state.State ?? new WebhookDeliveryState()).Copy();
        _writer = new WriteCoalescer(WriteAsync);
        _due = new DueTimer(this, DueReminder, PumpAsync, clock, ex => LogReminderFailed(ex, Id), TimeSpan.FromMilliseconds(5), interleave: true);
        _due.MayHaveReminder(true); // an earlier activation may have left one; the first schedule settles it
        if (IsNotifications)
        {
            await UpdateAsync(NotificationAttempts.Subscription(notificationOptions.Value.Delivers));
            return;
        }

        var set = await GrainFactory.Ref<IWebhooksGrain>(SingletonKeys.Webhooks).GetSetAsync();
        if (set.Subscriptions.TryGetValue(Id, out var subscription)) await UpdateAsync(subscription);
        else await ScheduleAsync();
    }

    public async Task UpdateAsync(WebhookSubscription subscription)
    {
        if (_state.Subscription != subscription.CreatedAt)
        {
            var ends = await Task.WhenAll(Enumerable.Range(0, OmsNames.EventLogPartitions).Select(p => Log(p).EndAsync()));
            _state.Reset(subscription.CreatedAt, ends);
            await _writer.CommitAsync();
        }

        _subscription = subscription;
        _types = new HashSet<string>(subscription.Events, StringComparer.Ordinal);
        _poll ??= this.RegisterGrainTimer(static (self, _) => self.PumpAsync(), this,
            new GrainTimerCreationOptions(Poll, Poll) { Interleave = true, KeepAlive = true });
        await PumpAsync();
    }

    public async Task RemoveAsync()
    {
        _subscription = null;
        _poll?.Dispose();
        _poll = null;
        await _due.ScheduleAsync(null, reminder: false);
        await _writer.Settled;
        _state = new WebhookDeliveryState();
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public Task WakeAsync() => PumpAsync();

    public async Task<WebhookDelivery?> SendTestAsync(IntegrationEvent test)
    {
        if (_subscription is null) return null;
        var delivery = _state.Add("test-" + test.Id, test, options.Value.Lanes, clock.GetUtcNow());
        await _writer.CommitAsync();
        _ = PumpAsync();
        return delivery;
    }

    public Task<WebhookDelivery[]> ListAsync(DeliveryStatus? status, int limit) =>
        Task.FromResult(_subscription is null ? [] : _state.List(status, Math.Clamp(limit, 1, 1000)));

    public async Task<WebhookDelivery?> ReplayAsync(string deliveryId)
    {
        if (_subscription is null) return null;
        var replayed = _state.Replay(deliveryId, clock.GetUtcNow());
        if (replayed is null) return null;
        await _writer.CommitAsync();
        _ = PumpAsync();
        return replayed;
    }

    public async Task<int> ReplayDeadAsync()
    {
        if (_subscription is null) return 0;
        var count = _state.ReplayDead(clock.GetUtcNow());
        if (count > 0) await _writer.CommitAsync();
        _ = PumpAsync();
        return count;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DueReminder) return Task.CompletedTask;
        _due.MayHaveReminder(true);
        return PumpAsync();
    }

    /// <summary>Reads what the log has for the subscription and starts every lane whose head is due; one at a time.</summary>
    private async Task PumpAsync()
    {
        if (_pumping)
        {
            _pumpAgain = true;
            return;
        }

        _pumping = true;
        try
        {
            do
            {
                _pumpAgain = false;
                if (!Enabled) break;
                await FillAsync();
                StartLanes();
            }
            while (_pumpAgain);
        }
        catch (Exception ex)
        {
            LogPumpFailed(ex, Id);
        }
        finally
        {
            _pumping = false;
        }

        await ScheduleAsync();
    }

    private async Task FillAsync()
    {
        var read = false;
        for (var p = 0; p < OmsNames.EventLogPartitions && _state.HasRoom; p++)
        {
            while (_state.HasRoom && Enabled)
            {
                var before = _state.Cursors[p];
                var limit = Math.Min(ReadLimit, WebhookDeliveryState.MaxOpen - _state.OpenCount);
                var page = await Log(p).ReadAsync(before, limit);
                _state.Take(p, page, _types, options.Value.Lanes, clock.GetUtcNow());
                read |= _state.Cursors[p] != before;
                if (page.Events.Length < limit) break;
            }
        }

        if (read) Commit();
    }

    private void StartLanes()
    {
        if (!Enabled) return;
        var (due, _) = _state.Heads(clock.GetUtcNow(), _busy);
        foreach (var head in due)
        {
            _busy.Add(head.Lane);
            _ = RunLaneAsync(head.Lane);
        }
    }

    /// <summary>Sends the lane's deliveries, oldest first, while the head is due; then lets the pump look again.</summary>
    private async Task RunLaneAsync(int lane)
    {
        var refill = false;
        try
        {
            while (Enabled && _state.Head(lane) is { } head && head.NextAttemptAt <= clock.GetUtcNow())
            {
                var subscription = _subscription!;
                var result = IsNotifications ? await NotifyAsync(head.Event) : await sender.SendAsync(subscription, head.Event);
                if (_subscription is null || _state.Get(head.Id) is not { } current || current.Seq != head.Seq) break; // removed or replayed meanwhile
                var full = !_state.HasRoom;
                var recorded = _state.Record(head.Id, result.Attempt, result.RetryAfter, options.Value.Schedule, Random.Shared.NextDouble(), result.Final);
                LogAttempt(Id, head.Id, head.Event.Id, result.Attempt.StatusCode, recorded.Status);
                if (recorded.Status == DeliveryStatus.Succeeded && head.Tries > 0) refill |= _state.RetryFailedNow(clock.GetUtcNow()) > 0;
                if (recorded.IsFinished)
                {
                    _state.TrimFinished(options.Value.DeliveryLogSize);
                    refill |= full;
                }

                Commit();
                if (RetrySchedule.Judge(result.Attempt.StatusCode) == DeliveryVerdict.Gone)
                {
                    await DisableAsync(subscription, result.Attempt);
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            LogPumpFailed(ex, Id);
        }
        finally
        {
            _busy.Remove(lane);
        }

        if (refill) _pumpAgain = true;
        await PumpAsync();
    }

    private async Task<WebhookAttemptResult> NotifyAsync(IntegrationEvent e)
    {
        var at = clock.GetUtcNow();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        NotificationOutcome outcome;
        try
        {
            using var timeout = new CancellationTokenSource(options.Value.Timeout + notificationOptions.Value.Timeout);
            outcome = await notifications.SendAsync(e, timeout.Token);
        }
        catch (Exception ex)
        {
            outcome = new NotificationOutcome.Retry(ex.Message);
        }

        return NotificationAttempts.From(outcome, at, watch.Elapsed);
    }

    /// <summary>The receiver said 410 Gone: the subscription stops until it is put again enabled.</summary>
    private async Task DisableAsync(WebhookSubscription subscription, DeliveryAttempt attempt)
    {
        _subscription = subscription with { Enabled = false };
        var reason = $"the receiver answered 410 Gone at {attempt.At:O}";
        await GrainFactory.Ref<IWebhooksGrain>(SingletonKeys.Webhooks).DisableAsync(subscription.Id, reason, attempt.At);
    }

    /// <summary>The timer for the next retry that falls due; the reminder while the subscription is enabled.</summary>
    private Task ScheduleAsync()
    {
        var (_, next) = _state.Heads(clock.GetUtcNow(), _busy);
        return _due.ScheduleAsync(Enabled ? next : null, reminder: Enabled);
    }

    /// <summary>A write whose state is a consistent snapshot; nothing waits for it (docs/decisions/0016).</summary>
    private void Commit() => _ = CommitQuietlyAsync();

    private async Task CommitQuietlyAsync()
    {
        try
        {
            await _writer.CommitAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, Id);
        }
    }

    private async Task WriteAsync(int changes)
    {
        var copy = _state.TakeForWrite();
        state.State = copy;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            _state.ChangedAgain(copy); // the next write carries them
            throw;
        }
    }

    private IEventLogGrain Log(int partition) => GrainFactory.Ref<IEventLogGrain>(partition);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {Subscription} delivery {Delivery} (event {EventId}): HTTP {StatusCode}, now {Status}")]
    private partial void LogAttempt(string subscription, string delivery, string eventId, int? statusCode, DeliveryStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Subscription}: delivering failed; the next pump tries again")]
    private partial void LogPumpFailed(Exception ex, string subscription);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Subscription}: the delivery state could not be written; the next write carries it")]
    private partial void LogWriteFailed(Exception ex, string subscription);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Subscription}: the delivery reminder could not be changed")]
    private partial void LogReminderFailed(Exception ex, string subscription);
}
