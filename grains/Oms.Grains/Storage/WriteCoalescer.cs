namespace Oms.Grains.Storage;

/// <summary>
/// Group commit for a reentrant grain whose changes are idempotent upserts: changes made while a write is in flight
/// join the next write. <c>write</c> must take its copy of the state before its first await. A failed write fails
/// only the callers of that batch; the changes stay in memory and go out with the next one.
/// </summary>
public sealed class WriteCoalescer(Func<Task> write)
{
    private TaskCompletionSource? _open;
    private Task _tail = Task.CompletedTask;

    /// <summary>Completes when a write that started after this call has succeeded.</summary>
    public Task CommitAsync()
    {
        if (_open is { } open) return open.Task;
        var batch = _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _tail = RunAfterAsync(_tail, batch);
        return batch.Task;
    }

    private async Task RunAfterAsync(Task previous, TaskCompletionSource batch)
    {
        await previous; // never faults
        if (_open == batch) _open = null;
        try
        {
            await write();
            batch.TrySetResult();
        }
        catch (Exception ex)
        {
            batch.TrySetException(ex);
        }
    }
}
