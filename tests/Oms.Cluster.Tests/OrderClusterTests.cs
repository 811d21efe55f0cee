using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;
using Microsoft.Extensions.DependencyInjection;
using Oms.Grains.Orders;
using Orleans.Streams;

namespace Oms.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class OrderClusterTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];

    private IInventoryGrain Inventory(string location, string sku) => fixture.Client.GetGrain<IInventoryGrain>(InventoryKey.For(location, sku));

    private async Task<(string[] Locations, string Channel)> SetUpAsync(Dictionary<string, int[]> stock)
    {
        var count = stock.Values.First().Length;
        var ids = Enumerable.Range(0, count).Select(i => $"OL{_run}-{i}").ToArray();
        foreach (var id in ids) await fixture.Catalog.PutLocationAsync(ClusterFixture.Location(id));
        var channel = $"OC{_run}";
        await fixture.Catalog.PutChannelAsync(ClusterFixture.Channel(channel, ids));
        foreach (var (sku, units) in stock)
        {
            for (var i = 0; i < ids.Length; i++) await Inventory(ids[i], sku).SetLevelAsync(new AbsoluteLevel(units[i], null, null, T0));
        }

        // Both silos must know the channel before orders on either use it.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            var probe = await fixture.Client.GetGrain<ISourcingGrain>(0).PlanAsync(Request(channel, (stock.Keys.First(), 1)));
            if (probe.Plan is not null) break;
            await Task.Delay(50);
        }

        await Task.Delay(600); // the reference cache of the other silo polls every 250 ms
        return (ids, channel);
    }

    private static OrderRequest Request(string channel, params (string Sku, int Qty)[] lines) => new(
        null, channel, new Customer("c", null, null), [.. lines.Select(l => new OrderLineRequest(l.Sku, l.Qty, 1m))], FulfilmentType.Ship, null, null);

    [Fact]
    public async Task Orders_racing_for_the_last_units_across_locations_never_oversell()
    {
        var a = $"RA-{_run}";
        var b = $"RB-{_run}";
        var (locations, channel) = await SetUpAsync(new() { [a] = [7, 5], [b] = [0, 6] });

        var random = new Random(42);
        var orders = Enumerable.Range(0, 300).Select(i => (Id: $"race-{_run}-{i}", A: random.Next(1, 4), B: random.Next(0, 2))).ToArray();
        var results = await Task.WhenAll(orders.Select(async o =>
        {
            var lines = o.B > 0 ? new[] { (a, o.A), (b, o.B) } : new[] { (a, o.A) };
            return (Order: o, Result: await fixture.Client.GetGrain<IOrderGrain>(o.Id).PlaceAsync(Request(channel, lines)));
        }));

        Assert.All(results, r => Assert.Contains(r.Result.Outcome, new[] { OrderOutcome.Ok, OrderOutcome.InsufficientStock }));
        var accepted = results.Where(r => r.Result.Outcome == OrderOutcome.Ok).ToArray();
        Assert.NotEmpty(accepted);
        var soldA = accepted.Sum(r => r.Order.A);
        var soldB = accepted.Sum(r => r.Order.B);
        // Never more than the 12 there are. (Fewer is possible: units taken by an order that a B line then refused
        // come back after later orders were already refused on them.)
        Assert.InRange(soldA, 1, 12);
        Assert.InRange(soldB, 0, 6);

        foreach (var (sku, sold) in new[] { (a, soldA), (b, soldB) })
        {
            var levels = await Task.WhenAll(locations.Select(l => Inventory(l, sku).GetAsync()));
            Assert.All(levels, l => Assert.True(l.Allocated <= l.OnHand, $"oversold: {l}"));
            Assert.Equal(sold, levels.Sum(l => l.Allocated));
        }

        // Every accepted order's fulfilments add up to what it asked for; refused ones left nothing behind.
        foreach (var (order, result) in results)
        {
            var view = await fixture.Client.GetGrain<IOrderGrain>(order.Id).GetAsync();
            if (result.Outcome != OrderOutcome.Ok)
            {
                Assert.Null(view);
                continue;
            }

            Assert.Equal(order.A, view!.Fulfilments.SelectMany(f => f.Lines).Where(l => l.Sku == a).Sum(l => l.Quantity));
            Assert.Equal(OrderStatus.Sourced, view.Status);
        }
    }

    [Fact]
    public async Task Whole_flow_on_two_silos_order_pick_short_resource_ship_deliver_return_refund_and_bopis()
    {
        var a = $"WA-{_run}";
        var b = $"WB-{_run}";
        var (l, channel) = await SetUpAsync(new() { [a] = [2, 5], [b] = [1, 0] });
        var grain = fixture.Client.GetGrain<IOrderGrain>($"flow-{_run}");
        var placed = await grain.PlaceAsync(new OrderRequest(null, channel, new Customer($"fc-{_run}", null, null),
            [new OrderLineRequest(a, 2, 10m), new OrderLineRequest(b, 1, 4m)], FulfilmentType.Ship, null, null));
        Assert.Equal(OrderOutcome.Ok, placed.Outcome);
        var f1 = Assert.Single(placed.Order!.Fulfilments); // L0 has both lines
        Assert.Equal(l[0], f1.LocationId);

        Assert.Equal(OrderOutcome.Ok, (await grain.ApplyAsync(f1.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Pick, b, b, 1))).Outcome);
        Assert.Equal(OrderOutcome.Invalid, (await grain.ApplyAsync(f1.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Pick, a, "wrong", 1))).Outcome);
        Assert.Equal(OrderOutcome.Ok, (await grain.ApplyAsync(f1.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Pick, a, a, 1))).Outcome);
        var shorted = await grain.ApplyAsync(f1.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Short, a, Quantity: 1, ReasonCode: "damaged"));
        var f2 = shorted.Order!.Fulfilments.Single(f => f.FulfilmentId != f1.FulfilmentId);
        Assert.Equal((l[1], 1), (f2.LocationId, f2.Lines.Single().Quantity));
        Assert.Equal(FulfilmentStatus.Picked, shorted.Order.Fulfilments.Single(f => f.FulfilmentId == f1.FulfilmentId).Status);
        var l0a = await Inventory(l[0], a).GetAsync();
        Assert.Equal((2, 1, 1), (l0a.OnHand, l0a.Allocated, l0a.Unavailable));

        Assert.Equal(OrderOutcome.Ok, (await grain.ApplyAsync(f2.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Pick, a, a, 1))).Outcome);
        foreach (var f in new[] { f1.FulfilmentId, f2.FulfilmentId })
        {
            Assert.Equal(OrderOutcome.InvalidState, (await grain.ApplyAsync(f, new FulfilmentCommand(FulfilmentAction.Deliver))).Outcome);
            Assert.Equal(OrderOutcome.Ok, (await grain.ApplyAsync(f, new FulfilmentCommand(FulfilmentAction.Pack))).Outcome);
            Assert.Equal(OrderOutcome.Ok, (await grain.ApplyAsync(f, new FulfilmentCommand(FulfilmentAction.Ship, Carrier: "DHL", TrackingNumber: f))).Outcome);
        }

        Assert.Equal(OrderStatus.Shipped, (await grain.GetAsync())!.Status);
        Assert.Equal(OrderOutcome.InvalidState, (await grain.CancelAsync(null, "late")).Outcome);
        foreach (var f in new[] { f1.FulfilmentId, f2.FulfilmentId })
            Assert.Equal(OrderOutcome.Ok, (await grain.ApplyAsync(f, new FulfilmentCommand(FulfilmentAction.Deliver))).Outcome);
        Assert.Equal(OrderStatus.Delivered, (await grain.GetAsync())!.Status);

        var ret = await grain.CreateReturnAsync([new ReturnLineRequest(a, 2, "wrong size")], null);
        Assert.Equal(OrderOutcome.Ok, ret.Outcome);
        var received = await grain.ReceiveReturnAsync(ret.CreatedId!, [new ReceiveLine(a, 1, ReturnCondition.Resellable), new ReceiveLine(a, 1, ReturnCondition.Damaged)], l[1]);
        Assert.Equal(OrderOutcome.Ok, received.Outcome);
        Assert.Equal(20m, received.Order!.Returns.Single().RefundAmount); // default policy: no fee, damaged refunded in full
        var l1a = await Inventory(l[1], a).GetAsync();
        Assert.Equal((6, 0, 1), (l1a.OnHand, l1a.Allocated, l1a.Unavailable)); // 5 − 1 shipped + 2 back, 1 of them damaged
        var final = (await grain.GetAsync())!;
        Assert.Equal(OrderStatus.Delivered, final.Status); // the B unit was not returned
        Assert.Contains(final.Notifications, n => n.Type == "order.refunded");

        // BOPIS at L1: ready, then the wrong code, then the right one.
        var bopis = fixture.Client.GetGrain<IOrderGrain>($"bopis-{_run}");
        var pickup = await bopis.PlaceAsync(new OrderRequest(null, channel, new Customer($"fc-{_run}", null, null),
            [new OrderLineRequest(a, 1, 10m)], FulfilmentType.Pickup, l[1], null));
        var pf = pickup.Order!.Fulfilments.Single();
        Assert.Equal(l[1], pf.LocationId);
        await bopis.ApplyAsync(pf.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Pick, a, a, 1));
        await bopis.ApplyAsync(pf.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Pack));
        var ready = await bopis.ApplyAsync(pf.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Ready));
        var code = ready.CreatedId!;
        Assert.Equal(OrderOutcome.Invalid, (await bopis.ApplyAsync(pf.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Collect, PickupCode: code == "000000" ? "000001" : "000000"))).Outcome);
        Assert.Equal(OrderStatus.ReadyForPickup, (await bopis.GetAsync())!.Status);
        Assert.Equal(OrderOutcome.Ok, (await bopis.ApplyAsync(pf.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Collect, PickupCode: code))).Outcome);
        Assert.Equal(OrderStatus.Collected, (await bopis.GetAsync())!.Status);
        Assert.Equal((5, 0), ((await Inventory(l[1], a).GetAsync()).OnHand, (await Inventory(l[1], a).GetAsync()).Allocated));

        var customer = await fixture.Client.GetGrain<ICustomerOrdersGrain>($"fc-{_run}").GetAsync();
        Assert.Equal([$"bopis-{_run}", $"flow-{_run}"], customer.Select(c => c.OrderId));
    }

    [Fact]
    public async Task A_provisional_allocation_whose_order_never_persisted_is_released_at_its_deadline()
    {
        var sku = $"GH-{_run}";
        var (locations, _) = await SetUpAsync(new() { [sku] = [10] });
        var grain = Inventory(locations[0], sku);

        // As if an order grain allocated and its silo died before it persisted the order.
        var result = await grain.AllocateAsync(new AllocationRequest($"ghost-{_run}:f1", "tok", 4, DateTimeOffset.UtcNow.AddSeconds(1), 0, null));
        Assert.True(result.Ok);
        Assert.Equal(4, result.Level.Allocated);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await grain.GetAsync()).Allocated != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the ghost allocation was never released");
            await Task.Delay(100);
        }

        Assert.Equal(10, (await grain.GetAsync()).Atp);
    }

    [Fact]
    public async Task A_confirmed_allocation_costs_no_reminder_and_an_unconfirmed_one_gets_its_reminder_after_the_grace()
    {
        var sku = $"RM-{_run}";
        var (locations, channel) = await SetUpAsync(new() { [sku] = [10] });
        var placed = await fixture.Client.GetGrain<IOrderGrain>($"rem-{_run}").PlaceAsync(Request(channel, (sku, 2)));
        Assert.Equal(OrderOutcome.Ok, placed.Outcome);

        // As if an order grain allocated with the usual 30 s window and then went silent.
        var ghost = locations[0];
        var ghostSku = $"RG-{_run}";
        await Inventory(ghost, ghostSku).SetLevelAsync(new AbsoluteLevel(5, null, null, T0));
        Assert.True((await Inventory(ghost, ghostSku).AllocateAsync(new AllocationRequest($"ghost-{_run}:f1", "tok", 1, DateTimeOffset.UtcNow + OrderGrain.ConfirmWindow, 0, null))).Ok);
        Assert.Empty(await RemindersOf(Inventory(ghost, ghostSku)));

        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Empty(await RemindersOf(Inventory(locations[0], sku))); // confirmed within milliseconds: never registered
        Assert.Equal(["expire-holds"], await RemindersOf(Inventory(ghost, ghostSku))); // 5 s unconfirmed: it may outlive its silo
    }

    private async Task<string[]> RemindersOf(IInventoryGrain grain)
    {
        var table = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        return [.. (await table.ReadRows(grain.GetGrainId())).Reminders.Select(r => r.ReminderName)];
    }

    [Fact]
    public async Task A_converted_cart_hold_comes_back_when_the_allocation_is_undone()
    {
        var sku = $"CH-{_run}";
        var (locations, _) = await SetUpAsync(new() { [sku] = [5] });
        var grain = Inventory(locations[0], sku);
        await grain.SetHoldAsync(new HoldRequest($"cart:ch-{_run}", 4, DateTimeOffset.UtcNow.AddMinutes(10), 0));

        var taken = await grain.AllocateAsync(new AllocationRequest($"ch-{_run}:f1", "t", 3, DateTimeOffset.UtcNow.AddSeconds(30), 0, $"cart:ch-{_run}"));
        Assert.Equal((1, 3), (taken.Level.Reserved, taken.Level.Allocated));
        var undone = await grain.ReleaseAllocationAsync($"ch-{_run}:f1", 0); // another line of that order was refused
        Assert.Equal((4, 0, 1), (undone.Reserved, undone.Allocated, undone.Atp));
    }

    [Fact]
    public async Task A_persisted_order_keeps_its_allocations_after_they_are_resolved()
    {
        var sku = $"KP-{_run}";
        var (locations, channel) = await SetUpAsync(new() { [sku] = [10] });
        var orderId = $"keep-{_run}";
        var placed = await fixture.Client.GetGrain<IOrderGrain>(orderId).PlaceAsync(Request(channel, (sku, 3)));
        Assert.Equal(OrderOutcome.Ok, placed.Outcome);
        var fid = placed.Order!.Fulfilments.Single().FulfilmentId;

        // The order answers for its own fulfilment only with its own token.
        Assert.Equal(0, await fixture.Client.GetGrain<IOrderGrain>(orderId).ResolveAllocationAsync(fid, sku, "not-the-token"));
        await Task.Delay(300); // the one-way confirmation
        Assert.Equal(3, (await Inventory(locations[0], sku).GetAsync()).Allocated);
    }

    [Fact]
    public async Task A_storage_failure_while_recording_the_order_releases_every_allocation()
    {
        var sku = $"SF-{_run}";
        var (locations, channel) = await SetUpAsync(new() { [sku] = [2, 2] });
        var orderId = $"fail-{_run}";
        var order = fixture.Client.GetGrain<IOrderGrain>(orderId);
        MutationCheckingStorage.FailNextWrite(order.GetGrainId());

        await Assert.ThrowsAnyAsync<Exception>(() => order.PlaceAsync(Request(channel, (sku, 3))));

        var levels = await Task.WhenAll(locations.Select(l => Inventory(l, sku).GetAsync()));
        Assert.Equal(0, levels.Sum(l => l.Allocated));
        Assert.Null(await order.GetAsync());

        var retry = await order.PlaceAsync(Request(channel, (sku, 3)));
        Assert.Equal(OrderOutcome.Ok, retry.Outcome);
        levels = await Task.WhenAll(locations.Select(l => Inventory(l, sku).GetAsync()));
        Assert.Equal(3, levels.Sum(l => l.Allocated));
    }

    [Fact]
    public async Task Concurrent_cancels_and_picks_on_one_order_keep_inventory_and_order_in_step()
    {
        var sku = $"CC-{_run}";
        var (locations, channel) = await SetUpAsync(new() { [sku] = [20] });
        var orderId = $"cc-{_run}";
        var grain = fixture.Client.GetGrain<IOrderGrain>(orderId);
        var placed = await grain.PlaceAsync(Request(channel, (sku, 10)));
        var fid = placed.Order!.Fulfilments.Single().FulfilmentId;

        var steps = Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? grain.CancelAsync([new LineQuantity(sku, 1)], "race")
            : grain.ApplyAsync(fid, new FulfilmentCommand(FulfilmentAction.Pick, sku, sku, 1)));
        var results = await Task.WhenAll(steps);

        var view = (await grain.GetAsync())!;
        var line = view.Fulfilments.Single().Lines.Single();
        var level = await Inventory(locations[0], sku).GetAsync();
        Assert.Equal(line.Quantity, level.Allocated);
        Assert.Equal(10, line.Quantity + line.Cancelled);
        var cancels = results.Where((_, i) => i % 2 == 0).Count(r => r.Outcome == OrderOutcome.Ok);
        var picks = results.Where((_, i) => i % 2 == 1).Count(r => r.Outcome == OrderOutcome.Ok);
        Assert.Equal(cancels, line.Cancelled);
        Assert.True(line.Picked <= picks && line.Picked <= line.Quantity, $"picked {line.Picked} of {line.Quantity} after {picks} picks");
    }

    [Fact]
    public async Task A_ship_whose_order_write_fails_moves_stock_once_when_retried()
    {
        var sku = $"SH-{_run}";
        var (locations, channel) = await SetUpAsync(new() { [sku] = [10] });
        var grain = fixture.Client.GetGrain<IOrderGrain>($"sh-{_run}");
        var fid = (await grain.PlaceAsync(Request(channel, (sku, 4)))).Order!.Fulfilments.Single().FulfilmentId;
        await grain.ApplyAsync(fid, new FulfilmentCommand(FulfilmentAction.Pick, sku, sku, 4));
        await grain.ApplyAsync(fid, new FulfilmentCommand(FulfilmentAction.Pack));

        MutationCheckingStorage.FailNextWrite(grain.GetGrainId());
        await Assert.ThrowsAnyAsync<Exception>(() => grain.ApplyAsync(fid, new FulfilmentCommand(FulfilmentAction.Ship, Carrier: "DPD", TrackingNumber: "1")));
        Assert.Equal(FulfilmentStatus.Packed, (await grain.GetAsync())!.Fulfilments.Single().Status); // not acknowledged, not recorded

        var retried = await grain.ApplyAsync(fid, new FulfilmentCommand(FulfilmentAction.Ship, Carrier: "DPD", TrackingNumber: "1"));
        Assert.Equal(OrderOutcome.Ok, retried.Outcome);
        var level = await Inventory(locations[0], sku).GetAsync();
        Assert.Equal((6, 0), (level.OnHand, level.Allocated));
    }

    [Fact]
    public async Task A_short_pick_whose_order_write_fails_releases_its_re_sourced_allocation_at_once()
    {
        var sku = $"SR-{_run}";
        var (locations, channel) = await SetUpAsync(new() { [sku] = [4, 4] });
        var grain = fixture.Client.GetGrain<IOrderGrain>($"sr-{_run}");
        var f = (await grain.PlaceAsync(Request(channel, (sku, 4)))).Order!.Fulfilments.Single();
        var other = locations.Single(l => l != f.LocationId);

        MutationCheckingStorage.FailNextWrite(grain.GetGrainId());
        await Assert.ThrowsAnyAsync<Exception>(() => grain.ApplyAsync(f.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Short, sku, Quantity: 2, ReasonCode: "damaged")));
        // The re-sourced allocation is not the persisted order's: released now, not when its 30 s deadline asks.
        Assert.Equal(0, (await Inventory(other, sku).GetAsync()).Allocated);
        Assert.Single((await grain.GetAsync())!.Fulfilments);

        var retried = await grain.ApplyAsync(f.FulfilmentId, new FulfilmentCommand(FulfilmentAction.Short, sku, Quantity: 2, ReasonCode: "damaged"));
        Assert.Equal(OrderOutcome.Ok, retried.Outcome);
        Assert.Equal(other, retried.Order!.Fulfilments[^1].LocationId);
        var (here, there) = (await Inventory(f.LocationId, sku).GetAsync(), await Inventory(other, sku).GetAsync());
        Assert.Equal((2, 2), (here.Allocated, here.Unavailable)); // the short movement applied once
        Assert.Equal(2, there.Allocated);
    }

    [Fact]
    public async Task A_work_queue_rebuilds_from_its_orders_after_deactivation()
    {
        var sku = $"WQ-{_run}";
        var (locations, channel) = await SetUpAsync(new() { [sku] = [10] });
        var grain = fixture.Client.GetGrain<IOrderGrain>($"wq-{_run}");
        var fid = (await grain.PlaceAsync(Request(channel, (sku, 2)))).Order!.Fulfilments.Single().FulfilmentId;
        await grain.ApplyAsync(fid, new FulfilmentCommand(FulfilmentAction.Pick, sku, sku, 1)); // a step the queue does not persist
        var queue = fixture.Client.GetGrain<ILocationQueueGrain>(locations[0]);
        Assert.Equal(1, await queue.GetTodayCountAsync());

        await queue.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(200);

        var open = Assert.Single(await queue.GetAsync(null));
        Assert.Equal((fid, FulfilmentStatus.Picking, 1), (open.FulfilmentId, open.Status, open.Lines.Single().Picked));
        Assert.Equal(1, await queue.GetTodayCountAsync());
    }

    [Fact]
    public async Task Customer_notifications_go_out_on_the_order_events_stream()
    {
        var sku = $"EV-{_run}";
        var (_, channel) = await SetUpAsync(new() { [sku] = [5] });
        var orderId = $"ev-{_run}";
        var received = new List<OrderEvent>();
        var stream = fixture.Client.GetStreamProvider(OmsNames.StreamProvider)
            .GetStream<OrderEvent>(StreamId.Create(OmsNames.OrderEventsNamespace, OmsNames.PartitionOf(orderId).ToString()));
        var handle = await stream.SubscribeAsync((e, _) =>
        {
            if (e.OrderId == orderId) lock (received) received.Add(e);
            return Task.CompletedTask;
        });
        try
        {
            var grain = fixture.Client.GetGrain<IOrderGrain>(orderId);
            await grain.PlaceAsync(Request(channel, (sku, 1)));
            await grain.CancelAsync(null, "changed my mind");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                string seenSoFar;
                lock (received)
                {
                    if (received.DistinctBy(e => e.EventId).Count() >= 3) break;
                    seenSoFar = string.Join(", ", received.Select(e => e.Type)); // the subscriber adds concurrently
                }

                Assert.True(DateTime.UtcNow < deadline, $"events received: {seenSoFar}");
                await Task.Delay(50);
            }

            var view = (await grain.GetAsync())!;
            OrderEvent[] got;
            lock (received) got = [.. received.DistinctBy(e => e.EventId)]; // at least once: consumers de-duplicate by event id
            var seen = string.Join(", ", got.Select(e => $"{e.EventId}={e.Type}"));
            Assert.True(got.Select(e => e.Type).SequenceEqual(["order.created", "order.sourced", "order.cancelled"]), seen);
            Assert.True(view.Notifications.Select(n => n.EventId).SequenceEqual(got.Select(e => e.EventId)), seen);
        }
        finally
        {
            await handle.UnsubscribeAsync();
        }
    }
}
