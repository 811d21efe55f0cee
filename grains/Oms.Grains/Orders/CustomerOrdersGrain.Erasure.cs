using Oms.GrainInterfaces.Orders;

namespace Oms.Grains.Orders;

/// <summary>
/// The customer index drives the erasure across the customer's orders (issue 12 item 6). The index is reentrant:
/// the erasure covers every order created up to its time. Orders of that time indexed while the run is under way are
/// erased by the same run (it loops until none is left unerased), one that reaches the index after the run is erased
/// when it arrives, and orders created after the erasure's time are the customer's new ones and keep their data.
/// </summary>
public sealed partial class CustomerOrdersGrain
{
    private DateTimeOffset? _erasedAt;
    private DateTimeOffset? _erasedThrough;

    public async Task<CustomerErasureResult> EraseAsync()
    {
        // Each erasure covers the orders created up to its own time; the answer names the first erasure's time, so a
        // repeat with no order placed in between answers the same.
        var through = clock.GetUtcNow();
        _erasedAt ??= through;
        _erasedThrough = through;
        await _writer.CommitAsync();

        var done = new HashSet<string>(StringComparer.Ordinal);
        while (_orders.Where(o => o.CreatedAt <= through && !done.Contains(o.OrderId)).Select(o => o.OrderId).ToList() is { Count: > 0 } pending)
        {
            await Task.WhenAll(pending.Select(id => GrainFactory.Ref<IOrderGrain>(id).EraseCustomerAsync()));
            done.UnionWith(pending);
        }

        return new CustomerErasureResult(this.GetPrimaryKeyString(), done.Count, _erasedAt.Value);
    }

    /// <summary>An order placed before the erasure whose index entry came late: erased without waiting (the order may be calling).</summary>
    private void EraseLateArrival(CustomerOrder order)
    {
        if (_erasedThrough is not { } through || order.CreatedAt > through) return;
        var id = order.OrderId;
        _ = GrainFactory.Ref<IOrderGrain>(id).EraseCustomerAsync().ContinueWith(
            t => LogLateErasureFailed(t.Exception!, id), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Current);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasing the customer's data in late-indexed order {OrderId} failed; erasing the customer again repairs it")]
    private partial void LogLateErasureFailed(Exception ex, string orderId);
}
