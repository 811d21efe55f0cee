using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json;
using Oms.GrainInterfaces.Carriers;
using Oms.GrainInterfaces.Carts;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Carts;
using Oms.Grains.Events;
using Oms.Grains.Reference;
using Oms.Grains.Sourcing;
using Orleans.Streams;

namespace Oms.Grains.Orders;

/// <summary>
/// One order, its fulfilments and returns: the shell around the pure <see cref="Order"/> aggregate, which decides
/// (docs/decisions/0008). This grain loads and saves the state, performs the effects the aggregate returns, runs the
/// allocation protocol (provisional allocations, persist, confirm; the persisted state answers
/// <see cref="ResolveAllocationAsync"/>, docs/decisions/0006) and has one recovery path (<see cref="RunAsync"/>).
/// Not reentrant: every command runs alone, changes the state, persists it, and only then is answered.
/// </summary>
public sealed partial class OrderGrain(
    [PersistentState("order", OmsNames.Storage)] IPersistentState<OrderState> state,
    OrderSourcing sourcing,
    ReferenceDataCache reference,
    TimeProvider clock,
    ILogger<OrderGrain> logger) : Grain, IOrderGrain, IRemindable
{
    private const string EscalationReminder = "escalate";
    private const string SendEventsReminder = "send-events";

    /// <summary>How long the outbox waits before trying the event log again after a failed hand-over.</summary>
    private static readonly TimeSpan SendRetry = TimeSpan.FromSeconds(2);

    /// <summary>How long a provisional allocation waits for its order before asking it.</summary>
    public static readonly TimeSpan ConfirmWindow = TimeSpan.FromSeconds(30);

    /// <summary>Fulfilments the running command allocated provisionally and has not persisted yet.</summary>
    private readonly List<FulfilmentState> _provisional = [];
    private Order _order = null!;
    private IAsyncStream<OrderEvent>? _events;
    private DueTimer _escalation = null!;
    private DueTimer _sendRetry = null!;

    /// <summary>The order as the running command found it: its events are the difference (<see cref="OrderEvents"/>).</summary>
    private OrderFacts? _before;

    private string OrderId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists) state.State = new OrderState();
        _order = new Order(OrderId, state.State);
        _escalation = new DueTimer(this, EscalationReminder, EscalateDueAsync, clock, ex => LogReminderFailed(ex, OrderId), TimeSpan.FromMilliseconds(20));
        _events = this.GetStreamProvider(OmsNames.StreamProvider)
            .GetStream<OrderEvent>(StreamId.Create(OmsNames.OrderEventsNamespace, OmsNames.PartitionOf(OrderId).ToString(CultureInfo.InvariantCulture)));
        _sendRetry = new DueTimer(this, SendEventsReminder, SendOutboxAsync, clock, ex => LogReminderFailed(ex, OrderId), TimeSpan.Zero);
        if (!_order.Exists) return;
        _sendRetry.MayHaveReminder(state.State.Outbox.Count > 0);
        _escalation.MayHaveReminder(state.State.OnHold || state.State.Returns.Any(r => r.Status == ReturnState.AwaitingReceipt));
        await ReleasePendingAsync();
        await PublishAsync();
        await SendOutboxAsync();
        await _escalation.ScheduleAsync(_order.NextEscalation());
    }

    public Task<OrderResult> PlaceAsync(OrderRequest request, string? answerRecord) => RunAsync(() => Place(request, answerRecord));

    private async Task<OrderResult> Place(OrderRequest request, string? answerRecord)
    {
        var fingerprint = JsonSerializer.Serialize(request);
        if (_order.Replay(fingerprint) is { } replay)
        {
            if (!replay.Ok) return Answer(replay);
            if (answerRecord is not null && !state.State.AnswerRecords.Contains(answerRecord))
            {
                // The same order answered under another Idempotency-Key: that record holds the customer too.
                state.State.AnswerRecords.Add(answerRecord);
                await state.WriteStateAsync();
            }

            await AfterCommitAsync(replay);
            await AfterPlacedAsync(consumeCart: false);
            return Answer(replay);
        }

        var snapshot = await OrderSourcing.SnapshotFor(reference, request);
        if (OrderSourcing.Check(snapshot, request) is { } problem) return OrderResult.Fail(problem.Outcome, problem.Detail, problem.Field);

        var lines = request.Lines.GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        var cartHeld = request.CartId is { } cartId ? await CartHeldAsync(cartId, request.Channel) : null;
        var now = clock.GetUtcNow();
        List<FulfilmentState>? fulfilments = null;
        SourcingPlan plan = null!;
        for (var attempt = 1; attempt <= 2 && fulfilments is null; attempt++)
        {
            var result = await sourcing.PlanAsync(snapshot, request, lines, cartHeld);
            plan = result.Plan;
            if (!plan.Complete) return Refused(plan.Shortfalls);
            var candidate = _order.NewFulfilments(plan.Fulfilments, Nonce.New(), now);
            // Only a cart of this order's channel is converted; another channel's cart keeps its holds.
            if (await AllocateAsync(candidate, result.KeepBack, cartHeld is null ? null : request.CartId)) fulfilments = candidate;
            // Refused on figures the view still showed: plan once more on fresh ones.
        }

        if (fulfilments is null) return Refused([.. lines.Select(l => new SourcingShortfall(l.Key, l.Value, 0))]);
        var placed = _order.Place(request, fingerprint, fulfilments, plan.EstimatedDelivery, snapshot.Policy, cartHeld is not null && request.CartId is not null, now);
        if (answerRecord is not null) state.State.AnswerRecords.Add(answerRecord); // written with the order
        await CommitAsync(placed);
        OmsGrainMetrics.OrdersPlaced.Add(1);
        await AfterPlacedAsync(consumeCart: cartHeld is not null);
        return Answer(placed) with { Created = true };
    }

    /// <summary>
    /// What follows an order's first write, and is repeated (idempotently) when the same order is placed again, so
    /// a retry after a lost answer also repairs a step that did not happen: customer index (work queues: in the
    /// commit), the cart. Failures here are logged, never answered: the order is acknowledged once it is written.
    /// </summary>
    private async Task AfterPlacedAsync(bool consumeCart)
    {
        var request = state.State.Request!;
        try
        {
            await GrainFactory.Ref<ICustomerOrdersGrain>(request.Customer.Id).AddAsync(new CustomerOrder(OrderId, state.State.CreatedAt, request.Channel, state.State.Total));
        }
        catch (Exception ex)
        {
            LogIndexFailed(ex, OrderId);
        }

        if (!consumeCart || request.CartId is not { } cart) return;
        try
        {
            // The converted holds are gone; this releases what the order did not take.
            await GrainFactory.Ref<ICartGrain>(cart).ClearAsync();
        }
        catch (Exception ex)
        {
            LogCartFailed(ex, OrderId, cart); // the rest expires with the cart
        }
    }

    public Task<OrderView?> GetAsync() => Task.FromResult(_order.Exists ? _order.View() : null);

    public Task<OrderResult> ApproveAsync(string note) => RunAsync(() => CommitAsync(_order.Approve(note, clock.GetUtcNow())));

    public Task<OrderResult> RejectAsync(string reason) => RunAsync(() => CommitAsync(_order.Reject(reason, clock.GetUtcNow())));

    public Task<OrderResult> CancelAsync(LineQuantity[]? lines, string reason) => RunAsync(() => CommitAsync(_order.Cancel(lines, reason, clock.GetUtcNow())));

    public Task<OrderResult> CreateReturnAsync(ReturnLineRequest[] lines, LineQuantity[]? exchange) => RunAsync(() => CreateReturn(lines, exchange));

    private async Task<OrderResult> CreateReturn(ReturnLineRequest[] lines, LineQuantity[]? exchange)
    {
        if (_order.Allows(OrderCommand.Return) is { Ok: false } no) return Answer(no);
        var policy = (await reference.GetAsync()).Policy;
        var now = clock.GetUtcNow();
        var skus = lines.Select(l => l.Sku).Distinct().ToList();
        var products = await Task.WhenAll(skus.Select(sku => GrainFactory.Ref<IProductGrain>(sku).GetAsync()));
        var categories = skus.Zip(products).ToDictionary(x => x.First, x => x.Second?.Category, StringComparer.Ordinal);
        if (_order.CheckReturn(lines, policy.Refund, categories, now) is { Ok: false } refused) return Answer(refused);

        string? exchangeOrderId = null;
        if (exchange is { Length: > 0 })
        {
            exchangeOrderId = _order.NextExchangeOrderId();
            var placed = await GrainFactory.Ref<IOrderGrain>(exchangeOrderId).PlaceAsync(_order.ExchangeRequest(exchange), null);
            if (placed.Outcome != OrderOutcome.Ok) return placed with { Detail = $"exchange order: {placed.Detail}", Order = null };
        }

        return await CommitAsync(_order.OpenReturn(lines, categories, exchangeOrderId, policy, now));
    }

    public Task<OrderResult> ReceiveReturnAsync(string returnId, ReceiveLine[] lines, string locationId) => RunAsync(async () =>
    {
        if (_order.CheckReceive(returnId) is { Ok: false } no) return Answer(no);
        var snapshot = await reference.GetAsync(s => s.Locations.ContainsKey(locationId));
        var received = _order.ReceiveReturn(returnId, lines, locationId, snapshot.Locations.ContainsKey(locationId), snapshot.Policy.Refund, clock.GetUtcNow());
        return await CommitAsync(received);
    });

    public Task<OrderResult> ApplyAsync(string fulfilmentId, FulfilmentCommand command) => RunAsync(() => Apply(fulfilmentId, command));

    private async Task<OrderResult> Apply(string fulfilmentId, FulfilmentCommand command)
    {
        var barcode = command.Action == FulfilmentAction.Pick && _order.Has(fulfilmentId, command.Sku)
            ? (await GrainFactory.Ref<IProductGrain>(command.Sku!).GetAsync())?.Barcode
            : null;
        var pickupCode = command.Action == FulfilmentAction.Ready ? RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture) : null;
        var now = clock.GetUtcNow();
        var decision = _order.Apply(fulfilmentId, command, now, barcode, pickupCode);
        // A short pick's movement waits for the commit: re-sourcing never looks at the location that came up short.
        if (decision.Effects.OfType<Resource>().FirstOrDefault() is { } need) decision = decision.Then(_order.Resourced(need, await ResourceAsync(need, now), now));
        // The carrier reports by tracking number: the index knows it before the ship is acknowledged (a ship that then
        // fails to persist leaves an entry the order disowns: its carrier events answer 404).
        if (decision.Ok && command is { Action: FulfilmentAction.Ship, Carrier: { } carrier, TrackingNumber: { } number })
            await GrainFactory.Ref<ITrackingIndexGrain>(TrackingKey.For(carrier, number)).RegisterAsync(fulfilmentId);

        return await CommitAsync(decision);
    }

    /// <summary>Sources short-picked units again and allocates them; none when nothing else can supply them.</summary>
    private async Task<List<FulfilmentState>> ResourceAsync(Resource need, DateTimeOffset now)
    {
        var snapshot = await reference.GetAsync();
        var request = state.State.Request!;
        if (!snapshot.Channels.ContainsKey(request.Channel)) return [];
        var result = await sourcing.PlanAsync(snapshot, request, new Dictionary<string, int> { [need.Sku] = need.Units }, null, need.Excluded);
        var added = _order.NewFulfilments(result.Plan.Fulfilments, Nonce.New(), now);
        return added.Count > 0 && await AllocateAsync(added, result.KeepBack, null) ? added : [];
    }

    public Task<OrderResult> PaymentAsync(PaymentEvent payment) => RunAsync(() => CommitAsync(_order.Payment(payment, clock.GetUtcNow())));

    public Task<OrderResult> TrackAsync(string fulfilmentId, CarrierEvent carrierEvent) =>
        RunAsync(() => CommitAsync(_order.Track(fulfilmentId, carrierEvent, clock.GetUtcNow())));

    public Task<OrderResult> CheckInAsync(string fulfilmentId, CheckIn checkIn) => RunAsync(() => CommitAsync(_order.CheckIn(fulfilmentId, checkIn, clock.GetUtcNow())));

    public Task EscalateFulfilmentAsync(string fulfilmentId) => RunAsync(() => CommitAsync(_order.EscalateFulfilment(fulfilmentId, clock.GetUtcNow())));

    public Task<int> ResolveAllocationAsync(string fulfilmentId, string sku, string token) => Task.FromResult(_order.AllocatedUnits(fulfilmentId, sku, token));

    public Task<string[]> HasEventsAsync(string[] eventIds) => Task.FromResult(OrderEvents.Holds(state.State, eventIds));

    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName switch
    {
        EscalationReminder => EscalateDueAsync(),
        SendEventsReminder => SendOutboxAsync(),
        _ => Task.CompletedTask,
    };

    private Task EscalateDueAsync() => RunAsync(async () =>
    {
        var decision = _order.EscalateDue(clock.GetUtcNow());
        if (decision.Changed) return await CommitAsync(decision);
        await _escalation.ScheduleAsync(_order.NextEscalation());
        return Answer(decision);
    });

    // ---- persistence and recovery -----------------------------------------------------------------------------

    /// <summary>
    /// The one recovery path: a command that fails (a call to another grain or the write throws) may have changed the
    /// in-memory state, and a write that timed out may still have landed. Storage is the truth again, so a retry starts
    /// from what was persisted (its stock movements, keyed by what was persisted, apply once); allocations this
    /// command took that storage does not own go now (the ones it owns resolve as such at their deadline).
    /// </summary>
    private async Task<OrderResult> RunAsync(Func<Task<OrderResult>> command)
    {
        _before = OrderFacts.Of(state.State);
        try
        {
            return await command();
        }
        catch
        {
            var provisional = _provisional.ToList();
            _provisional.Clear();
            if (await ReloadAsync())
                await ReleaseAllAsync(provisional.Where(f => state.State.Fulfilment(f.FulfilmentId)?.Token != f.Token));
            throw;
        }
    }

    /// <summary>Takes storage as the truth; if even reading fails, this activation forgets everything and goes away.</summary>
    private async Task<bool> ReloadAsync()
    {
        try
        {
            await state.ReadStateAsync();
            if (!state.RecordExists) state.State = new OrderState();
            return true;
        }
        catch
        {
            // Unknown whether the last write landed: provisional allocations wait for their deadline, then ask storage.
            state.State = new OrderState();
            DeactivateOnIdle();
            return false;
        }
        finally
        {
            _order = new Order(OrderId, state.State);
        }
    }

    /// <summary>Persists a decision and performs its effects: stock movements before the write, the rest after it.</summary>
    private async Task<OrderResult> CommitAsync(OrderDecision decision)
    {
        if (!decision.Ok || !decision.Changed) return Answer(decision);
        await MoveStockAsync(decision);
        OrderEvents.Raise(_before ?? OrderFacts.Of(state.State), _order, clock.GetUtcNow(), Nonce.New());
        _before = OrderFacts.Of(state.State);
        // The outbox goes to the event log beside the write, provisionally: both usually share one storage batch, and
        // the log lets no reader see these events until this write is known to have landed (docs/decisions/0015).
        var outbox = state.State.Outbox.ToArray();
        var logged = outbox.Length == 0 ? null : AppendToLogAsync(outbox, provisional: true);
        await state.WriteStateAsync();
        if (logged is not null && await logged) Sent(outbox, confirm: true);
        foreach (var f in _provisional)
        {
            foreach (var line in f.Lines) _ = Inventory(f.LocationId, line.Sku).ConfirmAllocationAsync(f.FulfilmentId, f.Token);
        }

        _provisional.Clear();
        await AfterCommitAsync(decision);
        return Answer(decision);
    }

    /// <summary>Applied once per event id: the part of a retried command that already happened changes nothing.</summary>
    private Task MoveStockAsync(OrderDecision decision) =>
        Task.WhenAll(decision.Effects.OfType<MoveStock>().Select(m => Inventory(m.LocationId, m.Sku).MoveAsync(m.Movement)));

    /// <summary>After a write: release lowered allocations, update the work queues, publish notifications, metrics.</summary>
    private async Task AfterCommitAsync(OrderDecision decision)
    {
        await ReleasePendingAsync();
        try
        {
            await Task.WhenAll(decision.Effects.OfType<QueueUpsert>().Select(u => state.State.Fulfilment(u.FulfilmentId)).OfType<FulfilmentState>().SelectMany(f =>
            {
                var view = _order.View(f);
                var queues = new List<Task> { GrainFactory.Ref<ILocationQueueGrain>(f.LocationId).UpsertAsync(view) };
                if (f.TransferTo is { } store) queues.Add(GrainFactory.Ref<ILocationQueueGrain>(store).UpsertAsync(view));
                return queues;
            }));
        }
        catch (Exception ex)
        {
            LogQueueFailed(ex, OrderId);
        }

        foreach (var effect in decision.Effects)
        {
            if (effect is FulfilmentTime time) OmsGrainMetrics.FulfilmentHours.Record(time.Hours);
            else if (effect is EscalationRaised) OmsGrainMetrics.Escalations.Add(1);
        }

        await PublishAsync();
        await SendOutboxAsync();
        await _escalation.ScheduleAsync(_order.NextEscalation());
    }

    /// <summary>Hands events to their partition of the event log; false (logged) when that failed: they stay in the outbox.</summary>
    private async Task<bool> AppendToLogAsync(IntegrationEvent[] events, bool provisional)
    {
        try
        {
            await GrainFactory.Ref<IEventLogGrain>(OmsNames.EventPartitionOf(EventSubjects.Order(OrderId))).AppendAsync(events, provisional);
            return true;
        }
        catch (Exception ex)
        {
            LogEventsFailed(ex, OrderId);
            return false;
        }
    }

    /// <summary>The log has these events and this order's write carrying them landed: the log may show them.</summary>
    private void Sent(IntegrationEvent[] events, bool confirm)
    {
        if (confirm) _ = GrainFactory.Ref<IEventLogGrain>(OmsNames.EventPartitionOf(EventSubjects.Order(OrderId))).ConfirmAsync([.. events.Select(e => e.Id)]);
        OrderEvents.Sent(state.State, events.Length);
    }

    /// <summary>
    /// Events still in the persisted outbox (the log could not take them, or this order's last activation ended
    /// first) go to the log as final; a failure tries again shortly, with a reminder in case this activation ends.
    /// </summary>
    private async Task SendOutboxAsync()
    {
        if (state.State.Outbox.Count == 0)
        {
            await _sendRetry.ScheduleAsync(null);
            return;
        }

        var outbox = state.State.Outbox.ToArray();
        if (await AppendToLogAsync(outbox, provisional: false)) Sent(outbox, confirm: false);
        await _sendRetry.ScheduleAsync(state.State.Outbox.Count == 0 ? null : clock.GetUtcNow() + SendRetry);
    }

    /// <summary>
    /// At least once: the events not yet handed over go out after each write and on activation, all of them in one
    /// stream batch (one queue call, not one per event).
    /// </summary>
    private async Task PublishAsync()
    {
        if (_order.Unpublished() is not { Count: > 0 } events) return;
        try
        {
            if (events.Count == 1) await _events!.OnNextAsync(events[0]);
            else await _events!.OnNextBatchAsync(events);
            _order.Published(events.Count);
        }
        catch (Exception ex)
        {
            LogPublishFailed(ex, OrderId);
        }
    }

    // ---- allocation -------------------------------------------------------------------------------------------

    /// <summary>
    /// All or nothing: every line allocated (provisionally, until the order's write confirms it), or every one released
    /// again. A refusal answers false (not enough stock); a failed call (a silo going away) releases too and rethrows,
    /// so the caller sees 503, not 409.
    /// </summary>
    private async Task<bool> AllocateAsync(List<FulfilmentState> fulfilments, IReadOnlyDictionary<(string, string), int> keepBack, string? cartId)
    {
        var confirmBy = clock.GetUtcNow() + ConfirmWindow;
        var fromHold = cartId is null ? null : CartGrain.ReservationId(cartId);
        var results = await Task.WhenAll(fulfilments.SelectMany(f => f.Lines.Select(async l =>
        {
            try
            {
                var result = await Inventory(f.LocationId, l.Sku).AllocateAsync(
                    new AllocationRequest(f.FulfilmentId, f.Token, l.Quantity, confirmBy, keepBack.GetValueOrDefault((f.LocationId, l.Sku)), fromHold));
                return (result.Ok, Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                LogAllocationFailed(ex, OrderId, f.LocationId, l.Sku);
                return (Ok: false, Error: ex);
            }
        })));
        if (results.All(r => r.Ok))
        {
            _provisional.AddRange(fulfilments);
            return true;
        }

        await ReleaseAllAsync(fulfilments);
        if (results.FirstOrDefault(r => r.Error is not null).Error is { } error) ExceptionDispatchInfo.Throw(error);
        return false;
    }

    /// <summary>Best effort: what cannot be released now is released when its deadline passes and this order says 0.</summary>
    private Task ReleaseAllAsync(IEnumerable<FulfilmentState> fulfilments) =>
        ReleaseAsync([.. fulfilments.SelectMany(f => f.Lines.Select(l => new ReleaseAllocation(f.LocationId, l.Sku, f.FulfilmentId, 0)))]);

    /// <summary>Lowers the allocations of fulfilments changed by a persisted write to what they now hold.</summary>
    private async Task ReleasePendingAsync()
    {
        if (_order.PendingReleases() is not { Count: > 0 } pending) return;
        if (await ReleaseAsync(pending)) _order.Released();
    }

    private async Task<bool> ReleaseAsync(IReadOnlyList<ReleaseAllocation> releases)
    {
        try
        {
            await Task.WhenAll(releases.Select(r => Inventory(r.LocationId, r.Sku).ReleaseAllocationAsync(r.FulfilmentId, r.Units)));
            return true;
        }
        catch (Exception ex)
        {
            LogReleaseFailed(ex, OrderId); // tried again after the next write or on activation
            return false;
        }
    }

    private async Task<Dictionary<(string, string), int>?> CartHeldAsync(string cartId, string channel)
    {
        var cart = await GrainFactory.Ref<ICartGrain>(cartId).GetAsync();
        if (cart is null || cart.Channel != channel) return null;
        return cart.Lines.SelectMany(l => l.Reservations.Select(r => (Key: (r.LocationId, l.Sku), r.Quantity)))
            .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => g.Sum(x => x.Quantity));
    }

    private IInventoryGrain Inventory(string locationId, string sku) => GrainFactory.Ref<IInventoryGrain>(InventoryKey.For(locationId, sku));

    // ---- answers ----------------------------------------------------------------------------------------------

    private OrderResult Answer(OrderDecision d) => d.Outcome switch
    {
        OrderOutcome.Ok => new OrderResult(OrderOutcome.Ok, _order.Exists ? _order.View() : null, null, [], CreatedId: d.CreatedId),
        OrderOutcome.InvalidState => new OrderResult(OrderOutcome.InvalidState, _order.Exists ? _order.View() : null, d.Detail, []),
        _ => OrderResult.Fail(d.Outcome, d.Detail!, d.Field),
    };

    private static OrderResult Refused(SourcingShortfall[] shortfalls)
    {
        OmsGrainMetrics.OrdersRefused.Add(1);
        var detail = string.Join("; ", shortfalls.Select(s => $"{s.Sku}: {s.Sourced} of {s.Requested} available"));
        return new OrderResult(OrderOutcome.InsufficientStock, null, $"not enough stock: {detail}", shortfalls);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Allocating {LocationId}/{Sku} for order {OrderId} failed")]
    private partial void LogAllocationFailed(Exception ex, string orderId, string locationId, string sku);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing allocations of order {OrderId} failed; they are released when their deadline passes or the order is next active")]
    private partial void LogReleaseFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the work queues for order {OrderId} failed")]
    private partial void LogQueueFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing events of order {OrderId} failed; they go out after the next change or activation")]
    private partial void LogPublishFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handing events of order {OrderId} to the event log failed; they stay in its outbox and go again shortly")]
    private partial void LogEventsFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A reminder of order {OrderId} could not be changed")]
    private partial void LogReminderFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} could not be added to its customer's index; a retry of the order adds it")]
    private partial void LogIndexFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} could not clear cart {CartId}")]
    private partial void LogCartFailed(Exception ex, string orderId, string cartId);
}
