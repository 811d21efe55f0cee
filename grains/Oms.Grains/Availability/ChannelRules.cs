using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;

namespace Oms.Grains.Availability;

/// <summary>Channel policy and ATS: what a channel may sell of a SKU, derived from per-location ATP.</summary>
public static class ChannelRules
{
    public static bool IsEligible(ChannelPolicy channel, Location location)
    {
        if (location.Offline) return false;
        if (channel.LocationIds.Contains(location.LocationId)) return true;

        var explicitOnly = channel.LocationIds.Length > 0 && channel.LocationTypes.Length == 0 && channel.LocationTags.Length == 0;
        if (explicitOnly) return false;

        return (channel.LocationTypes.Length == 0 || channel.LocationTypes.Contains(location.Type))
            && (channel.Region is null || string.Equals(channel.Region, location.Region, StringComparison.OrdinalIgnoreCase))
            && (channel.LocationTags.Length == 0 || channel.LocationTags.Any(location.Tags.Contains));
    }

    public static bool IsExcluded(ChannelPolicy channel, Product product) =>
        channel.ExcludedSkus.Contains(product.Sku)
        || (product.Category is not null && channel.ExcludedCategories.Contains(product.Category));

    /// <summary>Units held back at a location: the per-location buffer, else the per-type one, plus the percentage (rounded up).</summary>
    public static int Buffer(ChannelPolicy channel, Location location, int atp)
    {
        var buffers = channel.Buffers;
        var units = buffers.ByLocation.TryGetValue(location.LocationId, out var byLocation) ? byLocation
            : buffers.ByType.TryGetValue(location.Type, out var byType) ? byType
            : 0;
        var percent = buffers.Percent <= 0 ? 0 : (int)Math.Ceiling(atp * buffers.Percent / 100.0);
        return units + percent;
    }

    /// <summary>max(0, ATP(l) − buffer(l)) for an eligible location, else 0.</summary>
    public static int Sellable(ChannelPolicy channel, Location location, int atp) =>
        IsEligible(channel, location) ? Math.Max(0, atp - Buffer(channel, location, atp)) : 0;

    public static SkuAvailability Compute(
        ChannelPolicy channel,
        Product product,
        IReadOnlyDictionary<string, Location> locations,
        IEnumerable<LocationStock> stock,
        AvailabilityScope scope,
        bool known = true)
    {
        if (IsExcluded(channel, product))
            return new SkuAvailability(product.Sku, channel.ChannelId, 0, StockStatus.OutOfStock, 0, 0, null, [], known);

        var total = 0;
        var inbound = 0;
        DateTimeOffset? nextEta = null;
        var answer = new List<LocationAvailability>();
        foreach (var s in stock)
        {
            if (!locations.TryGetValue(s.LocationId, out var location) || !IsEligible(channel, location)) continue;
            if (scope.LocationIds is { } only && !only.Contains(s.LocationId)) continue;

            double? distance = null;
            if (scope.IsNear)
            {
                distance = Math.Round(Geo.HaversineKm(scope.Latitude!.Value, scope.Longitude!.Value, location.Latitude, location.Longitude), 2);
                if (distance > scope.RadiusKm) continue;
            }

            inbound += s.Inbound;
            if (s.NextEta is { } eta && (nextEta is null || eta < nextEta)) nextEta = eta;

            var sellable = Math.Max(0, s.Atp - Buffer(channel, location, s.Atp));
            if (sellable == 0) continue;
            total += sellable;
            answer.Add(new LocationAvailability(s.LocationId, sellable, distance));
        }

        answer.Sort(scope.IsNear
            ? (a, b) => a.DistanceKm!.Value.CompareTo(b.DistanceKm!.Value)
            : (a, b) => b.Available != a.Available ? b.Available.CompareTo(a.Available) : string.CompareOrdinal(a.LocationId, b.LocationId));

        var preorderable = product.PreorderLimit > 0 ? Math.Min(product.PreorderLimit, inbound) : 0;
        var backorderable = Math.Max(0, product.BackorderLimit);
        var status = Status(total, channel.LowStockThreshold, preorderable, backorderable);
        return new SkuAvailability(product.Sku, channel.ChannelId, total, status, backorderable, preorderable, nextEta, [.. answer], known);
    }

    public static StockStatus Status(int available, int lowStockThreshold, int preorderable, int backorderable) =>
        available > lowStockThreshold ? StockStatus.InStock
        : available > 0 ? StockStatus.LowStock
        : preorderable > 0 ? StockStatus.Preorder
        : backorderable > 0 ? StockStatus.Backorder
        : StockStatus.OutOfStock;
}
