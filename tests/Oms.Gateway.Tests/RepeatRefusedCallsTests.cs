using System.Reflection;
using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Carts;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Orders;
using Oms.Gateway.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Oms.Gateway.Tests;

/// <summary>Which refused grain calls the gateway sends again (ADR 21): only those with no answer, only harmless ones.</summary>
public sealed class RepeatRefusedCallsTests
{
    public static TheoryData<Exception, bool> Failures => new()
    {
        { new SiloUnavailableException("Silo S127.0.0.1:11111:1 is shutting down."), true },
        { (Exception)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(OrleansMessageRejectionException)), true }, // no public constructor
        { new ConnectionFailedException("Unable to connect to endpoint"), true },
        { new TimeoutException("Response did not arrive on time in 00:00:30"), false }, // may have run; 30 s spent
        { new InvalidOperationException("a bug"), false },
        { new ArgumentException("bad input"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Only_a_call_refused_without_an_answer_is_sent_again(Exception failure, bool refused) =>
        Assert.Equal(refused, RepeatRefusedCalls.IsRefused(failure));

    public static TheoryData<Type, string, bool> Methods => new()
    {
        { typeof(ICartGrain), nameof(ICartGrain.SetLinesAsync), true }, // sets a quantity
        { typeof(ICartGrain), nameof(ICartGrain.ClearAsync), true },
        { typeof(ICartGrain), nameof(ICartGrain.ExtendAsync), false }, // each call pushes the expiry out again
        { typeof(IOrderGrain), nameof(IOrderGrain.PlaceAsync), true }, // keyed by its orderId
        { typeof(IOrderGrain), nameof(IOrderGrain.CancelAsync), false },
        { typeof(IOrderGrain), nameof(IOrderGrain.PaymentAsync), false },
        { typeof(IInventoryGrain), nameof(IInventoryGrain.GetAsync), true },
        { typeof(IInventoryGrain), nameof(IInventoryGrain.AdjustAsync), false }, // a delta
        { typeof(ISkuAvailabilityGrain), nameof(ISkuAvailabilityGrain.GetAsync), true }, // [ReadOnly]
        { typeof(ISkuAvailabilityGrain), nameof(ISkuAvailabilityGrain.UpdateAsync), false },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Only_a_harmless_call_is_sent_again(Type grain, string method, bool repeatable) =>
        Assert.Equal(repeatable, RepeatRefusedCalls.IsRepeatable(grain.GetMethod(method, BindingFlags.Public | BindingFlags.Instance)));

    [Fact]
    public void No_method_is_not_repeatable() => Assert.False(RepeatRefusedCalls.IsRepeatable(null));
}
