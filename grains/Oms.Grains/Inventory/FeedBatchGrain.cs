using Oms.GrainInterfaces.Inventory;
using Oms.Grains.Reference;

namespace Oms.Grains.Inventory;

/// <summary>
/// Applies a chunk of a bulk feed. Rows of one location × SKU are applied in their order; different ones run
/// concurrently, bounded so one batch cannot flood the silo. Reentrant: a chunk spends its time awaiting inventory
/// grains, and a stateless worker has only as many activations as cores, so chunks must interleave.
/// </summary>
[StatelessWorker, Reentrant]
public sealed partial class FeedBatchGrain(ReferenceDataCache reference, ILogger<FeedBatchGrain> logger) : Grain, IFeedBatchGrain
{
    private const int MaxConcurrentKeys = 64;

    public async Task<FeedBatchResult> ApplyAsync(FeedRow[] rows)
    {
        var snapshot = await reference.GetAsync(s => rows.All(r => s.Locations.ContainsKey(r.LocationId)));
        var rejected = new List<RowRejection>();
        var applied = 0;
        var ignored = 0;

        var byKey = new List<List<FeedRow>>();
        var index = new Dictionary<string, List<FeedRow>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!snapshot.Locations.ContainsKey(row.LocationId))
            {
                rejected.Add(new RowRejection(row.Index, "not_found", $"location '{row.LocationId}' is not known"));
                continue;
            }

            var key = InventoryKey.For(row.LocationId, row.Sku);
            if (!index.TryGetValue(key, out var group)) byKey.Add(index[key] = group = []);
            group.Add(row);
        }

        // Stay on this activation's scheduler: the loop body touches grain services and the counters below.
        await Parallel.ForEachAsync(byKey, new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentKeys, TaskScheduler = TaskScheduler.Current }, async (group, _) =>
        {
            var grain = GrainFactory.Ref<IInventoryGrain>(InventoryKey.For(group[0].LocationId, group[0].Sku));
            foreach (var row in group)
            {
                try
                {
                    var result = await grain.SetLevelAsync(row.Level);
                    if (result.Applied) Interlocked.Increment(ref applied);
                    else Interlocked.Increment(ref ignored);
                }
                catch (Exception ex)
                {
                    LogRowFailed(ex, row.Index);
                    lock (rejected) rejected.Add(new RowRejection(row.Index, "unavailable", "the row could not be stored; send it again"));
                }
            }
        });

        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new FeedBatchResult(applied, ignored, [.. rejected]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed row {Index} failed")]
    private partial void LogRowFailed(Exception ex, int index);
}
