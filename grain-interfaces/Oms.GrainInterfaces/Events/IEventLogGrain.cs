namespace Oms.GrainInterfaces.Events;

/// <summary>
/// One partition of the durable event log (key = partition, 0 to <see cref="OmsNames.EventLogPartitions"/> - 1; a
/// subject always lands in <see cref="OmsNames.EventPartitionOf"/>). Aggregates append the events their change
/// produced; webhook dispatchers and the pull feed read them in position order (docs/decisions/0015).
/// </summary>
public interface IEventLogGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Appends <paramref name="events"/> (one subject, in sequence order) durably; an event id already in the log is
    /// not added twice. Provisional events are in the log but not readable until <see cref="ConfirmAsync"/> names
    /// them, or, unconfirmed after a short window, their aggregate's persisted state says they exist.
    /// </summary>
    Task AppendAsync(IntegrationEvent[] events, bool provisional);

    /// <summary>The aggregate's write that carries these provisional events landed: they may be read.</summary>
    [Orleans.Concurrency.OneWay]
    Task ConfirmAsync(string[] eventIds);

    /// <summary>
    /// Replaces personal data in the payloads of <paramref name="subject"/>'s events still in the log (a customer's
    /// erasure); returns how many events changed. Their ids, positions and sequences stay.
    /// </summary>
    Task<int> RedactAsync(string subject, Redaction[] redactions);

    /// <summary>Up to <paramref name="limit"/> readable events after <paramref name="after"/>, in position order.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<EventPage> ReadAsync(long after, int limit);

    /// <summary>The last position a reader may move to now: where a new reader starts to get only what comes next.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<long> EndAsync();
}
