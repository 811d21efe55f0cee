using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.Grains.Orders;

/// <summary>
/// Pseudonymises a customer's personal data in one order's state (issue 12 item 6), pure so it is table-tested.
/// Personal data held by an order: the customer's e-mail, the delivery coordinates, the e-mail copied onto every
/// stored customer notification, the phone number, the addresses on notification timeline entries, and the request's fingerprint (the serialised request, e-mail included). Amounts,
/// SKUs, quantities, statuses, fulfilments, returns and stock history stay for accounting; so do the customer id
/// (the key of the customer index, a reference, not personal data itself) and the address's country (VAT).
/// The pseudonym is stable (the same customer always gets the same one) so erased orders still group together,
/// and is derived from a hash of the customer id, so it reveals nothing new.
/// </summary>
public static class CustomerErasure
{
    public const string ErasedEvent = "customer_erased";
    public const string ExportedEvent = "customer_exported";
    public const string Prefix = "erased-";

    /// <summary><c>erased-</c> and the first 16 hex digits of SHA-256 of the customer id.</summary>
    public static string Pseudonym(string customerId) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(customerId)))[..16];

    /// <summary>
    /// What to replace in the order's event payloads (JSON text): the customer's e-mail and phone as JSON writes them,
    /// each by the pseudonym. Empty when the order holds neither (or they are erased already).
    /// </summary>
    public static Redaction[] Redactions(Customer customer)
    {
        var pseudonym = Pseudonym(customer.Id);
        return [.. new[] { customer.Email, customer.Phone }
            .Where(v => !string.IsNullOrEmpty(v) && v != pseudonym)
            .Select(v => new Redaction(JsonSerializer.Serialize(v, Events.EventJson.Options)[1..^1], pseudonym))];
    }

    /// <summary>True once the order carries the erasure entry: erasing again changes nothing.</summary>
    public static bool IsErased(OrderState state) => state.Timeline.Any(t => t.Event == ErasedEvent);

    /// <summary>
    /// Erases the customer's personal data from <paramref name="state"/>; false when there is nothing to do (no order,
    /// or already erased and nothing personal left). The timeline gets one <see cref="ErasedEvent"/> entry, without
    /// personal data.
    /// </summary>
    public static bool Erase(OrderState state, DateTimeOffset now)
    {
        if (state.Request is not { } request) return false;
        var pseudonym = Pseudonym(request.Customer.Id);
        var erased = request with
        {
            Customer = request.Customer with { Email = request.Customer.Email is null ? null : pseudonym, Phone = null },
            Address = request.Address is null ? null : request.Address with { Latitude = null, Longitude = null },
        };
        var events = state.Events.Select(e => e.CustomerEmail is null ? e : e with { CustomerEmail = pseudonym }).ToList();
        // Integration events not yet in the event log carry the e-mail and phone in their payload (those already there
        // are redacted in the log by the order grain with the same replacements).
        var redactions = Redactions(request.Customer);
        var outbox = redactions.Length == 0 ? state.Outbox : [.. state.Outbox.Select(e => e with { Data = Events.EventLogState.Redacted(e.Data, redactions) })];
        var notified = state.Notifications.Values.Where(n => n.To is not null).ToArray();
        var changed = erased != request || !events.SequenceEqual(state.Events) || !outbox.SequenceEqual(state.Outbox) || notified.Length > 0 || !IsErased(state);
        if (!changed) return false;

        // The timeline shows notification addresses masked; even so, they go (the record keeps channel and kind).
        foreach (var n in notified)
        {
            state.Notifications[n.EventId] = n with { To = null };
            for (var i = 0; i < state.Timeline.Count; i++)
            {
                if (state.Timeline[i].Event.StartsWith("notification.", StringComparison.Ordinal) && state.Timeline[i].Detail.Contains($" to {n.To}", StringComparison.Ordinal))
                    state.Timeline[i] = state.Timeline[i] with { Detail = state.Timeline[i].Detail.Replace($" to {n.To}", " to (erased)", StringComparison.Ordinal) };
            }
        }

        state.Request = erased;
        state.Fingerprint = JsonSerializer.Serialize(erased);
        state.Events = events;
        state.Outbox = outbox;
        if (!IsErased(state)) state.Timeline.Add(new TimelineEntry(now, ErasedEvent, $"personal data replaced by {pseudonym}"));
        return true;
    }
}
