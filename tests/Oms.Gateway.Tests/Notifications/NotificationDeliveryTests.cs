using Oms.GrainInterfaces.Events;

namespace Oms.Gateway.Tests.Notifications;

/// <summary>
/// Notifications as the product sends them: nobody calls the sender; the silo's delivery loop reads the event log
/// and mails the customer at each stage, once per event, and the order's timeline shows it.
/// </summary>
[Collection(NotificationDeliveryCollection.Name)]
public sealed class NotificationDeliveryTests(NotificationDeliveryFixture fixture) : NotificationSteps(fixture)
{
    [Fact]
    public async Task The_silo_mails_the_confirmation_and_the_pickup_code_by_itself_once_per_event()
    {
        var email = $"dee-{_id}@example.com";
        var (orderId, code, created, ready) = await ReadyForPickupAsync(email);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await fx.Smtp.To(email)).Length < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the two mails did not arrive");
            await Task.Delay(100);
        }

        await Task.Delay(500); // nothing more comes
        var mails = await fx.Smtp.To(email);
        Assert.Equal(new[] { $"{created.Id}@shop.test", $"{ready.Id}@shop.test" }.Order(), mails.Select(m => m.MessageId).Order());
        Assert.Contains(code, mails.Single(m => m.MessageId == $"{ready.Id}@shop.test").TextBody, StringComparison.Ordinal);
        var timeline = await Timeline(orderId);
        Assert.Equal(2, timeline.Count(t => t.Event == "notification.sent"));
    }
}
