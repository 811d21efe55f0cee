using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Events;

namespace Oms.Grains.Availability;

/// <summary>
/// Which stock events a channel's availability calls for, against what was announced before (pure). The level is the
/// event (<c>stock.changed</c>: coalesced, it carries the current figure, not a delta); the transitions come beside
/// it: into low stock, out of stock, and back in stock from out. The first announcement of a subject is the level
/// alone: with nothing announced before there is no transition to report.
/// </summary>
public static class StockAnnouncements
{
    public static IReadOnlyList<string> Types(Announced? before, SkuAvailability now)
    {
        if (before is not null && before.Available == now.Available && before.Status == now.Status) return [];
        if (before is null) return [EventTypes.StockChanged];
        List<string> types = [EventTypes.StockChanged];
        var wasOut = before.Available <= 0;
        var isOut = now.Available <= 0;
        if (isOut && !wasOut) types.Add(EventTypes.StockOut);
        else if (!isOut && wasOut) types.Add(EventTypes.StockBackInStock);
        if (now.Status == StockStatus.LowStock && before.Status != StockStatus.LowStock && !wasOut) types.Add(EventTypes.StockLow);
        return types;
    }

    public static StockEventData Data(Announced? before, SkuAvailability now) =>
        new(now.Sku, now.Channel, now.Available, now.Status, before?.Available, before?.Status, now.Backorderable, now.Preorderable, now.NextEta);
}
