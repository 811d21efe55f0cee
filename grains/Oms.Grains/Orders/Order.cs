using System.Globalization;
using System.Text.Json;
using Oms.GrainInterfaces;
using Oms.GrainInterfaces.Carriers;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Carriers;

namespace Oms.Grains.Orders;

/// <summary>
/// The order aggregate, pure (docs/decisions/0008): every decision about one order over its <see cref="OrderState"/>.
/// Each command checks the state machine (<see cref="OrderRules"/>), changes the state, records the timeline and the
/// customer notifications, derives the status, and answers an <see cref="OrderDecision"/>: refused (nothing changed)
/// or done, with the <see cref="OrderEffect"/>s its grain must perform. Time and anything random come in as arguments.
/// </summary>
public sealed class Order(string orderId, OrderState state)
{
    public string Id => orderId;

    public OrderState State => state;

    public bool Exists => state.Exists;

    // ---- placing ----------------------------------------------------------------------------------------------

    /// <summary>The same order placed again: null when it is new; done (every queue shown again) or a conflict.</summary>
    public OrderDecision? Replay(string fingerprint)
    {
        if (!Exists) return null;
        if (state.Fingerprint != fingerprint) return OrderDecision.Refuse(OrderOutcome.Conflict, $"order '{orderId}' already exists with a different request", "orderId");
        return OrderDecision.Done([.. state.Fulfilments.Where(f => f.Status != FulfilmentStatus.Held).Select(f => new QueueUpsert(f.FulfilmentId))]);
    }

    /// <summary>Fulfilments for a plan, numbered after the ones the order has; one allocation token for the attempt.</summary>
    public List<FulfilmentState> NewFulfilments(IEnumerable<PlannedFulfilment> planned, string token, DateTimeOffset now) =>
        [.. planned.Select((p, i) => new FulfilmentState
        {
            FulfilmentId = OrderKeys.Fulfilment(orderId, state.Fulfilments.Count + 1 + i),
            LocationId = p.LocationId,
            TransferTo = p.TransferTo,
            Token = token,
            Lines = [.. p.Lines.Select(l => new FulfilmentLineState { Sku = l.Key, Quantity = l.Value })],
            CreatedAt = now,
            Reasons = p.Reasons,
        })];

    /// <summary>Why the order waits for a fraud review; null when it does not.</summary>
    public static string? ReviewReason(OrderPolicy policy, OrderRequest request)
    {
        if (policy.FlaggedCustomers.Contains(request.Customer.Id, StringComparer.Ordinal)) return $"customer {request.Customer.Id} is flagged for review";
        var total = request.Lines.Sum(l => l.UnitPrice * l.Quantity);
        return total > policy.ReviewAbove
            ? string.Create(CultureInfo.InvariantCulture, $"order value {total:0.00} is above the review threshold {policy.ReviewAbove:0.00}")
            : null;
    }

    /// <summary>Records a sourced and allocated order: held for review when the policy says so, else released.</summary>
    public OrderDecision Place(
        OrderRequest request, string fingerprint, IReadOnlyList<FulfilmentState> fulfilments, DateTimeOffset? estimatedDelivery,
        OrderPolicy policy, bool cartConsumed, DateTimeOffset now)
    {
        if (Exists) return Replay(fingerprint)!;
        state.Request = request;
        state.Fingerprint = fingerprint;
        state.CreatedAt = now;
        state.Fulfilments = [.. fulfilments];
        state.EstimatedDelivery = estimatedDelivery;
        state.Status = OrderStatus.Created;
        Record(now, "created", $"{request.Lines.Sum(l => l.Quantity)} units, {request.Type.ToString().ToLowerInvariant()}, channel {request.Channel}", notify: true);
        if ((ReviewReason(policy, request) ?? (policy.HoldUntilPaid ? AwaitingPayment : null)) is { } why)
        {
            state.OnHold = true;
            state.HoldReason = why;
            state.ReviewDueAt = now.AddSeconds(policy.ReviewEscalateAfterSeconds);
        }

        foreach (var f in state.Fulfilments)
        {
            f.Status = state.OnHold ? FulfilmentStatus.Held : FulfilmentStatus.Released;
            Record(now, "allocated", $"{f.FulfilmentId} at {f.LocationId}: {Describe(f)}; {string.Join("; ", f.Reasons)}");
        }

        SyncStatus(now, state.HoldReason);
        if (cartConsumed) Record(now, "cart_consumed", $"cart {request.CartId}: held units converted, the rest released");
        return Done([], state.Fulfilments.Select(f => f.FulfilmentId));
    }

    // ---- review -----------------------------------------------------------------------------------------------

