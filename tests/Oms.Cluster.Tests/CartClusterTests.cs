using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Carts;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Microsoft.Extensions.DependencyInjection;
using Oms.Grains.Carts;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Oms.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class CartClusterTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];

    private async Task<(string[] Locations, string Channel)> SetUpAsync(string sku, int[] stock, int ttlSeconds = 900)
    {
        var ids = stock.Select((_, i) => $"L{_run}-{i}").ToArray();
        foreach (var id in ids) await fixture.Catalog.PutLocationAsync(ClusterFixture.Location(id));
        var channel = $"C{_run}";
        await fixture.Catalog.PutChannelAsync(ClusterFixture.Channel(channel, ids) with { ReservationTtlSeconds = ttlSeconds });
        for (var i = 0; i < ids.Length; i++)
            await Inventory(ids[i], sku).SetLevelAsync(new AbsoluteLevel(stock[i], null, null, T0));
        // Both silos must know the channel before carts on either use it.
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while ((await fixture.Client.GetGrain<ICartGrain>($"probe-{_run}-{Random.Shared.Next(1000)}").SetLinesAsync(channel, [])).Outcome != CartOutcome.Ok
               || DateTime.UtcNow < deadline.AddSeconds(-2.4))
        {
            await Task.Delay(50);
        }

        return (ids, channel);
    }

    private IInventoryGrain Inventory(string location, string sku) =>
        fixture.Client.GetGrain<IInventoryGrain>(InventoryKey.For(location, sku));

    private async Task AssertConservedAsync(string[] locations, string sku, int expectedReserved)
    {
        var levels = await Task.WhenAll(locations.Select(l => Inventory(l, sku).GetAsync()));
        Assert.All(levels, l => Assert.True(l.Reserved + l.Allocated <= l.OnHand - l.Unavailable, $"oversold: {l}"));
        Assert.Equal(expectedReserved, levels.Sum(l => l.Reserved));
    }

    [Fact]
    public async Task Ten_thousand_concurrent_carts_for_500_units_hold_exactly_500()
    {
        var sku = $"FLASH-{_run}";
        var (locations, channel) = await SetUpAsync(sku, [300, 200]);

        var results = await Task.WhenAll(Enumerable.Range(0, 10_000).Select(i =>
            fixture.Client.GetGrain<ICartGrain>($"cart-{_run}-{i}").SetLinesAsync(channel, [new CartLineRequest(sku, 1, null)])));

        Assert.Equal(500, results.Count(r => r.Outcome == CartOutcome.Ok));
        Assert.Equal(9_500, results.Count(r => r.Outcome == CartOutcome.InsufficientStock));
        Assert.All(results.Where(r => r.Outcome == CartOutcome.Ok), r => Assert.Equal(1, r.Cart.Lines.Single().Reservations.Sum(x => x.Quantity)));
        await AssertConservedAsync(locations, sku, 500);
        var availability = await fixture.Client.GetGrain<ISkuAvailabilityGrain>(sku).GetAsync(channel, AvailabilityScope.All);
        Assert.Equal(0, availability!.Available);
    }

    [Fact]
    public async Task Random_quantities_with_interleaved_releases_never_oversell_and_conserve_units()
    {
        var sku = $"FLASH-{_run}";
        var (locations, channel) = await SetUpAsync(sku, [300, 200]);
        var random = new Random(7);
        var requests = Enumerable.Range(0, 3_000).Select(i => (Cart: $"rc-{_run}-{i % 1_500}", Quantity: random.Next(0, 4))).ToArray();

        var outcomes = await Task.WhenAll(requests.Select(async r =>
        {
            var result = await fixture.Client.GetGrain<ICartGrain>(r.Cart).SetLinesAsync(channel, [new CartLineRequest(sku, r.Quantity, null)]);
            return (r.Cart, result);
        }));

        Assert.DoesNotContain(outcomes, o => o.result.Outcome is not (CartOutcome.Ok or CartOutcome.InsufficientStock));
        // What the carts say they hold is exactly what the inventory grains hold.
        var carts = await Task.WhenAll(requests.Select(r => r.Cart).Distinct().Select(c => fixture.Client.GetGrain<ICartGrain>(c).GetAsync()));
        var heldByCarts = carts.Where(c => c is not null).Sum(c => c!.Lines.Sum(l => l.Reservations.Sum(x => x.Quantity)));
        await AssertConservedAsync(locations, sku, heldByCarts);
        Assert.True(heldByCarts <= 500);

        await Task.WhenAll(requests.Select(r => r.Cart).Distinct().Select(c => fixture.Client.GetGrain<ICartGrain>(c).ClearAsync()));
        await AssertConservedAsync(locations, sku, 0);
    }

    [Fact]
    public async Task A_refused_raise_keeps_the_previous_hold_and_a_repeated_request_holds_once()
    {
        var sku = $"S-{_run}";
        var (locations, channel) = await SetUpAsync(sku, [5]);
        var cart = fixture.Client.GetGrain<ICartGrain>($"c-{_run}");

        Assert.Equal(CartOutcome.Ok, (await cart.SetLinesAsync(channel, [new CartLineRequest(sku, 3, null)])).Outcome);
        Assert.Equal(CartOutcome.Ok, (await cart.SetLinesAsync(channel, [new CartLineRequest(sku, 3, null)])).Outcome);
        await AssertConservedAsync(locations, sku, 3);

        var refused = await cart.SetLinesAsync(channel, [new CartLineRequest(sku, 9, null)]);
        Assert.Equal(CartOutcome.InsufficientStock, refused.Outcome);
        Assert.Equal(5, refused.Shortfalls.Single().Available);
        Assert.Equal(3, refused.Cart.Lines.Single().Quantity);
        await AssertConservedAsync(locations, sku, 3);
    }

    [Fact]
    public async Task A_basket_is_all_or_nothing()
    {
        var a = $"A-{_run}";
        var b = $"B-{_run}";
        var (locations, channel) = await SetUpAsync(a, [10]);
        await Inventory(locations[0], b).SetLevelAsync(new AbsoluteLevel(1, null, null, T0));
        var cart = fixture.Client.GetGrain<ICartGrain>($"basket-{_run}");

        var result = await cart.SetLinesAsync(channel, [new CartLineRequest(a, 4, null), new CartLineRequest(b, 2, null)]);

        Assert.Equal(CartOutcome.InsufficientStock, result.Outcome);
        Assert.Equal(b, result.Shortfalls.Single().Sku);
        await AssertConservedAsync(locations, a, 0);
        await AssertConservedAsync(locations, b, 0);
        Assert.Equal(CartOutcome.Ok, (await cart.SetLinesAsync(channel, [new CartLineRequest(a, 4, null), new CartLineRequest(b, 1, null)])).Outcome);
        await AssertConservedAsync(locations, a, 4);
    }

    [Fact]
    public async Task A_cart_write_that_fails_leaves_the_cart_as_it_was_and_the_retry_holds_for_real()
    {
        var sku = $"WF-{_run}";
        var (locations, channel) = await SetUpAsync(sku, [10]);
        var cart = fixture.Client.GetGrain<ICartGrain>($"write-fails-{_run}");
        Assert.Equal(CartOutcome.Ok, (await cart.SetLinesAsync(channel, [new CartLineRequest(sku, 2, null)])).Outcome);

        MutationCheckingStorage.FailNextWrite(cart.GetGrainId());
        await Assert.ThrowsAnyAsync<Exception>(() => cart.SetLinesAsync(channel, [new CartLineRequest(sku, 5, null)]));
        Assert.Equal(2, (await cart.GetAsync())!.Lines.Single().Quantity); // the unacknowledged change is not shown
        await AssertConservedAsync(locations, sku, 2);

        Assert.Equal(CartOutcome.Ok, (await cart.SetLinesAsync(channel, [new CartLineRequest(sku, 5, null)])).Outcome);
        Assert.Equal(5, (await cart.GetAsync())!.Lines.Single().Quantity);
        await AssertConservedAsync(locations, sku, 5); // the retry raised the holds, it did not just record them
    }

    [Fact]
    public async Task A_cart_change_costs_one_cart_write_and_a_sold_out_refusal_none()
    {
        var sku = $"ONE-{_run}";
        var other = $"ONE2-{_run}";
        var (locations, channel) = await SetUpAsync(sku, [5, 5]);
        await Inventory(locations[0], other).SetLevelAsync(new AbsoluteLevel(5, null, null, T0));
        var cart = fixture.Client.GetGrain<ICartGrain>($"one-write-{_run}");
        var id = cart.GetGrainId();
        var steps = new (CartLineRequest[] Lines, CartOutcome Outcome, int Writes)[]
        {
            ([new(sku, 2, null)], CartOutcome.Ok, 1), // first line
            ([new(sku, 7, null)], CartOutcome.Ok, 1), // raise over two locations
            ([new(sku, 3, null)], CartOutcome.Ok, 1), // lower
            ([new(sku, 4, null), new(other, 2, null)], CartOutcome.Ok, 1), // basket of two lines
            ([new(sku, 0, null)], CartOutcome.Ok, 1), // remove a line
            // More than the view knows of: the inventory grains decide, so the record is written ahead and put back,
            // once per attempt (a pool line is planned twice).
            ([new(other, 99, null)], CartOutcome.InsufficientStock, 4),
        };
        foreach (var (lines, outcome, writes) in steps)
        {
            var before = MutationCheckingStorage.WritesOf(id);
            var step = string.Join(", ", lines.Select(l => $"{l.Sku} {l.Quantity}"));
            Assert.True(outcome == (await cart.SetLinesAsync(channel, lines)).Outcome, step);
            Assert.True(writes == MutationCheckingStorage.WritesOf(id) - before, $"{step}: {MutationCheckingStorage.WritesOf(id) - before} writes");
        }

        await AssertConservedAsync(locations, sku, 0);
        await AssertConservedAsync([locations[0]], other, 2);
        Assert.Equal(2, (await cart.GetAsync())!.Lines.Single(l => l.Sku == other).Quantity);

        // Sold out as of the last change (most of a flash sale's traffic): refused without a cart write.
        Assert.Equal(CartOutcome.Ok, (await fixture.Client.GetGrain<ICartGrain>($"one-write-b-{_run}").SetLinesAsync(channel, [new(other, 3, null)])).Outcome);
        var late = fixture.Client.GetGrain<ICartGrain>($"one-write-c-{_run}");
        Assert.Equal(CartOutcome.InsufficientStock, (await late.SetLinesAsync(channel, [new(other, 1, null)])).Outcome);
        Assert.Equal(0, MutationCheckingStorage.WritesOf(late.GetGrainId()));
    }

    [Theory]
    [InlineData(6, 6)] // the raise can be finished: the change is rolled forward
    [InlineData(12, 2)] // 10 on hand: the raise is refused, the line keeps the 2 really held, and says so
    [InlineData(0, 0)] // a lowering cut short is finished too
    public async Task A_cart_that_died_between_its_record_and_the_inventory_holds_finishes_the_change_on_activation(int recorded, int expected)
    {
        var sku = $"W{recorded}-{_run}";
        var (locations, channel) = await SetUpAsync(sku, [10]);
        var cartId = $"crashed-{recorded}-{_run}";
        var cart = fixture.Client.GetGrain<ICartGrain>(cartId);
        Assert.Equal(CartOutcome.Ok, (await cart.SetLinesAsync(channel, [new CartLineRequest(sku, 2, null)])).Outcome);
        await cart.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);

        // What a crash right after the cart's one write leaves: the record says `recorded` with the intent, the
        // inventory still holds the 2 of the previous change.
        var storage = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).ServiceProvider.GetRequiredKeyedService<IGrainStorage>(OmsNames.Storage);
        var grainId = cart.GetGrainId();
        var stored = new GrainState<CartState>(new CartState());
        await storage.ReadStateAsync("cart", grainId, stored);
        var record = stored.State!;
        if (recorded == 0) record.Lines.Remove(sku);
        else
        {
            record.Lines[sku].Quantity = recorded;
            record.Lines[sku].Holds[locations[0]] = recorded;
        }

        record.Intent = new() { [sku] = [locations[0]] };
        await storage.WriteStateAsync("cart", grainId, stored);
        await AssertConservedAsync(locations, sku, 2);

        // Activation finishes the change: the inventory and the record agree again.
        var view = await cart.GetAsync();
        Assert.Equal(expected, view?.Lines.SingleOrDefault()?.Quantity ?? 0);
        await AssertConservedAsync(locations, sku, expected);
    }

    [Fact]
    public async Task A_failed_write_refuses_its_batch_and_the_grain_keeps_working()
    {
        var sku = $"F-{_run}";
        var (locations, _) = await SetUpAsync(sku, [100]);
        var grain = Inventory(locations[0], sku);
        var expiry = DateTimeOffset.UtcNow.AddMinutes(5);

        MutationCheckingStorage.FailNextWrite(grain.GetGrainId());
        var attempts = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            try
            {
                return (await grain.SetHoldAsync(new HoldRequest($"r{i}", 1, expiry, 0))).Ok;
            }
            catch (Exception)
            {
                return false; // refused with the failed batch (or the one built on it): never acknowledged
            }
        }));

        // Whatever was acknowledged is held, nothing else; and the grain goes on taking holds.
        var level = await grain.GetAsync();
        Assert.Equal(attempts.Count(ok => ok), level.Reserved);
        Assert.True(attempts.Count(ok => !ok) > 0);
        var later = await Task.WhenAll(Enumerable.Range(100, 20).Select(i => grain.SetHoldAsync(new HoldRequest($"r{i}", 1, expiry, 0))));
        Assert.All(later, r => Assert.True(r.Ok));
        Assert.Equal(attempts.Count(ok => ok) + 20, (await grain.GetAsync()).Reserved);
    }

    [Fact]
    public async Task Holds_expire_by_themselves_exactly_once_and_extend_moves_the_expiry()
    {
        var sku = $"E-{_run}";
        var (locations, channel) = await SetUpAsync(sku, [10], ttlSeconds: 4);
        var expiring = fixture.Client.GetGrain<ICartGrain>($"exp-{_run}");
        var extended = fixture.Client.GetGrain<ICartGrain>($"ext-{_run}");
        await expiring.SetLinesAsync(channel, [new CartLineRequest(sku, 3, null)]);
        await extended.SetLinesAsync(channel, [new CartLineRequest(sku, 2, null)]);
        var versionAfterHolds = (await Inventory(locations[0], sku).GetAsync()).Version;

        await Task.Delay(2_000);
        Assert.Equal(CartOutcome.Ok, (await extended.ExtendAsync()).Outcome);
        // The first hold is at least 1 s past its expiry; the extended one has 1 s left for the reads below (with a
        // 2 s TTL and 0.2 s left, a loaded CI machine read the availability after the extended hold had gone too).
        await Task.Delay(3_000);

        var level = await Inventory(locations[0], sku).GetAsync();
        Assert.Equal(2, level.Reserved);
        Assert.Null(await expiring.GetAsync() is { Lines.Length: > 0 } ? "still holds" : null);
        var availability = await fixture.Client.GetGrain<ISkuAvailabilityGrain>(sku).GetAsync(channel, AvailabilityScope.All);
        Assert.Equal(8, availability!.Available);

        await Task.Delay(3_000);
        level = await Inventory(locations[0], sku).GetAsync();
        Assert.Equal(0, level.Reserved);
        // one version for the extension, one per expiry: nothing released twice
        Assert.Equal(versionAfterHolds + 3, level.Version);
    }
}
