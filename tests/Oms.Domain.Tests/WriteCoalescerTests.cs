using Oms.Grains.Storage;

namespace Oms.Domain.Tests;

/// <summary>The one group-commit primitive of the reentrant grains: coalescing, acknowledgement after the write, failures.</summary>
public sealed class WriteCoalescerTests
{
    [Fact]
    public async Task Changes_made_while_a_write_runs_share_the_next_write_and_are_answered_after_it()
    {
        var gate = new TaskCompletionSource();
        var writes = new List<int>();
        var coalescer = new WriteCoalescer(async changes =>
        {
            writes.Add(changes);
            if (writes.Count == 1) await gate.Task;
        });

        var first = coalescer.CommitAsync();
        var rest = Enumerable.Range(0, 5).Select(_ => coalescer.CommitAsync()).ToArray();
        Assert.True(coalescer.HasOpenBatch);
        Assert.False(first.IsCompleted);
        var looked = coalescer.DurableAsync(); // an answer that changed nothing waits for the open batch
        gate.SetResult();
        await Task.WhenAll([first, looked, .. rest]);
        Assert.Equal([1, 5], writes);
        Assert.False(coalescer.HasOpenBatch);
        Assert.True(coalescer.DurableAsync().IsCompleted);
    }

    [Fact]
    public async Task Without_recovery_a_failed_write_fails_its_callers_and_the_next_write_carries_on()
    {
        var attempt = 0;
        var coalescer = new WriteCoalescer(_ => ++attempt == 1 ? Task.FromException(new TimeoutException("down")) : Task.CompletedTask);
        await Assert.ThrowsAsync<TimeoutException>(() => coalescer.CommitAsync());
        await coalescer.CommitAsync();
        Assert.Equal(2, attempt);
    }

    [Fact]
    public async Task With_recovery_the_batch_built_on_a_failed_write_fails_too_and_recovery_runs_before_any_later_write()
    {
        var gate = new TaskCompletionSource();
        var afterDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new List<string>();
        var coalescer = new WriteCoalescer(
            async changes =>
            {
                log.Add($"write {changes}");
                if (log.Count == 1)
                {
                    await gate.Task;
                    throw new TimeoutException("down");
                }
            },
            async ex =>
            {
                await Task.Yield();
                log.Add($"recover {ex.Message}");
                recovered.SetResult();
            },
            () =>
            {
                log.Add("after");
                afterDone.SetResult();
                return Task.CompletedTask;
            });

        var failing = coalescer.CommitAsync();
        var builtOnIt = coalescer.CommitAsync();
        gate.SetResult();
        await Assert.ThrowsAsync<TimeoutException>(() => failing);
        await Assert.ThrowsAsync<TimeoutException>(() => builtOnIt);
        await recovered.Task;
        await coalescer.Settled; // a change made while recovery runs is refused (next test): this one comes after it
        await coalescer.CommitAsync();
        await afterDone.Task; // runs after the callers are answered
        Assert.Equal(["write 1", "recover down", "write 1", "after"], log);
    }

    [Fact]
    public async Task A_change_made_while_recovery_runs_is_refused_because_recovery_replaces_the_state_it_was_made_on()
    {
        var reading = new TaskCompletionSource();
        var recovering = new TaskCompletionSource();
        var attempt = 0;
        var coalescer = new WriteCoalescer(
            _ => ++attempt == 1 ? Task.FromException(new TimeoutException("down")) : Task.CompletedTask,
            async _ =>
            {
                recovering.SetResult();
                await reading.Task; // storage is being read
            });

        var failing = coalescer.CommitAsync();
        await recovering.Task;
        var duringRecovery = coalescer.CommitAsync();
        reading.SetResult();
        await Assert.ThrowsAsync<TimeoutException>(() => failing);
        await Assert.ThrowsAsync<TimeoutException>(() => duringRecovery);
        await coalescer.CommitAsync(); // after recovery: written
        Assert.Equal(2, attempt);
    }
}
