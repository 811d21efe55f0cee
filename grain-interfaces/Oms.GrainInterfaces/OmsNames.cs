namespace Oms.GrainInterfaces;

/// <summary>Provider, storage and stream names, shared by silo, gateway and tests.</summary>
public static class OmsNames
{
    /// <summary>Grain state storage for all OMS grains.</summary>
    public const string Storage = "oms";

    /// <summary>Orleans stream provider for stock deltas.</summary>
    public const string StreamProvider = "oms-streams";

    /// <summary>Stream namespace of stock deltas; the stream key is a partition number.</summary>
    public const string StockDeltaNamespace = "stock-deltas";

    /// <summary>
    /// Stock deltas are spread over this many streams (by SKU hash) so that one memory-stream queue is not the
    /// bottleneck of a bulk feed; the gateway subscribes to all of them.
    /// </summary>
    public const int StockDeltaPartitions = 8;

    /// <summary>Stream namespace of order events (the customer-notification outbox); key = partition of the order id.</summary>
    public const string OrderEventsNamespace = "order-events";

    /// <summary>Partitions of the durable event log (docs/decisions/0015); a subject's events all go to one.</summary>
    public const int EventLogPartitions = 4;

    public static int EventPartitionOf(string subject) => (int)((uint)StableHash(subject) % EventLogPartitions);

    public static int PartitionOf(string sku) => (int)((uint)StableHash(sku) % StockDeltaPartitions);

    /// <summary>FNV-1a over the UTF-16 code units: the same on every process and run (string.GetHashCode is not).</summary>
    public static int StableHash(string s)
    {
        unchecked
        {
            var h = (int)2166136261;
            foreach (var c in s) h = (h ^ c) * 16777619;
            return h;
        }
    }
}