    /// <summary>Whether <paramref name="command"/> may run now: done, or not found / invalid state.</summary>
    public OrderDecision Allows(OrderCommand command)
    {
        if (!Exists) return OrderDecision.Refuse(OrderOutcome.NotFound, $"order '{orderId}' is not known", "orderId");
        if (OrderRules.Allows(state.Status, command)) return OrderDecision.Unchanged;
        var status = Name(state.Status);
        return OrderDecision.InvalidState(command switch
        {
            OrderCommand.Approve => $"only an order on hold can be approved; this one is {status}",
            OrderCommand.Reject => $"only an order on hold can be rejected; this one is {status}",
            OrderCommand.Cancel => $"an order that is {status} can no longer be cancelled",
            _ => $"nothing of an order that is {status} can be returned",
        });
    }

    /// <summary>The review passed: held fulfilments are released, and the store's acknowledgement clock starts now.</summary>
    public OrderDecision Approve(string note, DateTimeOffset now)
    {
        if (Allows(OrderCommand.Approve) is { Ok: false } no) return no;
        Record(now, "approved", note);
        return Finish(now, [], ReleaseHeld(now));
    }

    /// <summary>Leaves the hold: held fulfilments are released, and the store's acknowledgement clock starts now.</summary>
    private List<string> ReleaseHeld(DateTimeOffset now)
    {
        state.OnHold = false;
        state.HoldReason = null;
        var released = new List<string>();
        foreach (var f in state.Fulfilments)
        {
            if (OrderRules.Next(f.Status, FulfilmentAction.Release, Pickup, f.TransferTo is not null) is not { } next) continue;
            f.Status = next;
            f.CreatedAt = now;
            released.Add(f.FulfilmentId);
        }

        return released;
    }

    /// <summary>The review failed: everything is cancelled and its allocations released.</summary>
    public OrderDecision Reject(string reason, DateTimeOffset now)
    {
        if (Allows(OrderCommand.Reject) is { Ok: false } no) return no;
        state.OnHold = false;
        Record(now, "rejected", reason);
        var touched = CancelUnits(null, out _);
        return Finish(now, [], touched);
    }

    // ---- cancel -----------------------------------------------------------------------------------------------

    /// <summary>
    /// Cancels the given units (all when <paramref name="lines"/> is null) that have not left, least progressed
    /// fulfilments first; what they held goes to <see cref="PendingReleases"/>.
    /// </summary>
    public OrderDecision Cancel(LineQuantity[]? lines, string reason, DateTimeOffset now)
    {
        if (Allows(OrderCommand.Cancel) is { Ok: false } no) return no;
        foreach (var line in lines?.GroupBy(l => l.Sku).Select(g => new LineQuantity(g.Key, g.Sum(l => l.Quantity))) ?? [])
        {
            var left = Cancellable().Sum(f => f.Line(line.Sku)?.Quantity ?? 0);
            if (line.Quantity > left) return OrderDecision.InvalidState($"only {left} units of {line.Sku} can still be cancelled");
        }

        var touched = CancelUnits(lines, out var cancelled);
        if (cancelled == 0) return OrderDecision.InvalidState("nothing left to cancel");
        state.OnHold = state.OnHold && state.Fulfilments.Any(f => f.Status != FulfilmentStatus.Cancelled);
        Record(now, lines is null ? "cancel_requested" : "lines_cancelled", $"{cancelled} units: {reason}", notify: lines is not null);
        return Finish(now, [], touched);
    }

    /// <summary>Allocations lowered by a persisted change and perhaps not released yet: each to what its fulfilment still holds.</summary>
    public IReadOnlyList<ReleaseAllocation> PendingReleases() =>
        [.. state.PendingReleases.Select(state.Fulfilment).OfType<FulfilmentState>()
            .SelectMany(f => f.Lines.Select(l => new ReleaseAllocation(f.LocationId, l.Sku, f.FulfilmentId, f.AllocatedUnits(l.Sku))))];

    /// <summary>The releases were done; forgotten with the next write (releasing again is harmless).</summary>
    public void Released() => state.PendingReleases.Clear();

    private IEnumerable<FulfilmentState> Cancellable() => state.Fulfilments
        .Where(f => OrderRules.Cancellable(f.Status, f.TransferTo is not null))
        .OrderBy(f => f.Status)
        .ThenByDescending(f => f.FulfilmentId.Length)
        .ThenByDescending(f => f.FulfilmentId, StringComparer.Ordinal);

    private List<string> CancelUnits(LineQuantity[]? lines, out int total)
    {
        var wanted = lines?.GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var touched = new List<string>();
        total = 0;
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
                state.Cancelled[line.Sku] = state.Cancelled.GetValueOrDefault(line.Sku) + take;
                total += take;
                if (!state.PendingReleases.Contains(f.FulfilmentId)) state.PendingReleases.Add(f.FulfilmentId);
                if (!touched.Contains(f.FulfilmentId)) touched.Add(f.FulfilmentId);
            }

