using System.Collections.Concurrent;
using Oms.GrainInterfaces.Orders;

namespace Oms.Grains.Sourcing;

/// <summary>
/// Today's fulfilment count per location, as this silo last heard it from the location queues, at most a second
/// old. Daily capacity is a soft limit (a store can take a few more than planned); asking every candidate's queue
/// on every order cost ~50 grain calls per order at 50 locations.
/// </summary>
public sealed class LocationLoadCache(IGrainFactory grains, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<int> Count)> _counts = new(StringComparer.Ordinal);

    public async Task<Dictionary<string, int>> GetAsync(IReadOnlyCollection<string> locationIds)
    {
        var now = clock.GetUtcNow();
        var pending = locationIds.Select(id => (Id: id, _counts.AddOrUpdate(id,
            static (key, arg) => (arg.now, arg.self.Fetch(key)),
            static (key, old, arg) => arg.now - old.At > MaxAge || old.Count.IsFaulted ? (arg.now, arg.self.Fetch(key)) : old,
            (now, self: this)).Count)).ToList();
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, count) in pending) result[id] = await count;
        return result;
    }

    private Task<int> Fetch(string locationId) => grains.Ref<ILocationQueueGrain>(locationId).GetTodayCountAsync();
}
