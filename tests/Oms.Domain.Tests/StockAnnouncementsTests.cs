using Oms.GrainInterfaces.Availability;
using Oms.Grains.Availability;

namespace Oms.Domain.Tests;

public sealed class StockAnnouncementsTests
{
    /// <summary>before: "available/status" or null; now the same; expected event types.</summary>
    [Theory]
    [InlineData(null, "10/InStock", "stock.changed")]
    [InlineData(null, "0/OutOfStock", "stock.changed")]
    [InlineData("10/InStock", "10/InStock", "")]
    [InlineData("10/InStock", "9/InStock", "stock.changed")]
    [InlineData("10/InStock", "3/LowStock", "stock.changed stock.low")]
    [InlineData("3/LowStock", "2/LowStock", "stock.changed")]
    [InlineData("3/LowStock", "0/OutOfStock", "stock.changed stock.out")]
    [InlineData("10/InStock", "0/OutOfStock", "stock.changed stock.out")]
    [InlineData("0/OutOfStock", "10/InStock", "stock.changed stock.back_in_stock")]
    [InlineData("0/OutOfStock", "2/LowStock", "stock.changed stock.back_in_stock")]
    // a backorderable SKU at zero sells nothing now: out, whatever its status says
    [InlineData("5/InStock", "0/Backorder", "stock.changed stock.out")]
    [InlineData("0/OutOfStock", "0/Backorder", "stock.changed")]
    public void Levels_and_transitions(string? before, string now, string expected)
    {
        var types = StockAnnouncements.Types(before is null ? null : Parse(before), Answer(now));
        Assert.Equal(expected, string.Join(' ', types));
    }

    private static Announced Parse(string s)
    {
        var parts = s.Split('/');
        return new Announced(int.Parse(parts[0]), Enum.Parse<StockStatus>(parts[1]), 7);
    }

    private static SkuAvailability Answer(string s)
    {
        var a = Parse(s);
        return new SkuAvailability("SKU", "web", a.Available, a.Status, 0, 0, null, [], true);
    }
}
