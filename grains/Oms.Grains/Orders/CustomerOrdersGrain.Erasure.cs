using Oms.GrainInterfaces.Orders;

namespace Oms.Grains.Orders;

/// <summary>
/// The customer index drives the erasure across the customer's orders (issue 12 item 6). The index is reentrant:
/// orders added while the erasure runs are erased by the same run (it loops until no order is left unerased), and an
/// order that reaches the index after the run, but was created before the erasure's time, is erased when it arrives.
/// </summary>
public sealed partial class CustomerOrdersGrain
{
    private DateTimeOffset? _erasedAt;

    public async Task<CustomerErasureResult> EraseAsync()
    {
        var at = _erasedAt ?? clock.GetUtcNow();
        if (_erasedAt is null)
        {
            _erasedAt = at;
            await _writer.CommitAsync();
        }

        var done = new HashSet<string>(StringComparer.Ordinal);
        while (_orders.Where(o => !done.Contains(o.OrderId)).Select(o => o.OrderId).ToList() is { Count: > 0 } pending)
        {
            await Task.WhenAll(pending.Select(id => GrainFactory.Ref<IOrderGrain>(id).EraseCustomerAsync()));
            done.UnionWith(pending);
        }

        return new CustomerErasureResult(this.GetPrimaryKeyString(), done.Count, at);
    }

    /// <summary>An order placed before the erasure whose index entry came late: erased without waiting (the order may be calling).</summary>
    private void EraseLateArrival(CustomerOrder order)
    {
        if (_erasedAt is not { } at || order.CreatedAt > at) return;
        var id = order.OrderId;
        _ = GrainFactory.Ref<IOrderGrain>(id).EraseCustomerAsync().ContinueWith(
            t => LogLateErasureFailed(t.Exception!, id), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Current);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasing the customer's data in late-indexed order {OrderId} failed; erasing the customer again repairs it")]
    private partial void LogLateErasureFailed(Exception ex, string orderId);
}
