using Oms.Grains.Inventory;

namespace Oms.Domain.Tests;

/// <summary>Which feed <c>asOf</c> values are too far ahead of the server's clock (<see cref="FeedClock"/>).</summary>
public sealed class FeedClockTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-12-02T12:00:00Z", 300, false)] // now
    [InlineData("2020-01-01T00:00:00Z", 300, false)] // long ago: older levels are ignored by last-writer-wins, not refused
    [InlineData("2026-12-02T12:05:00Z", 300, false)] // exactly the allowance
    [InlineData("2026-12-02T12:05:01Z", 300, true)]
    [InlineData("2026-12-02T13:00:00+01:00", 300, false)] // the same instant as now, in another offset
    [InlineData("2026-12-02T12:00:01Z", 0, true)] // no allowance
    [InlineData("2099-01-01T00:00:00Z", 86400, true)]
    public void A_level_dated_beyond_the_allowed_skew_is_too_far_ahead(string asOf, int skewSeconds, bool tooFar) =>
        Assert.Equal(tooFar, FeedClock.IsTooFarAhead(DateTimeOffset.Parse(asOf, System.Globalization.CultureInfo.InvariantCulture), Now, TimeSpan.FromSeconds(skewSeconds)));
}
