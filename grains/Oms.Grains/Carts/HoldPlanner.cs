using Oms.GrainInterfaces.Availability;

namespace Oms.Grains.Carts;

/// <summary>Where a cart line's units are held: pure rules, no Orleans.</summary>
public static class HoldPlanner
{
    /// <summary>
    /// The target quantity per location for a line of <paramref name="quantity"/> units, given what it holds now
    /// and the <paramref name="candidates"/>: the locations the channel sells this SKU from now (eligible, online).
    /// <list type="bullet">
    /// <item>Lowering never needs stock: it is always planned, wherever the units are held, online or not. A pool
    /// line lowered releases first where the channel no longer sells, then the smallest holds.</item>
    /// <item>New units are planned only at candidates. A pickup line is held at its store only; a pool line keeps
    /// what it holds, then takes from the candidates with the most sellable stock, splitting only when one is not
    /// enough. When the known stock cannot cover it, the rest goes to the best candidate anyway and that inventory
    /// grain decides.</item>
    /// </list>
    /// Every location the line held before appears in the answer (0 = release there). Null: the line needs new units
    /// and no location of the channel can hold them.
    /// </summary>
    public static Dictionary<string, int>? Plan(
        IReadOnlyDictionary<string, int> current, int quantity, string? pickupLocationId, IReadOnlyList<HoldCandidate> candidates)
    {
        var sells = candidates.Select(c => c.LocationId).ToHashSet(StringComparer.Ordinal);
        var target = new Dictionary<string, int>(StringComparer.Ordinal);
        if (pickupLocationId is not null)
        {
            if (quantity > current.GetValueOrDefault(pickupLocationId) && !sells.Contains(pickupLocationId)) return null;
            target[pickupLocationId] = quantity;
        }
        else if (quantity > 0)
        {
            var remaining = quantity;
            var kept = current
                .OrderBy(kv => sells.Contains(kv.Key) ? 0 : 1)
                .ThenByDescending(kv => kv.Value)
                .ThenBy(kv => kv.Key, StringComparer.Ordinal);
            foreach (var (location, held) in kept)
            {
                var keep = Math.Min(held, remaining);
                if (keep > 0) target[location] = keep;
                remaining -= keep;
            }

            var ranked = candidates.Where(c => c.Sellable > 0)
                .OrderByDescending(c => c.Sellable).ThenBy(c => c.LocationId, StringComparer.Ordinal).ToList();
            foreach (var c in ranked)
            {
                if (remaining == 0) break;
                var take = Math.Min(c.Sellable, remaining);
                target[c.LocationId] = target.GetValueOrDefault(c.LocationId) + take;
                remaining -= take;
            }

            if (remaining > 0)
            {
                var best = target.Keys.FirstOrDefault(sells.Contains) ?? ranked.FirstOrDefault()?.LocationId ?? candidates.FirstOrDefault()?.LocationId;
                if (best is null) return null;
                target[best] = target.GetValueOrDefault(best) + remaining;
            }
        }

        foreach (var location in current.Keys) target.TryAdd(location, 0);
        return target;
    }

    /// <summary>Whether a plan asks any location for more units than the line holds there now.</summary>
    public static bool Raises(IReadOnlyDictionary<string, int> current, IReadOnlyDictionary<string, int> plan) =>
        plan.Any(kv => kv.Value > current.GetValueOrDefault(kv.Key));
}
