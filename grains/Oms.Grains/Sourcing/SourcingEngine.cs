using System.Globalization;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.Grains.Sourcing;

/// <summary>
/// One location as sourcing sees it. <see cref="Available"/> is what the order's channel may take there per SKU
/// (sellable after buffers, plus the units the order's own cart holds there). <see cref="CapacityLeft"/> is
/// null when the location has no daily limit.
/// </summary>
public sealed record SourcingCandidate(
    Location Location,
    IReadOnlyDictionary<string, int> Available,
    bool ChannelEligible,
    int? CapacityLeft,
    double? DistanceKm)
{
    public int AvailableOf(string sku) => Available.TryGetValue(sku, out var units) ? units : 0;
}

/// <summary>The order as sourcing needs it: lines still to source, how it is fulfilled, who the customer is.</summary>
public sealed record SourcingOrder(
    IReadOnlyDictionary<string, int> Lines,
    FulfilmentType Type,
    string? PickupLocationId,
    string? CustomerTier,
    IReadOnlySet<string>? ExcludedLocations = null);

/// <summary>
/// The sourcing rules engine, pure: filters (in the profile's order; the first that fails is the reason), then a
/// greedy plan that repeatedly takes the best-scoring location for what is left, up to <c>maxSplits</c> locations.
/// A score is the weighted sum of criteria that each score 0..1; every choice carries its score breakdown and
/// every candidate not taken says why.
/// </summary>
public static class SourcingEngine
{
    public static SourcingPlan Plan(SourcingOrder order, SourcingProfile profile, IReadOnlyList<SourcingCandidate> candidates)
    {
        var remaining = order.Lines.Where(l => l.Value > 0).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
        var requested = new Dictionary<string, int>(remaining, StringComparer.Ordinal);
        var rejected = new List<RejectedCandidate>();
        var passing = new List<SourcingCandidate>();
        foreach (var c in candidates.OrderBy(c => c.Location.LocationId, StringComparer.Ordinal))
        {
            if (Reject(order, profile, c, remaining) is { } reason) rejected.Add(new RejectedCandidate(c.Location.LocationId, [reason]));
            else passing.Add(c);
        }

        var chosen = new List<PlannedFulfilment>();
        var maxSplits = Math.Max(1, profile.MaxSplits);

        // A pickup order takes what the pickup store has first: that is where the customer comes.
        if (order.Type == FulfilmentType.Pickup && passing.FirstOrDefault(c => c.Location.LocationId == order.PickupLocationId) is { } store)
        {
            var lines = Take(store, remaining);
            if (lines.Count > 0)
                chosen.Add(new PlannedFulfilment(store.Location.LocationId, lines, 1, ["pickup store: the customer collects here"], null));
            passing.Remove(store);
        }

        var taken = new HashSet<string>(StringComparer.Ordinal);
        var field = Field.Of(passing);
        while (remaining.Values.Any(q => q > 0) && chosen.Count < maxSplits)
        {
            // Totals only: the breakdown (one formatted line per criterion) is built for the winner alone.
            var scored = passing
                .Where(c => !taken.Contains(c.Location.LocationId) && Cover(c, remaining) > 0)
                .Select(c => (Candidate: c, Total: Total(c, order, profile, remaining, field)))
                .OrderByDescending(s => s.Total)
                .ThenBy(s => s.Candidate.Location.LocationId, StringComparer.Ordinal)
                .ToList();
            if (scored.Count == 0) break;

            var best = scored[0].Candidate;
            var score = Score(best, order, profile, remaining, field);
            taken.Add(best.Location.LocationId);
            var reasons = new List<string>
            {
                string.Create(CultureInfo.InvariantCulture, $"ranked 1 of {scored.Count} for the units left, score {score.Total:0.###}"),
            };
            reasons.AddRange(score.Parts);
            if (scored.Count > 1)
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"next best: {scored[1].Candidate.Location.LocationId} ({scored[1].Total:0.###})"));
            var transferTo = order.Type == FulfilmentType.Pickup ? order.PickupLocationId : null;
            if (transferTo is not null) reasons.Add($"ship-to-store: transfer to pickup store {transferTo}");
            chosen.Add(new PlannedFulfilment(best.Location.LocationId, Take(best, remaining), score.Total, [.. reasons], transferTo));
        }

        foreach (var c in passing.Where(c => !taken.Contains(c.Location.LocationId)))
        {
            var why = order.Lines.Keys.All(sku => c.AvailableOf(sku) == 0)
                ? "no stock of the ordered SKUs"
                : remaining.Values.All(q => q == 0)
                    ? "not needed: the order was covered by better-ranked locations"
                    : $"not taken: the profile allows at most {maxSplits} locations";
            rejected.Add(new RejectedCandidate(c.Location.LocationId, [why]));
        }

        var shortfalls = requested
            .Where(r => remaining[r.Key] > 0)
            .Select(r => new SourcingShortfall(r.Key, r.Value, r.Value - remaining[r.Key]))
            .ToArray();
        var byLine = requested.Select(r => new PlannedLine(r.Key, r.Value, r.Value - remaining[r.Key],
            [.. chosen.Where(f => f.Lines.ContainsKey(r.Key)).Select(f => new PlannedSource(f.LocationId, f.Lines[r.Key], f.Reasons))])).ToArray();
        return new SourcingPlan(profile.ProfileId, shortfalls.Length == 0, [.. chosen], [.. rejected], shortfalls, null, byLine);
    }

    /// <summary>The first filter the candidate fails, as a reason; null when it passes them all.</summary>
    public static string? Reject(SourcingOrder order, SourcingProfile profile, SourcingCandidate c, IReadOnlyDictionary<string, int> lines)
    {
        var l = c.Location;
        if (order.ExcludedLocations?.Contains(l.LocationId) == true) return "excluded: this location already failed these units (short pick)";
        if (l.Offline) return "offline";
        if (!c.ChannelEligible) return "not eligible for the order's channel";
        var isPickupStore = order.Type == FulfilmentType.Pickup && l.LocationId == order.PickupLocationId;
        if (order.Type == FulfilmentType.Pickup && !isPickupStore && (!profile.ShipToStore || l.Type is not (LocationType.Warehouse or LocationType.Hub)))
            return profile.ShipToStore
                ? "pickup orders take the pickup store, or a warehouse or hub that ships to it"
                : "pickup orders take only the pickup store (ship-to-store is off)";

        foreach (var filter in profile.Filters)
        {
            switch (filter)
            {
                case SourcingFilter.LocationType when profile.LocationTypes.Length > 0 && !profile.LocationTypes.Contains(l.Type) && !isPickupStore:
                    return $"location type {l.Type.ToString().ToLowerInvariant()} is not one the profile sources from";
                case SourcingFilter.NotOffline when l.Offline:
                    return "offline";
                case SourcingFilter.Capacity when c.CapacityLeft is <= 0:
                    return "no daily capacity left";
                case SourcingFilter.MaxDistance when profile.MaxDistanceKm is { } max && c.DistanceKm is { } d && d > max && !isPickupStore:
                    return string.Create(CultureInfo.InvariantCulture, $"{d:0.#} km away, beyond the profile's {max:0.#} km");
                case SourcingFilter.FullStock when lines.Any(line => c.AvailableOf(line.Key) < line.Value):
                    return "cannot ship the whole order by itself";
                case SourcingFilter.PartialStock when lines.All(line => c.AvailableOf(line.Key) == 0):
                    return "no stock of the ordered SKUs";
            }
        }

        return null;
    }

    public sealed record ScoreBreakdown(double Total, string[] Parts);

    /// <summary>What the relative criteria compare a candidate with: the farthest, slowest and dearest of the field.</summary>
    private readonly record struct Field(double FarthestKm, double SlowestHours, double DearestPerUnit)
    {
        public static Field Of(IReadOnlyList<SourcingCandidate> field) => field.Count == 0
            ? default
            : new(field.Max(f => f.DistanceKm ?? 0), field.Max(f => f.Location.TurnaroundHours), field.Max(f => f.Location.CostPerUnit));
    }

    /// <summary>The weighted score of a candidate for what is still to source, with one line per criterion.</summary>
    public static ScoreBreakdown Score(
        SourcingCandidate c, SourcingOrder order, SourcingProfile profile, IReadOnlyDictionary<string, int> remaining, IReadOnlyList<SourcingCandidate> field) =>
        Score(c, order, profile, remaining, Field.Of(field));

    private static ScoreBreakdown Score(SourcingCandidate c, SourcingOrder order, SourcingProfile profile, IReadOnlyDictionary<string, int> remaining, Field field)
    {
        var total = 0.0;
        var parts = new List<string>();
        foreach (var (criterion, weight) in profile.Ranking)
        {
            if (weight == 0) continue;
            var value = Value(criterion, c, order, profile, remaining, field);
            total += weight * value;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{Name(criterion)} {value:0.##} x {weight:0.##}: {Why(criterion, c, order, profile, remaining)}"));
        }

        return new ScoreBreakdown(Math.Round(total, 6), [.. parts]);
    }

    /// <summary>The same total as <see cref="Score"/>'s, without formatting its parts.</summary>
    private static double Total(SourcingCandidate c, SourcingOrder order, SourcingProfile profile, IReadOnlyDictionary<string, int> remaining, Field field)
    {
        var total = 0.0;
        foreach (var (criterion, weight) in profile.Ranking)
        {
            if (weight != 0) total += weight * Value(criterion, c, order, profile, remaining, field);
        }

        return Math.Round(total, 6);
    }

    private static double Value(SourcingCriterion criterion, SourcingCandidate c, SourcingOrder order, SourcingProfile profile, IReadOnlyDictionary<string, int> remaining, Field field)
    {
        var l = c.Location;
        switch (criterion)
        {
            case SourcingCriterion.LocationType:
                return TypeScore(l.Type);
            case SourcingCriterion.Priority:
                return l.Priority > 0 ? 1.0 / l.Priority : 0;
            case SourcingCriterion.Distance:
                if (c.DistanceKm is not { } d) return 0;
                return field.FarthestKm <= 0 ? 1 : 1 - d / field.FarthestKm;
            case SourcingCriterion.FewestSplits:
                var left = remaining.Values.Sum();
                return left == 0 ? 0 : (double)Cover(c, remaining) / left;
            case SourcingCriterion.Turnaround:
                return TurnaroundScore(c, field);
            case SourcingCriterion.CapacityLeft:
                if (c.CapacityLeft is not { } capacityLeft || l.DailyCapacity <= 0) return 1;
                return (double)capacityLeft / l.DailyCapacity;
            case SourcingCriterion.Cost:
                return field.DearestPerUnit <= 0 ? 1 : 1 - l.CostPerUnit / field.DearestPerUnit;
            case SourcingCriterion.CustomerTier:
                return HighValue(order, profile) ? TurnaroundScore(c, field) : 0;
            default:
                return 0;
        }
    }

    private static string Why(SourcingCriterion criterion, SourcingCandidate c, SourcingOrder order, SourcingProfile profile, IReadOnlyDictionary<string, int> remaining)
    {
        var l = c.Location;
        return criterion switch
        {
            SourcingCriterion.LocationType => $"{l.Type.ToString().ToLowerInvariant()}",
            SourcingCriterion.Priority => l.Priority > 0 ? $"priority {l.Priority}" : "no priority set",
            SourcingCriterion.Distance => c.DistanceKm is { } d ? string.Create(CultureInfo.InvariantCulture, $"{d:0.#} km") : "no customer position",
            SourcingCriterion.FewestSplits => $"covers {Cover(c, remaining)} of {remaining.Values.Sum()} units left",
            SourcingCriterion.Turnaround => string.Create(CultureInfo.InvariantCulture, $"turnaround {l.TurnaroundHours:0.#} h"),
            SourcingCriterion.CapacityLeft => c.CapacityLeft is not { } capacityLeft || l.DailyCapacity <= 0 ? "no daily limit" : $"{capacityLeft} of {l.DailyCapacity} left today",
            SourcingCriterion.Cost => string.Create(CultureInfo.InvariantCulture, $"cost {l.CostPerUnit:0.##} per unit"),
            SourcingCriterion.CustomerTier => HighValue(order, profile) ? $"{order.CustomerTier} customer: fastest first" : "not a high-value tier",
            _ => "unknown criterion",
        };
    }

    private static bool HighValue(SourcingOrder order, SourcingProfile profile) =>
        order.CustomerTier is { } tier && profile.HighValueTiers.Contains(tier, StringComparer.OrdinalIgnoreCase);

    /// <summary>Hubs and warehouses before stores, stores before drop-ship vendors.</summary>
    public static double TypeScore(LocationType type) => type switch
    {
        LocationType.Hub => 1,
        LocationType.Warehouse => 1,
        LocationType.Store => 0.5,
        _ => 0.25,
    };

    private static double TurnaroundScore(SourcingCandidate c, Field field) =>
        field.SlowestHours <= 0 ? 1 : 1 - c.Location.TurnaroundHours / field.SlowestHours;

    private static string Name(SourcingCriterion criterion) => criterion switch
    {
        SourcingCriterion.LocationType => "location type",
        SourcingCriterion.FewestSplits => "fewest splits",
        SourcingCriterion.CapacityLeft => "capacity left",
        SourcingCriterion.CustomerTier => "customer tier",
        _ => criterion.ToString().ToLowerInvariant(),
    };

    private static int Cover(SourcingCandidate c, IReadOnlyDictionary<string, int> remaining) =>
        remaining.Sum(r => Math.Min(r.Value, c.AvailableOf(r.Key)));

    private static Dictionary<string, int> Take(SourcingCandidate c, Dictionary<string, int> remaining)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sku in remaining.Keys.Order(StringComparer.Ordinal).ToList())
        {
            var units = Math.Min(remaining[sku], c.AvailableOf(sku));
            if (units <= 0) continue;
            lines[sku] = units;
            remaining[sku] -= units;
        }

        return lines;
    }
}
