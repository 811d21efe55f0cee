using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Oms.GrainInterfaces.Carts;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Carts;
using Oms.Grains.Reference;
using Oms.Grains.Sourcing;
using Orleans.Streams;

namespace Oms.Grains.Orders;

/// <summary>
/// One order, its fulfilments and returns (docs/decisions/0006). Not reentrant: every command runs alone, changes
/// the state, persists it, and only then is answered.
/// <para>
/// Allocation protocol: an order takes provisional allocations (allocation id = fulfilment id, with a token per
/// attempt) in the inventory grains of every chosen location; if any is refused it releases the others and
/// answers 409. Only then is the order persisted, and the allocations confirmed. An inventory grain holding a
/// provisional allocation past its deadline asks this grain, whose persisted state decides (<see cref="ResolveAllocationAsync"/>):
/// a crash between allocating and persisting leaks nothing, and a retry cannot allocate twice (same ids).
/// </para>
/// </summary>
public sealed partial class OrderGrain(
    [PersistentState("order", OmsNames.Storage)] IPersistentState<OrderState> state,
    OrderSourcing sourcing,
    ReferenceDataCache reference,
    TimeProvider clock,
    ILogger<OrderGrain> logger) : Grain, IOrderGrain, IRemindable
{
    private const string EscalationReminder = "escalate";

    /// <summary>How long a provisional allocation waits for its order before asking it.</summary>
    public static readonly TimeSpan ConfirmWindow = TimeSpan.FromSeconds(30);

    private readonly HashSet<string> _touched = [];
    private IAsyncStream<OrderEvent>? _events;
    private IGrainTimer? _escalationTimer;
    private DateTimeOffset? _escalationDue;
    private bool _reminderOn;

    private OrderState S => state.State;

    private string OrderId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists) state.State = new OrderState();
        _events = this.GetStreamProvider(OmsNames.StreamProvider)
            .GetStream<OrderEvent>(StreamId.Create(OmsNames.OrderEventsNamespace, OmsNames.PartitionOf(OrderId).ToString(CultureInfo.InvariantCulture)));
        if (!S.Exists) return;
        _reminderOn = S.OnHold || S.Returns.Any(r => r.Status == ReturnState.AwaitingReceipt);
        try
        {
            await FlushReleasesAsync();
        }
        catch (Exception ex)
        {
            LogReleaseFailed(ex, OrderId); // tried again after the next write
        }

        await PublishAsync();
        await ScheduleEscalationAsync();
    }

    public async Task<OrderResult> PlaceAsync(OrderRequest request)
    {
        var fingerprint = JsonSerializer.Serialize(request);
        if (S.Exists)
        {
            if (S.Fingerprint != fingerprint)
                return OrderResult.Fail(OrderOutcome.Conflict, $"order '{OrderId}' already exists with a different request", "orderId");
            await AfterPlacedAsync(consumeCart: false);
            return Ok();
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
            var candidate = Build(plan.Fulfilments, 1, now);
            // Only a cart of this order's channel is converted; another channel's cart keeps its holds.
            if (await AllocateAsync(candidate, result.KeepBack, cartHeld is null ? null : request.CartId)) fulfilments = candidate;
            // Refused on figures the view still showed: plan once more on fresh ones.
        }

        if (fulfilments is null) return Refused([.. lines.Select(l => new SourcingShortfall(l.Key, l.Value, 0))]);

        var policy = snapshot.Policy;
        S.Request = request;
        S.Fingerprint = fingerprint;
        S.CreatedAt = now;
        S.Fulfilments = fulfilments;
        S.EstimatedDelivery = plan.EstimatedDelivery;
        S.Status = OrderStatus.Created;
        Record("created", $"{lines.Values.Sum()} units, {request.Type.ToString().ToLowerInvariant()}, channel {request.Channel}", notify: true);
        if (ReviewReason(policy, request, S.Total) is { } why)
        {
            S.OnHold = true;
            S.HoldReason = why;
            S.ReviewDueAt = now.AddSeconds(policy.ReviewEscalateAfterSeconds);
        }

        foreach (var f in fulfilments)
        {
            f.Status = S.OnHold ? FulfilmentStatus.Held : FulfilmentStatus.Released;
            Record("allocated", $"{f.FulfilmentId} at {f.LocationId}: {Describe(f)}; {string.Join("; ", f.Reasons)}");
            _touched.Add(f.FulfilmentId);
        }

        SyncStatus(S.HoldReason);
        if (cartHeld is not null && request.CartId is { } consumed) Record("cart_consumed", $"cart {consumed}: held units converted, the rest released");
        try
        {
            await SaveAsync();
        }
        catch
        {
            // A write that timed out may still have landed: storage (re-read by SaveAsync) decides. If the order is
            // not there, its allocations go now; if it is, they are its own (and resolve as such at their deadline).
            if (!S.Exists) await ReleaseAllAsync(fulfilments);
            throw;
        }

        foreach (var f in fulfilments)
        {
            foreach (var line in f.Lines) _ = Inventory(f.LocationId, line.Sku).ConfirmAllocationAsync(f.FulfilmentId, f.Token);
        }

        OmsGrainMetrics.OrdersPlaced.Add(1);
        await AfterPlacedAsync(consumeCart: cartHeld is not null);
        return Ok(created: true);
    }

    /// <summary>
    /// What follows an order's first write, and is repeated (idempotently) when the same order is placed again, so
    /// a retry after a lost answer also repairs a step that did not happen: customer index, work queues, the cart.
    /// Failures here are logged, never answered: the order is acknowledged once it is written.
    /// </summary>
    private async Task AfterPlacedAsync(bool consumeCart)
    {
        var request = S.Request!;
        try
        {
            await GrainFactory.GetGrain<ICustomerOrdersGrain>(request.Customer.Id).AddAsync(new CustomerOrder(OrderId, S.CreatedAt, request.Channel, S.Total));
        }
        catch (Exception ex)
        {
            LogIndexFailed(ex, OrderId);
        }

        foreach (var f in S.Fulfilments) _touched.Add(f.FulfilmentId);
        await AfterCommitAsync();
        if (consumeCart && request.CartId is { } cart) await ClearCartAsync(cart);
    }

    public Task<OrderView?> GetAsync() => Task.FromResult(S.Exists ? View() : null);

    public Task<OrderResult> ApproveAsync(string note) => Guarded(() => Approve(note));

    private async Task<OrderResult> Approve(string note)
    {
        if (!S.Exists) return NotFound();
        if (!OrderRules.CanApprove(S.Status)) return InvalidState($"only an order on hold can be approved; this one is {Name(S.Status)}");
        S.OnHold = false;
        S.HoldReason = null;
        Record("approved", note);
        foreach (var f in S.Fulfilments.Where(f => f.Status == FulfilmentStatus.Held))
        {
            f.Status = FulfilmentStatus.Released;
            f.CreatedAt = clock.GetUtcNow(); // the store's acknowledgement clock starts now
            _touched.Add(f.FulfilmentId);
        }

        return await CommitAsync();
    }

    public Task<OrderResult> RejectAsync(string reason) => Guarded(() => Reject(reason));

    private async Task<OrderResult> Reject(string reason)
    {
        if (!S.Exists) return NotFound();
        if (!OrderRules.CanApprove(S.Status)) return InvalidState($"only an order on hold can be rejected; this one is {Name(S.Status)}");
        S.OnHold = false;
        Record("rejected", reason);
        CancelUnits(null);
        return await CommitAsync();
    }

    public Task<OrderResult> CancelAsync(LineQuantity[]? lines, string reason) => Guarded(() => Cancel(lines, reason));

    private async Task<OrderResult> Cancel(LineQuantity[]? lines, string reason)
    {
        if (!S.Exists) return NotFound();
        if (!OrderRules.CanCancel(S.Status)) return InvalidState($"an order that is {Name(S.Status)} can no longer be cancelled");
        if (lines is not null)
        {
            foreach (var line in lines)
            {
                var left = Cancellable().Sum(f => f.Line(line.Sku)?.Quantity ?? 0);
                if (line.Quantity > left) return InvalidState($"only {left} units of {line.Sku} can still be cancelled");
            }
        }

        var cancelled = CancelUnits(lines);
        if (cancelled == 0) return InvalidState("nothing left to cancel");
        S.OnHold = S.OnHold && S.Fulfilments.Any(f => f.Status != FulfilmentStatus.Cancelled);
        Record(lines is null ? "cancel_requested" : "lines_cancelled", $"{cancelled} units: {reason}", notify: lines is not null);
        return await CommitAsync();
    }

    public Task<OrderResult> CreateReturnAsync(ReturnLineRequest[] lines, LineQuantity[]? exchange) => Guarded(() => CreateReturn(lines, exchange));

    private async Task<OrderResult> CreateReturn(ReturnLineRequest[] lines, LineQuantity[]? exchange)
    {
        if (!S.Exists) return NotFound();
        if (!OrderRules.CanReturn(S.Status)) return InvalidState($"nothing of an order that is {Name(S.Status)} can be returned");
        var snapshot = await reference.GetAsync();
        var now = clock.GetUtcNow();
        foreach (var group in lines.GroupBy(l => l.Sku))
        {
            var returnable = S.HandedOver(group.Key) - S.ReturnedUnits(group.Key);
            var wanted = group.Sum(l => l.Quantity);
            if (wanted > returnable) return InvalidState($"only {returnable} units of {group.Key} can be returned (units count once delivered or collected)");
            var product = await GrainFactory.GetGrain<IProductGrain>(group.Key).GetAsync();
            if (RefundRules.Refuse(snapshot.Policy.Refund, S.HandedOverAt(group.Key), now, product?.Category) is { } why)
                return InvalidState($"{group.Key}: {why}");
        }

        var number = S.Returns.Count + 1;
        string? exchangeOrderId = null;
        if (exchange is { Length: > 0 })
        {
            exchangeOrderId = $"{OrderId}-x{number}";
            var replacement = S.Request! with
            {
                CartId = null,
                ExchangeFor = OrderId,
                Lines = [.. exchange.Select(l => new OrderLineRequest(l.Sku, l.Quantity, S.PriceOf(l.Sku)))],
            };
            var placed = await GrainFactory.GetGrain<IOrderGrain>(exchangeOrderId).PlaceAsync(replacement);
            if (placed.Outcome != OrderOutcome.Ok) return placed with { Detail = $"exchange order: {placed.Detail}", Order = null };
        }

        var returnId = OrderKeys.Return(OrderId, number);
        S.Returns.Add(new ReturnState
        {
            ReturnId = returnId,
            Lines = [.. lines.Select(l => new ReturnLineState { Sku = l.Sku, Quantity = l.Quantity, Reason = l.Reason })],
            CreatedAt = now,
            DueAt = now.AddSeconds(snapshot.Policy.ReturnEscalateAfterSeconds),
            ExchangeOrderId = exchangeOrderId,
        });
        Record("return_created", $"{returnId}: {string.Join(", ", lines.Select(l => $"{l.Quantity} x {l.Sku} ({l.Reason})"))}"
            + (exchangeOrderId is null ? "" : $"; exchange order {exchangeOrderId}"), notify: true);
        var result = await CommitAsync();
        return result with { CreatedId = returnId };
    }

    public Task<OrderResult> ReceiveReturnAsync(string returnId, ReceiveLine[] lines, string locationId) => Guarded(() => ReceiveReturn(returnId, lines, locationId));

    private async Task<OrderResult> ReceiveReturn(string returnId, ReceiveLine[] lines, string locationId)
    {
        if (!S.Exists || S.Return(returnId) is not { } ret) return OrderResult.Fail(OrderOutcome.NotFound, $"return '{returnId}' is not known", "returnId");
        if (ret.Status != ReturnState.AwaitingReceipt) return InvalidState($"return {returnId} was already received");
        var snapshot = await reference.GetAsync(s => s.Locations.ContainsKey(locationId));
        if (!snapshot.Locations.ContainsKey(locationId)) return OrderResult.Fail(OrderOutcome.UnknownLocation, $"location '{locationId}' is not known", "locationId");
        foreach (var group in lines.GroupBy(l => l.Sku))
        {
            var expected = ret.Lines.Where(l => l.Sku == group.Key).Sum(l => l.Quantity);
            if (expected == 0) return OrderResult.Fail(OrderOutcome.Invalid, $"{group.Key} is not in return {returnId}", "lines");
            if (group.Sum(l => l.Quantity) > expected) return OrderResult.Fail(OrderOutcome.Invalid, $"return {returnId} has only {expected} units of {group.Key}", "lines");
        }

        foreach (var group in lines.Where(l => l.Quantity > 0).GroupBy(l => (l.Sku, l.Condition)))
        {
            var units = group.Sum(l => l.Quantity);
            var damaged = group.Key.Condition == ReturnCondition.Damaged;
            await Inventory(locationId, group.Key.Sku).MoveAsync(new StockMovement(
                $"return:{returnId}:{group.Key.Sku}:{group.Key.Condition}", null, 0, units, damaged ? "damaged" : null, damaged ? units : 0));
            var line = ret.Lines.First(l => l.Sku == group.Key.Sku);
            if (damaged) line.Damaged += units;
            else line.Resellable += units;
        }

        var (refund, fee) = RefundRules.Quote(snapshot.Policy.Refund, ret.Lines.Select(l => (S.PriceOf(l.Sku), l.Resellable, l.Damaged)));
        ret.Status = ReturnState.Received;
        ret.Refund = refund;
        ret.Fee = fee;
        ret.ReceivedAtLocation = locationId;
        Record("return_received", $"{returnId} at {locationId}: {string.Join(", ", lines.Select(l => $"{l.Quantity} x {l.Sku} {Name(l.Condition)}"))}");
        Record("refunded", string.Create(CultureInfo.InvariantCulture, $"{refund:0.00} for {returnId} (restocking fee {fee:0.00})"), notify: true);
        return await CommitAsync();
    }

    public Task<OrderResult> ApplyAsync(string fulfilmentId, FulfilmentCommand command) => Guarded(() => Apply(fulfilmentId, command));

    private async Task<OrderResult> Apply(string fulfilmentId, FulfilmentCommand command)
    {
        if (!S.Exists || S.Fulfilment(fulfilmentId) is not { } f)
            return OrderResult.Fail(OrderOutcome.NotFound, $"fulfilment '{fulfilmentId}' is not known", "fulfilmentId");
        var pickup = S.Request!.Type == FulfilmentType.Pickup;
        var transfer = f.TransferTo is not null;
        if (OrderRules.Next(f.Status, command.Action, pickup, transfer) is not { } next)
            return InvalidState($"cannot {Name(command.Action)} fulfilment {fulfilmentId}: it is {Name(f.Status)}");

        var now = clock.GetUtcNow();
        string? createdId = null;
        switch (command.Action)
        {
            case FulfilmentAction.Accept:
                f.AcknowledgedAt ??= now;
                f.Status = next;
                Record("accepted", $"{fulfilmentId} at {f.LocationId}");
                break;

            case FulfilmentAction.Pick:
                if (f.Line(command.Sku!) is not { } line) return Invalid("sku", $"{command.Sku} is not in fulfilment {fulfilmentId}");
                var product = await GrainFactory.GetGrain<IProductGrain>(line.Sku).GetAsync();
                var barcode = product?.Barcode ?? line.Sku;
                if (command.Barcode != barcode) return Invalid("barcode", $"scanned '{command.Barcode}' is not the barcode of {line.Sku}");
                if (command.Quantity > line.Quantity - line.Picked)
                    return Invalid("quantity", $"only {line.Quantity - line.Picked} units of {line.Sku} are left to pick");
                line.Picked += command.Quantity;
                f.AcknowledgedAt ??= now;
                f.Status = AfterPicking(f);
                Record("picked", $"{command.Quantity} x {line.Sku} for {fulfilmentId} at {f.LocationId}");
                break;

            case FulfilmentAction.Short:
                if (f.Line(command.Sku!) is not { } shortLine) return Invalid("sku", $"{command.Sku} is not in fulfilment {fulfilmentId}");
                if (command.Quantity > shortLine.Quantity - shortLine.Picked)
                    return Invalid("quantity", $"only {shortLine.Quantity - shortLine.Picked} units of {shortLine.Sku} are not picked yet");
                f.AcknowledgedAt ??= now;
                await ShortAsync(f, shortLine, command.Quantity, command.ReasonCode ?? "unspecified");
                break;

            case FulfilmentAction.Pack:
                f.Status = next;
                Record("packed", $"{fulfilmentId} at {f.LocationId}");
                break;

            case FulfilmentAction.Ship:
                await ConsumeAsync(f, "ship");
                f.Carrier = command.Carrier;
                f.TrackingNumber = command.TrackingNumber;
                f.Status = next;
                OmsGrainMetrics.FulfilmentHours.Record((now - S.CreatedAt).TotalHours);
                Record("shipped", transfer
                    ? $"{fulfilmentId}: transfer from {f.LocationId} to {f.TransferTo} with {command.Carrier} {command.TrackingNumber}"
                    : $"{fulfilmentId} from {f.LocationId} with {command.Carrier} {command.TrackingNumber}");
                break;

            case FulfilmentAction.Ready:
                f.PickupCode = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
                f.Status = next;
                createdId = f.PickupCode;
                Record("ready_for_pickup", $"{fulfilmentId} at {f.TransferTo ?? f.LocationId}");
                break;

            case FulfilmentAction.Collect:
                if (command.PickupCode != f.PickupCode) return Invalid("pickupCode", "does not match the code given to the customer");
                if (!transfer) await ConsumeAsync(f, "collect");
                f.Status = next;
                f.HandedOverAt = now;
                OmsGrainMetrics.FulfilmentHours.Record((now - S.CreatedAt).TotalHours);
                Record("collected", $"{fulfilmentId} at {f.TransferTo ?? f.LocationId}");
                break;

            case FulfilmentAction.Deliver:
                f.Status = next;
                f.HandedOverAt = now;
                Record("delivered", $"{fulfilmentId}");
                break;

            default:
                return InvalidState($"{Name(command.Action)} is not a fulfilment step");
        }

        _touched.Add(fulfilmentId);
        var result = await CommitAsync();
        return result with { CreatedId = createdId };
    }

    public async Task EscalateFulfilmentAsync(string fulfilmentId)
    {
        if (!S.Exists || S.Fulfilment(fulfilmentId) is not { Status: FulfilmentStatus.Released, Escalated: false } f) return;
        f.Escalated = true;
        S.Escalated = true;
        OmsGrainMetrics.Escalations.Add(1);
        Record("escalated", $"{f.LocationId} has not acknowledged {fulfilmentId} since {f.CreatedAt:u}", notify: true);
        _touched.Add(fulfilmentId);
        await CommitAsync();
    }

    public Task<int> ResolveAllocationAsync(string fulfilmentId, string sku, string token) =>
        Task.FromResult(S.Exists && S.Fulfilment(fulfilmentId) is { } f && f.Token == token ? f.AllocatedUnits(sku) : 0);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == EscalationReminder) await EscalateDueAsync();
    }

    // ---- allocation -------------------------------------------------------------------------------------------

    private List<FulfilmentState> Build(IEnumerable<PlannedFulfilment> planned, int firstNumber, DateTimeOffset now)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        return [.. planned.Select((p, i) => new FulfilmentState
        {
            FulfilmentId = OrderKeys.Fulfilment(OrderId, firstNumber + i),
            LocationId = p.LocationId,
            TransferTo = p.TransferTo,
            Token = token,
            Lines = [.. p.Lines.Select(l => new FulfilmentLineState { Sku = l.Key, Quantity = l.Value })],
            CreatedAt = now,
            Reasons = p.Reasons,
        })];
    }

    /// <summary>
    /// All or nothing: every line allocated, or every one released again. A refusal answers false (not enough
    /// stock); a failed call (a silo going away) releases too and rethrows, so the caller sees 503, not 409.
    /// </summary>
    private async Task<bool> AllocateAsync(List<FulfilmentState> fulfilments, IReadOnlyDictionary<(string, string), int> keepBack, string? cartId)
    {
        var confirmBy = clock.GetUtcNow() + ConfirmWindow;
        var fromHold = cartId is null ? null : CartGrain.ReservationId(cartId);
        var calls = fulfilments.SelectMany(f => f.Lines.Select(async l =>
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
        })).ToList();
        var results = await Task.WhenAll(calls);
        if (results.All(r => r.Ok)) return true;
        await ReleaseAllAsync(fulfilments);
        if (results.FirstOrDefault(r => r.Error is not null).Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return false;
    }

    /// <summary>Best effort: what cannot be released now is released when its deadline passes and this order says 0.</summary>
    private async Task ReleaseAllAsync(IEnumerable<FulfilmentState> fulfilments)
    {
        try
        {
            await Task.WhenAll(fulfilments.SelectMany(f => f.Lines.Select(l => Inventory(f.LocationId, l.Sku).ReleaseAllocationAsync(f.FulfilmentId, 0))));
        }
        catch (Exception ex)
        {
            LogReleaseFailed(ex, OrderId);
        }
    }

    /// <summary>Lowers the allocations of fulfilments changed by the last write to what they now hold.</summary>
    private async Task FlushReleasesAsync()
    {
        if (S.PendingReleases.Count == 0) return;
        var pending = S.PendingReleases.Select(S.Fulfilment).OfType<FulfilmentState>().ToList();
        await Task.WhenAll(pending.SelectMany(f => f.Lines.Select(l => Inventory(f.LocationId, l.Sku).ReleaseAllocationAsync(f.FulfilmentId, f.AllocatedUnits(l.Sku)))));
        S.PendingReleases.Clear(); // persisted with the next write; releasing again is harmless
    }

    private async Task ConsumeAsync(FulfilmentState f, string step)
    {
        await Task.WhenAll(f.Lines.Where(l => l.Quantity > 0).Select(l => Inventory(f.LocationId, l.Sku).MoveAsync(
            new StockMovement($"{step}:{f.FulfilmentId}:{l.Sku}", f.FulfilmentId, -l.Quantity, -l.Quantity, null, 0))));
    }

    /// <summary>
    /// Short pick: the missing units come off the allocation and are marked unavailable at the location; then they
    /// are sourced again, never from a location that already came up short for this SKU; what cannot be sourced is
    /// cancelled.
    /// </summary>
    private async Task ShortAsync(FulfilmentState f, FulfilmentLineState line, int units, string reasonCode)
    {
        f.Shorts++;
        await Inventory(f.LocationId, line.Sku).MoveAsync(
            new StockMovement($"short:{f.FulfilmentId}:{line.Sku}:{f.Shorts}", f.FulfilmentId, -units, 0, "short-pick", units));
        line.Quantity -= units;
        line.Shorted += units;
        if (!S.ShortAt.TryGetValue(line.Sku, out var shortAt)) S.ShortAt[line.Sku] = shortAt = [];
        if (!shortAt.Contains(f.LocationId)) shortAt.Add(f.LocationId);
        f.Status = AfterPicking(f);
        Record("short_picked", $"{units} x {line.Sku} at {f.LocationId} ({reasonCode}): marked unavailable there");

        var snapshot = await reference.GetAsync();
        var sourced = 0;
        if (snapshot.Channels.ContainsKey(S.Request!.Channel))
        {
            var result = await sourcing.PlanAsync(snapshot, S.Request, new Dictionary<string, int> { [line.Sku] = units }, null, shortAt.ToHashSet());
            var added = Build(result.Plan.Fulfilments, S.Fulfilments.Count + 1, clock.GetUtcNow());
            if (added.Count > 0 && await AllocateAsync(added, result.KeepBack, null))
            {
                foreach (var n in added)
                {
                    n.Status = S.OnHold ? FulfilmentStatus.Held : FulfilmentStatus.Released;
                    S.Fulfilments.Add(n);
                    _touched.Add(n.FulfilmentId);
                    sourced += n.Lines.Sum(l => l.Quantity);
                    Record("resourced", $"{Describe(n)} to {n.LocationId} as {n.FulfilmentId}; {string.Join("; ", n.Reasons)}");
                }
            }
        }

        if (sourced < units)
        {
            S.Cancelled[line.Sku] = S.Cancelled.GetValueOrDefault(line.Sku) + units - sourced;
            Record("lines_cancelled", $"{units - sourced} x {line.Sku}: no other location can supply them", notify: true);
        }
    }

    private static FulfilmentStatus AfterPicking(FulfilmentState f) =>
        f.Lines.All(l => l.Quantity == 0) ? FulfilmentStatus.Cancelled
        : f.Lines.All(l => l.Picked >= l.Quantity) ? FulfilmentStatus.Picked
        : FulfilmentStatus.Picking;

    private IEnumerable<FulfilmentState> Cancellable() => S.Fulfilments
        .Where(f => OrderRules.Cancellable(f.Status, f.TransferTo is not null))
        .OrderBy(f => f.Status)
        .ThenByDescending(f => f.FulfilmentId.Length)
        .ThenByDescending(f => f.FulfilmentId, StringComparer.Ordinal);

    /// <summary>Takes units off cancellable fulfilments, least progressed first (all when <paramref name="lines"/> is null).</summary>
    private int CancelUnits(LineQuantity[]? lines)
    {
        var wanted = lines?.GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var total = 0;
        foreach (var f in Cancellable().ToList())
        {
            foreach (var line in f.Lines)
            {
                var take = wanted is null ? line.Quantity : Math.Min(line.Quantity, wanted.GetValueOrDefault(line.Sku));
                if (take <= 0) continue;
                if (wanted is not null) wanted[line.Sku] -= take;
                line.Quantity -= take;
                line.Cancelled += take;
                line.Picked = Math.Min(line.Picked, line.Quantity);
                S.Cancelled[line.Sku] = S.Cancelled.GetValueOrDefault(line.Sku) + take;
                total += take;
                if (!S.PendingReleases.Contains(f.FulfilmentId)) S.PendingReleases.Add(f.FulfilmentId);
                _touched.Add(f.FulfilmentId);
            }

            if (f.Lines.All(l => l.Quantity == 0)) f.Status = FulfilmentStatus.Cancelled;
            else if (f.Status is FulfilmentStatus.Picking) f.Status = AfterPicking(f);
        }

        return total;
    }

    // ---- persistence, timeline, outbox ------------------------------------------------------------------------

    /// <summary>
    /// A command that fails half-way (a call to another grain throws) may have changed the in-memory state: storage
    /// is the truth again, so a retry starts from what was persisted (and its stock movements, keyed by what was
    /// persisted, apply once).
    /// </summary>
    private async Task<OrderResult> Guarded(Func<Task<OrderResult>> command)
    {
        try
        {
            return await command();
        }
        catch
        {
            _touched.Clear();
            await ReloadAsync();
            throw;
        }
    }

    private async Task<OrderResult> CommitAsync()
    {
        SyncStatus(null);
        await SaveAsync();
        await AfterCommitAsync();
        return Ok();
    }

    private async Task SaveAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Storage is the truth: forget the change that may not have landed.
            _touched.Clear();
            await ReloadAsync();
            throw;
        }
    }

    /// <summary>Takes storage as the truth; if even reading fails, this activation forgets everything and goes away.</summary>
    private async Task ReloadAsync()
    {
        try
        {
            await state.ReadStateAsync();
            if (!state.RecordExists) state.State = new OrderState();
        }
        catch
        {
            state.State = new OrderState();
            DeactivateOnIdle();
        }
    }

    /// <summary>After a write: release lowered allocations, update the work queues, publish notifications.</summary>
    private async Task AfterCommitAsync()
    {
        try
        {
            await FlushReleasesAsync();
        }
        catch (Exception ex)
        {
            LogReleaseFailed(ex, OrderId);
        }

        var touched = _touched.Select(S.Fulfilment).OfType<FulfilmentState>().Where(f => f.Status != FulfilmentStatus.Held).ToList();
        _touched.Clear();
        try
        {
            await Task.WhenAll(touched.SelectMany(f =>
            {
                var view = View(f);
                var queues = new List<Task> { GrainFactory.GetGrain<ILocationQueueGrain>(f.LocationId).UpsertAsync(view) };
                if (f.TransferTo is { } store) queues.Add(GrainFactory.GetGrain<ILocationQueueGrain>(store).UpsertAsync(view));
                return queues;
            }));
        }
        catch (Exception ex)
        {
            LogQueueFailed(ex, OrderId);
        }

        await PublishAsync();
        await ScheduleEscalationAsync();
    }

    /// <summary>At least once: events not yet handed over go out after each write and on activation.</summary>
    private async Task PublishAsync()
    {
        while (S.PublishedEvents < S.Events.Count)
        {
            try
            {
                await _events!.OnNextAsync(S.Events[S.PublishedEvents]);
                S.PublishedEvents++;
            }
            catch (Exception ex)
            {
                LogPublishFailed(ex, OrderId);
                return;
            }
        }
    }

    private void Record(string @event, string detail, bool notify = false)
    {
        var now = clock.GetUtcNow();
        S.Timeline.Add(new TimelineEntry(now, @event, detail));
        if (notify) Notify(@event, detail, now);
    }

    private void Notify(string type, string detail, DateTimeOffset at) =>
        S.Events.Add(new OrderEvent($"{OrderId}:{S.Events.Count + 1}", OrderId, $"order.{type}", at, S.Request?.Customer.Email, detail));

    /// <summary>Derives the status; a change goes on the timeline and out as a customer notification.</summary>
    private void SyncStatus(string? detail)
    {
        var handedOver = S.Request!.Lines.Select(l => l.Sku).Distinct().Sum(S.HandedOver);
        var received = S.Returns.Where(r => r.Status == ReturnState.Received).Sum(r => r.Lines.Sum(l => l.Resellable + l.Damaged));
        var status = OrderRules.Derive(
            S.OnHold,
            [.. S.Fulfilments.Select(f => (f.Status, f.TransferTo is not null))],
            S.Cancelled.Values.Any(v => v > 0),
            handedOver > 0 && received >= handedOver);
        if (status == S.Status) return;
        S.Status = status;
        Record(Name(status), detail ?? $"order is {Name(status).Replace('_', ' ')}", notify: true);
    }

    // ---- escalation -------------------------------------------------------------------------------------------

    private DateTimeOffset? NextEscalation()
    {
        DateTimeOffset? next = S.OnHold && !S.Escalated ? S.ReviewDueAt : null;
        foreach (var r in S.Returns.Where(r => r.Status == ReturnState.AwaitingReceipt && !r.Escalated))
        {
            if (next is null || r.DueAt < next) next = r.DueAt;
        }

        return next;
    }

    private async Task EscalateDueAsync()
    {
        if (!S.Exists) return;
        var now = clock.GetUtcNow();
        var changed = false;
        if (S.OnHold && !S.Escalated && S.ReviewDueAt <= now)
        {
            S.Escalated = true;
            Record("escalated", $"fraud review waiting since {S.CreatedAt:u}: {S.HoldReason}", notify: true);
            changed = true;
        }

        foreach (var r in S.Returns.Where(r => r.Status == ReturnState.AwaitingReceipt && !r.Escalated && r.DueAt <= now))
        {
            r.Escalated = true;
            S.Escalated = true;
            Record("escalated", $"return {r.ReturnId} not received and checked since {r.CreatedAt:u}", notify: true);
            changed = true;
        }

        if (changed)
        {
            OmsGrainMetrics.Escalations.Add(1);
            await SaveAsync();
            await AfterCommitAsync();
        }
        else
        {
            _escalationDue = null;
            await ScheduleEscalationAsync();
        }
    }

    /// <summary>A timer for the exact moment while active; a reminder (every minute) brings the order back after a restart.</summary>
    private async Task ScheduleEscalationAsync()
    {
        var next = NextEscalation();
        if (next != _escalationDue)
        {
            _escalationTimer?.Dispose();
            _escalationTimer = null;
            _escalationDue = next;
            if (next is { } due)
            {
                var wait = due - clock.GetUtcNow() + TimeSpan.FromMilliseconds(20);
                _escalationTimer = this.RegisterGrainTimer(
                    static (grain, _) => grain.EscalateDueAsync(), this,
                    new GrainTimerCreationOptions(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan));
            }
        }

        try
        {
            if (next is not null && !_reminderOn)
            {
                await this.RegisterOrUpdateReminder(EscalationReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
                _reminderOn = true;
            }
            else if (next is null && _reminderOn)
            {
                if (await this.GetReminder(EscalationReminder) is { } reminder) await this.UnregisterReminder(reminder);
                _reminderOn = false;
            }
        }
        catch (Exception ex)
        {
            LogReminderFailed(ex, OrderId);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static string? ReviewReason(OrderPolicy policy, OrderRequest request, decimal total)
    {
        if (policy.FlaggedCustomers.Contains(request.Customer.Id, StringComparer.Ordinal)) return $"customer {request.Customer.Id} is flagged for review";
        return total > policy.ReviewAbove
            ? string.Create(CultureInfo.InvariantCulture, $"order value {total:0.00} is above the review threshold {policy.ReviewAbove:0.00}")
            : null;
    }

    private async Task<Dictionary<(string, string), int>?> CartHeldAsync(string cartId, string channel)
    {
        var cart = await GrainFactory.GetGrain<ICartGrain>(cartId).GetAsync();
        if (cart is null || cart.Channel != channel) return null;
        return cart.Lines.SelectMany(l => l.Reservations.Select(r => (Key: (r.LocationId, l.Sku), r.Quantity)))
            .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => g.Sum(x => x.Quantity));
    }

    /// <summary>The converted holds are gone; this releases what the order did not take.</summary>
    private async Task ClearCartAsync(string cartId)
    {
        try
        {
            await GrainFactory.GetGrain<ICartGrain>(cartId).ClearAsync();
        }
        catch (Exception ex)
        {
            // The rest expires with the cart.
            LogCartFailed(ex, OrderId, cartId);
        }
    }

    private IInventoryGrain Inventory(string locationId, string sku) => GrainFactory.GetGrain<IInventoryGrain>(InventoryKey.For(locationId, sku));

    private OrderResult Refused(SourcingShortfall[] shortfalls)
    {
        OmsGrainMetrics.OrdersRefused.Add(1);
        var detail = string.Join("; ", shortfalls.Select(s => $"{s.Sku}: {s.Sourced} of {s.Requested} available"));
        return new OrderResult(OrderOutcome.InsufficientStock, null, $"not enough stock: {detail}", shortfalls);
    }

    private OrderResult Ok(bool created = false) => new(OrderOutcome.Ok, View(), null, [], created);

    private OrderResult NotFound() => OrderResult.Fail(OrderOutcome.NotFound, $"order '{OrderId}' is not known", "orderId");

    private OrderResult InvalidState(string detail) => new(OrderOutcome.InvalidState, S.Exists ? View() : null, detail, []);

    private static OrderResult Invalid(string field, string detail) => OrderResult.Fail(OrderOutcome.Invalid, detail, field);

    private static string Describe(FulfilmentState f) => string.Join(", ", f.Lines.Select(l => $"{l.Quantity} x {l.Sku}"));

    private static string Name<T>(T value) where T : Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private OrderView View()
    {
        var r = S.Request!;
        return new OrderView(
            OrderId, S.Status, r.Channel, r.Customer, r.Type, r.PickupLocationId,
            [.. r.Lines.Select(l => new OrderLineView(l.Sku, l.Quantity, l.UnitPrice, S.Cancelled.GetValueOrDefault(l.Sku), S.ReturnedUnits(l.Sku)))],
            [.. S.Fulfilments.Select(View)],
            [.. S.Returns.Select(x => new ReturnView(
                x.ReturnId, OrderId, x.Status,
                [.. x.Lines.Select(l => new ReturnLineView(l.Sku, l.Quantity, l.Reason, l.Resellable, l.Damaged))],
                x.Refund, x.Fee, x.ReceivedAtLocation, x.CreatedAt, x.ExchangeOrderId, x.Escalated))],
            [.. S.Timeline], [.. S.Events], S.CreatedAt, S.EstimatedDelivery, S.Total, r.CartId, r.ExchangeFor, S.Escalated, S.HoldReason);
    }

    private FulfilmentView View(FulfilmentState f) => new(
        f.FulfilmentId, OrderId, f.LocationId, S.Request!.Type, f.Status,
        [.. f.Lines.Select(l => new FulfilmentLineView(l.Sku, l.Quantity, l.Picked, l.Shorted, l.Cancelled))],
        f.TransferTo, f.Carrier, f.TrackingNumber, f.PickupCode,
        f.PickupCode is null ? null : $"OMS-PICKUP:{f.FulfilmentId}:{f.PickupCode}",
        f.CreatedAt, f.AcknowledgedAt, f.Escalated, f.Reasons);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Allocating {LocationId}/{Sku} for order {OrderId} failed")]
    private partial void LogAllocationFailed(Exception ex, string orderId, string locationId, string sku);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing allocations of order {OrderId} failed; they are released when their deadline passes or the order is next active")]
    private partial void LogReleaseFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the work queues for order {OrderId} failed")]
    private partial void LogQueueFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing events of order {OrderId} failed; they go out after the next change or activation")]
    private partial void LogPublishFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalation reminder of order {OrderId} could not be changed")]
    private partial void LogReminderFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} could not be added to its customer's index; a retry of the order adds it")]
    private partial void LogIndexFailed(Exception ex, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} could not clear cart {CartId}")]
    private partial void LogCartFailed(Exception ex, string orderId, string cartId);
}
