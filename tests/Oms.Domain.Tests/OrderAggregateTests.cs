using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Orders;

namespace Oms.Domain.Tests;

/// <summary>
/// The order aggregate's decisions as tables. An order is written as its fulfilments, "L1:A2,B1" (2 x A and 1 x B
/// at L1) or "WH>ST:A2" (a ship-to-store transfer from WH to ST); steps as "accept f1", "pick f1 A 2",
/// "short f1 A 1 L2" (re-sourced at L2; without a location, nowhere), "pack f1", "ship f1", "deliver f1",
/// "ready f1", "collect f1", "cancel" / "cancel A 1", "approve", "reject", "return A 1", "receive r1 A 1 damaged".
/// </summary>
public sealed class OrderAggregateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, decimal> Prices = new() { ["A"] = 10m, ["B"] = 25m, ["C"] = 400m };
    private static readonly IReadOnlyDictionary<string, string?> NoCategories = new Dictionary<string, string?>();
    private const string Code = "123456";

    internal static OrderPolicy Policy(decimal reviewAbove = 1000m, params string[] flagged) =>
        new(reviewAbove, flagged, 600, 1800, 3600, new RefundPolicy(30, 10m, ["food"], 50m));

    private static string F(string n) => $"o1:{n}";

    internal static Order Placed(string fulfilments, FulfilmentType type = FulfilmentType.Ship, OrderPolicy? policy = null, string customer = "c1")
    {
        var planned = fulfilments.Split(' ').Select(spec =>
        {
            var (where, lines) = (spec[..spec.IndexOf(':')], spec[(spec.IndexOf(':') + 1)..]);
            var parts = where.Split('>');
            return new PlannedFulfilment(parts[0], lines.Split(',').ToDictionary(l => l[..1], l => int.Parse(l[1..])), 1, [$"{parts[0]} has stock"], parts.Length > 1 ? parts[1] : null);
        }).ToList();
        var request = new OrderRequest(null, "web", new Customer(customer, null, "c@example.com"),
            [.. planned.SelectMany(p => p.Lines).GroupBy(l => l.Key).Select(g => new OrderLineRequest(g.Key, g.Sum(l => l.Value), Prices[g.Key]))],
            type, type == FulfilmentType.Pickup ? "ST" : null, null);
        var order = new Order("o1", new OrderState());
        Assert.True(order.Place(request, "fp", order.NewFulfilments(planned, "tok", T0), T0.AddDays(2), policy ?? Policy(), false, T0).Ok);
        return order;
    }

    internal static OrderDecision Step(Order o, string step, DateTimeOffset at)
    {
        var p = step.Split(' ');
        return p[0] switch
        {
            "accept" => o.Apply(F(p[1]), new FulfilmentCommand(FA.Accept), at),
            "pick" => o.Apply(F(p[1]), new FulfilmentCommand(FA.Pick, p[2], p[2], int.Parse(p[3])), at),
            "short" => Short(o, F(p[1]), p[2], int.Parse(p[3]), p.Length > 4 ? p[4] : null, at),
            "pack" => o.Apply(F(p[1]), new FulfilmentCommand(FA.Pack), at),
            "ship" => o.Apply(F(p[1]), new FulfilmentCommand(FA.Ship, Carrier: "DPD", TrackingNumber: "T1"), at),
            "deliver" => o.Apply(F(p[1]), new FulfilmentCommand(FA.Deliver), at),
            "ready" => o.Apply(F(p[1]), new FulfilmentCommand(FA.Ready), at, pickupCode: Code),
            "collect" => o.Apply(F(p[1]), new FulfilmentCommand(FA.Collect, PickupCode: Code), at),
            "cancel" => o.Cancel(p.Length == 1 ? null : [new LineQuantity(p[1], int.Parse(p[2]))], "changed mind", at),
            "approve" => o.Approve("checked", at),
            "reject" => o.Reject("fraud", at),
            "return" => o.OpenReturn([new ReturnLineRequest(p[1], int.Parse(p[2]), "too small")], NoCategories, null, Policy(), at),
            "receive" => o.ReceiveReturn(F(p[1]), [new ReceiveLine(p[2], int.Parse(p[3]), Enum.Parse<ReturnCondition>(p[4], ignoreCase: true))], "WH", true, Policy().Refund, at),
            _ => throw new ArgumentException(step),
        };
    }

    /// <summary>A short pick as the grain runs it: the aggregate's decision, the re-sourcing it asks for, then <see cref="Order.Resourced"/>.</summary>
    private static OrderDecision Short(Order o, string fid, string sku, int units, string? to, DateTimeOffset at)
    {
        var d = o.Apply(fid, new FulfilmentCommand(FA.Short, sku, Quantity: units, ReasonCode: "damaged"), at);
        if (!d.Ok) return d;
        var need = d.Effects.OfType<Resource>().Single();
        var added = to is null ? [] : o.NewFulfilments([new PlannedFulfilment(to, new() { [sku] = units }, 1, [$"{to} next"], null)], "tok2", at);
        return d.Then(o.Resourced(need, added, at));
    }

    private static Order Run(string fulfilments, FulfilmentType type, params string[] steps)
    {
        var o = Placed(fulfilments, type);
        for (var i = 0; i < steps.Length; i++) Assert.True(Step(o, steps[i], T0.AddMinutes(i + 1)).Ok, steps[i]);
        return o;
    }

    private static string[] Events(Order o) => [.. o.State.Timeline.Select(t => t.Event)];

    private static string[] Notifications(Order o) => [.. o.State.Events.Select(e => e.Type)];

    // ---- placing: review reasons, due time, timeline ----------------------------------------------------------

    public static TheoryData<string, decimal, string[], string, string?> Reviews() => new()
    {
        // customer, reviewAbove, flagged, fulfilment -> hold reason (null: released)
        { "c1", 1000m, [], "L1:A2", null },
        { "c1", 1000m, [], "L1:C2,B2", null },
        { "c1", 849m, [], "L1:C2,B2", "order value 850.00 is above the review threshold 849.00" },
        { "c1", 800m, [], "L1:C2", null },
        { "c1", 799.99m, [], "L1:C2", "order value 800.00 is above the review threshold 799.99" },
        { "c1", 1000m, ["c1"], "L1:A1", "customer c1 is flagged for review" },
        { "c1", 10m, ["c1"], "L1:C3", "customer c1 is flagged for review" },
        { "c1", 1000m, ["C1"], "L1:A1", null },
        { "c2", 1000m, ["c1"], "L1:A1", null },
    };

    [Theory]
    [MemberData(nameof(Reviews))]
    public void Placing_holds_for_review_by_policy(string customer, decimal reviewAbove, string[] flagged, string fulfilment, string? reason)
    {
        var policy = Policy(reviewAbove, flagged);
        var o = Placed(fulfilment, policy: policy, customer: customer);
        Assert.Equal(reason, o.State.HoldReason);
        Assert.Equal(reason is not null, o.State.OnHold);
        Assert.Equal(reason is null ? OS.Sourced : OS.OnHold, o.State.Status);
        Assert.Equal(reason is null ? FS.Released : FS.Held, o.State.Fulfilments.Single().Status);
        Assert.Equal(reason is null ? null : T0.AddSeconds(600), o.State.ReviewDueAt);
        Assert.Equal(reason is null ? null : T0.AddSeconds(600), o.NextEscalation());
        Assert.Equal(["created", "allocated", reason is null ? "sourced" : "on_hold"], Events(o));
        Assert.Equal(["order.created", reason is null ? "order.sourced" : "order.on_hold"], Notifications(o));
        Assert.Equal(reason ?? "order is sourced", o.State.Timeline[^1].Detail);
    }

    [Theory]
    [InlineData(false, new[] { "o1:f1", "o1:f2" })]
    [InlineData(true, new string[0])]
    public void Placing_shows_released_fulfilments_in_their_queues_and_held_ones_nowhere(bool held, string[] upserts)
    {
        var o = new Order("o1", new OrderState());
        var planned = new[] { new PlannedFulfilment("L1", new() { ["A"] = 1 }, 1, ["a"], null), new PlannedFulfilment("L2", new() { ["C"] = 3 }, 1, ["b"], null) };
        var request = new OrderRequest("cart-1", "web", new Customer("c1", null, null), [new("A", 1, 10m), new("C", 3, 400m)], FulfilmentType.Ship, null, null);
        var d = o.Place(request, "fp", o.NewFulfilments(planned, "tok", T0), null, Policy(held ? 1000m : 5000m), cartConsumed: true, T0);
        Assert.Equal(upserts, d.Effects.OfType<QueueUpsert>().Select(u => u.FulfilmentId));
        Assert.Equal("cart_consumed", Events(o)[^1]);
        Assert.Equal(["o1:f1", "o1:f2"], o.State.Fulfilments.Select(f => f.FulfilmentId));
        Assert.Equal(3, o.AllocatedUnits("o1:f2", "C", "tok"));
        Assert.Equal(0, o.AllocatedUnits("o1:f2", "C", "another-attempt"));
        Assert.Equal(0, o.AllocatedUnits("o1:f9", "C", "tok"));
    }

    [Theory]
    [InlineData("fp", OrderOutcome.Ok)]
    [InlineData("other", OrderOutcome.Conflict)]
    public void The_same_order_again_is_a_replay_another_body_a_conflict(string fingerprint, OrderOutcome expected)
    {
        var o = Placed("L1:A1");
        Assert.Null(new Order("o2", new OrderState()).Replay("fp"));
        var replay = o.Replay(fingerprint)!;
        Assert.Equal(expected, replay.Outcome);
        Assert.Equal(expected == OrderOutcome.Ok ? new[] { "o1:f1" } : [], replay.Effects.OfType<QueueUpsert>().Select(u => u.FulfilmentId));
        Assert.Single(o.State.Fulfilments);
    }

    // ---- approve / reject -------------------------------------------------------------------------------------

    public static TheoryData<string, string[], string, OrderOutcome, string?> Reviewing() => new()
    {
        // fulfilments (priced for review above 1000 when C2+), steps before, command -> outcome, detail
        { "L1:C3", [], "approve", OrderOutcome.Ok, null },
        { "L1:C3", [], "reject", OrderOutcome.Ok, null },
        { "L1:A1", [], "approve", OrderOutcome.InvalidState, "only an order on hold can be approved; this one is sourced" },
        { "L1:A1", [], "reject", OrderOutcome.InvalidState, "only an order on hold can be rejected; this one is sourced" },
        { "L1:C3", ["approve"], "approve", OrderOutcome.InvalidState, "only an order on hold can be approved; this one is sourced" },
        { "L1:C3", ["reject"], "approve", OrderOutcome.InvalidState, "only an order on hold can be approved; this one is cancelled" },
        { "L1:A1", ["accept f1"], "reject", OrderOutcome.InvalidState, "only an order on hold can be rejected; this one is in_fulfilment" },
        { "L1:C3", ["cancel C 1"], "approve", OrderOutcome.Ok, null },
    };

    [Theory]
    [MemberData(nameof(Reviewing))]
    public void Approve_and_reject_only_decide_an_order_on_hold(string fulfilments, string[] before, string command, OrderOutcome outcome, string? detail)
    {
        var o = Placed(fulfilments);
        foreach (var s in before) Assert.True(Step(o, s, T0).Ok, s);
        var status = o.State.Status;
        var d = Step(o, command, T0.AddMinutes(5));
        Assert.Equal(outcome, d.Outcome);
        Assert.Equal(detail, d.Detail);
        if (outcome != OrderOutcome.Ok)
        {
            Assert.Equal(status, o.State.Status);
            Assert.False(d.Changed);
            return;
        }

        Assert.False(o.State.OnHold);
        Assert.Null(o.NextEscalation());
        if (command == "approve")
        {
            var f = o.State.Fulfilments.Single();
            Assert.Equal(FS.Released, f.Status);
            Assert.Equal(T0.AddMinutes(5), f.CreatedAt); // the store's acknowledgement clock starts at approval
            Assert.Null(o.State.HoldReason);
            Assert.Equal(["o1:f1"], d.Effects.OfType<QueueUpsert>().Select(u => u.FulfilmentId));
            Assert.Equal(before.Length == 0 ? OS.Sourced : OS.PartiallyCancelled, o.State.Status);
            Assert.Equal(["approved", before.Length == 0 ? "sourced" : "partially_cancelled"], Events(o)[^2..]);
        }
        else
        {
            Assert.Equal(FS.Cancelled, o.State.Fulfilments.Single().Status);
            Assert.Equal(OS.Cancelled, o.State.Status);
            Assert.Equal([new ReleaseAllocation("L1", "C", "o1:f1", 0)], o.PendingReleases());
            Assert.Equal(["rejected", "cancelled"], Events(o)[^2..]);
        }
    }

    [Fact]
    public void Commands_on_an_order_that_does_not_exist_are_not_found()
    {
        var o = new Order("o1", new OrderState());
        foreach (var d in new[] { o.Approve("x", T0), o.Reject("x", T0), o.Cancel(null, "x", T0), o.Allows(OrderCommand.Return) })
            Assert.Equal((OrderOutcome.NotFound, "orderId", "order 'o1' is not known"), (d.Outcome, d.Field, d.Detail));
        var step = o.Apply("o1:f1", new FulfilmentCommand(FA.Pack), T0);
        Assert.Equal((OrderOutcome.NotFound, "fulfilmentId"), (step.Outcome, step.Field));
        Assert.Equal(OrderOutcome.NotFound, o.CheckReceive("o1:r1").Outcome);
        Assert.False(o.EscalateDue(T0.AddYears(1)).Changed);
    }

    // ---- cancel -----------------------------------------------------------------------------------------------

    public static TheoryData<string, FulfilmentType, string[], string, OrderOutcome, string?, string[], OS> Cancels() => new()
    {
        // fulfilments, type, steps before, cancel -> outcome, detail, releases "fid sku units", status after
        { "L1:A2", FulfilmentType.Ship, [], "cancel", OrderOutcome.Ok, null, ["o1:f1 A 0"], OS.Cancelled },
        { "L1:A2", FulfilmentType.Ship, [], "cancel A 1", OrderOutcome.Ok, null, ["o1:f1 A 1"], OS.PartiallyCancelled },
        { "L1:A2", FulfilmentType.Ship, [], "cancel A 2", OrderOutcome.Ok, null, ["o1:f1 A 0"], OS.Cancelled },
        { "L1:A2", FulfilmentType.Ship, [], "cancel A 3", OrderOutcome.InvalidState, "only 2 units of A can still be cancelled", [], OS.Sourced },
        { "L1:A2", FulfilmentType.Ship, [], "cancel B 1", OrderOutcome.InvalidState, "only 0 units of B can still be cancelled", [], OS.Sourced },
        { "L1:A2,B1", FulfilmentType.Ship, ["accept f1"], "cancel B 1", OrderOutcome.Ok, null, ["o1:f1 A 2", "o1:f1 B 0"], OS.InFulfilment },
        { "L1:A2", FulfilmentType.Ship, ["pick f1 A 1"], "cancel A 1", OrderOutcome.Ok, null, ["o1:f1 A 1"], OS.InFulfilment },
        { "L1:A2", FulfilmentType.Ship, ["pick f1 A 2", "pack f1"], "cancel", OrderOutcome.Ok, null, ["o1:f1 A 0"], OS.Cancelled },
        { "L1:A2", FulfilmentType.Ship, ["pick f1 A 2", "pack f1", "ship f1"], "cancel", OrderOutcome.InvalidState, "an order that is shipped can no longer be cancelled", [], OS.Shipped },
        { "L1:A2", FulfilmentType.Ship, ["pick f1 A 2", "pack f1", "ship f1", "deliver f1"], "cancel A 1", OrderOutcome.InvalidState, "an order that is delivered can no longer be cancelled", [], OS.Delivered },
        { "L1:A2", FulfilmentType.Ship, ["cancel"], "cancel", OrderOutcome.InvalidState, "an order that is cancelled can no longer be cancelled", ["o1:f1 A 0"], OS.Cancelled },
        // least progressed first: the released fulfilment gives its unit before the packed one
        { "L1:A1 L2:A1", FulfilmentType.Ship, ["pick f1 A 1", "pack f1"], "cancel A 1", OrderOutcome.Ok, null, ["o1:f2 A 0"], OS.InFulfilment },
        // what left already is not cancellable: the shipped fulfilment keeps its unit
        { "L1:A1 L2:A1", FulfilmentType.Ship, ["pick f1 A 1", "pack f1", "ship f1"], "cancel A 2", OrderOutcome.InvalidState, "only 1 units of A can still be cancelled", [], OS.InFulfilment },
        { "L1:A1 L2:A1", FulfilmentType.Ship, ["pick f1 A 1", "pack f1", "ship f1"], "cancel", OrderOutcome.Ok, null, ["o1:f2 A 0"], OS.Shipped },
        // BOPIS: ready at the pickup store is still cancellable; a transfer that left its warehouse is not
        { "ST:A1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1", "ready f1"], "cancel", OrderOutcome.Ok, null, ["o1:f1 A 0"], OS.Cancelled },
        { "ST:A1 WH>ST:A1", FulfilmentType.Pickup, ["pick f2 A 1", "pack f2", "ship f2"], "cancel A 2", OrderOutcome.InvalidState, "only 1 units of A can still be cancelled", [], OS.InFulfilment },
    };

    [Theory]
    [MemberData(nameof(Cancels))]
    public void Cancel_takes_what_has_not_left_and_releases_it(string fulfilments, FulfilmentType type, string[] before, string cancel, OrderOutcome outcome, string? detail, string[] releases, OS status)
    {
        var o = Run(fulfilments, type, before);
        var d = Step(o, cancel, T0.AddHours(1));
        Assert.Equal(outcome, d.Outcome);
        Assert.Equal(detail, d.Detail);
        Assert.Equal(releases, o.PendingReleases().Select(r => $"{r.FulfilmentId} {r.Sku} {r.Units}"));
        Assert.Equal(status, o.State.Status);
        if (outcome != OrderOutcome.Ok) return;
        var whole = cancel == "cancel";
        Assert.Contains(whole ? "cancel_requested" : "lines_cancelled", Events(o)[^2..]);
        Assert.Equal(!whole, Notifications(o).Contains("order.lines_cancelled"));
        Assert.All(o.PendingReleases(), r => Assert.Contains(new QueueUpsert(r.FulfilmentId), d.Effects));
        o.Released();
        Assert.Empty(o.PendingReleases());
    }

    [Fact]
    public void Cancel_counts_a_sku_named_twice_once()
    {
        // Before the aggregate each line was checked alone: 1 + 2 of 2 left passed and cancelled 2, answering ok.
        var o = Placed("L1:A2");
        var d = o.Cancel([new LineQuantity("A", 1), new LineQuantity("A", 2)], "twice", T0);
        Assert.Equal((OrderOutcome.InvalidState, "only 2 units of A can still be cancelled"), (d.Outcome, d.Detail));
        Assert.Equal(2, o.State.Fulfilments.Single().Lines.Single().Quantity);
    }

    [Fact]
    public void Cancelling_an_order_on_hold_keeps_it_held_until_nothing_is_left()
    {
        var o = Placed("L1:C3,A1");
        Assert.True(o.Cancel([new LineQuantity("A", 1)], "x", T0).Ok);
        Assert.Equal(OS.OnHold, o.State.Status);
        Assert.Equal(T0.AddSeconds(600), o.NextEscalation());
        Assert.True(o.Cancel(null, "x", T0).Ok);
        Assert.Equal(OS.Cancelled, o.State.Status);
        Assert.False(o.State.OnHold);
        Assert.Null(o.NextEscalation());
    }

    // ---- fulfilment steps and short picks ---------------------------------------------------------------------

    public static TheoryData<string, FulfilmentType, string[], FulfilmentCommand, string?, OrderOutcome, string?, FS> Steps() => new()
    {
        // fulfilments, type, before, command, product barcode -> outcome, field, fulfilment status
        { "L1:A2", FulfilmentType.Ship, [], new(FA.Pick, Sku: "A", Barcode: "A", Quantity: 1), null, OrderOutcome.Ok, null, FS.Picking },
        { "L1:A2", FulfilmentType.Ship, [], new(FA.Pick, Sku: "A", Barcode: "A", Quantity: 2), null, OrderOutcome.Ok, null, FS.Picked },
        { "L1:A2", FulfilmentType.Ship, [], new(FA.Pick, Sku: "A", Barcode: "A", Quantity: 3), null, OrderOutcome.Invalid, "quantity", FS.Released },
        { "L1:A2", FulfilmentType.Ship, [], new(FA.Pick, Sku: "A", Barcode: "A", Quantity: 1), "5000000000001", OrderOutcome.Invalid, "barcode", FS.Released },
        { "L1:A2", FulfilmentType.Ship, [], new(FA.Pick, Sku: "A", Barcode: "5000000000001", Quantity: 2), "5000000000001", OrderOutcome.Ok, null, FS.Picked },
        { "L1:A2", FulfilmentType.Ship, [], new(FA.Pick, Sku: "B", Barcode: "B", Quantity: 1), null, OrderOutcome.Invalid, "sku", FS.Released },
        { "L1:A2", FulfilmentType.Ship, [], new(FA.Pack), null, OrderOutcome.InvalidState, null, FS.Released },
        { "L1:A2", FulfilmentType.Ship, ["pick f1 A 2"], new(FA.Pick, Sku: "A", Barcode: "A", Quantity: 1), null, OrderOutcome.InvalidState, null, FS.Picked },
        { "L1:A2", FulfilmentType.Ship, ["pick f1 A 2", "pack f1"], new(FA.Ready), null, OrderOutcome.InvalidState, null, FS.Packed },
        { "ST:A1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1"], new(FA.Ship), null, OrderOutcome.InvalidState, null, FS.Packed },
        { "ST:A1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1", "ready f1"], new(FA.Collect, PickupCode: "654321"), null, OrderOutcome.Invalid, "pickupCode", FS.ReadyForPickup },
        { "ST:A1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1", "ready f1"], new(FA.Collect, PickupCode: Code), null, OrderOutcome.Ok, null, FS.Collected },
        { "WH>ST:A1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1", "ship f1"], new(FA.Deliver), null, OrderOutcome.InvalidState, null, FS.Shipped },
        { "L1:A2", FulfilmentType.Ship, ["pick f1 A 1"], new(FA.Short, Sku: "A", Quantity: 2), null, OrderOutcome.Invalid, "quantity", FS.Picking },
        { "L1:A2", FulfilmentType.Ship, [], new(FA.Release), null, OrderOutcome.InvalidState, null, FS.Released },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void Fulfilment_steps_are_checked_before_anything_changes(
        string fulfilments, FulfilmentType type, string[] before, FulfilmentCommand command, string? productBarcode, OrderOutcome outcome, string? field, FS status)
    {
        var o = Run(fulfilments, type, before);
        var timeline = o.State.Timeline.Count;
        var d = o.Apply("o1:f1", command, T0.AddHours(1), productBarcode, command.Action == FA.Ready ? Code : null);
        Assert.Equal((outcome, field), (d.Outcome, d.Field));
        Assert.Equal(status, o.State.Fulfilments[0].Status);
        Assert.Equal(outcome == OrderOutcome.Ok, o.State.Timeline.Count > timeline);
        if (outcome == OrderOutcome.InvalidState) Assert.StartsWith($"cannot {command.Action.ToString().ToLowerInvariant()} fulfilment o1:f1: it is ", d.Detail);
    }

    public static TheoryData<string, FulfilmentType, string[], string, string[]> Movements() => new()
    {
        // fulfilments, type, before, step -> stock movements "location sku event allocationDelta onHandDelta"
        { "L1:A2,B1", FulfilmentType.Ship, ["pick f1 A 2", "pick f1 B 1", "pack f1"], "ship f1", ["L1 A ship:o1:f1:A -2 -2", "L1 B ship:o1:f1:B -1 -1"] },
        { "L1:A2", FulfilmentType.Ship, ["pick f1 A 2", "pack f1", "ship f1"], "deliver f1", [] },
        { "ST:A1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1", "ready f1"], "collect f1", ["ST A collect:o1:f1:A -1 -1"] },
        // a transfer leaves its warehouse at ship; its collection at the store moves nothing
        { "WH>ST:A1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1"], "ship f1", ["WH A ship:o1:f1:A -1 -1"] },
        { "WH>ST:A1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1", "ship f1", "ready f1"], "collect f1", [] },
        { "L1:A2", FulfilmentType.Ship, ["cancel A 1", "pick f1 A 1", "pack f1"], "ship f1", ["L1 A ship:o1:f1:A -1 -1"] },
        { "L1:A3", FulfilmentType.Ship, ["short f1 A 1 L2"], "short f1 A 1", ["L1 A short:o1:f1:A:2 -1 0"] },
    };

    [Theory]
    [MemberData(nameof(Movements))]
    public void Units_leave_inventory_at_ship_or_collect_once_per_event(string fulfilments, FulfilmentType type, string[] before, string step, string[] moves)
    {
        var o = Run(fulfilments, type, before);
        var d = Step(o, step, T0.AddHours(1));
        Assert.True(d.Ok);
        Assert.Equal(moves, d.Effects.OfType<MoveStock>().Select(m => $"{m.LocationId} {m.Sku} {m.Movement.EventId} {m.Movement.AllocationDelta} {m.Movement.OnHandDelta}"));
        Assert.All(d.Effects.OfType<MoveStock>(), m => Assert.Equal(m.Movement.EventId.StartsWith("short", StringComparison.Ordinal) ? "short-pick" : null, m.Movement.UnavailableReason));
        Assert.Equal(step.StartsWith("ship", StringComparison.Ordinal) || step.StartsWith("collect", StringComparison.Ordinal), d.Effects.OfType<FulfilmentTime>().Any());
    }

    public static TheoryData<string, int, int, string?, FS, int, OS, string[], string[]> Shorts() => new()
    {
        // line A quantity, picked before, short, re-sourced at -> fulfilment status, cancelled units, order status, excluded, timeline tail
        { "L1:A2", 0, 1, "L2", FS.Picking, 0, OS.InFulfilment, ["L1"], ["short_picked", "resourced", "in_fulfilment"] },
        { "L1:A2", 0, 1, null, FS.Picking, 1, OS.InFulfilment, ["L1"], ["short_picked", "lines_cancelled", "in_fulfilment"] },
        { "L1:A2", 1, 1, "L2", FS.Picked, 0, OS.InFulfilment, ["L1"], ["in_fulfilment", "short_picked", "resourced"] },
        { "L1:A2", 0, 2, "L2", FS.Cancelled, 0, OS.Sourced, ["L1"], ["allocated", "sourced", "short_picked", "resourced"] },
        { "L1:A2", 0, 2, null, FS.Cancelled, 2, OS.Cancelled, ["L1"], ["short_picked", "lines_cancelled", "cancelled"] },
        { "L1:A1 L2:A1", 0, 1, null, FS.Cancelled, 1, OS.PartiallyCancelled, ["L1"], ["short_picked", "lines_cancelled", "partially_cancelled"] },
    };

    [Theory]
    [MemberData(nameof(Shorts))]
    public void Short_picks_mark_units_unavailable_and_re_source_or_cancel_them(
        string fulfilments, int picked, int units, string? to, FS status, int cancelled, OS orderStatus, string[] excluded, string[] tail)
    {
        var o = Run(fulfilments, FulfilmentType.Ship, picked > 0 ? new[] { $"pick f1 A {picked}" } : []);
        var shortDecision = o.Apply("o1:f1", new FulfilmentCommand(FA.Short, "A", Quantity: units, ReasonCode: "damaged"), T0.AddHours(1));
        var need = shortDecision.Effects.OfType<Resource>().Single();
        Assert.Equal(("o1:f1", "A", units), (need.FulfilmentId, need.Sku, need.Units));
        Assert.Equal(excluded, need.Excluded.Order());
        var move = shortDecision.Effects.OfType<MoveStock>().Single();
        Assert.Equal(("L1", -units, 0, units), (move.LocationId, move.Movement.AllocationDelta, move.Movement.OnHandDelta, move.Movement.UnavailableDelta));
        var added = to is null ? [] : o.NewFulfilments([new PlannedFulfilment(to, new() { ["A"] = units }, 1, ["next"], null)], "tok2", T0.AddHours(1));
        var d = o.Resourced(need, added, T0.AddHours(1));

        var f1 = o.State.Fulfilment("o1:f1")!;
        Assert.Equal(status, f1.Status);
        Assert.Equal(units, f1.Lines.Single().Shorted);
        Assert.Equal(cancelled, o.State.Cancelled.GetValueOrDefault("A"));
        Assert.Equal(orderStatus, o.State.Status);
        Assert.Equal(tail, Events(o)[^tail.Length..]);
        Assert.Equal(cancelled > 0, Notifications(o).Contains("order.lines_cancelled"));
        if (to is not null)
        {
            var f = o.State.Fulfilments[^1];
            Assert.Equal((to, FS.Released, units), (f.LocationId, f.Status, f.AllocatedUnits("A")));
            Assert.Contains(new QueueUpsert(f.FulfilmentId), d.Effects);
        }
    }

    [Fact]
    public void A_second_short_pick_never_goes_back_to_a_location_that_came_up_short()
    {
        var o = Run("L1:A3", FulfilmentType.Ship, "short f1 A 1 L2");
        var again = o.Apply("o1:f2", new FulfilmentCommand(FA.Short, "A", Quantity: 1, ReasonCode: "lost"), T0.AddHours(2));
        Assert.Equal(["L1", "L2"], again.Effects.OfType<Resource>().Single().Excluded.Order());
        Assert.Equal("short:o1:f2:A:1", again.Effects.OfType<MoveStock>().Single().Movement.EventId);
    }

    // ---- status derivation, timeline and notifications through whole flows ------------------------------------

    public static TheoryData<string, FulfilmentType, string[], OS[], string[]> Flows() => new()
    {
        // fulfilments, type, steps -> status after each step, notifications at the end
        {
            "L1:A2", FulfilmentType.Ship, ["accept f1", "pick f1 A 2", "pack f1", "ship f1", "deliver f1", "return A 2", "receive r1 A 2 resellable"],
            [OS.InFulfilment, OS.InFulfilment, OS.InFulfilment, OS.Shipped, OS.Delivered, OS.Delivered, OS.Returned],
            ["order.created", "order.sourced", "order.in_fulfilment", "order.shipped", "order.delivered", "order.return_created", "order.refunded", "order.returned"]
        },
        {
            "ST:A1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1", "ready f1", "collect f1"],
            [OS.InFulfilment, OS.InFulfilment, OS.ReadyForPickup, OS.Collected],
            ["order.created", "order.sourced", "order.in_fulfilment", "order.ready_for_pickup", "order.collected"]
        },
        {
            "ST:A1 WH>ST:B1", FulfilmentType.Pickup, ["pick f1 A 1", "pack f1", "ready f1", "pick f2 B 1", "pack f2", "ship f2", "ready f2", "collect f1", "collect f2"],
            [OS.InFulfilment, OS.InFulfilment, OS.InFulfilment, OS.InFulfilment, OS.InFulfilment, OS.InFulfilment, OS.ReadyForPickup, OS.ReadyForPickup, OS.Collected],
            ["order.created", "order.sourced", "order.in_fulfilment", "order.ready_for_pickup", "order.collected"]
        },
        {
            "L1:A1 L2:B1", FulfilmentType.Ship, ["cancel B 1", "pick f1 A 1", "pack f1", "ship f1", "deliver f1"],
            [OS.PartiallyCancelled, OS.InFulfilment, OS.InFulfilment, OS.Shipped, OS.Delivered],
            ["order.created", "order.sourced", "order.lines_cancelled", "order.partially_cancelled", "order.in_fulfilment", "order.shipped", "order.delivered"]
        },
        {
            "L1:C3", FulfilmentType.Ship, ["approve", "accept f1", "cancel"],
            [OS.Sourced, OS.InFulfilment, OS.Cancelled],
            ["order.created", "order.on_hold", "order.sourced", "order.in_fulfilment", "order.cancelled"]
        },
    };

    [Theory]
    [MemberData(nameof(Flows))]
    public void Status_is_derived_after_every_command_and_each_change_is_recorded_and_notified(string fulfilments, FulfilmentType type, string[] steps, OS[] statuses, string[] notifications)
    {
        var o = Placed(fulfilments, type);
        for (var i = 0; i < steps.Length; i++)
        {
            var before = o.State.Status;
            var at = T0.AddMinutes(i + 1);
            Assert.True(Step(o, steps[i], at).Ok, steps[i]);
            Assert.Equal(statuses[i], o.State.Status);
            // a status change is on the timeline and notified; a step of the same name (shipped, delivered...) is only on the timeline
            Assert.Equal(before != statuses[i] ? 1 : 0, o.State.Events.Count(e => e.At == at && e.Type == $"order.{Snake(statuses[i].ToString())}"));
            Assert.Equal(before != statuses[i], o.State.Timeline.Any(t => t.At == at && t.Event == Snake(statuses[i].ToString()) && t.Detail == $"order is {Snake(statuses[i].ToString()).Replace('_', ' ')}"));
        }

        Assert.Equal(notifications, Notifications(o));
        Assert.Equal(Enumerable.Range(1, notifications.Length).Select(n => $"o1:{n}"), o.State.Events.Select(e => e.EventId));
        Assert.All(o.State.Events, e => Assert.Equal(("o1", "c@example.com"), (e.OrderId, e.CustomerEmail)));
    }

    private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? $"_{char.ToLowerInvariant(c)}" : $"{char.ToLowerInvariant(c)}"));

    // ---- returns ----------------------------------------------------------------------------------------------

    public static TheoryData<string, string[], string, int, int, string?, OrderOutcome, string?> Returns() => new()
    {
        // fulfilments, steps, sku, quantity, days after delivery, category -> outcome, detail
        { "L1:A2", ["pick f1 A 2", "pack f1", "ship f1", "deliver f1"], "A", 2, 1, null, OrderOutcome.Ok, null },
        { "L1:A2", ["pick f1 A 2", "pack f1", "ship f1", "deliver f1"], "A", 3, 1, null, OrderOutcome.InvalidState, "only 2 units of A can be returned (units count once delivered or collected)" },
        { "L1:A2", ["pick f1 A 2", "pack f1", "ship f1", "deliver f1", "return A 1"], "A", 2, 1, null, OrderOutcome.InvalidState, "only 1 units of A can be returned (units count once delivered or collected)" },
        { "L1:A2", ["pick f1 A 2", "pack f1", "ship f1", "deliver f1"], "A", 1, 30, null, OrderOutcome.Ok, null },
        { "L1:A2", ["pick f1 A 2", "pack f1", "ship f1", "deliver f1"], "A", 1, 31, null, OrderOutcome.InvalidState, "A: the 30-day return window closed on 2027-01-01" },
        { "L1:A2", ["pick f1 A 2", "pack f1", "ship f1", "deliver f1"], "A", 1, 1, "food", OrderOutcome.InvalidState, "A: category 'food' is not returnable" },
        // with the carrier: the order may take returns, but nothing has reached the customer yet
        { "L1:A2", ["pick f1 A 2", "pack f1", "ship f1"], "A", 1, 1, null, OrderOutcome.InvalidState, "only 0 units of A can be returned (units count once delivered or collected)" },
        { "L1:A1 L2:A1", ["pick f1 A 1", "pack f1", "ship f1", "deliver f1"], "A", 1, 1, null, OrderOutcome.Ok, null },
        { "L1:A2", [], "A", 1, 1, null, OrderOutcome.InvalidState, "nothing of an order that is sourced can be returned" },
        { "L1:A2", ["cancel"], "A", 1, 1, null, OrderOutcome.InvalidState, "nothing of an order that is cancelled can be returned" },
    };

    [Theory]
    [MemberData(nameof(Returns))]
    public void Only_what_reached_the_customer_within_the_window_can_be_returned(string fulfilments, string[] steps, string sku, int quantity, int days, string? category, OrderOutcome outcome, string? detail)
    {
        var o = Run(fulfilments, FulfilmentType.Ship, steps);
        var delivered = T0.AddMinutes(steps.Length);
        var at = delivered.AddDays(days);
        var categories = new Dictionary<string, string?> { [sku] = category };
        var lines = new[] { new ReturnLineRequest(sku, quantity, "too small") };
        var returnable = o.Returnable(sku);
        Assert.Equal(outcome, o.CheckReturn(lines, Policy().Refund, categories, at).Outcome);
        var d = o.OpenReturn(lines, categories, outcome == OrderOutcome.Ok ? "o1-x1" : null, Policy(), at);
        Assert.Equal((outcome, detail), (d.Outcome, d.Detail));
        if (outcome != OrderOutcome.Ok)
        {
            Assert.Equal(returnable, o.Returnable(sku));
            return;
        }

        var ret = o.State.Returns[^1];
        Assert.Equal((d.CreatedId, ReturnState.AwaitingReceipt, at.AddSeconds(3600), "o1-x1"), (ret.ReturnId, ret.Status, ret.DueAt, ret.ExchangeOrderId));
        Assert.Equal(returnable - quantity, o.Returnable(sku));
        Assert.EndsWith("; exchange order o1-x1", o.State.Timeline[^1].Detail);
        Assert.Equal(at.AddSeconds(3600), o.NextEscalation());
    }

    public static TheoryData<string, decimal, decimal, string[], OS> Receipts() => new()
    {
        // received lines ("sku quantity condition") of a return of 2 x A (10.00) and 1 x B (25.00); policy: fee 10 %, damaged 50 %
        // -> refund, fee, movements "sku onHand unavailable reason", status
        { "A 2 resellable;B 1 resellable", 40.50m, 4.50m, ["A 2 0 -", "B 1 0 -"], OS.Returned },
        { "A 1 resellable;A 1 damaged;B 1 damaged", 26.50m, 1.00m, ["A 1 0 -", "A 1 1 damaged", "B 1 1 damaged"], OS.Returned },
        { "A 1 resellable", 9.00m, 1.00m, ["A 1 0 -"], OS.Delivered },
    };

    [Theory]
    [MemberData(nameof(Receipts))]
    public void Receiving_a_return_restocks_by_condition_and_refunds_by_policy(string received, decimal refund, decimal fee, string[] moves, OS status)
    {
        var o = Run("L1:A2,B1", FulfilmentType.Ship, "pick f1 A 2", "pick f1 B 1", "pack f1", "ship f1", "deliver f1");
        Assert.True(o.OpenReturn([new("A", 2, "size"), new("B", 1, "colour")], NoCategories, null, Policy(), T0.AddDays(1)).Ok);
        var lines = received.Split(';').Select(l => l.Split(' ')).Select(p => new ReceiveLine(p[0], int.Parse(p[1]), Enum.Parse<ReturnCondition>(p[2], true))).ToArray();
        var d = o.ReceiveReturn("o1:r1", lines, "WH", true, Policy().Refund, T0.AddDays(2));
        Assert.True(d.Ok);
        var ret = o.State.Returns.Single();
        Assert.Equal((refund, fee, "WH", ReturnState.Received), (ret.Refund!.Value, ret.Fee!.Value, ret.ReceivedAtLocation, ret.Status));
        Assert.Equal(moves, d.Effects.OfType<MoveStock>().Select(m => $"{m.Sku} {m.Movement.OnHandDelta} {m.Movement.UnavailableDelta} {m.Movement.UnavailableReason ?? "-"}"));
        Assert.All(d.Effects.OfType<MoveStock>(), m => Assert.Equal(("WH", 0), (m.LocationId, m.Movement.AllocationDelta)));
        Assert.Equal(status, o.State.Status);
        Assert.Equal(["return_received", "refunded"], Events(o).Where(e => e is "return_received" or "refunded"));
        Assert.Null(o.NextEscalation());
        Assert.Equal((OrderOutcome.InvalidState, "return o1:r1 was already received"), (o.CheckReceive("o1:r1").Outcome, o.CheckReceive("o1:r1").Detail));
    }

    [Theory]
    [InlineData("o1:r9", "A 1", true, OrderOutcome.NotFound, "returnId")]
    [InlineData("o1:r1", "A 1", false, OrderOutcome.UnknownLocation, "locationId")]
    [InlineData("o1:r1", "B 1", true, OrderOutcome.Invalid, "lines")]
    [InlineData("o1:r1", "A 3", true, OrderOutcome.Invalid, "lines")]
    public void A_receipt_that_does_not_match_its_return_changes_nothing(string returnId, string line, bool locationKnown, OrderOutcome outcome, string field)
    {
        var o = Run("L1:A2,B1", FulfilmentType.Ship, "pick f1 A 2", "pick f1 B 1", "pack f1", "ship f1", "deliver f1", "return A 2");
        var timeline = o.State.Timeline.Count;
        var p = line.Split(' ');
        var d = o.ReceiveReturn(returnId, [new ReceiveLine(p[0], int.Parse(p[1]), ReturnCondition.Resellable)], "WH", locationKnown, Policy().Refund, T0.AddDays(1));
        Assert.Equal((outcome, field), (d.Outcome, d.Field));
        Assert.Equal((ReturnState.AwaitingReceipt, timeline), (o.State.Returns.Single().Status, o.State.Timeline.Count));
        Assert.Empty(d.Effects);
    }

    [Fact]
    public void An_exchange_is_the_same_order_with_other_lines_at_the_original_prices()
    {
        var o = Run("L1:A2", FulfilmentType.Ship, "pick f1 A 2", "pack f1", "ship f1", "deliver f1", "return A 1");
        Assert.Equal("o1-x2", o.NextExchangeOrderId());
        var x = o.ExchangeRequest([new LineQuantity("A", 1), new LineQuantity("Z", 2)]);
        Assert.Equal(("o1", null, "c1"), (x.ExchangeFor, x.CartId, x.Customer.Id));
        Assert.Equal([new OrderLineRequest("A", 1, 10m), new OrderLineRequest("Z", 2, 0m)], x.Lines);
    }

    // ---- escalation -------------------------------------------------------------------------------------------

    public static TheoryData<string, string[], int, int?, bool, string[]> Escalations() => new()
    {
        // fulfilments, steps, seconds after placing it is checked, next due (seconds after placing) before, escalates, what
        { "L1:C3", [], 599, 600, false, [] },
        { "L1:C3", [], 600, 600, true, ["fraud review waiting since 2026-12-02 09:00:00Z: order value 1200.00 is above the review threshold 1000.00"] },
        { "L1:A1", [], 100_000, null, false, [] },
        { "L1:C3", ["approve"], 100_000, null, false, [] },
        // the return was opened 5 minutes after placing (one step a minute): due an hour later
        { "L1:A1", ["pick f1 A 1", "pack f1", "ship f1", "deliver f1", "return A 1"], 300 + 3599, 300 + 3600, false, [] },
        { "L1:A1", ["pick f1 A 1", "pack f1", "ship f1", "deliver f1", "return A 1"], 300 + 3600, 300 + 3600, true, ["return o1:r1 not received and checked since 2026-12-02 09:05:00Z"] },
        { "L1:A1", ["pick f1 A 1", "pack f1", "ship f1", "deliver f1", "return A 1", "receive r1 A 1 resellable"], 100_000, null, false, [] },
    };

    [Theory]
    [MemberData(nameof(Escalations))]
    public void Manual_steps_escalate_once_at_their_due_time(string fulfilments, string[] steps, int checkedAfter, int? due, bool escalates, string[] what)
    {
        var o = Run(fulfilments, FulfilmentType.Ship, steps);
        Assert.Equal(due is null ? null : T0.AddSeconds(due.Value), o.NextEscalation());
        var d = o.EscalateDue(T0.AddSeconds(checkedAfter));
        Assert.Equal(escalates, d.Changed);
        Assert.Equal(escalates, d.Effects.OfType<EscalationRaised>().Any());
        Assert.Equal(escalates, o.State.Escalated);
        Assert.Equal(what, o.State.Timeline.Where(t => t.Event == "escalated").Select(t => t.Detail));
        Assert.Equal(what.Length, o.State.Events.Count(e => e.Type == "order.escalated"));
        if (!escalates) return;
        Assert.Null(o.NextEscalation());
        Assert.False(o.EscalateDue(T0.AddSeconds(checkedAfter + 1)).Changed); // once
    }

    [Fact]
    public void The_next_escalation_is_the_earliest_of_the_review_and_the_returns()
    {
        var o = Run("L1:A1 L2:B1", FulfilmentType.Ship, "pick f1 A 1", "pack f1", "ship f1", "deliver f1", "pick f2 B 1", "pack f2", "ship f2", "deliver f2");
        Assert.True(o.OpenReturn([new("A", 1, "x")], NoCategories, null, Policy(), T0.AddHours(1)).Ok);
        Assert.True(o.OpenReturn([new("B", 1, "x")], NoCategories, null, Policy(), T0.AddMinutes(30)).Ok);
        Assert.Equal(T0.AddMinutes(90), o.NextEscalation());
        Assert.True(o.EscalateDue(T0.AddMinutes(90)).Changed);
        Assert.Equal([false, true], o.State.Returns.Select(r => r.Escalated));
        Assert.Equal(T0.AddHours(2), o.NextEscalation());
    }

    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "accept f1" }, false)]
    [InlineData(new[] { "cancel" }, false)]
    public void A_store_that_does_not_acknowledge_escalates_a_released_fulfilment_once(string[] steps, bool escalates)
    {
        var o = Run("L1:A1", FulfilmentType.Ship, steps);
        var d = o.EscalateFulfilment("o1:f1", T0.AddHours(1));
        Assert.Equal(escalates, d.Changed);
        Assert.Equal(escalates, o.State.Fulfilments[0].Escalated);
        Assert.Equal(escalates ? new OrderEffect[] { new EscalationRaised(), new QueueUpsert("o1:f1") } : [], d.Effects);
        Assert.Equal(escalates ? "L1 has not acknowledged o1:f1 since 2026-12-02 09:00:00Z" : null, o.State.Timeline.LastOrDefault(t => t.Event == "escalated")?.Detail);
        Assert.False(o.EscalateFulfilment("o1:f1", T0.AddHours(2)).Changed);
    }

    // ---- outbox -----------------------------------------------------------------------------------------------

    [Fact]
    public void Notifications_go_out_in_order_and_each_once()
    {
        var o = Run("L1:A1", FulfilmentType.Ship, "accept f1");
        var first = o.Unpublished();
        Assert.Equal(["order.created", "order.sourced", "order.in_fulfilment"], first.Select(e => e.Type));
        o.Published(1);
        Assert.Equal(["order.sourced", "order.in_fulfilment"], o.Unpublished().Select(e => e.Type));
        o.Published(2);
        Assert.Empty(o.Unpublished());
        Assert.True(Step(o, "cancel", T0.AddHours(1)).Ok);
        Assert.Equal(["order.cancelled"], o.Unpublished().Select(e => e.Type));
        o.Published(5); // never past the last event
        Assert.Empty(o.Unpublished());
    }

    // ---- rules the aggregate relies on ------------------------------------------------------------------------

    [Theory]
    [InlineData(new[] { 2, 0 }, new[] { 0, 0 }, FS.Picking)]
    [InlineData(new[] { 2, 1 }, new[] { 2, 0 }, FS.Picking)]
    [InlineData(new[] { 2, 1 }, new[] { 2, 1 }, FS.Picked)]
    [InlineData(new[] { 2, 0 }, new[] { 2, 0 }, FS.Picked)]
    [InlineData(new[] { 0, 0 }, new[] { 0, 0 }, FS.Cancelled)]
    public void While_picking_the_counts_decide_picked_or_cancelled(int[] quantities, int[] picked, FS expected) =>
        Assert.Equal(expected, OrderRules.WhilePicking(quantities.Zip(picked)));

    [Fact]
    public void Approving_releases_a_held_fulfilment_through_the_state_machine()
    {
        Assert.Equal(FS.Released, OrderRules.Next(FS.Held, FA.Release, pickup: false, transfer: false));
        Assert.All(Enum.GetValues<FS>().Where(s => s != FS.Held), s => Assert.Null(OrderRules.Next(s, FA.Release, false, false)));
        Assert.All(Enum.GetValues<OS>(), s => Assert.Equal(s == OS.OnHold, OrderRules.Allows(s, OrderCommand.Approve)));
    }
}
