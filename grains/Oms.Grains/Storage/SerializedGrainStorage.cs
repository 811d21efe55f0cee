using Orleans.Storage;

namespace Oms.Grains.Storage;

/// <summary>
/// Lets one write at a time into a SQLite file. SQLite has a single writer; when two connections collide,
/// Microsoft.Data.Sqlite blocks the thread and retries after 150 ms, which stalls Orleans scheduler threads for
/// seconds under a bulk feed. Queuing writers here (asynchronously) keeps each write short and the threads free.
/// Reads are not serialised: in WAL mode they never wait for the writer.
/// </summary>
public sealed class SerializedGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private readonly SemaphoreSlim _writer = new(1, 1);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        OneAtATimeAsync(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        OneAtATimeAsync(() => inner.ClearStateAsync(stateName, grainId, grainState));

    private async Task OneAtATimeAsync(Func<Task> write)
    {
        await _writer.WaitAsync();
        try
        {
            await write();
        }
        finally
        {
            _writer.Release();
        }
    }
}
