using Oms.GrainInterfaces.Orders;
using Oms.Grains.Reference;
using Oms.Grains.Storage;

namespace Oms.Grains.Orders;

[GenerateSerializer, Alias("oms.LocationQueueState")]
public sealed class LocationQueueState
{
    /// <summary>Fulfilments still to be worked here (picked, packed, handed over, or a transfer on its way in).</summary>
    [Id(0)] public Dictionary<string, FulfilmentView> Open { get; set; } = [];
    /// <summary>The most recent finished ones, for the queue's history filters.</summary>
    [Id(1)] public List<FulfilmentView> Recent { get; set; } = [];
    [Id(2)] public DateOnly Day { get; set; }
    [Id(3)] public int DayCount { get; set; }

    public LocationQueueState Clone() => new() { Open = new(Open), Recent = [.. Recent], Day = Day, DayCount = DayCount };
}

/// <summary>
/// A location's work queue. Orders report every fulfilment change here (idempotent upserts, group-committed);
/// a timer, backed by a reminder while anything waits, escalates fulfilments not acknowledged in time.
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

    private LocationQueueState _queue = new();
    private WriteCoalescer _writer = null!;
    private IGrainTimer? _watch;
    private bool _reminderOn;

    private string LocationId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _queue = state.RecordExists ? state.State.Clone() : new LocationQueueState();
        _writer = new WriteCoalescer(() =>
        {
            state.State = _queue.Clone();
            return state.WriteStateAsync();
        });
        _reminderOn = _queue.Open.Values.Any(Unacknowledged);
        await WatchAsync();
    }

    public async Task UpsertAsync(FulfilmentView fulfilment)
    {
        var id = fulfilment.FulfilmentId;
        var known = _queue.Open.ContainsKey(id) || _queue.Recent.Any(f => f.FulfilmentId == id);
        if (!known && fulfilment.LocationId == LocationId)
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            if (_queue.Day != today) (_queue.Day, _queue.DayCount) = (today, 0);
            _queue.DayCount++;
        }

        if (Finished(fulfilment))
        {
            _queue.Open.Remove(id);
            _queue.Recent.RemoveAll(f => f.FulfilmentId == id);
            _queue.Recent.Add(fulfilment);
            if (_queue.Recent.Count > RecentKept) _queue.Recent.RemoveAt(0);
        }
        else
        {
            _queue.Open[id] = fulfilment;
        }

        await _writer.CommitAsync();
        await WatchAsync();
    }

    public Task<FulfilmentView[]> GetAsync(FulfilmentStatus? status) => Task.FromResult<FulfilmentView[]>([..
        _queue.Open.Values.Concat(_queue.Recent)
            .Where(f => status is null || f.Status == status)
            .OrderBy(f => f.CreatedAt)
            .ThenBy(f => f.FulfilmentId, StringComparer.Ordinal)]);

    public Task<int> GetTodayCountAsync() =>
        Task.FromResult(_queue.Day == DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) ? _queue.DayCount : 0);

    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName == WatchReminder ? EscalateDueAsync() : Task.CompletedTask;

    /// <summary>Done here: handed over, cancelled, or shipped out (a transfer stays open at its pickup store until collected).</summary>
    private bool Finished(FulfilmentView f) => f.Status switch
    {
        FulfilmentStatus.Cancelled or FulfilmentStatus.Delivered or FulfilmentStatus.Collected => true,
        FulfilmentStatus.Shipped => f.TransferTo != LocationId,
        FulfilmentStatus.ReadyForPickup => false,
        _ => false,
    };

    private bool Unacknowledged(FulfilmentView f) =>
        f.LocationId == LocationId && f.Status == FulfilmentStatus.Released && f.AcknowledgedAt is null && !f.Escalated;

    private async Task EscalateDueAsync()
    {
        var snapshot = await reference.GetAsync();
        var limit = TimeSpan.FromSeconds(snapshot.Policy.AcknowledgeEscalateAfterSeconds);
        var now = clock.GetUtcNow();
        foreach (var f in _queue.Open.Values.Where(f => Unacknowledged(f) && now - f.CreatedAt >= limit).ToList())
        {
            try
            {
                await GrainFactory.GetGrain<IOrderGrain>(f.OrderId).EscalateFulfilmentAsync(f.FulfilmentId);
            }
            catch (Exception ex)
            {
                LogEscalationFailed(ex, f.FulfilmentId, LocationId);
            }
        }

        await WatchAsync();
    }

    /// <summary>While anything waits for acknowledgement: a timer at the earliest deadline, and a reminder for restarts.</summary>
    private async Task WatchAsync()
    {
        var waiting = _queue.Open.Values.Where(Unacknowledged).ToList();
        _watch?.Dispose();
        _watch = null;
        if (waiting.Count > 0)
        {
            var limit = TimeSpan.FromSeconds(reference.Current.Policy.AcknowledgeEscalateAfterSeconds);
            var due = waiting.Min(f => f.CreatedAt) + limit - clock.GetUtcNow() + TimeSpan.FromMilliseconds(50);
            _watch = this.RegisterGrainTimer(static (grain, _) => grain.EscalateDueAsync(), this,
                new GrainTimerCreationOptions(due < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : due, Timeout.InfiniteTimeSpan) { Interleave = true });
        }

        try
        {
            if (waiting.Count > 0 && !_reminderOn)
            {
                await this.RegisterOrUpdateReminder(WatchReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
                _reminderOn = true;
            }
            else if (waiting.Count == 0 && _reminderOn)
            {
                if (await this.GetReminder(WatchReminder) is { } reminder) await this.UnregisterReminder(reminder);
                _reminderOn = false;
            }
        }
        catch (Exception ex)
        {
            LogReminderFailed(ex, LocationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalating {FulfilmentId} at {LocationId} failed; will try again")]
    private partial void LogEscalationFailed(Exception ex, string fulfilmentId, string locationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acknowledgement reminder of {LocationId} could not be changed")]
    private partial void LogReminderFailed(Exception ex, string locationId);
}

[GenerateSerializer, Alias("oms.CustomerOrdersState")]
public sealed class CustomerOrdersState
{
    [Id(0)] public List<CustomerOrder> Orders { get; set; } = [];
}

/// <summary>A customer's order ids, newest first. One grain per customer: the index grows with the customer, not the shop.</summary>
[Reentrant]
public sealed class CustomerOrdersGrain(
    [PersistentState("customer-orders", OmsNames.Storage)] IPersistentState<CustomerOrdersState> state) : Grain, ICustomerOrdersGrain
{
    private List<CustomerOrder> _orders = [];
    private WriteCoalescer _writer = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _orders = state.RecordExists ? [.. state.State.Orders] : [];
        _writer = new WriteCoalescer(() =>
        {
            state.State = new CustomerOrdersState { Orders = [.. _orders] };
            return state.WriteStateAsync();
        });
        return Task.CompletedTask;
    }

    public Task AddAsync(CustomerOrder order)
    {
        if (_orders.Any(o => o.OrderId == order.OrderId)) return _writer.CommitAsync();
        _orders.Add(order);
        return _writer.CommitAsync();
    }

    public Task<CustomerOrder[]> GetAsync() =>
        Task.FromResult<CustomerOrder[]>([.. _orders.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.OrderId, StringComparer.Ordinal)]);
}
