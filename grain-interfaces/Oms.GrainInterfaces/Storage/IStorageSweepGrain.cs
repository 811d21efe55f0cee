namespace Oms.GrainInterfaces.Storage;

/// <summary>
/// The one sweep of expired storage rows per cluster (key 0, docs/decisions/0022): idempotency records past their
/// retention, carts long empty or long expired, cleared states.
/// </summary>
public interface IStorageSweepGrain : IGrainWithIntegerKey
{
    /// <summary>Wakes the sweep (every silo calls it at start); it then runs on its own schedule.</summary>
    Task StartAsync();

    /// <summary>Sweeps now, whatever the schedule: what a test or an operator's tool calls. Returns rows deleted per state.</summary>
    Task<Dictionary<string, int>> SweepNowAsync();
}
