using static Oms.Gateway.Tests.EventTestHelpers;

namespace Oms.Gateway.Tests;

/// <summary>Stock events in the feed, with stock events turned on (<see cref="StockEventsFixture"/>).</summary>
[Collection(StockEventsCollection.Name)]
public sealed class StockEventTests(StockEventsFixture fx)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..10];

    private const string Wh = GatewayFixture.Warehouse;

    [Fact]
    public async Task Stock_changes_are_announced_per_channel_coalesced_with_out_and_back_in_stock()
    {
        var sku = $"ES-{_id}";
        var (_, start) = await fx.ReadAll();
        await fx.Stock(sku, 20);
        // A burst inside one window: one stock.changed with the last figure, not one per change (the stock's own PUT may
        // fall in an earlier window on a loaded machine, so at most two for the six changes).
        await Task.WhenAll(Enumerable.Range(1, 5).Select(i => fx.PostOk("/v1/inventory/adjustments", new { locationId = Wh, sku, eventId = $"adj-{_id}-{i}", delta = -1, reason = "shrink" })));
        var subject = $"stock:{sku}:{GatewayFixture.Channel}";

        async Task<List<JsonElement>> Read() => (await fx.ReadAll(start)).Events.Where(e => Subject(e) == subject).ToList();

        async Task<List<JsonElement>> Mine(int atLeast)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                var mine = await Read();
                if (mine.Count >= atLeast || DateTime.UtcNow > deadline) return mine;
                await Task.Delay(100);
            }
        }

        // The burst's events once no new one has come for three windows.
        var first = await Mine(1);
        for (var quietSince = DateTime.UtcNow; DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(1.5);)
        {
            await Task.Delay(100);
            var now = await Read();
            if (now.Count > first.Count) (first, quietSince) = (now, DateTime.UtcNow);
        }

        var n = first.Count;
        Assert.InRange(n, 1, 2);
        Assert.All(first, e => Assert.Equal("stock.changed", e.GetProperty("type").GetString()));
        var changed = first[^1];
        var shown = await fx.GetOk($"/v1/availability/{sku}?channel={GatewayFixture.Channel}");
        Assert.Equal(15, shown.GetProperty("available").GetInt32());
        Assert.Equal(shown.GetProperty("available").GetInt32(), changed.GetProperty("data").GetProperty("available").GetInt32());
        Assert.Equal(shown.GetProperty("status").GetString(), changed.GetProperty("data").GetProperty("status").GetString());

        await fx.PutOk($"/v1/inventory/{Wh}/{sku}", new { onHand = 0, asOf = "2026-04-02T00:00:00Z" });
        var afterOut = await Mine(n + 2);
        Assert.Equal<string>(["stock.changed", "stock.out"], [.. afterOut.Skip(n).Select(e => e.GetProperty("type").GetString()!)]);
        Assert.Equal(shown.GetProperty("available").GetInt32(), afterOut[n].GetProperty("data").GetProperty("previousAvailable").GetInt32());

        await fx.PutOk($"/v1/inventory/{Wh}/{sku}", new { onHand = 2, asOf = "2026-04-03T00:00:00Z" });
        var back = await Mine(n + 4);
        // Back from out is back in stock (not "low", although two units are below the threshold).
        Assert.Equal<string>(["stock.changed", "stock.back_in_stock"], [.. back.Skip(n + 2).Select(e => e.GetProperty("type").GetString()!)]);
        Assert.Equal("low_stock", back[n + 3].GetProperty("data").GetProperty("status").GetString());

        await fx.PutOk($"/v1/inventory/{Wh}/{sku}", new { onHand = 40, asOf = "2026-04-04T00:00:00Z" });
        await Mine(n + 5);
        await fx.PutOk($"/v1/inventory/{Wh}/{sku}", new { onHand = 3, asOf = "2026-04-05T00:00:00Z" });
        back = await Mine(n + 7);
        Assert.Equal<string>(["stock.changed", "stock.changed", "stock.low"], [.. back.Skip(n + 4).Select(e => e.GetProperty("type").GetString()!)]);
        Assert.Equal(Enumerable.Range(1, back.Count).Select(i => (long)i), back.Select(e => e.GetProperty("sequence").GetInt64()));
    }

}
