using Oms.Grains.Inventory;

namespace Oms.Domain.Tests;

public sealed class AtpTests
{
    [Theory]
    [InlineData(10, 0, 0, 0, 0, 10)]
    [InlineData(10, 3, 2, 1, 1, 3)]
    [InlineData(10, 5, 5, 0, 0, 0)]
    [InlineData(5, 3, 3, 0, 0, 0)] // over-committed by a feed: never negative
    [InlineData(0, 0, 0, 0, 5, 0)]
    [InlineData(1_000_000, 0, 0, 0, 999_999, 1)]
    public void Atp_is_on_hand_less_every_commitment_floored_at_zero(int onHand, int reserved, int allocated, int unavailable, int safety, int expected) =>
        Assert.Equal(expected, Atp.Compute(onHand, reserved, allocated, unavailable, safety));

    [Fact]
    public void Atp_does_not_overflow_at_the_limits() =>
        Assert.Equal(0, Atp.Compute(0, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue));
}