            if (f.Lines.All(l => l.Quantity == 0)) f.Status = OrderRules.Next(f.Status, FulfilmentAction.Cancel, Pickup, f.TransferTo is not null) ?? f.Status;
            else if (f.Status is FulfilmentStatus.Picking) f.Status = OrderRules.WhilePicking(Counts(f));
        }

        return touched;
    }

    // ---- fulfilment steps -------------------------------------------------------------------------------------

    /// <summary>Whether a pick would be checked against <paramref name="sku"/>'s barcode (so the grain looks it up).</summary>
    public bool Has(string fulfilmentId, string? sku) => sku is not null && state.Fulfilment(fulfilmentId)?.Line(sku) is not null;

    /// <summary>
    /// A step by staff or the carrier. <paramref name="barcode"/>: the product's barcode for a pick (null: it has none,
    /// the SKU is scanned); <paramref name="pickupCode"/>: the code a ready fulfilment gets. A short pick is finished
    /// by <see cref="Resourced"/> once the grain has sourced its <see cref="Resource"/> again.
    /// </summary>
    public OrderDecision Apply(string fulfilmentId, FulfilmentCommand command, DateTimeOffset now, string? barcode = null, string? pickupCode = null)
    {
        if (!Exists || state.Fulfilment(fulfilmentId) is not { } f)
            return OrderDecision.Refuse(OrderOutcome.NotFound, $"fulfilment '{fulfilmentId}' is not known", "fulfilmentId");
        var transfer = f.TransferTo is not null;
        if (OrderRules.Next(f.Status, command.Action, Pickup, transfer) is not { } next)
            return OrderDecision.InvalidState($"cannot {Name(command.Action)} fulfilment {fulfilmentId}: it is {Name(f.Status)}");

        List<OrderEffect> effects = [];
        string? createdId = null;
        switch (command.Action)
        {
            case FulfilmentAction.Accept:
                f.AcknowledgedAt ??= now;
                f.Status = next;
                Record(now, "accepted", $"{fulfilmentId} at {f.LocationId}");
                break;

            case FulfilmentAction.Pick:
                if (f.Line(command.Sku!) is not { } line) return Invalid("sku", $"{command.Sku} is not in fulfilment {fulfilmentId}");
                if (command.Barcode != (barcode ?? line.Sku)) return Invalid("barcode", $"scanned '{command.Barcode}' is not the barcode of {line.Sku}");
                if (command.Quantity > line.Quantity - line.Picked)
                    return Invalid("quantity", $"only {line.Quantity - line.Picked} units of {line.Sku} are left to pick");
                line.Picked += command.Quantity;
                f.AcknowledgedAt ??= now;
                f.Status = OrderRules.WhilePicking(Counts(f));
                Record(now, "picked", $"{command.Quantity} x {line.Sku} for {fulfilmentId} at {f.LocationId}");
                break;

            case FulfilmentAction.Short:
                if (f.Line(command.Sku!) is not { } shortLine) return Invalid("sku", $"{command.Sku} is not in fulfilment {fulfilmentId}");
                if (command.Quantity > shortLine.Quantity - shortLine.Picked)
                    return Invalid("quantity", $"only {shortLine.Quantity - shortLine.Picked} units of {shortLine.Sku} are not picked yet");
                f.AcknowledgedAt ??= now;
                return Short(f, shortLine, command.Quantity, command.ReasonCode ?? "unspecified", now);

            case FulfilmentAction.Pack:
                f.Status = next;
                Record(now, "packed", $"{fulfilmentId} at {f.LocationId}");
                break;

            case FulfilmentAction.Ship:
                effects.AddRange(Consume(f, "ship"));
                f.Carrier = command.Carrier;
                f.TrackingNumber = command.TrackingNumber;
                f.Status = next;
                effects.Add(new FulfilmentTime((now - state.CreatedAt).TotalHours));
                Record(now, "shipped", transfer
                    ? $"{fulfilmentId}: transfer from {f.LocationId} to {f.TransferTo} with {command.Carrier} {command.TrackingNumber}"
                    : $"{fulfilmentId} from {f.LocationId} with {command.Carrier} {command.TrackingNumber}");
                break;

            case FulfilmentAction.Ready:
                f.PickupCode = pickupCode ?? throw new ArgumentNullException(nameof(pickupCode), "a ready fulfilment needs its pickup code");
                f.Status = next;
                createdId = f.PickupCode;
                Record(now, "ready_for_pickup", $"{fulfilmentId} at {f.TransferTo ?? f.LocationId}");
                break;

            case FulfilmentAction.Collect:
                if (command.PickupCode != f.PickupCode) return Invalid("pickupCode", "does not match the code given to the customer");
                if (!transfer) effects.AddRange(Consume(f, "collect"));
                f.Status = next;
                f.HandedOverAt = now;
                effects.Add(new FulfilmentTime((now - state.CreatedAt).TotalHours));
                Record(now, "collected", $"{fulfilmentId} at {f.TransferTo ?? f.LocationId}");
                break;

            case FulfilmentAction.Deliver:
                f.Status = next;
                f.HandedOverAt = now;
                Record(now, "delivered", $"{fulfilmentId}");
                break;

            default:
                return OrderDecision.InvalidState($"{Name(command.Action)} is not a fulfilment step");
        }

        return Finish(now, effects, [fulfilmentId], createdId);
    }

    /// <summary>
    /// Short pick: the missing units come off the allocation and are marked unavailable at the location; they are to
    /// be sourced again, never from a location that already came up short for this SKU.
    /// </summary>
    private OrderDecision Short(FulfilmentState f, FulfilmentLineState line, int units, string reasonCode, DateTimeOffset now)
    {
        f.Shorts++;
        line.Quantity -= units;
        line.Shorted += units;
        if (!state.ShortAt.TryGetValue(line.Sku, out var shortAt)) state.ShortAt[line.Sku] = shortAt = [];
        if (!shortAt.Contains(f.LocationId)) shortAt.Add(f.LocationId);
        f.Status = OrderRules.WhilePicking(Counts(f));
        Record(now, "short_picked", $"{units} x {line.Sku} at {f.LocationId} ({reasonCode}): marked unavailable there");
        return new OrderDecision(OrderOutcome.Ok, null, null,
        [
            new MoveStock(f.LocationId, line.Sku, new StockMovement($"short:{f.FulfilmentId}:{line.Sku}:{f.Shorts}", f.FulfilmentId, -units, 0, "short-pick", units)),
            new Resource(f.FulfilmentId, line.Sku, units, shortAt.ToHashSet(StringComparer.Ordinal)),
            new QueueUpsert(f.FulfilmentId),
        ]);
    }

    /// <summary>
    /// Finishes a short pick: the fulfilments that took the units elsewhere (allocated) join the order; what none
    /// could take is cancelled.
    /// </summary>
    public OrderDecision Resourced(Resource need, IReadOnlyList<FulfilmentState> added, DateTimeOffset now)
    {
        var sourced = 0;
        foreach (var n in added)
        {
            n.Status = state.OnHold ? FulfilmentStatus.Held : FulfilmentStatus.Released;
            state.Fulfilments.Add(n);
            sourced += n.Lines.Sum(l => l.Quantity);
            Record(now, "resourced", $"{Describe(n)} to {n.LocationId} as {n.FulfilmentId}; {string.Join("; ", n.Reasons)}");
        }

        if (sourced < need.Units)
        {
            state.Cancelled[need.Sku] = state.Cancelled.GetValueOrDefault(need.Sku) + need.Units - sourced;
            Record(now, "lines_cancelled", $"{need.Units - sourced} x {need.Sku}: no other location can supply them", notify: true);
        }

        return Finish(now, [], added.Select(n => n.FulfilmentId));
    }

    private static IEnumerable<MoveStock> Consume(FulfilmentState f, string step) => f.Lines.Where(l => l.Quantity > 0).Select(l =>
        new MoveStock(f.LocationId, l.Sku, new StockMovement($"{step}:{f.FulfilmentId}:{l.Sku}", f.FulfilmentId, -l.Quantity, -l.Quantity, null, 0)));

    private static IEnumerable<(int Quantity, int Picked)> Counts(FulfilmentState f) => f.Lines.Select(l => (l.Quantity, l.Picked));

    /// <summary>What an inventory grain asking about a provisional allocation is told (docs/decisions/0006): 0 unless this order holds it.</summary>
    public int AllocatedUnits(string fulfilmentId, string sku, string token) =>
        Exists && state.Fulfilment(fulfilmentId) is { } f && f.Token == token ? f.AllocatedUnits(sku) : 0;

    // ---- returns ----------------------------------------------------------------------------------------------

    /// <summary>Units of a SKU that can still be returned: handed over and not returned yet.</summary>
    public int Returnable(string sku) => state.HandedOver(sku) - state.ReturnedUnits(sku);

    /// <summary>
    /// Whether these lines may be returned now: only what reached the customer, within the window, not in a
    /// non-returnable category (<paramref name="categories"/> by SKU, null when unknown).
    /// </summary>
    public OrderDecision CheckReturn(ReturnLineRequest[] lines, RefundPolicy policy, IReadOnlyDictionary<string, string?> categories, DateTimeOffset now)
    {
        if (Allows(OrderCommand.Return) is { Ok: false } no) return no;
        foreach (var group in lines.GroupBy(l => l.Sku))
        {
            var returnable = Returnable(group.Key);
            if (group.Sum(l => l.Quantity) > returnable)
                return OrderDecision.InvalidState($"only {returnable} units of {group.Key} can be returned (units count once delivered or collected)");
            if (RefundRules.Refuse(policy, state.HandedOverAt(group.Key), now, categories.GetValueOrDefault(group.Key)) is { } why)
                return OrderDecision.InvalidState($"{group.Key}: {why}");
        }

        return OrderDecision.Unchanged;
    }

    /// <summary>The id the exchange order of the next return gets.</summary>
    public string NextExchangeOrderId() => $"{orderId}-x{state.Returns.Count + 1}";

    /// <summary>The replacement order for an exchange: the same customer and fulfilment, at the original prices.</summary>
    public OrderRequest ExchangeRequest(LineQuantity[] exchange) => state.Request! with
    {
        CartId = null,
        ExchangeFor = orderId,
        Lines = [.. exchange.Select(l => new OrderLineRequest(l.Sku, l.Quantity, state.PriceOf(l.Sku)))],
    };

    /// <summary>Opens a return (checked by <see cref="CheckReturn"/>) awaiting receipt; CreatedId = its id.</summary>
    public OrderDecision OpenReturn(ReturnLineRequest[] lines, IReadOnlyDictionary<string, string?> categories, string? exchangeOrderId, OrderPolicy policy, DateTimeOffset now)
    {
        if (CheckReturn(lines, policy.Refund, categories, now) is { Ok: false } no) return no;
        var returnId = OrderKeys.Return(orderId, state.Returns.Count + 1);
        state.Returns.Add(new ReturnState
        {
            ReturnId = returnId,
            Lines = [.. lines.Select(l => new ReturnLineState { Sku = l.Sku, Quantity = l.Quantity, Reason = l.Reason })],
            CreatedAt = now,
            DueAt = now.AddSeconds(policy.ReturnEscalateAfterSeconds),
            ExchangeOrderId = exchangeOrderId,
        });
        Record(now, "return_created", $"{returnId}: {string.Join(", ", lines.Select(l => $"{l.Quantity} x {l.Sku} ({l.Reason})"))}"
            + (exchangeOrderId is null ? "" : $"; exchange order {exchangeOrderId}"), notify: true);
        return Finish(now, [], [], returnId);
    }

    /// <summary>Whether the return exists and still waits for its receipt.</summary>
    public OrderDecision CheckReceive(string returnId)
    {
        if (!Exists || state.Return(returnId) is not { } ret) return OrderDecision.Refuse(OrderOutcome.NotFound, $"return '{returnId}' is not known", "returnId");
        return ret.Status != ReturnState.AwaitingReceipt ? OrderDecision.InvalidState($"return {returnId} was already received") : OrderDecision.Unchanged;
    }

    /// <summary>
    /// The quality check of a return at <paramref name="locationId"/>: resellable units back on hand there, damaged
    /// ones on hand and unavailable; the refund by the policy.
    /// </summary>
    public OrderDecision ReceiveReturn(string returnId, ReceiveLine[] lines, string locationId, bool locationKnown, RefundPolicy policy, DateTimeOffset now)
    {
        if (CheckReceive(returnId) is { Ok: false } no) return no;
        if (!locationKnown) return OrderDecision.Refuse(OrderOutcome.UnknownLocation, $"location '{locationId}' is not known", "locationId");
        var ret = state.Return(returnId)!;
        foreach (var group in lines.GroupBy(l => l.Sku))
        {
            var expected = ret.Lines.Where(l => l.Sku == group.Key).Sum(l => l.Quantity);
            if (expected == 0) return Invalid("lines", $"{group.Key} is not in return {returnId}");
            if (group.Sum(l => l.Quantity) > expected) return Invalid("lines", $"return {returnId} has only {expected} units of {group.Key}");
        }

        List<OrderEffect> effects = [];
        foreach (var group in lines.Where(l => l.Quantity > 0).GroupBy(l => (l.Sku, l.Condition)))
        {
            var units = group.Sum(l => l.Quantity);
            var damaged = group.Key.Condition == ReturnCondition.Damaged;
            effects.Add(new MoveStock(locationId, group.Key.Sku, new StockMovement(
                $"return:{returnId}:{group.Key.Sku}:{group.Key.Condition}", null, 0, units, damaged ? "damaged" : null, damaged ? units : 0)));
            var line = ret.Lines.First(l => l.Sku == group.Key.Sku);
            if (damaged) line.Damaged += units;
            else line.Resellable += units;
        }

        var (refund, fee) = RefundRules.Quote(policy, ret.Lines.Select(l => (state.PriceOf(l.Sku), l.Resellable, l.Damaged)));
        ret.Status = ReturnState.Received;
        ret.Refund = refund;
        ret.Fee = fee;
        ret.ReceivedAtLocation = locationId;
        Record(now, "return_received", $"{returnId} at {locationId}: {string.Join(", ", lines.Select(l => $"{l.Quantity} x {l.Sku} {Name(l.Condition)}"))}");
        Record(now, "refunded", string.Create(CultureInfo.InvariantCulture, $"{refund:0.00} for {returnId} (restocking fee {fee:0.00})"), notify: true);
        return Finish(now, effects, []);
    }

    // ---- events in: payments, customer check-in ---------------------------------------------------------------

    /// <summary>The hold reason of an order waiting for its payment (order policy <c>holdUntilPaid</c>).</summary>
    public const string AwaitingPayment = "awaiting payment authorisation";

    /// <summary>How many external event ids an order remembers for de-duplication.</summary>
    public const int RememberedExternalEvents = 100;

    /// <summary>Whether an external event (payment, carrier) was applied already; remembers it otherwise.</summary>
    private bool Seen(string eventId)
    {
        if (state.ExternalEventIds.Contains(eventId)) return true;
        state.ExternalEventIds.Add(eventId);
        if (state.ExternalEventIds.Count > RememberedExternalEvents) state.ExternalEventIds.RemoveAt(0);
        return false;
    }

    /// <summary>
    /// A payment service's event, once per event id. Authorised or captured releases an order held for its payment
    /// (a fraud-review hold stays: only a person releases that); failed cancels whatever has not left yet, and
    /// escalates an order whose units already left; refunded is recorded (and raises <c>payment.refunded</c>). A repeat changes nothing.
    /// </summary>
    public OrderDecision Payment(PaymentEvent payment, DateTimeOffset now)
    {
        if (!Exists) return OrderDecision.Refuse(OrderOutcome.NotFound, $"order '{orderId}' is not known", "orderId");
        if (Seen(payment.EventId)) return OrderDecision.Unchanged;
        state.Payment = payment.Status;
        var amount = payment.Amount is { } a ? string.Create(CultureInfo.InvariantCulture, $" {a:0.00}") : "";
        Record(now, $"payment_{Name(payment.Status)}", $"payment {Name(payment.Status)}{amount} at {payment.At:u} ({payment.EventId})");
        if (payment.Status == PaymentStatus.Refunded) state.Refunds.Add(payment);
        switch (payment.Status)
        {
            case PaymentStatus.Authorised or PaymentStatus.Captured when state.OnHold && state.HoldReason == AwaitingPayment:
                return Finish(now, [], ReleaseHeld(now));
            case PaymentStatus.Failed when OrderRules.Allows(state.Status, OrderCommand.Cancel):
                state.OnHold = false;
                var touched = CancelUnits(null, out var cancelled);
                Record(now, "cancel_requested", $"{cancelled} units: payment failed");
                return Finish(now, [], touched);
            case PaymentStatus.Failed when !state.Escalated:
                state.Escalated = true;
                Record(now, "escalated", "payment failed after units left: needs a person", notify: true);
                return Finish(now, [new EscalationRaised()], []);
            default:
                return Finish(now, [], []);
        }
    }

    /// <summary>The customer arrived for a pickup not yet collected: recorded on the fulfilment (and so on the store's queue).</summary>
    public OrderDecision CheckIn(string fulfilmentId, CheckIn checkIn, DateTimeOffset now)
    {
        if (!Exists || state.Fulfilment(fulfilmentId) is not { } f)
            return OrderDecision.Refuse(OrderOutcome.NotFound, $"fulfilment '{fulfilmentId}' is not known", "fulfilmentId");
        if (!Pickup) return OrderDecision.InvalidState($"fulfilment {fulfilmentId} is not a pickup");
        if (f.Status is FulfilmentStatus.Collected or FulfilmentStatus.Cancelled)
            return OrderDecision.InvalidState($"cannot check in for fulfilment {fulfilmentId}: it is {Name(f.Status)}");
        f.CheckedInAt = now;
        f.Bay = checkIn.Bay;
        f.CheckInNote = checkIn.Note;
        Record(now, "customer_checked_in", $"{fulfilmentId} at {f.TransferTo ?? f.LocationId}" + (checkIn.Bay is null ? "" : $", bay {checkIn.Bay}"));
        return Done([], [fulfilmentId]);
    }

    /// <summary>
    /// A carrier's tracking event for a shipment, once per carrier and event id (<see cref="TrackingRules"/> decides
    /// what it moves): delivered is the deliver step, a new exception escalates, a late event is only recorded.
    /// </summary>
    public OrderDecision Track(string fulfilmentId, CarrierEvent e, DateTimeOffset now)
    {
        if (!Exists || state.Fulfilment(fulfilmentId) is not { } f
            || !string.Equals(f.Carrier, e.Carrier, StringComparison.OrdinalIgnoreCase) || f.TrackingNumber != e.TrackingNumber)
            return OrderDecision.Refuse(OrderOutcome.NotFound, $"no shipment with {e.Carrier} tracking number '{e.TrackingNumber}' is known", "trackingNumber");
        if (Seen($"carrier:{e.Carrier.ToLowerInvariant()}:{e.EventId}")) return OrderDecision.Unchanged;

        var status = Name(e.Status);
        var move = TrackingRules.Decide(f.Status, f.TransferTo is not null, f.LastCarrierEvent?.Status, f.LastCarrierEvent?.At, e.Status, e.At);
        var said = $"{fulfilmentId}: {f.Carrier} {f.TrackingNumber} {status.Replace('_', ' ')} at {e.At:u}" + (e.Detail is null ? "" : $": {e.Detail}");
        if (move == TrackingMove.Stale)
        {
            Record(now, "carrier_event_ignored", $"{said} (late: the shipment is {Name(f.LastCarrierEvent?.Status ?? TrackingStatus.Delivered)} since {(f.LastCarrierEvent?.At ?? f.HandedOverAt):u})");
            return Done([], []);
        }

        f.LastCarrierEvent = e;
        Record(now, $"carrier_{status}", said);
        switch (move)
        {
            case TrackingMove.Deliver:
                return Apply(fulfilmentId, new FulfilmentCommand(FulfilmentAction.Deliver), now);
            case TrackingMove.Escalate:
                f.CarrierExceptions++;
                state.Escalated = true;
                Record(now, "escalated", $"carrier exception on {fulfilmentId} ({f.Carrier} {f.TrackingNumber}): {e.Detail ?? "no detail"}", notify: true);
                return Finish(now, [new EscalationRaised()], [fulfilmentId]);
            default:
                return Finish(now, [], [fulfilmentId]);
        }
    }

    // ---- escalation -------------------------------------------------------------------------------------------

    /// <summary>When the next manual step (fraud review, a return's receipt) is due to escalate; null when none waits.</summary>
    public DateTimeOffset? NextEscalation()
    {
        DateTimeOffset? next = state.OnHold && !state.Escalated ? state.ReviewDueAt : null;
        foreach (var r in state.Returns.Where(r => r.Status == ReturnState.AwaitingReceipt && !r.Escalated))
        {
            if (next is null || r.DueAt < next) next = r.DueAt;
        }

        return next;
    }

    /// <summary>Escalates what is due at <paramref name="now"/>; unchanged when nothing is.</summary>
    public OrderDecision EscalateDue(DateTimeOffset now)
    {
        if (!Exists) return OrderDecision.Unchanged;
        var changed = false;
        if (state.OnHold && !state.Escalated && state.ReviewDueAt <= now)
        {
            state.Escalated = true;
            Record(now, "escalated", $"fraud review waiting since {state.CreatedAt:u}: {state.HoldReason}", notify: true);
            changed = true;
        }

        foreach (var r in state.Returns.Where(r => r.Status == ReturnState.AwaitingReceipt && !r.Escalated && r.DueAt <= now))
        {
            r.Escalated = true;
            state.Escalated = true;
            Record(now, "escalated", $"return {r.ReturnId} not received and checked since {r.CreatedAt:u}", notify: true);
            changed = true;
        }

        return changed ? OrderDecision.Done([new EscalationRaised()]) : OrderDecision.Unchanged;
    }

    /// <summary>The location's queue saw a released fulfilment wait too long for acknowledgement; unchanged otherwise.</summary>
    public OrderDecision EscalateFulfilment(string fulfilmentId, DateTimeOffset now)
    {
        if (!Exists || state.Fulfilment(fulfilmentId) is not { Status: FulfilmentStatus.Released, Escalated: false } f) return OrderDecision.Unchanged;
        f.Escalated = true;
        state.Escalated = true;
        Record(now, "escalated", $"{f.LocationId} has not acknowledged {fulfilmentId} since {f.CreatedAt:u}", notify: true);
        return Finish(now, [new EscalationRaised()], [fulfilmentId]);
    }

    // ---- outbox -----------------------------------------------------------------------------------------------

    /// <summary>The notifications not yet handed to the stream, oldest first (empty when all went out).</summary>
    public IReadOnlyList<OrderEvent> Unpublished() => state.Events.GetRange(state.PublishedEvents, state.Events.Count - state.PublishedEvents);

    /// <summary>The first <paramref name="count"/> of <see cref="Unpublished"/> went out (persisted with the next write).</summary>
    public void Published(int count) => state.PublishedEvents = Math.Min(state.Events.Count, state.PublishedEvents + count);

    // ---- timeline, status, views ------------------------------------------------------------------------------

    private bool Pickup => state.Request!.Type == FulfilmentType.Pickup;

    /// <summary>Derives the status after a command; a change goes on the timeline and out as a notification.</summary>
    private OrderDecision Finish(DateTimeOffset now, List<OrderEffect> effects, IEnumerable<string> touched, string? createdId = null)
    {
        SyncStatus(now, null);
        return Done(effects, touched, createdId);
    }

    /// <summary>Done, with the touched fulfilments' queue upserts (a held one is in no queue).</summary>
    private OrderDecision Done(List<OrderEffect> effects, IEnumerable<string> touched, string? createdId = null)
    {
        effects.AddRange(touched.Distinct().Select(state.Fulfilment).OfType<FulfilmentState>()
            .Where(f => f.Status != FulfilmentStatus.Held).Select(f => new QueueUpsert(f.FulfilmentId)));
        return OrderDecision.Done(effects, createdId);
    }

    private void SyncStatus(DateTimeOffset now, string? detail)
    {
        var handedOver = state.Request!.Lines.Select(l => l.Sku).Distinct().Sum(state.HandedOver);
        var received = state.Returns.Where(r => r.Status == ReturnState.Received).Sum(r => r.Lines.Sum(l => l.Resellable + l.Damaged));
        var status = OrderRules.Derive(
            state.OnHold,
            [.. state.Fulfilments.Select(f => (f.Status, f.TransferTo is not null))],
            state.Cancelled.Values.Any(v => v > 0),
            handedOver > 0 && received >= handedOver);
        if (status == state.Status) return;
        state.Status = status;
        Record(now, Name(status), detail ?? $"order is {Name(status).Replace('_', ' ')}", notify: true);
    }

    private void Record(DateTimeOffset now, string @event, string detail, bool notify = false)
    {
        state.Timeline.Add(new TimelineEntry(now, @event, detail));
        if (notify) state.Events.Add(new OrderEvent($"{orderId}:{state.Events.Count + 1}", orderId, $"order.{@event}", now, state.Request?.Customer.Email, detail));
    }

    private static OrderDecision Invalid(string field, string detail) => OrderDecision.Refuse(OrderOutcome.Invalid, detail, field);

    private static string Describe(FulfilmentState f) => string.Join(", ", f.Lines.Select(l => $"{l.Quantity} x {l.Sku}"));

    private static string Name<T>(T value) where T : Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public OrderView View()
    {
        var r = state.Request!;
        return new OrderView(
            orderId, state.Status, r.Channel, r.Customer, r.Type, r.PickupLocationId,
            [.. r.Lines.Select(l => new OrderLineView(l.Sku, l.Quantity, l.UnitPrice, state.Cancelled.GetValueOrDefault(l.Sku), state.ReturnedUnits(l.Sku)))],
            [.. state.Fulfilments.Select(View)],
            [.. state.Returns.Select(x => new ReturnView(
                x.ReturnId, orderId, x.Status,
                [.. x.Lines.Select(l => new ReturnLineView(l.Sku, l.Quantity, l.Reason, l.Resellable, l.Damaged))],
                x.Refund, x.Fee, x.ReceivedAtLocation, x.CreatedAt, x.ExchangeOrderId, x.Escalated))],
            [.. state.Timeline], [.. state.Events], state.CreatedAt, state.EstimatedDelivery, state.Total, r.CartId, r.ExchangeFor, state.Escalated, state.HoldReason, state.Payment);
    }

    public FulfilmentView View(FulfilmentState f) => new(
        f.FulfilmentId, orderId, f.LocationId, state.Request!.Type, f.Status,
        [.. f.Lines.Select(l => new FulfilmentLineView(l.Sku, l.Quantity, l.Picked, l.Shorted, l.Cancelled))],
        f.TransferTo, f.Carrier, f.TrackingNumber, f.PickupCode,
        f.PickupCode is null ? null : $"OMS-PICKUP:{f.FulfilmentId}:{f.PickupCode}",
        f.CreatedAt, f.AcknowledgedAt, f.Escalated, f.Reasons, f.CheckedInAt, f.Bay, f.CheckInNote,
        f.LastCarrierEvent?.Status, f.LastCarrierEvent is { } c ? new CarrierEventView(c.EventId, c.Status, c.At, c.Detail) : null);
}
