namespace Oms.Grains.Events;

/// <summary>
/// Told (in the log partition's turn, so it must return at once) that events of a partition may have become
/// readable: appended for good, confirmed or resolved. Readers that wait for events (webhook deliveries) use it to
/// come at once instead of polling.
/// </summary>
public interface IEventLogListener
{
    void Readable(int partition);
}
