using System.Diagnostics.Metrics;

namespace Oms.Gateway.Operations;

/// <summary>The gateway's own instruments, exported at /metrics beside ASP.NET Core's and Orleans'.</summary>
public sealed class OmsMetrics
{
    public const string MeterName = "Oms.Gateway";

    public OmsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        FeedRows = meter.CreateCounter<long>("oms.feed.rows", "{row}", "Feed rows by outcome (applied, ignored, rejected)");
        AvailabilityReads = meter.CreateCounter<long>("oms.availability.reads", "{sku}", "SKU availability answers served");
        AvailabilityCopyFetches = meter.CreateCounter<long>("oms.availability.copy.fetches", "{fetch}", "SKU view copies fetched by this gateway (a miss, a stale copy or a gap)");
        AvailabilityCopyGaps = meter.CreateCounter<long>("oms.availability.copy.gaps", "{gap}", "Lost stock deltas seen by this gateway's copies (each makes its copy fetch again)");
    }

    public Counter<long> FeedRows { get; }

    public Counter<long> AvailabilityReads { get; }

    public Counter<long> AvailabilityCopyFetches { get; }

    public Counter<long> AvailabilityCopyGaps { get; }
}
