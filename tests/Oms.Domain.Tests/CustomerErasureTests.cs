using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Orders;

namespace Oms.Domain.Tests;

/// <summary>The customer erasure as a table: what each order shape keeps and loses.</summary>
public sealed class CustomerErasureTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static OrderState State(string? email, bool address, bool eventEmail) => new()
    {
        Request = new OrderRequest(null, "web", new Customer("c1", "gold", email), [new OrderLineRequest("A", 2, 10m)],
            FulfilmentType.Ship, null, address ? new Address(52.1, 4.3, "NL") : null),
        Fingerprint = $"{{\"email\":\"{email}\"}}",
        Timeline = [new TimelineEntry(T0, "placed", "2 units")],
        Events = [new OrderEvent("e1", "o1", "order_placed", T0, eventEmail ? email : null, "placed")],
    };

    [Theory]
    [InlineData("ann@example.com", true, true)]
    [InlineData("ann@example.com", false, true)]
    [InlineData("ann@example.com", true, false)]
    [InlineData(null, true, false)]
    [InlineData(null, false, false)]
    public void Erase_leaves_no_personal_data_and_keeps_the_accounting(string? email, bool address, bool eventEmail)
    {
        var state = State(email, address, eventEmail);

        Assert.True(CustomerErasure.Erase(state, T0.AddDays(1)));

        var pseudonym = CustomerErasure.Pseudonym("c1");
        Assert.Equal(email is null ? null : pseudonym, state.Request!.Customer.Email);
        Assert.Null(state.Request.Address?.Latitude);
        Assert.Null(state.Request.Address?.Longitude);
        Assert.Equal(address ? "NL" : null, state.Request.Address?.Country);
        Assert.All(state.Events, e => Assert.Equal(eventEmail ? pseudonym : null, e.CustomerEmail));
        Assert.DoesNotContain("ann@", state.Fingerprint, StringComparison.Ordinal);
        Assert.Equal(("A", 2, 10m), (state.Request.Lines[0].Sku, state.Request.Lines[0].Quantity, state.Request.Lines[0].UnitPrice));
        Assert.Equal("c1", state.Request.Customer.Id);
        var entry = Assert.Single(state.Timeline, t => t.Event == CustomerErasure.ErasedEvent);
        Assert.DoesNotContain("ann", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Erasing_twice_changes_nothing_the_second_time()
    {
        var state = State("ann@example.com", true, true);
        Assert.True(CustomerErasure.Erase(state, T0));
        var fingerprint = state.Fingerprint;

        Assert.False(CustomerErasure.Erase(state, T0.AddHours(1)));

        Assert.Equal(fingerprint, state.Fingerprint);
        Assert.Single(state.Timeline, t => t.Event == CustomerErasure.ErasedEvent);
    }

    [Fact]
    public void A_notification_stored_after_the_erasure_is_erased_again()
    {
        var state = State("ann@example.com", true, true);
        CustomerErasure.Erase(state, T0);
        state.Events.Add(new OrderEvent("e2", "o1", "order_shipped", T0, "ann@example.com", "shipped"));

        Assert.True(CustomerErasure.Erase(state, T0.AddHours(1)));

        Assert.All(state.Events, e => Assert.Equal(CustomerErasure.Pseudonym("c1"), e.CustomerEmail));
        Assert.Single(state.Timeline, t => t.Event == CustomerErasure.ErasedEvent);
    }

    [Theory]
    [InlineData("c1", "c1", true)]
    [InlineData("c1", "c2", false)]
    public void The_pseudonym_is_stable_per_customer(string a, string b, bool same)
    {
        Assert.StartsWith(CustomerErasure.Prefix, CustomerErasure.Pseudonym(a), StringComparison.Ordinal);
        Assert.Equal(same, CustomerErasure.Pseudonym(a) == CustomerErasure.Pseudonym(b));
    }

    [Fact]
    public void No_order_no_erasure() => Assert.False(CustomerErasure.Erase(new OrderState(), T0));
    /// <summary>
    /// What the order's logged events get replaced: e-mail and phone exactly as the event payloads write them (their JSON
    /// escapes included), by the pseudonym; nothing when there is nothing, or only the pseudonym, left.
    /// </summary>
    [Theory]
    [InlineData("ann@example.com", null, 1)]
    [InlineData("ann@example.com", "+44 7700 900123", 2)] // '+' is escaped in the payload
    [InlineData("a\"b<c>@example.com", null, 1)]
    [InlineData(null, "+31 6 12345678", 1)]
    [InlineData(null, null, 0)]
    [InlineData("", null, 0)]
    public void Redactions_remove_the_e_mail_and_phone_from_an_event_payload(string? email, string? phone, int count)
    {
        var customer = new Customer("c1", "gold", email, phone);
        var redactions = CustomerErasure.Redactions(customer);
        Assert.Equal(count, redactions.Length);
        var payload = Oms.Grains.Events.EventJson.Write(new { orderId = "o1", customer });
        var redacted = Oms.Grains.Events.EventLogState.Redacted(payload, redactions);
        var after = System.Text.Json.JsonDocument.Parse(redacted).RootElement.GetProperty("customer");
        foreach (var (field, value) in new[] { ("email", email), ("phone", phone) })
        {
            var held = after.TryGetProperty(field, out var v) ? v.GetString() : null;
            Assert.Equal(string.IsNullOrEmpty(value) ? value : CustomerErasure.Pseudonym("c1"), held);
        }

        Assert.Equal("c1", after.GetProperty("id").GetString());
        Assert.Equal("gold", after.GetProperty("tier").GetString());
        // Once erased, the pseudonym is not replaced by itself again.
        Assert.Empty(CustomerErasure.Redactions(new Customer("c1", null, CustomerErasure.Pseudonym("c1"))));
    }
}
