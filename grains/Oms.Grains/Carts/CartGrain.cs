using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Carts;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Oms.Grains.Availability;
using Oms.Grains.Reference;

namespace Oms.Grains.Carts;

/// <summary>
/// A cart: lines, and which location holds what for each. The protocol (docs/decisions/0005), one durable cart
/// write per change: 1. record the new lines with the intent (which holds will change); 2. raise holds (the
/// inventory grains decide); if any raise is refused, lower the raised ones back, put the record back and answer
/// with the shortfall (the cart stays as it was); 3. lower what the new plan no longer needs (always succeeds).
/// Holds are idempotent per reservation id (one per cart at each location × SKU) and carry the cart's expiry, so a
/// change cut short by a crash is rolled forward on activation (each intent hold set to what the record says), and
/// at worst expires on its own.
/// </summary>
public sealed partial class CartGrain(
    [PersistentState("cart", OmsNames.Storage)] IPersistentState<CartState> state,
    ReferenceDataCache reference,
    TimeProvider clock,
    ILogger<CartGrain> logger) : Grain, ICartGrain
{
    private const int Attempts = 2;

    private string CartId => this.GetPrimaryKeyString();

    /// <summary>The hold id of this cart at any location × SKU.</summary>
    public static string ReservationId(string cartId) => $"cart:{cartId}";

    /// <summary>Set when the record may say more than the holds do: the next request finishes the change first.</summary>
    private bool _rollForward;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        state.State ??= new CartState();
        _rollForward = true;
        return CatchUpAsync();
    }

    /// <summary>
    /// The record is written before its holds change: bring each hold of the intent to what the record says (a no-op
    /// once the change was done, so nothing is written then). A raise the stock can no longer cover keeps what is
    /// really held, and the record says so. An expired cart is left alone: the inventory grains release its holds
    /// themselves (and CatchUpAsync does it explicitly too).
    /// </summary>
    private async Task RollForwardAsync()
    {
        if (state.State.Intent is not { Count: > 0 } intent) return;
        if (state.State.ExpiresAt is not { } expiresAt || expiresAt <= clock.GetUtcNow() || state.State.Channel is not { } channel) return;

        var adopted = false;
        foreach (var (sku, locations) in intent)
        {
            var line = state.State.Lines.GetValueOrDefault(sku);
            var keepBack = (await GrainFactory.Ref<ISkuAvailabilityGrain>(sku).GetHoldCandidatesAsync(channel))
                .ToDictionary(c => c.LocationId, c => c.KeepBack, StringComparer.Ordinal);
            var results = await Task.WhenAll(locations.Select(async l =>
                (Location: l, Result: await Hold(l, sku, line?.Holds.GetValueOrDefault(l) ?? 0, expiresAt, keepBack.GetValueOrDefault(l)))));
            var refusedHolds = results.Where(r => !r.Result.Ok).ToList();
            if (line is null || refusedHolds.Count == 0) continue;
            LogRepair(CartId, sku, refusedHolds.Count);
            Adopt(sku, line, refusedHolds);
            adopted = true;
        }

        if (!adopted) return;
        state.State.Intent = null;
        if (state.State.Lines.Count == 0) state.State.ExpiresAt = null;
        await state.WriteStateAsync();
    }

    /// <summary>
    /// A cart write that failed may or may not have landed, and memory holds a change that was not acknowledged:
    /// storage is the truth again, and an intent found there is finished before the next request is served. If even
    /// reading fails, this activation goes away and the next one starts from storage.
    /// </summary>
    private async Task SaveAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            try
            {
                await state.ReadStateAsync();
                state.State ??= new CartState();
                _rollForward = true;
            }
            catch (Exception ex)
            {
                LogRecoveryFailed(ex, CartId);
                DeactivateOnIdle();
            }

            throw;
        }
    }

    public async Task<CartResult> SetLinesAsync(string channelId, CartLineRequest[] lines)
    {
        var snapshot = await reference.GetAsync(s =>
            s.Channels.ContainsKey(channelId) && lines.All(l => l.PickupLocationId is null || s.Locations.ContainsKey(l.PickupLocationId)));
        if (!snapshot.Channels.TryGetValue(channelId, out var channel)) return Fail(CartOutcome.UnknownChannel, $"channel '{channelId}' is not known");
        await CatchUpAsync();
        if (state.State.Channel is { } own && own != channelId && state.State.Lines.Count > 0)
            return Fail(CartOutcome.ChannelMismatch, $"this cart holds stock for channel '{own}'");
        foreach (var line in lines)
        {
            if (line.PickupLocationId is { } pickup && !snapshot.Locations.ContainsKey(pickup))
                return Fail(CartOutcome.UnknownLocation, $"location '{pickup}' is not known");
        }

        var expiresAt = state.State.Lines.Count > 0 && state.State.ExpiresAt is { } current
            ? current
            : clock.GetUtcNow().AddSeconds(channel.ReservationTtlSeconds);

        for (var attempt = 1; ; attempt++)
        {
            var plans = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
            var keepBack = new Dictionary<(string Sku, string Location), int>();
            foreach (var line in lines)
            {
                var held = state.State.Lines.GetValueOrDefault(line.Sku)?.Holds ?? [];
                var candidates = line.Quantity == 0 ? [] : await GrainFactory.Ref<ISkuAvailabilityGrain>(line.Sku).GetHoldCandidatesAsync(channel.ChannelId);
                foreach (var c in candidates) keepBack[(line.Sku, c.LocationId)] = c.KeepBack;
                var plan = HoldPlanner.Plan(held, line.Quantity, line.PickupLocationId, candidates);
                if (plan is null)
                {
                    return Fail(CartOutcome.InsufficientStock, "no location of this channel can hold it",
                        [new LineShortfall(line.Sku, line.Quantity, held.Values.Sum())]);
                }

                // Sold out as of the last acknowledged change (the view has every one of them): refuse a raise without
                // writing an intent or asking an inventory grain. This is most of a flash sale's traffic.
                if (HoldPlanner.Raises(held, plan)
                    && !candidates.Any(c => c.Sellable > 0 && (line.PickupLocationId is null || c.LocationId == line.PickupLocationId)))
                {
                    return Fail(CartOutcome.InsufficientStock, "sold out", [new LineShortfall(line.Sku, line.Quantity, held.Values.Sum())]);
                }

                plans[line.Sku] = plan;
            }

            var shortfalls = await ApplyAsync(channel, lines, plans, keepBack, expiresAt);
            if (shortfalls.Length == 0) break;
            if (attempt == Attempts || lines.Any(l => l.PickupLocationId is not null))
                return Fail(CartOutcome.InsufficientStock, "not enough stock", shortfalls);
            // A pool line was refused on stock the view still showed: plan again on fresh figures.
        }

        return new CartResult(CartOutcome.Ok, View(), [], null);
    }

    public async Task<CartResult> RemoveLineAsync(string sku)
    {
        await CatchUpAsync();
        if (!state.State.Lines.ContainsKey(sku)) return new CartResult(CartOutcome.Ok, View(), [], null);
        return await SetLinesAsync(state.State.Channel!, [new CartLineRequest(sku, 0, null)]);
    }

    public async Task<CartResult> ClearAsync()
    {
        await CatchUpAsync();
        if (state.State.Lines.Count == 0) return new CartResult(CartOutcome.Ok, View(), [], null);
        return await SetLinesAsync(state.State.Channel!, [.. state.State.Lines.Keys.Select(sku => new CartLineRequest(sku, 0, null))]);
    }

    public async Task<CartResult> ExtendAsync()
    {
        await CatchUpAsync();
        if (state.State.Lines.Count == 0) return Fail(CartOutcome.NotFound, "the cart holds nothing to extend");
        var snapshot = await reference.GetAsync();
        var ttl = snapshot.Channels.GetValueOrDefault(state.State.Channel!)?.ReservationTtlSeconds ?? ChannelPolicy.DefaultReservationTtlSeconds;
        var expiresAt = clock.GetUtcNow().AddSeconds(ttl);
        foreach (var (sku, line) in state.State.Lines.ToList())
        {
            var results = await Task.WhenAll(line.Holds.Select(async h => (Location: h.Key, Result: await Hold(h.Key, sku, h.Value, expiresAt, 0))));
            Adopt(sku, line, results);
        }

        state.State.ExpiresAt = expiresAt;
        await SaveAsync();
        return new CartResult(CartOutcome.Ok, View(), [], null);
    }

    public async Task<CartView?> GetAsync()
    {
        await CatchUpAsync();
        return state.State.Existed ? View() : null;
    }

    /// <summary>Raises, then (only if every raise held) lowers; records the outcome. Returns the shortfalls.</summary>
    private async Task<LineShortfall[]> ApplyAsync(
        ChannelPolicy channel, CartLineRequest[] lines, Dictionary<string, Dictionary<string, int>> plans,
        Dictionary<(string Sku, string Location), int> keepBack, DateTimeOffset expiresAt)
    {
        var changes = (from line in lines
                       let held = state.State.Lines.GetValueOrDefault(line.Sku)?.Holds ?? []
                       from target in plans[line.Sku]
                       let before = held.GetValueOrDefault(target.Key)
                       where target.Value != before
                       select (line.Sku, Location: target.Key, Before: before, After: target.Value)).ToList();
        if (changes.Count == 0)
        {
            Record(channel, lines, plans, expiresAt);
            await SaveAsync();
            return [];
        }

        // The one durable write of the change: the new lines, with the holds about to change as its intent.
        var previous = Snapshot();
        Record(channel, lines, plans, expiresAt);
        state.State.Intent = changes.GroupBy(c => c.Sku).ToDictionary(g => g.Key, g => g.Select(c => c.Location).ToArray());
        state.State.Existed = true;
        await SaveAsync();

        // From here on the record is ahead of the holds: if a call fails, the next request finishes the change first.
        _rollForward = true;
        var raises = changes.Where(c => c.After > c.Before).ToList();
        var raised = await Task.WhenAll(raises.Select(async c =>
            (Change: c, Result: await Hold(c.Location, c.Sku, c.After, expiresAt, keepBack.GetValueOrDefault((c.Sku, c.Location))))));
        var refused = raised.Where(r => !r.Result.Ok).ToList();
        if (refused.Count > 0)
        {
            // Undone: the raised holds go back, and so does the record (a cart that did not exist does not exist).
            await Task.WhenAll(raised.Where(r => r.Result.Ok).Select(r => Hold(r.Change.Location, r.Change.Sku, r.Change.Before, previous.ExpiresAt ?? expiresAt, 0)));
            state.State = previous;
            await SaveAsync();
            _rollForward = false;
            return await ShortfallsAsync(channel, lines, refused.Select(r => r.Change.Sku).Distinct());
        }

        // Lowering always succeeds. The intent stays in the record until the next write: rolling it forward on a
        // later activation finds every hold already where the record says (one call per changed hold).
        await Task.WhenAll(changes.Where(c => c.After < c.Before).Select(c => Hold(c.Location, c.Sku, c.After, expiresAt, 0)));
        _rollForward = false;
        return [];
    }

    /// <summary>A copy of the cart as it is, to put back if a change is refused.</summary>
    private CartState Snapshot() => new()
    {
        Channel = state.State.Channel,
        ExpiresAt = state.State.ExpiresAt,
        Existed = state.State.Existed,
        Lines = state.State.Lines.ToDictionary(
            l => l.Key,
            l => new CartLineState { Quantity = l.Value.Quantity, PickupLocationId = l.Value.PickupLocationId, Holds = new(l.Value.Holds, StringComparer.Ordinal) },
            StringComparer.Ordinal),
    };

    /// <summary>Takes the inventory grains' word for what a line holds.</summary>
    private void Adopt(string sku, CartLineState line, IEnumerable<(string Location, HoldResult Result)> results)
    {
        foreach (var (location, result) in results)
        {
            if (result.Held > 0) line.Holds[location] = result.Held;
            else line.Holds.Remove(location);
        }

        line.Quantity = line.Holds.Values.Sum();
        if (line.Quantity == 0) state.State.Lines.Remove(sku);
    }

    private void Record(ChannelPolicy channel, CartLineRequest[] lines, Dictionary<string, Dictionary<string, int>> plans, DateTimeOffset expiresAt)
    {
        state.State.Channel = channel.ChannelId;
        state.State.ExpiresAt = expiresAt;
        foreach (var line in lines)
        {
            if (line.Quantity == 0)
            {
                state.State.Lines.Remove(line.Sku);
                continue;
            }

            state.State.Lines[line.Sku] = new CartLineState
            {
                Quantity = line.Quantity,
                PickupLocationId = line.PickupLocationId,
                Holds = plans[line.Sku].Where(kv => kv.Value > 0).ToDictionary(StringComparer.Ordinal),
            };
        }

        if (state.State.Lines.Count == 0) state.State.ExpiresAt = null;
    }

    private async Task<LineShortfall[]> ShortfallsAsync(ChannelPolicy channel, CartLineRequest[] lines, IEnumerable<string> skus)
    {
        var result = new List<LineShortfall>();
        foreach (var sku in skus)
        {
            var line = lines.First(l => l.Sku == sku);
            var held = state.State.Lines.GetValueOrDefault(sku)?.Holds.Values.Sum() ?? 0;
            var scope = line.PickupLocationId is { } pickup ? new AvailabilityScope(null, null, null, [pickup]) : AvailabilityScope.All;
            var answer = await GrainFactory.Ref<ISkuAvailabilityGrain>(sku).GetAsync(channel.ChannelId, scope);
            result.Add(new LineShortfall(sku, line.Quantity, (answer?.Available ?? 0) + held));
        }

        return [.. result];
    }

    private Task<HoldResult> Hold(string locationId, string sku, int quantity, DateTimeOffset expiresAt, int keepBack) =>
        GrainFactory.Ref<IInventoryGrain>(InventoryKey.For(locationId, sku))
            .SetHoldAsync(new HoldRequest(ReservationId(CartId), quantity, expiresAt, keepBack));

    /// <summary>
    /// Before any request: finish a change the record is ahead of (<see cref="RollForwardAsync"/>); and once the expiry
    /// has passed the holds are gone (the inventory grains release them): forget the lines, and release explicitly in
    /// case a grain has not yet.
    /// </summary>
    private async Task CatchUpAsync()
    {
        if (_rollForward)
        {
            await RollForwardAsync();
            _rollForward = false;
        }

        if (state.State.ExpiresAt is not { } expiresAt || expiresAt > clock.GetUtcNow() || state.State.Lines.Count == 0) return;
        var lines = state.State.Lines.ToList();
        await Task.WhenAll(lines.SelectMany(line => line.Value.Holds.Select(h => Hold(h.Key, line.Key, 0, expiresAt, 0))));
        state.State.Lines.Clear();
        state.State.ExpiresAt = null;
        await SaveAsync();
    }

    private CartView View() => new(
        CartId,
        state.State.Channel,
        [.. state.State.Lines.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new CartLine(
            l.Key, l.Value.Quantity, l.Value.PickupLocationId,
            [.. l.Value.Holds.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => new Reservation(h.Key, h.Value))]))],
        state.State.ExpiresAt);

    private CartResult Fail(CartOutcome outcome, string detail, LineShortfall[]? shortfalls = null) =>
        new(outcome, View(), shortfalls ?? [], detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cart {CartId}: could not take storage as the truth after a failed write; the activation goes away")]
    private partial void LogRecoveryFailed(Exception ex, string cartId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cart {CartId}: a change of {Sku} recorded before a crash could not get its holds back at {Locations} locations; the line keeps what is held")]
    private partial void LogRepair(string cartId, string sku, int locations);
}
