using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Availability;

namespace Oms.Grains.Sourcing;

/// <summary>
/// Gathers what the pure <see cref="SourcingEngine"/> needs for an order: per location the channel's sellable
/// units of each SKU (from the per-SKU availability views), the order's own cart holds, today's capacity left
/// (from the location work queues, at most a second old) and the distance to the customer or pickup store; then plans and estimates.
/// </summary>
public sealed class OrderSourcing(IGrainFactory grains, LocationLoadCache load, TimeProvider clock)
{
    /// <summary>The plan, and each chosen location's channel buffer per SKU (what an allocation must leave free).</summary>
    public sealed record Result(SourcingPlan Plan, IReadOnlyDictionary<(string LocationId, string Sku), int> KeepBack);

    public async Task<Result> PlanAsync(
        ReferenceSnapshot snapshot,
        OrderRequest order,
        IReadOnlyDictionary<string, int> lines,
        IReadOnlyDictionary<(string LocationId, string Sku), int>? cartHeld = null,
        IReadOnlySet<string>? exclude = null)
    {
        var channel = snapshot.Channels[order.Channel];
        var profile = snapshot.ProfileFor(order.Channel);
        var skus = lines.Where(l => l.Value > 0).Select(l => l.Key).ToArray();
        var perSku = await Task.WhenAll(skus.Select(sku => grains.Ref<ISkuAvailabilityGrain>(sku).GetHoldCandidatesAsync(order.Channel)));

        var available = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var keepBack = new Dictionary<(string, string), int>();
        for (var i = 0; i < skus.Length; i++)
        {
            foreach (var c in perSku[i])
            {
                keepBack[(c.LocationId, skus[i])] = c.KeepBack;
                if (c.Sellable > 0) Units(available, c.LocationId)[skus[i]] = c.Sellable;
            }
        }

        foreach (var ((locationId, sku), held) in cartHeld ?? new Dictionary<(string, string), int>())
        {
            if (!lines.ContainsKey(sku) || held <= 0) continue;
            var units = Units(available, locationId);
            units[sku] = units.GetValueOrDefault(sku) + held;
        }

        (double Lat, double Lon)? target = order.Type == FulfilmentType.Pickup
            ? order.PickupLocationId is { } p && snapshot.Locations.TryGetValue(p, out var store) ? (store.Latitude, store.Longitude) : null
            : order.Address is { Latitude: { } lat, Longitude: { } lon } ? (lat, lon) : null;

        // Capacity is only worth asking where there is stock and a limit.
        var limited = snapshot.Locations.Values.Where(l => l.DailyCapacity > 0 && available.ContainsKey(l.LocationId)).ToArray();
        var counts = await load.GetAsync([.. limited.Select(l => l.LocationId)]);
        var capacityLeft = limited.ToDictionary(l => l.LocationId, l => Math.Max(0, l.DailyCapacity - counts[l.LocationId]));

        var candidates = snapshot.Locations.Values.Select(l => new SourcingCandidate(
            l,
            available.TryGetValue(l.LocationId, out var units) ? units : NoUnits,
            ChannelRules.IsEligible(channel, l),
            l.DailyCapacity > 0 ? capacityLeft.GetValueOrDefault(l.LocationId, l.DailyCapacity) : null,
            target is { } t ? Math.Round(Geo.HaversineKm(t.Lat, t.Lon, l.Latitude, l.Longitude), 1) : null)).ToList();

        var plan = SourcingEngine.Plan(
            new SourcingOrder(lines, order.Type, order.PickupLocationId, order.Customer.Tier, exclude), profile, candidates);
        var now = clock.GetUtcNow();
        DateTimeOffset? estimate = plan.Fulfilments.Length == 0 ? null : plan.Fulfilments.Max(f =>
            DeliveryPromise.For(now, order.Type, snapshot.Locations[f.LocationId], f.TransferTo,
                candidates.First(c => c.Location.LocationId == f.LocationId).DistanceKm));
        return new Result(plan with { EstimatedDelivery = estimate }, keepBack);
    }

    /// <summary>Checks what an order names against the reference data; null when it is all known.</summary>
    public static (OrderOutcome Outcome, string Field, string Detail)? Check(ReferenceSnapshot snapshot, OrderRequest order)
    {
        if (!snapshot.Channels.ContainsKey(order.Channel)) return (OrderOutcome.UnknownChannel, "channel", $"channel '{order.Channel}' is not known");
        if (order.Type == FulfilmentType.Pickup)
        {
            if (order.PickupLocationId is null) return (OrderOutcome.Invalid, "fulfilment.pickupLocationId", "is required for a pickup order");
            if (!snapshot.Locations.ContainsKey(order.PickupLocationId))
                return (OrderOutcome.UnknownLocation, "fulfilment.pickupLocationId", $"location '{order.PickupLocationId}' is not known");
        }

        return null;
    }

    /// <summary>The snapshot, refreshed once if the order names a channel or store this process has not seen yet.</summary>
    public static ValueTask<ReferenceSnapshot> SnapshotFor(Reference.ReferenceDataCache reference, OrderRequest order) =>
        reference.GetAsync(s => s.Channels.ContainsKey(order.Channel) && (order.PickupLocationId is null || s.Locations.ContainsKey(order.PickupLocationId)));

    private static readonly Dictionary<string, int> NoUnits = [];

    private static Dictionary<string, int> Units(Dictionary<string, Dictionary<string, int>> available, string locationId)
    {
        if (!available.TryGetValue(locationId, out var units)) available[locationId] = units = new Dictionary<string, int>(StringComparer.Ordinal);
        return units;
    }
}

/// <summary>Dry-run sourcing from any silo.</summary>
[StatelessWorker]
public sealed class SourcingGrain(OrderSourcing sourcing, Reference.ReferenceDataCache reference) : Grain, ISourcingGrain
{
    public async Task<SourcingPlanResult> PlanAsync(OrderRequest request)
    {
        var snapshot = await OrderSourcing.SnapshotFor(reference, request);
        if (OrderSourcing.Check(snapshot, request) is { } problem) return new SourcingPlanResult(problem.Detail, problem.Field, null, problem.Outcome);
        var lines = request.Lines.GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        var result = await sourcing.PlanAsync(snapshot, request, lines);
        return new SourcingPlanResult(null, null, result.Plan);
    }
}
