using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Oms.Gateway.Availability;
using Oms.GrainInterfaces.Availability;

namespace Oms.Gateway.Tests;

/// <summary>
/// The gateway's copies of the SKU views (docs/decisions/0023): embedded they are exact under concurrent holds, stock
/// writes and channel changes; a copy fed only by deltas (as on the cluster) lags by at most its staleness bound,
/// fetches again on a gap, and shows this gateway's own writes at once.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AvailabilityCopyTests(GatewayFixture fx)
{
    private readonly string _sku = $"COPY-{Guid.NewGuid():N}"[..21];
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private async Task<int> AvailableAsync(string sku) =>
        (await fx.GetOk($"/v1/availability/{sku}?channel={GatewayFixture.Channel}")).GetProperty("available").GetInt32();

    [Fact]
    public async Task Concurrent_holds_and_reads_every_read_within_what_was_acknowledged_and_each_shopper_sees_its_own_hold_at_once()
    {
        const int onHand = 120;
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}", new { onHand, asOf = "2026-05-01T00:00:00Z" });
        Assert.Equal(onHand, await AvailableAsync(_sku));

        // Holds only grow during the run, so what a read may show is bounded on both sides: at most onHand minus the
        // units acknowledged before it was sent, at least onHand minus the units asked for before it was answered.
        var acked = 0;
        var asked = 0;
        var reads = 0;
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));

        async Task Shopper(int n)
        {
            var cart = $"cart-copy-{_id}-{n}";
            for (var quantity = 1; quantity <= onHand && !stop.IsCancellationRequested; quantity++)
            {
                Interlocked.Increment(ref asked);
                var response = await fx.Http.PutAsJsonAsync($"/v1/carts/{cart}/lines/{_sku}", new { channel = GatewayFixture.Channel, quantity });
                if (response.StatusCode == HttpStatusCode.Conflict) return; // sold out
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var ackedNow = Interlocked.Increment(ref acked);
                var mine = await AvailableAsync(_sku);
                if (mine > onHand - ackedNow) violations.Enqueue($"shopper {n}: {mine} available right after its hold #{quantity}, at most {onHand - ackedNow}");
            }
        }

        async Task Reader()
        {
            while (!stop.IsCancellationRequested)
            {
                var before = Volatile.Read(ref acked);
                var available = await AvailableAsync(_sku);
                var after = Volatile.Read(ref asked);
                Interlocked.Increment(ref reads);
                if (available > onHand - before) violations.Enqueue($"read {available} after {before} units were acknowledged");
                if (available < onHand - after) violations.Enqueue($"read {available} with only {after} units asked for");
            }
        }

        await Task.WhenAll([.. Enumerable.Range(0, 6).Select(Shopper), .. Enumerable.Range(0, 3).Select(_ => Reader())]);
        Assert.Empty(violations);
        Assert.True(reads > 50, $"only {reads} reads");
        Assert.True(acked > 20, $"only {acked} holds");
        Assert.Equal(onHand - acked, await AvailableAsync(_sku));

        // A stock write and a channel change show at once too.
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}", new { onHand = onHand + 10, asOf = "2026-05-01T00:01:00Z" });
        Assert.Equal(onHand + 10 - acked, await AvailableAsync(_sku));
        var channel = $"web-copy-{_id}";
        await fx.PutOk($"/v1/channels/{channel}", new { name = "Copy test", region = "UK", locationTypes = new[] { "warehouse" } });
        Assert.Equal(onHand + 10 - acked, (await fx.GetOk($"/v1/availability/{_sku}?channel={channel}")).GetProperty("available").GetInt32());
        await fx.PutOk($"/v1/channels/{channel}", new { name = "Copy test", region = "UK", locationTypes = new[] { "warehouse" }, buffers = new { byType = new { warehouse = 7 } } });
        Assert.Equal(onHand + 3 - acked, (await fx.GetOk($"/v1/availability/{_sku}?channel={channel}")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_copy_fed_by_deltas_lags_at_most_its_bound_fetches_again_on_a_gap_and_shows_its_own_writes()
    {
        // A second set of copies in this process that the views do not tell: what a cluster gateway has.
        var staleness = TimeSpan.FromMilliseconds(1500); // long enough that the steps between two fetches fit in it on a loaded machine
        var copies = ActivatorUtilities.CreateInstance<AvailabilityCopies>(fx.Services, Options.Create(new AvailabilityOptions { MaxStaleness = staleness }), false);
        async Task<int> AtpAsync() => (await copies.GetAsync(_sku)).Stock[GatewayFixture.Warehouse].Atp;
        async Task SetAsync(int onHand, int minute) =>
            await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}", new { onHand, asOf = $"2026-05-01T00:{minute:00}:00Z" });

        await SetAsync(10, 0);
        Assert.Equal(10, await AtpAsync());
        var fetched = await copies.GetAsync(_sku);

        // Nobody tells it of the next write: within the bound it still answers the old level.
        await SetAsync(7, 1);
        Assert.Equal(10, await AtpAsync());

        // A delta that skips a sequence number (one was lost) makes it fetch again at once.
        copies.Apply(new StockDelta("elsewhere", _sku, 0, 1, DateTimeOffset.UtcNow, 0, null, fetched.Epoch, fetched.Sequence + 2));
        Assert.Equal(7, await AtpAsync());

        // A lost delta and no later one: the bound ends the lag.
        await SetAsync(5, 2);
        var deadline = DateTime.UtcNow + staleness + TimeSpan.FromSeconds(2);
        var started = DateTime.UtcNow;
        while (await AtpAsync() != 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "the copy still shows the old level well past its staleness bound");
            await Task.Delay(20);
        }

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, staleness + TimeSpan.FromSeconds(1));

        // The next delta in sequence is applied without a fetch (the write's own, handed over as the stream would).
        var current = await copies.GetAsync(_sku);
        await SetAsync(4, 3);
        var version = (await fx.GetOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}")).GetProperty("version").GetInt64();
        copies.Apply(new StockDelta(GatewayFixture.Warehouse, _sku, 4, version, DateTimeOffset.UtcNow, 0, null, current.Epoch, current.Sequence + 1));
        var applied = await copies.GetAsync(_sku);
        Assert.Equal(4, applied.Stock[GatewayFixture.Warehouse].Atp);
        Assert.Equal(current.Sequence + 1, applied.Sequence);
        Assert.False(applied.Gap);

        // This gateway's own write: the next read fetches, whatever the stream says.
        await SetAsync(3, 4);
        copies.Written(_sku);
        Assert.Equal(3, await AtpAsync());
    }

    [Fact]
    public async Task Concurrent_misses_of_one_sku_share_one_fetch()
    {
        var copies = ActivatorUtilities.CreateInstance<AvailabilityCopies>(fx.Services, Options.Create(new AvailabilityOptions()), false);
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}", new { onHand = 3, asOf = "2026-05-01T00:00:00Z" });
        var all = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => copies.GetAsync(_sku).AsTask()));
        Assert.Single(all.Distinct());
        Assert.Equal(3, all[0].Stock[GatewayFixture.Warehouse].Atp);
    }
    [Fact]
    public async Task A_basket_answer_written_from_the_kept_answers_is_the_single_reads_item_for_item()
    {
        string[] skus = [_sku, $"{_sku}-b", $"{_sku}-unknown"];
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{skus[0]}", new { onHand = 8, asOf = "2026-05-01T00:00:00Z" });
        await fx.PutOk($"/v1/inventory/{GatewayFixture.StoreNear}/{skus[1]}", new { onHand = 4, asOf = "2026-05-01T00:00:00Z" });
        var response = await fx.Http.PostAsJsonAsync("/v1/availability/query", new { channel = GatewayFixture.Channel, skus });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(GatewayFixture.Channel, body.GetProperty("channel").GetString());
        var items = body.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(3, items.Length);
        for (var i = 0; i < 2; i++)
            Assert.Equal((await fx.GetOk($"/v1/availability/{skus[i]}?channel={GatewayFixture.Channel}")).GetRawText(), items[i].GetRawText());
        Assert.Equal(0, items[2].GetProperty("available").GetInt32()); // an unknown SKU in a basket: nothing to sell, not a 404
        Assert.Equal(8, items[0].GetProperty("available").GetInt32());
        Assert.Equal(3, items[1].GetProperty("available").GetInt32()); // 4 at a store, less the channel's store buffer of 1
    }
}
