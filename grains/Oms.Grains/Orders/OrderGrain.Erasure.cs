using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Orders;

namespace Oms.Grains.Orders;

/// <summary>The customer erasure (issue 12 item 6): the pure <see cref="CustomerErasure"/> decides, the shell persists.</summary>
public sealed partial class OrderGrain
{
    public async Task<bool> EraseCustomerAsync()
    {
        if (!_order.Exists) return false;
        try
        {
            // The events already in the log first, while the order still knows what to look for: a failure leaves the
            // order unerased and the customer index asks again. Again after the write, for any appended meanwhile.
            var redactions = state.State.Request is { } request ? CustomerErasure.Redactions(request.Customer) : [];
            await RedactCopiesAsync(redactions);
            if (!CustomerErasure.Erase(state.State, clock.GetUtcNow())) return true;
            await state.WriteStateAsync();
            await RedactCopiesAsync(redactions);
            LogCustomerErased(OrderId);
            return true;
        }
        catch
        {
            await ReloadAsync(); // storage is the truth again (as in RunAsync); the caller erases again
            throw;
        }
    }

    /// <summary>Where else the order's personal data is copied: its events in the event log, its answers kept by the gateway.</summary>
    private async Task RedactCopiesAsync(Redaction[] redactions)
    {
        if (redactions.Length == 0) return;
        var subject = EventSubjects.Order(OrderId);
        await GrainFactory.Ref<IEventLogGrain>(OmsNames.EventPartitionOf(subject)).RedactAsync(subject, redactions);
        await Task.WhenAll(state.State.AnswerRecords.Select(r => GrainFactory.Ref<GrainInterfaces.Idempotency.IIdempotencyGrain>(r).RedactAsync(redactions)));
    }

    /// <summary>The order as held, for a data export; the export is recorded on the timeline first (audit).</summary>
    public async Task<OrderView?> ExportAsync()
    {
        if (!_order.Exists) return null;
        try
        {
            state.State.Timeline.Add(new TimelineEntry(clock.GetUtcNow(), CustomerErasure.ExportedEvent, "the customer's data was exported"));
            await state.WriteStateAsync();
            return _order.View();
        }
        catch
        {
            await ReloadAsync();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Customer data of order {OrderId} erased")]
    private partial void LogCustomerErased(string orderId);
}
