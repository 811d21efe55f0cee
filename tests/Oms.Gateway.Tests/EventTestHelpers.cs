namespace Oms.Gateway.Tests;

/// <summary>What the event tests share: a SKU with stock at the fixture's warehouse, and the feed read to its end.</summary>
public static class EventTestHelpers
{
    /// <summary>A product <paramref name="sku"/> (barcode <c>BC{sku}</c>) with <paramref name="onHand"/> at <see cref="GatewayFixture.Warehouse"/>.</summary>
    public static async Task Stock(this GatewayFixture fx, string sku, int onHand)
    {
        await fx.PutOk($"/v1/products/{sku}", new { name = sku, barcode = $"BC{sku}" });
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{sku}", new { onHand, asOf = "2026-04-01T00:00:00Z" });
    }

    /// <summary>Every event after <paramref name="after"/> (the start of the feed without it), paging with <paramref name="limit"/>.</summary>
    public static async Task<(List<JsonElement> Events, string Next)> ReadAll(this GatewayFixture fx, string? after = null, int limit = 1000, string? types = null)
    {
        var events = new List<JsonElement>();
        var cursor = after;
        while (true)
        {
            var query = $"/v1/events?limit={limit}" + (cursor is null ? "" : $"&after={cursor}") + (types is null ? "" : $"&types={types}");
            var page = await fx.GetOk(query);
            var got = page.GetProperty("events").EnumerateArray().ToList();
            var next = page.GetProperty("next").GetString()!;
            events.AddRange(got);
            // A page filtered by type may come back empty yet move on (it passed over other types): only no progress ends.
            if (next == cursor) return (events, next);
            cursor = next;
        }
    }

    public static string Subject(JsonElement e) => e.GetProperty("subject").GetString()!;
}
