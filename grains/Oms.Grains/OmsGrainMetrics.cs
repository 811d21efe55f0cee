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
}
