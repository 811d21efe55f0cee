using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Orders;
using Oms.Grains.Sourcing;

namespace Oms.Domain.Tests;

public sealed class OrderRulesTests
{
    // (from, action, pickup, transfer) -> to; null = 409 invalid_state
    public static TheoryData<FS, FA, bool, bool, FS?> Transitions() => new()
    {
        { FS.Held, FA.Release, false, false, FS.Released },
        { FS.Held, FA.Pick, false, false, null },
        { FS.Held, FA.Cancel, false, false, FS.Cancelled },
        { FS.Released, FA.Accept, false, false, FS.Picking },
        { FS.Released, FA.Pick, false, false, FS.Picking },
        { FS.Released, FA.Short, false, false, FS.Picking },
        { FS.Released, FA.Pack, false, false, null },
        { FS.Released, FA.Ship, false, false, null },
        { FS.Picking, FA.Pick, false, false, FS.Picking },
        { FS.Picking, FA.Pack, false, false, null },
        { FS.Picked, FA.Pack, false, false, FS.Packed },
        { FS.Picked, FA.Pick, false, false, null },
        { FS.Packed, FA.Ship, false, false, FS.Shipped },
        { FS.Packed, FA.Ready, false, false, null },
        { FS.Packed, FA.Ship, true, false, null },
        { FS.Packed, FA.Ready, true, false, FS.ReadyForPickup },
        { FS.Packed, FA.Ship, true, true, FS.Shipped },
        { FS.Packed, FA.Ready, true, true, null },
        { FS.Shipped, FA.Ready, true, true, FS.ReadyForPickup },
        { FS.Shipped, FA.Deliver, false, false, FS.Delivered },
        { FS.Shipped, FA.Deliver, true, true, null },
        { FS.Shipped, FA.Cancel, false, false, null },
        { FS.Shipped, FA.Ship, false, false, null },
        { FS.ReadyForPickup, FA.Collect, true, false, FS.Collected },
        { FS.ReadyForPickup, FA.Cancel, true, false, FS.Cancelled },
        { FS.ReadyForPickup, FA.Cancel, true, true, null },
        { FS.Delivered, FA.Deliver, false, false, null },
        { FS.Delivered, FA.Cancel, false, false, null },
        { FS.Collected, FA.Collect, true, false, null },
        { FS.Cancelled, FA.Pick, false, false, null },
        { FS.Cancelled, FA.Cancel, false, false, null },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Fulfilment_transitions(FS from, FA action, bool pickup, bool transfer, FS? expected) =>
        Assert.Equal(expected, OrderRules.Next(from, action, pickup, transfer));

    public static TheoryData<bool, (FS, bool)[], bool, bool, OrderStatus> Statuses() => new()
    {
        { false, [], false, false, OrderStatus.Created },
        { true, [(FS.Held, false)], false, false, OrderStatus.OnHold },
        { false, [(FS.Released, false), (FS.Released, false)], false, false, OrderStatus.Sourced },
        { false, [(FS.Released, false)], true, false, OrderStatus.PartiallyCancelled },
        { false, [(FS.Picking, false), (FS.Released, false)], false, false, OrderStatus.InFulfilment },
        { false, [(FS.Shipped, false), (FS.Packed, false)], false, false, OrderStatus.InFulfilment },
        { false, [(FS.Shipped, false), (FS.Delivered, false), (FS.Cancelled, false)], false, false, OrderStatus.Shipped },
        { false, [(FS.Delivered, false), (FS.Delivered, false)], false, false, OrderStatus.Delivered },
        { false, [(FS.Shipped, true)], false, false, OrderStatus.InFulfilment },
        { false, [(FS.ReadyForPickup, false), (FS.ReadyForPickup, true)], false, false, OrderStatus.ReadyForPickup },
        { false, [(FS.Collected, false), (FS.ReadyForPickup, true)], false, false, OrderStatus.ReadyForPickup },
        { false, [(FS.Collected, false), (FS.Collected, true)], false, false, OrderStatus.Collected },
        { false, [(FS.Cancelled, false), (FS.Cancelled, false)], true, false, OrderStatus.Cancelled },
        { false, [(FS.Delivered, false)], false, true, OrderStatus.Returned },
        { false, [(FS.Delivered, false), (FS.Released, false)], false, true, OrderStatus.InFulfilment },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Order_status_is_derived_from_its_fulfilments(bool onHold, (FS, bool)[] fulfilments, bool anyCancelled, bool allReturned, OrderStatus expected) =>
        Assert.Equal(expected, OrderRules.Derive(onHold, fulfilments, anyCancelled, allReturned));

    [Theory]
    [InlineData(OrderStatus.OnHold, true, true, false)]
    [InlineData(OrderStatus.Sourced, false, true, false)]
    [InlineData(OrderStatus.PartiallyCancelled, false, true, false)]
    [InlineData(OrderStatus.InFulfilment, false, true, true)]
    [InlineData(OrderStatus.ReadyForPickup, false, true, true)]
    [InlineData(OrderStatus.Shipped, false, false, true)]
    [InlineData(OrderStatus.Delivered, false, false, true)]
    [InlineData(OrderStatus.Collected, false, false, true)]
    [InlineData(OrderStatus.Cancelled, false, false, false)]
    [InlineData(OrderStatus.Returned, false, false, false)]
    public void Order_commands_are_allowed_only_in_their_statuses(OrderStatus status, bool approve, bool cancel, bool ret)
    {
        Assert.Equal(approve, OrderRules.Allows(status, OrderCommand.Approve));
        Assert.Equal(approve, OrderRules.Allows(status, OrderCommand.Reject));
        Assert.Equal(cancel, OrderRules.Allows(status, OrderCommand.Cancel));
        Assert.Equal(ret, OrderRules.Allows(status, OrderCommand.Return));
    }
}

public sealed class RefundRulesTests
{
    private static readonly DateTimeOffset Delivered = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<RefundPolicy, int, int, decimal, decimal, decimal> Quotes() => new()
    {
        // policy, resellable, damaged, unit price -> refund, fee
        { new RefundPolicy(30, 0m, [], 100m), 2, 0, 10m, 20m, 0m },
        { new RefundPolicy(30, 10m, [], 100m), 2, 0, 10m, 18m, 2m },
        { new RefundPolicy(30, 10m, [], 0m), 1, 1, 10m, 9m, 1m },
        { new RefundPolicy(30, 10m, [], 50m), 0, 2, 10m, 10m, 0m },
        { new RefundPolicy(30, 15m, [], 100m), 1, 0, 9.99m, 8.49m, 1.50m },
        { new RefundPolicy(30, 0m, [], 100m), 0, 0, 10m, 0m, 0m },
    };

    [Theory]
    [MemberData(nameof(Quotes))]
    public void Refund_is_price_less_restocking_fee_plus_the_damaged_share(RefundPolicy policy, int resellable, int damaged, decimal price, decimal refund, decimal fee) =>
        Assert.Equal((refund, fee), RefundRules.Quote(policy, [(price, resellable, damaged)]));

    [Theory]
    [InlineData(29, null, null)]
    [InlineData(30, null, null)]
    [InlineData(31, null, "the 30-day return window closed on 2026-03-31")]
    [InlineData(1, "food", "category 'food' is not returnable")]
    [InlineData(1, "FOOD", "category 'FOOD' is not returnable")]
    [InlineData(1, "shoes", null)]
    public void Returns_are_refused_outside_the_window_or_for_non_returnable_categories(int daysLater, string? category, string? expected)
    {
        var policy = new RefundPolicy(30, 0m, ["food"], 100m);
        Assert.Equal(expected, RefundRules.Refuse(policy, Delivered, Delivered.AddDays(daysLater).AddMinutes(daysLater > 30 ? 1 : 0), category));
    }

    [Fact]
    public void Nothing_handed_over_cannot_be_returned() =>
        Assert.Equal("nothing of this line has reached the customer yet", RefundRules.Refuse(RefundPolicy.Default, null, Delivered, null));
}

public sealed class DeliveryPromiseTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(FulfilmentType.Ship, null, 10.0, 4.0, 28)]
    [InlineData(FulfilmentType.Ship, null, 200.0, 24.0, 72)]
    [InlineData(FulfilmentType.Ship, null, 900.0, 24.0, 96)]
    [InlineData(FulfilmentType.Ship, null, null, 24.0, 72)]
    [InlineData(FulfilmentType.Pickup, null, 0.0, 2.0, 2)]
    [InlineData(FulfilmentType.Pickup, "ST", 150.0, 24.0, 72)]
    public void Estimate_is_turnaround_plus_carrier_or_transfer_lead(FulfilmentType type, string? transferTo, double? km, double turnaround, int hours)
    {
        var from = new Location("L", "L", LocationType.Warehouse, 0, 0, null, [], 0, 0, turnaround, false);
        Assert.Equal(Now.AddHours(hours), DeliveryPromise.For(Now, type, from, transferTo, km));
    }
}
