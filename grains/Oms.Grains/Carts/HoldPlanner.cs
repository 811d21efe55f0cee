using Oms.GrainInterfaces.Availability;

namespace Oms.Grains.Carts;

/// <summary>Where a cart line's units are held: pure rules, no Orleans.</summary>
public static class HoldPlanner
{
    /// <summary>
    /// The target quantity per location for a line of <paramref name="quantity"/> units. A pickup line is held at
    /// its store only. A channel-pool line keeps what it already holds (largest holds first), then takes from the
    /// locations with the most sellable stock, splitting only when one location is not enough. When the known
    /// stock cannot cover it, the rest goes to the best location anyway and that inventory grain decides.
    /// Every location the line held before appears in the answer (0 = release there). Null: nowhere to hold.
    /// </summary>
    public static Dictionary<string, int>? Plan(
        IReadOnlyDictionary<string, int> current, int quantity, string? pickupLocationId, IReadOnlyList<HoldCandidate> candidates)
    {
        var target = new Dictionary<string, int>(StringComparer.Ordinal);
        if (pickupLocationId is not null)
        {
            target[pickupLocationId] = quantity;
        }
        else if (quantity > 0)
        {
            var remaining = quantity;
            foreach (var (location, held) in current.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
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
                var best = target.Keys.FirstOrDefault() ?? ranked.FirstOrDefault()?.LocationId ?? candidates.FirstOrDefault()?.LocationId;
                if (best is null) return null;
                target[best] = target.GetValueOrDefault(best) + remaining;
            }
        }

        foreach (var location in current.Keys) target.TryAdd(location, 0);
        return target;
    }
}
