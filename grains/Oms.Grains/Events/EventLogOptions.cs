using System.ComponentModel.DataAnnotations;

namespace Oms.Grains.Events;

/// <summary>The event log's retention and resolution (section <c>Oms:Events</c>, docs/decisions/0015).</summary>
public sealed class EventLogOptions
{
    public const string Section = "Oms:Events";

    /// <summary>
    /// The in-memory mode: memory storage would copy a partition whole on every write, so the events stay in the
    /// partition's activation (kept alive for the silo's lifetime) and only its row is stored; a throwaway run loses
    /// them with the process, like everything else it holds.
    /// </summary>
    public bool EntriesInMemory { get; set; }

    /// <summary>Events kept per partition (there are <see cref="OmsNames.EventLogPartitions"/>); the oldest go first.</summary>
    [Range(100, 10_000_000)]
    public int RetainPerPartition { get; set; } = 50_000;

    /// <summary>Events older than this go even when fewer are kept.</summary>
    public TimeSpan RetainFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Whether the SKU views announce <c>stock.*</c> events (<c>Oms:Events:Stock</c>, on by default). Their cost falls
    /// on a SKU's first change after activation (its product and every location's level read, its announcement read):
    /// a 100,000-row feed of new SKUs with three channels took 1.5–1.9× the gateway CPU, one that changes every level
    /// of active views 1.6× (bench/feed-batch/README.md). Off, the storefront reads and the stock-delta stream remain.
    /// </summary>
    public bool Stock { get; set; } = true;

    /// <summary>How long a SKU's changes are gathered into one <c>stock.changed</c> per channel.</summary>
    public TimeSpan StockWindow { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a provisional event waits for its confirmation before the log asks its aggregate.</summary>
    public TimeSpan ResolveAfter { get; set; } = TimeSpan.FromSeconds(5);
}
