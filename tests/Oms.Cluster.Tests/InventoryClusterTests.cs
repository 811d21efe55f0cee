using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Oms.Grains.Availability;
using Orleans.Core.Internal;
using Orleans.Runtime;
using Orleans.Streams;

namespace Oms.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class InventoryClusterTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];

    private IInventoryGrain Inventory(string location, string sku) =>
        fixture.Client.GetGrain<IInventoryGrain>(InventoryKey.For(location, sku));

    private async Task<(string[] Locations, string Channel)> SetUpAsync(int locations)
    {
        var ids = Enumerable.Range(0, locations).Select(i => $"L{_run}-{i}").ToArray();
        foreach (var id in ids) await fixture.Catalog.PutLocationAsync(ClusterFixture.Location(id));
        var channel = $"C{_run}";
        await fixture.Catalog.PutChannelAsync(ClusterFixture.Channel(channel, ids));
        await WaitForReferenceAsync(channel);
        return (ids, channel);
    }

    /// <summary>Both silos poll the catalog; wait until a view on either silo knows the channel.</summary>
    private async Task WaitForReferenceAsync(string channel)
    {
        for (var i = 0; i < 8; i++)
        {
            // Different SKUs land on different silos; all must know the channel.
            await Until(async () => await fixture.Client.GetGrain<ISkuAvailabilityGrain>($"probe-{_run}-{i}").GetAsync(channel, AvailabilityScope.All) is not null);
        }
    }

    private static async Task Until(Func<Task<bool>> condition, int timeoutMs = 3000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task Concurrent_out_of_order_levels_end_at_the_newest_and_every_read_is_consistent()
    {
        var (locations, channel) = await SetUpAsync(4);
        var skus = Enumerable.Range(0, 20).Select(i => $"S{_run}-{i}").ToArray();
        var writes = (from l in locations from s in skus from n in Enumerable.Range(1, 15) select (l, s, n)).OrderBy(_ => Random.Shared.Next()).ToArray();
        var violations = new List<string>();
        using var stop = new CancellationTokenSource();

        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var sku = skus[Random.Shared.Next(skus.Length)];
                var level = await Inventory(locations[Random.Shared.Next(locations.Length)], sku).GetAsync();
                var expected = Math.Max(0, level.OnHand - level.Reserved - level.Allocated - level.Unavailable - level.SafetyStock);
                if (level.Atp != expected || level.Reserved + level.Allocated > level.OnHand - level.Unavailable && level.Reserved + level.Allocated > 0)
                    lock (violations) violations.Add($"inventory {sku}: {level}");
                var answer = await fixture.Client.GetGrain<ISkuAvailabilityGrain>(sku).GetAsync(channel, AvailabilityScope.All);
                if (answer is null || answer.Available != answer.Locations.Sum(l => l.Available) || answer.Available < 0)
                    lock (violations) violations.Add($"availability {sku}: {answer}");
            }
        })).ToArray();

        // n-th write of a key: onHand = n, safety 1, asOf T0 + n minutes. Applied in random order, concurrently.
        await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (w, _) =>
            await Inventory(w.l, w.s).SetLevelAsync(new AbsoluteLevel(w.n * 10, 1, null, T0.AddMinutes(w.n))));
        stop.Cancel();
        await Task.WhenAll(readers);

        Assert.Empty(violations);
        foreach (var l in locations)
        foreach (var s in skus)
        {
            var level = await Inventory(l, s).GetAsync();
            Assert.Equal(150, level.OnHand);
            Assert.Equal(149, level.Atp);
            Assert.Equal(T0.AddMinutes(15), level.AsOf);
        }

        // The view converges to what the inventory grains hold.
        foreach (var s in skus)
        {
            await Until(async () => (await fixture.Client.GetGrain<ISkuAvailabilityGrain>(s).GetAsync(channel, AvailabilityScope.All))!.Available == 4 * 149);
        }
    }

    [Fact]
    public async Task A_stale_level_is_ignored()
    {
        var (locations, _) = await SetUpAsync(1);
        var grain = Inventory(locations[0], $"S{_run}");
        Assert.True((await grain.SetLevelAsync(new AbsoluteLevel(10, null, null, T0.AddHours(1)))).Applied);
        var stale = await grain.SetLevelAsync(new AbsoluteLevel(99, null, null, T0));
        Assert.False(stale.Applied);
        Assert.Equal(10, stale.Level.OnHand);
        Assert.Equal(1, stale.Level.Version);
    }

    [Fact]
    public async Task Duplicate_event_ids_sent_concurrently_apply_once()
    {
        var (locations, _) = await SetUpAsync(1);
        var grain = Inventory(locations[0], $"S{_run}");
        var events = Enumerable.Range(0, 100).SelectMany(i => Enumerable.Repeat(i, 5)).OrderBy(_ => Random.Shared.Next()).ToArray();

        var results = await Task.WhenAll(events.Select(i => grain.AdjustAsync(new Adjustment(i % 2 == 0 ? 3 : 1, "receipt", $"e{i}"))));

        Assert.Equal(100, results.Count(r => r.Applied));
        Assert.Equal(400, results.Count(r => r.Duplicate));
        var level = await grain.GetAsync();
        Assert.Equal(50 * 3 + 50 * 1, level.OnHand);
        Assert.Equal(100, level.Version);
    }

    [Fact]
    public async Task The_availability_view_rebuilds_from_the_inventory_grains_after_deactivation()
    {
        var (locations, channel) = await SetUpAsync(3);
        var sku = $"S{_run}";
        for (var i = 0; i < 3; i++) await Inventory(locations[i], sku).SetLevelAsync(new AbsoluteLevel(10 * (i + 1), null, null, T0));
        var view = fixture.Client.GetGrain<ISkuAvailabilityGrain>(sku);
        Assert.Equal(60, (await view.GetAsync(channel, AvailabilityScope.All))!.Available);

        await view.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(200);

        var rebuilt = await view.GetAsync(channel, AvailabilityScope.All);
        Assert.Equal(60, rebuilt!.Available);
        Assert.Equal(3, rebuilt.Locations.Length);
    }

    [Fact]
    public async Task A_view_reads_its_announcement_state_once_to_announce_and_never_to_serve_a_read()
    {
        var (locations, channel) = await SetUpAsync(2);
        var sku = $"S{_run}";
        var view = fixture.Client.GetGrain<ISkuAvailabilityGrain>(sku);
        Assert.Equal(0, (await view.GetAsync(channel, AvailabilityScope.All))!.Available);
        Assert.Equal(0, MutationCheckingStorage.ReadsOf(StockAnnouncementState.Name, view.GetGrainId()));

        for (var i = 0; i < 2; i++) await Inventory(locations[i], sku).SetLevelAsync(new AbsoluteLevel(10, null, null, T0));
        await Until(async () => (await view.GetAsync(channel, AvailabilityScope.All))!.Available == 20);
        // The changes arm one announcement (500 ms window), which reads what was announced before, once.
        await Until(() => Task.FromResult(MutationCheckingStorage.ReadsOf(StockAnnouncementState.Name, view.GetGrainId()) == 1));
        await Inventory(locations[0], sku).SetLevelAsync(new AbsoluteLevel(5, null, null, T0.AddMinutes(1)));
        await Until(async () => (await view.GetAsync(channel, AvailabilityScope.All))!.Available == 15);
        await Task.Delay(700);

        Assert.Equal(1, MutationCheckingStorage.ReadsOf(StockAnnouncementState.Name, view.GetGrainId()));
        // The counter sees this SKU's reads: each inventory grain read its level on activation.
        Assert.Equal(1, MutationCheckingStorage.ReadsOf("stock", Inventory(locations[0], sku).GetGrainId()));
    }

    [Fact]
    public async Task A_channel_change_reaches_the_views_on_every_silo_within_a_second()
    {
        var (locations, channel) = await SetUpAsync(1);
        var skus = Enumerable.Range(0, 8).Select(i => $"S{_run}-{i}").ToArray();
        foreach (var s in skus) await Inventory(locations[0], s).SetLevelAsync(new AbsoluteLevel(10, null, null, T0));

        await fixture.Catalog.PutChannelAsync(ClusterFixture.Channel(channel, locations, new ChannelBuffers([], new() { [locations[0]] = 4 }, 0)));
        var started = DateTime.UtcNow;
        foreach (var s in skus)
            await Until(async () => (await fixture.Client.GetGrain<ISkuAvailabilityGrain>(s).GetAsync(channel, AvailabilityScope.All))!.Available == 6, 1000);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Every_committed_change_is_published_with_its_version()
    {
        var (locations, _) = await SetUpAsync(1);
        var sku = $"S{_run}";
        var received = new List<StockDelta>();
        var provider = fixture.Client.GetStreamProvider(OmsNames.StreamProvider);
        var handles = new List<StreamSubscriptionHandle<StockDelta>>();
        for (var p = 0; p < OmsNames.StockDeltaPartitions; p++)
        {
            handles.Add(await provider.GetStream<StockDelta>(StreamId.Create(OmsNames.StockDeltaNamespace, p.ToString())).SubscribeAsync((d, _) =>
            {
                if (d.Sku == sku) lock (received) received.Add(d);
                return Task.CompletedTask;
            }));
        }

        try
        {
            var grain = Inventory(locations[0], sku);
            await grain.SetLevelAsync(new AbsoluteLevel(10, null, null, T0));
            await grain.AdjustAsync(new Adjustment(-3, "sale", $"e{_run}"));
            await grain.AdjustAsync(new Adjustment(-3, "sale", $"e{_run}")); // duplicate: no change, no event

            await Until(() => Task.FromResult(received.Count >= 2));
            await Task.Delay(300);
            lock (received)
            {
                Assert.Equal([1L, 2L], received.Select(d => d.Version));
                Assert.Equal(7, received[1].Atp);
            }
        }
        finally
        {
            foreach (var handle in handles) await handle.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task A_feed_batch_rejects_unknown_locations_and_applies_rows_of_one_key_in_order()
    {
        var (locations, _) = await SetUpAsync(2);
        var sku = $"S{_run}";
        var rows = new[]
        {
            new FeedRow(0, locations[0], sku, new AbsoluteLevel(5, null, null, T0)),
            new FeedRow(1, "nowhere", sku, new AbsoluteLevel(5, null, null, T0)),
            new FeedRow(2, locations[0], sku, new AbsoluteLevel(8, null, null, T0.AddMinutes(1))),
            new FeedRow(3, locations[0], sku, new AbsoluteLevel(1, null, null, T0)), // older than row 2: ignored
            new FeedRow(4, locations[1], sku, new AbsoluteLevel(2, null, null, T0)),
        };

        var result = await fixture.Client.GetGrain<IFeedBatchGrain>(0).ApplyAsync(rows);

        Assert.Equal(3, result.Applied);
        Assert.Equal(1, result.Ignored);
        Assert.Equal([1], result.Rejected.Select(r => r.Index));
        Assert.Equal("not_found", result.Rejected[0].Code);
        Assert.Equal(8, (await Inventory(locations[0], sku).GetAsync()).OnHand);
    }
}
