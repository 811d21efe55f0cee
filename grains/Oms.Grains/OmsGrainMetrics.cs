using System.Diagnostics.Metrics;

namespace Oms.Grains;

/// <summary>Instruments of the grains, exported at /metrics by the gateway and by every silo.</summary>
public static class OmsGrainMetrics
{
    public const string MeterName = "Oms.Grains";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Changes per inventory write: how well group commit batches a hot location × SKU.</summary>
    public static readonly Histogram<int> CommitBatchSize = Meter.CreateHistogram<int>(
        "oms.inventory.commit.batch_size", "{change}", "Changes persisted by one inventory grain write");

    public static readonly Counter<long> HoldsRefused = Meter.CreateCounter<long>(
        "oms.inventory.holds.refused", "{hold}", "Hold raises refused for lack of stock (oversell attempts blocked)");

    public static readonly Counter<long> UnitsExpired = Meter.CreateCounter<long>(
        "oms.inventory.holds.expired_units", "{unit}", "Units released because their hold expired");

    public static readonly Counter<long> AllocationsRefused = Meter.CreateCounter<long>(
        "oms.inventory.allocations.refused", "{allocation}", "Order allocations refused for lack of stock (oversell attempts blocked)");

    public static readonly Counter<long> AllocationsRolledBack = Meter.CreateCounter<long>(
        "oms.inventory.allocations.rolled_back", "{allocation}", "Provisional allocations released because their order never persisted them");

    public static readonly Counter<long> RowsSwept = Meter.CreateCounter<long>(
        "oms.storage.swept", "{row}", "Storage rows deleted by the retention sweep, by state");

    public static readonly Counter<long> OrdersPlaced = Meter.CreateCounter<long>(
        "oms.orders.placed", "{order}", "Orders placed (sourced and allocated)");

    public static readonly Counter<long> OrdersRefused = Meter.CreateCounter<long>(
        "oms.orders.refused", "{order}", "Orders refused for lack of stock");

    public static readonly Counter<long> Escalations = Meter.CreateCounter<long>(
        "oms.orders.escalations", "{escalation}", "Manual steps that waited too long (fraud review, store acknowledgement, return check)");

    public static readonly Histogram<double> FulfilmentHours = Meter.CreateHistogram<double>(
        "oms.fulfilment.duration", "h", "From order to shipment or hand-over");

    /// <summary>Grain-state writes per database transaction (group commit below the grains).</summary>
    public static readonly Histogram<int> StorageBatchSize = Meter.CreateHistogram<int>(
        "oms.storage.batch.size", "{write}", "Grain-state writes committed by one database transaction");

    /// <summary>Payload bytes per database transaction: rows and changed detached items.</summary>
    public static readonly Histogram<long> StorageBatchBytes = Meter.CreateHistogram<long>(
        "oms.storage.batch.bytes", "By", "Payload bytes one storage batch wrote (grain-state rows and detached items)");

    /// <summary>
    /// Payload bytes per grain-state write, by state name: for the inventory record ("stock") one write is one of its
    /// group-commit batches, and this shows that its cost does not grow with its live holds.
    /// </summary>
    public static readonly Histogram<long> StorageWriteBytes = Meter.CreateHistogram<long>(
        "oms.storage.write.bytes", "By", "Payload bytes of one grain-state write (its row and its changed detached items)");

    public static readonly Counter<long> StorageBatchesFailed = Meter.CreateCounter<long>(
        "oms.storage.batch.failed", "{batch}", "Storage batches that failed (every write in them failed to its caller)");
}
