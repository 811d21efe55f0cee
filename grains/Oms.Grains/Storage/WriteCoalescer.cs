namespace Oms.Grains.Storage;

/// <summary>
/// Group commit inside one reentrant grain, the one primitive every such grain uses (inventory records, work queues,
/// customer indexes): changes made while a write is in flight join the next write, and each caller is answered when
/// the write that carries its change has landed. There is no timer window: a batch is what arrived while the previous
/// write ran, so an idle grain pays no added latency. <c>write</c> must take its copy of the state before its first
/// await (storage may read it later, while the grain goes on changing its state); it is given the number of changes
/// the batch carries.
/// <para>
/// A failed write fails its callers. What happens to the changes depends on the grain:
/// <list type="bullet">
/// <item>without <c>recover</c> (idempotent upserts: queues, indexes), they stay in memory and go out with the next
/// write;</item>
/// <item>with <c>recover</c> (the inventory record, whose answers depend on what was persisted), the open batch, built on
/// top of the failed one, fails too, and <c>recover</c> takes storage as the truth again before any later write; a
/// batch opened while <c>recover</c> ran (its changes were made on the state recovery replaced) fails as well.</item>
/// </list>
/// </para>
/// </summary>
public sealed class WriteCoalescer(Func<int, Task> write, Func<Exception, Task>? recover = null, Func<Task>? afterWrite = null)
{
    private TaskCompletionSource? _open;
    private TaskCompletionSource? _writing;
    private Task _tail = Task.CompletedTask;

    /// <summary>Changes in the open batch, counted by <see cref="CommitAsync"/>.</summary>
    public int OpenChanges { get; private set; }

    /// <summary>Completes when every write begun so far, with its recovery, has finished (the after-write step may still run).</summary>
    public Task Settled => _tail;

    /// <summary>Whether changes are waiting for a write.</summary>
    public bool HasOpenBatch => _open is not null;

    /// <summary>Joins the open batch (opening one if none) and completes when a write that started after this call landed.</summary>
    public Task CommitAsync()
    {
        OpenChanges++;
        if (_open is { } open) return open.Task;
        var batch = _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _tail = RunAfterAsync(_tail, batch);
        return batch.Task;
    }

    /// <summary>For answers that changed nothing: completes when the state they looked at is durable.</summary>
    public Task DurableAsync() => (_open ?? _writing)?.Task ?? Task.CompletedTask;

    private async Task RunAfterAsync(Task previous, TaskCompletionSource batch)
    {
        await previous; // never faults: each run settles its own batch
        if (batch.Task.IsCompleted) return; // failed with the batch before it
        if (_open == batch) _open = null; // from here on, changes go to the next batch
        _writing = batch;
        var changes = OpenChanges;
        OpenChanges = 0;
        try
        {
            await write(changes);
        }
        catch (Exception ex)
        {
            _writing = null;
            batch.TrySetException(ex);
            if (recover is null) return;
            var next = _open;
            _open = null;
            OpenChanges = 0;
            next?.TrySetException(ex);
            await recover(ex);
            // Changes made while recovery read storage were made on the state it then replaced: not written, so refused.
            var during = _open;
            _open = null;
            OpenChanges = 0;
            during?.TrySetException(ex);
            return;
        }

        _writing = null;
        batch.TrySetResult();
        // Not part of the chain: the next write must not wait for it. The inventory's step registers a reminder, and a
        // reminder whose range is moving between silos (a silo stopping or joining) can take the 30 s response timeout,
        // which held every hold and allocation of the record that long during a rolling restart (docs/decisions/0021).
        if (afterWrite is not null) _ = AfterWriteAsync(afterWrite);
    }

    private static async Task AfterWriteAsync(Func<Task> afterWrite)
    {
        try
        {
            await afterWrite();
        }
        catch (Exception)
        {
            // The step reports its own failures (the inventory's reminder is tried again at its next change).
        }
    }
}
