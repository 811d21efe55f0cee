using Microsoft.Extensions.Hosting;
using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Orders;
using Oms.Grains.Orders;
using Oms.Grains.Storage;

namespace Oms.Grains.Inventory;

/// <summary>
/// The authority for one location × SKU.
/// <para>
/// Group commit (<see cref="WriteCoalescer"/>): the grain is reentrant, and every change is a synchronous step on the
/// in-memory record followed by <see cref="CommitAsync"/>. Changes made while a write is in flight join the next
/// batch; every request of a batch is acknowledged after that one write (and the push to the SKU's view). Nothing is
/// acknowledged before it is persisted, and an answer that changed nothing still waits for the write its answer
/// depends on. A failed write fails its batch and the one built on it, and the record is read again from storage.
/// Readers get the last persisted level.
/// </para>
/// <para>
/// Hold expiry: a grain timer fires at the next expiry while the grain is active; a reminder (every minute
/// while holds exist, or a provisional allocation has waited a few seconds: <see cref="ExpirySchedule"/>) brings the
/// grain back after a restart, and activation releases overdue holds at once.
/// Releasing is a persisted change, so a hold expires exactly once.
/// </para>
/// </summary>
[Reentrant]
public sealed partial class InventoryGrain(
    [PersistentState("stock", OmsNames.Storage)] IPersistentState<StockRecord> state,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<InventoryGrain> logger) : Grain, IInventoryGrain, IRemindable
{
    private const string ExpiryReminder = "expire-holds";

    /// <summary>Fire just after the expiry, so the hold is due when the timer runs.</summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMilliseconds(20);

    /// <summary>How long to wait before asking an unreachable order again about its provisional allocation.</summary>
    private static readonly TimeSpan ResolveRetry = TimeSpan.FromSeconds(10);

    /// <summary>How long a provisional allocation waits for its confirmation before the grain registers its reminder.</summary>
    private static readonly TimeSpan ReminderGrace = TimeSpan.FromSeconds(5);

    private string _locationId = "";
    private string _sku = "";
    private InventoryLevel _committed = null!;

    /// <summary>The working record every change is applied to; storage only ever gets copies of it.</summary>
    private StockRecord _record = null!;
    private WriteCoalescer _writer = null!;
    private DueTimer _expiry = null!;
    private readonly HashSet<string> _resolving = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_locationId, _sku) = InventoryKey.Parse(this.GetPrimaryKeyString());
        _record = (state.State ?? new StockRecord()).Clone();
        // Taken before any change: a read interleaving with the first write must not see it early.
        _committed = _record.ToLevel(_locationId, _sku);
        _writer = new WriteCoalescer(WriteAsync, RecoverAsync, ScheduleExpiryAsync);
        _expiry = new DueTimer(this, ExpiryReminder, () => ExpireAsync(), clock, ex => LogReminderFailed(ex, _locationId, _sku), ExpiryMargin, interleave: true);
        // A record with something due may have registered the reminder in an earlier activation.
        _expiry.MayHaveReminder(_record.NextExpiry is not null);
        // Overdue holds go now; overdue provisional allocations are resolved by the timer this arms (at once),
        // not here: asking their order from activation could wait on an order that is calling this grain.
        await ExpireAsync(resolve: false);
    }

    public async Task<SetLevelResult> SetLevelAsync(AbsoluteLevel level)
    {
        var outcome = _record.ApplyAbsolute(level);
        await (outcome == FeedOutcome.Applied ? CommitAsync() : DurableAsync());
        return new SetLevelResult(outcome != FeedOutcome.Stale, Committed);
    }

    public async Task<AdjustResult> AdjustAsync(Adjustment adjustment)
    {
        var applied = _record.Adjust(adjustment);
        await (applied ? CommitAsync() : DurableAsync());
        return new AdjustResult(applied, !applied, Committed);
    }

    public async Task<InventoryLevel> SetInboundAsync(InboundLine inbound)
    {
        _record.SetInbound(inbound);
        await CommitAsync();
        return Committed;
    }

    public async Task<HoldResult> SetHoldAsync(HoldRequest request)
    {
        var version = _record.Version;
        var outcome = _record.SetHold(request.ReservationId, request.Quantity, request.ExpiresAt, request.KeepBack);
        if (!outcome.Ok) OmsGrainMetrics.HoldsRefused.Add(1);
        await (_record.Version != version ? CommitAsync() : DurableAsync());
        return new HoldResult(outcome.Ok, outcome.Available, outcome.Held, Committed);
    }

    public async Task<AllocationResult> AllocateAsync(AllocationRequest request)
    {
        var version = _record.Version;
        var (ok, available) = _record.Allocate(request.AllocationId, request.Token, request.Quantity, request.ConfirmBy, request.KeepBack, request.FromHold);
        if (!ok) OmsGrainMetrics.AllocationsRefused.Add(1);
        await (_record.Version != version ? CommitAsync() : DurableAsync());
        return new AllocationResult(ok, available, Committed);
    }

    /// <summary>
    /// Not written by itself: it goes out with the next write of this location × SKU. If the grain dies first, the
    /// allocation is provisional again after activation and its order is asked, which confirms it.
    /// </summary>
    public Task ConfirmAllocationAsync(string allocationId, string token)
    {
        // The timer that waited for this confirmation is not needed any more (nor, within the grace, a reminder). A record
        // with holds keeps its timer: re-planning would scan every hold on each confirmation, and the tick re-plans anyway.
        if (_record.Confirm(allocationId, token) && _record.Holds is not { Count: > 0 }) _expiry.Arm(Schedule().Wake);
        return Task.CompletedTask;
    }

    public async Task<InventoryLevel> ReleaseAllocationAsync(string allocationId, int quantity)
    {
        await (_record.LowerAllocation(allocationId, quantity) ? CommitAsync() : DurableAsync());
        return Committed;
    }

    public async Task<InventoryLevel> MoveAsync(StockMovement movement)
    {
        await (_record.Move(movement) ? CommitAsync() : DurableAsync());
        return Committed;
    }

    public Task<InventoryLevel> GetAsync() => Task.FromResult(Committed);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminder) return;
        _expiry.MayHaveReminder(true); // it fired, so it exists: the schedule after this removes it if nothing needs it
        await ExpireAsync();
    }

    private InventoryLevel Committed => _committed;

    private Task CommitAsync() => _writer.CommitAsync();

    private Task DurableAsync() => _writer.DurableAsync();

    private async Task WriteAsync(int changes)
    {
        OmsGrainMetrics.CommitBatchSize.Record(changes);
        var written = _record.Clone();
        state.State = written;
        await state.WriteStateAsync();
        // Exactly what was persisted: the working record may already hold the next batch's changes.
        _committed = written.ToLevel(_locationId, _sku);
        await PushToViewAsync(_committed);
    }

    /// <summary>A write failed: it may or may not have landed. Storage is the truth again.</summary>
    private async Task RecoverAsync(Exception ex)
    {
        LogWriteFailed(ex, _locationId, _sku);
        try
        {
            await state.ReadStateAsync();
            _record = (state.State ?? new StockRecord()).Clone();
            _committed = _record.ToLevel(_locationId, _sku);
        }
        catch (Exception readFailure)
        {
            LogWriteFailed(readFailure, _locationId, _sku);
            DeactivateOnIdle();
        }
    }

    private async Task PushToViewAsync(InventoryLevel level)
    {
        try
        {
            // While the silo stops, the view may be deactivating too, its running read waiting on this record, which
            // cannot answer while it deactivates and waits for this push: a cycle until the 30 s response timeout
            // (docs/decisions/0021). Stop waiting then; the view's next activation reads every location again.
            await GrainFactory.Ref<ISkuAvailabilityGrain>(_sku).UpdateAsync(level.ToLocationStock()).WaitAsync(lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The change is durable; the view re-reads every location when it is next activated.
            LogViewPushFailed(ex, _locationId, _sku);
        }
    }

    private async Task ExpireAsync(bool resolve = true)
    {
        var resolving = resolve ? ResolveDueAllocationsAsync() : Task.CompletedTask;
        if (_record.ExpireHolds(clock.GetUtcNow()) is > 0 and var units)
        {
            OmsGrainMetrics.UnitsExpired.Add(units);
            await CommitAsync();
            await resolving;
            return;
        }

        await resolving;

        // A timer may fire a little early; schedule it again rather than lose it.
        await ScheduleExpiryAsync();
    }

    /// <summary>
    /// Provisional allocations past their deadline: the order that took them was not heard from (a crash between
    /// allocating and persisting, or a lost confirmation). Its persisted state decides: keep or release.
    /// </summary>
    private async Task ResolveDueAllocationsAsync()
    {
        var now = clock.GetUtcNow();
        var due = _record.DueAllocations(now).Where(a => _resolving.Add(a.Id)).ToList();
        if (due.Count == 0) return;
        try
        {
            var changed = false;
            foreach (var (id, allocation) in due)
            {
                int quantity;
                try
                {
                    var orderId = OrderKeys.OrderOfFulfilment(id) ?? id;
                    quantity = await GrainFactory.Ref<IOrderGrain>(orderId).ResolveAllocationAsync(id, _sku, allocation.Token);
                }
                catch (Exception ex)
                {
                    LogResolveFailed(ex, id, _locationId, _sku);
                    _record.Postpone(id, now + ResolveRetry);
                    continue;
                }

                if (_record.Resolve(id, allocation.Token, quantity))
                {
                    changed = true;
                    if (quantity == 0) OmsGrainMetrics.AllocationsRolledBack.Add(1);
                }
            }

            if (changed) await CommitAsync();
        }
        finally
        {
            foreach (var (id, _) in due) _resolving.Remove(id);
        }

        await ScheduleExpiryAsync();
    }

    private (DateTimeOffset? Wake, bool Reminder) Schedule() =>
        ExpirySchedule.Plan(_record.NextHoldExpiry, _record.NextDeadline, clock.GetUtcNow(), OrderGrain.ConfirmWindow, ReminderGrace);

    private Task ScheduleExpiryAsync()
    {
        var (wake, reminder) = Schedule();
        return _expiry.ScheduleAsync(wake, reminder);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not resolve provisional allocation {AllocationId} at {LocationId}/{Sku}; will ask again")]
    private partial void LogResolveFailed(Exception ex, string allocationId, string locationId, string sku);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push {LocationId}/{Sku} to the availability view")]
    private partial void LogViewPushFailed(Exception ex, string locationId, string sku);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not register the hold-expiry reminder of {LocationId}/{Sku}")]
    private partial void LogReminderFailed(Exception ex, string locationId, string sku);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {LocationId}/{Sku} failed; the requests of that batch were refused")]
    private partial void LogWriteFailed(Exception ex, string locationId, string sku);
}
