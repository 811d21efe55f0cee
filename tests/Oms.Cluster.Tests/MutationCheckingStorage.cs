using Orleans.Serialization;
using Orleans.Storage;

namespace Oms.Cluster.Tests;

/// <summary>
/// Test storage that behaves like the ADO.NET providers in the way that matters to group commit: a write takes a
/// while and the provider may read the state object at any point during it. It fails the write if the object
/// changed while the write was in flight, and its latency makes concurrent requests form real batches.
/// </summary>
public sealed class MutationCheckingStorage(IGrainStorage inner, Serializer serializer) : IGrainStorage
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<GrainId, bool> FailNext = new();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<GrainId, int> Writes = new();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, GrainId), int> Reads = new();

    /// <summary>How many times the state <paramref name="stateName"/> of <paramref name="grainId"/> has been read.</summary>
    public static int ReadsOf(string stateName, GrainId grainId) => Reads.GetValueOrDefault((stateName, grainId));

    /// <summary>How many writes of <paramref name="grainId"/> have landed so far.</summary>
    public static int WritesOf(GrainId grainId) => Writes.GetValueOrDefault(grainId);

    /// <summary>The next write of <paramref name="grainId"/> fails, as a storage outage would (after a delay, not landing).</summary>
    public static void FailNextWrite(GrainId grainId) => FailNext[grainId] = true;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Reads.AddOrUpdate((stateName, grainId), 1, (_, n) => n + 1);
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var before = serializer.SerializeToArray(grainState.State);
        await Task.Delay(5);
        if (FailNext.TryRemove(grainId, out _)) throw new TimeoutException($"injected storage failure for {grainId}");
        await inner.WriteStateAsync(stateName, grainId, grainState);
        Writes.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        if (!before.AsSpan().SequenceEqual(serializer.SerializeToArray(grainState.State)))
            throw new InvalidOperationException($"{grainId} changed its state object while it was being written");
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
