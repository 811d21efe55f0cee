namespace Oms.Grains.Storage;

/// <summary>
/// A singleton registry's state as one immutable snapshot (the API keys, the webhook subscriptions): a change
/// replaces it whole, and <see cref="Committed"/> moves only once the write landed, so a failed write leaves the
/// grain as it was and the copy a reader holds never changes under it.
/// </summary>
public sealed class SnapshotState<T>(IPersistentState<T> state, T empty) where T : class
{
    /// <summary>A record that never was written comes back as an uninitialised instance, not null.</summary>
    public T Committed { get; private set; } = state.RecordExists ? state.State : empty;

    public async Task CommitAsync(T next)
    {
        if (ReferenceEquals(next, Committed)) return;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = Committed;
            throw;
        }

        Committed = next;
    }
}
