namespace Oms.GrainInterfaces.Carriers;

/// <summary>
/// Which fulfilment a carrier's tracking number belongs to (key = <see cref="TrackingKey.For"/>): written by the order
/// before it acknowledges the ship, read when the carrier reports on it.
/// </summary>
public interface ITrackingIndexGrain : IGrainWithStringKey
{
    /// <summary>The fulfilment now shipped with this number; a number a carrier reuses points at its latest shipment.</summary>
    Task RegisterAsync(string fulfilmentId);

    /// <summary>The fulfilment shipped with this number; null when none was.</summary>
    [ReadOnly]
    Task<string?> GetAsync();
}
