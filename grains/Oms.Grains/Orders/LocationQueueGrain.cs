using Oms.GrainInterfaces.Orders;
using Oms.Grains.Reference;
using Oms.Grains.Storage;

namespace Oms.Grains.Orders;

[GenerateSerializer, Alias("oms.LocationQueueState")]
public sealed class LocationQueueState
{
    /// <summary>Ids of fulfilments still to be worked here (picked, packed, handed over, or a transfer on its way in).</summary>
    [Id(0)] public List<string> Open { get; set; } = [];
    /// <summary>The most recent finished ones, for the queue's history filters.</summary>
    [Id(1)] public List<string> Recent { get; set; } = [];
    [Id(2)] public DateOnly Day { get; set; }
    [Id(3)] public int DayCount { get; set; }
}

/// <summary>
/// A location's work queue. Orders report every fulfilment change here. Only which fulfilments are open (and
/// today's count) is persisted, so a write happens when one arrives or leaves, not at every pick, and stays small
/// however long the queue is; the fulfilments themselves are cached, and re-read from their orders on activation.
/// A timer, backed by a reminder while anything waits, escalates fulfilments not acknowledged in time.
/// </summary>
[Reentrant]
public sealed partial class LocationQueueGrain(
    [PersistentState("queue", OmsNames.Storage)] IPersistentState<LocationQueueState> state,
    ReferenceDataCache reference,
    TimeProvider clock,
    ILogger<LocationQueueGrain> logger) : Grain, ILocationQueueGrain, IRemindable
{
    public const int RecentKept = 200;
    private const string WatchReminder = "acknowledge-watch";

    private readonly Dictionary<string, FulfilmentView> _open = [];
    /// <summary>The open fulfilments waiting for acknowledgement, oldest first: the watch's deadline without a scan of the queue.</summary>
    private readonly SortedSet<(DateTimeOffset CreatedAt, string Id)> _waiting = [];
    private readonly List<FulfilmentView> _recent = [];
    private Task _loaded = Task.CompletedTask;

    /// <summary>Ids this queue had already counted before this activation (the cache may still be filling).</summary>
    private readonly HashSet<string> _persisted = [];
    private DateOnly _day;
    private int _dayCount;
    private WriteCoalescer _writer = null!;
    private DueTimer _watch = null!;

    private string LocationId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _watch = new DueTimer(this, WatchReminder, EscalateDueAsync, clock, ex => LogReminderFailed(ex, LocationId),
            TimeSpan.FromMilliseconds(50), minimumWait: TimeSpan.FromMilliseconds(100), interleave: true);
        _writer = new WriteCoalescer(_ =>
        {
            state.State = new LocationQueueState { Open = [.. _open.Keys], Recent = [.. _recent.Select(f => f.FulfilmentId)], Day = _day, DayCount = _dayCount };
            return state.WriteStateAsync();
        });
        if (state.RecordExists)
        {
            (_day, _dayCount) = (state.State.Day, state.State.DayCount);
            _persisted.UnionWith(state.State.Open);
            _persisted.UnionWith(state.State.Recent);
            // Not awaited here: an order reporting to this queue while it activates would wait on itself.
            _loaded = RebuildAsync([.. state.State.Open], [.. state.State.Recent]);
        }
        else
        {
            await WatchAsync();
        }
    }

    /// <summary>Re-reads the fulfilments from their orders; what an order reported meanwhile is newer and stays.</summary>
    private async Task RebuildAsync(List<string> open, List<string> recent)
    {
        var views = await Task.WhenAll(open.Concat(recent).Select(ReadAsync));
        foreach (var view in views.OfType<FulfilmentView>())
        {
            if (_open.ContainsKey(view.FulfilmentId) || _recent.Any(f => f.FulfilmentId == view.FulfilmentId)) continue;
            if (Finished(view)) _recent.Insert(0, view);
            else SetOpen(view);
        }

        _watch.MayHaveReminder(open.Count > 0); // registered while the queue had waiting work before
        await WatchAsync();
    }

    public async Task UpsertAsync(FulfilmentView fulfilment)
    {
        var id = fulfilment.FulfilmentId;
        var wasOpen = _open.ContainsKey(id);
        var wasRecent = !wasOpen && _recent.Any(f => f.FulfilmentId == id);
        var changed = false;
        if (!wasOpen && !wasRecent && !_persisted.Contains(id) && fulfilment.LocationId == LocationId)
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            if (_day != today) (_day, _dayCount) = (today, 0);
            _dayCount++;
            changed = true;
        }

        if (Finished(fulfilment))
        {
            changed |= RemoveOpen(id) || !wasRecent;
            _recent.RemoveAll(f => f.FulfilmentId == id);
            _recent.Add(fulfilment);
            if (_recent.Count > RecentKept) _recent.RemoveAt(0);
        }
        else
        {
            changed |= !wasOpen;
            if (wasRecent) _recent.RemoveAll(f => f.FulfilmentId == id);
            SetOpen(fulfilment);
        }

        // A step within the queue (picking, packed, ...) changes nothing persisted: the order has it.
        if (changed) await _writer.CommitAsync();
        await WatchAsync();
    }

    public async Task<FulfilmentView[]> GetAsync(FulfilmentStatus? status)
    {
        await _loaded;
        return [.. _open.Values.Concat(_recent)
            .Where(f => status is null || f.Status == status)
            .OrderBy(f => f.CreatedAt)
            .ThenBy(f => f.FulfilmentId, StringComparer.Ordinal)];
    }

    public Task<int> GetTodayCountAsync() =>
        Task.FromResult(_day == DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) ? _dayCount : 0);

    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName == WatchReminder ? EscalateDueAsync() : Task.CompletedTask;

    private async Task<FulfilmentView?> ReadAsync(string fulfilmentId)
    {
        try
        {
            var order = await GrainFactory.Ref<IOrderGrain>(OrderKeys.OrderOfFulfilment(fulfilmentId) ?? fulfilmentId).GetAsync();
            return order?.Fulfilments.FirstOrDefault(f => f.FulfilmentId == fulfilmentId);
        }
        catch (Exception ex)
        {
            LogReadFailed(ex, fulfilmentId, LocationId);
            return null;
        }
    }

    /// <summary>Done here: handed over, cancelled, or shipped out (a transfer stays open at its pickup store until collected).</summary>
    private bool Finished(FulfilmentView f) => f.Status switch
    {
        FulfilmentStatus.Cancelled or FulfilmentStatus.Delivered or FulfilmentStatus.Collected => true,
        FulfilmentStatus.Shipped => f.TransferTo != LocationId,
        _ => false,
    };

    private void SetOpen(FulfilmentView f)
    {
        RemoveOpen(f.FulfilmentId);
        _open[f.FulfilmentId] = f;
        if (Unacknowledged(f)) _waiting.Add((f.CreatedAt, f.FulfilmentId));
    }

    private bool RemoveOpen(string id)
    {
        if (!_open.Remove(id, out var old)) return false;
        _waiting.Remove((old.CreatedAt, id));
        return true;
    }

    private bool Unacknowledged(FulfilmentView f) =>
        f.LocationId == LocationId && f.Status == FulfilmentStatus.Released && f.AcknowledgedAt is null && !f.Escalated;

    private async Task EscalateDueAsync()
    {
        var snapshot = await reference.GetAsync();
        var limit = TimeSpan.FromSeconds(snapshot.Policy.AcknowledgeEscalateAfterSeconds);
        var now = clock.GetUtcNow();
        foreach (var f in _waiting.TakeWhile(w => now - w.CreatedAt >= limit).Select(w => _open[w.Id]).ToList())
        {
            try
            {
                await GrainFactory.Ref<IOrderGrain>(f.OrderId).EscalateFulfilmentAsync(f.FulfilmentId);
            }
            catch (Exception ex)
            {
                LogEscalationFailed(ex, f.FulfilmentId, LocationId);
            }
        }

        await WatchAsync();
    }

    /// <summary>While anything waits for acknowledgement: a timer at the earliest deadline, and a reminder for restarts.</summary>
    private Task WatchAsync()
    {
        var limit = TimeSpan.FromSeconds(reference.Current.Policy.AcknowledgeEscalateAfterSeconds);
        return _watch.ScheduleAsync(_waiting.Count == 0 ? null : _waiting.Min.CreatedAt + limit);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalating {FulfilmentId} at {LocationId} failed; will try again")]
    private partial void LogEscalationFailed(Exception ex, string fulfilmentId, string locationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acknowledgement reminder of {LocationId} could not be changed")]
    private partial void LogReminderFailed(Exception ex, string locationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read fulfilment {FulfilmentId} for the queue of {LocationId}")]
    private partial void LogReadFailed(Exception ex, string fulfilmentId, string locationId);
}

[GenerateSerializer, Alias("oms.CustomerOrdersState")]
public sealed class CustomerOrdersState
{
    [Id(0)] public List<CustomerOrder> Orders { get; set; } = [];
    /// <summary>When the customer's data was first erased (null: never).</summary>
    [Id(1)] public DateTimeOffset? ErasedAt { get; set; }
    /// <summary>The latest erasure's time: orders created up to it are erased, also when they reach the index later.</summary>
    [Id(2)] public DateTimeOffset? ErasedThrough { get; set; }
}

/// <summary>A customer's order ids, newest first. One grain per customer: the index grows with the customer, not the shop.</summary>
[Reentrant]
public sealed partial class CustomerOrdersGrain(
    [PersistentState("customer-orders", OmsNames.Storage)] IPersistentState<CustomerOrdersState> state,
    TimeProvider clock,
    ILogger<CustomerOrdersGrain> logger) : Grain, ICustomerOrdersGrain
{
    private List<CustomerOrder> _orders = [];
    private WriteCoalescer _writer = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _orders = state.RecordExists ? [.. state.State.Orders] : [];
        _erasedAt = state.RecordExists ? state.State.ErasedAt : null;
        _erasedThrough = state.RecordExists ? state.State.ErasedThrough ?? state.State.ErasedAt : null;
        _writer = new WriteCoalescer(_ =>
        {
            state.State = new CustomerOrdersState { Orders = [.. _orders], ErasedAt = _erasedAt, ErasedThrough = _erasedThrough };
            return state.WriteStateAsync();
        });
        return Task.CompletedTask;
    }

    public Task AddAsync(CustomerOrder order)
    {
        if (_orders.Any(o => o.OrderId == order.OrderId)) return _writer.CommitAsync();
        _orders.Add(order);
        EraseLateArrival(order);
        return _writer.CommitAsync();
    }

    public Task<CustomerOrder[]> GetAsync() =>
        Task.FromResult<CustomerOrder[]>([.. _orders.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.OrderId, StringComparer.Ordinal)]);
}
