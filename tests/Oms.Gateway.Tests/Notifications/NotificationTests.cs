using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MimeKit;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Notifications;
using Oms.Grains.Notifications;
using Oms.Grains.Webhooks;
using StbImageSharp;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Oms.Gateway.Tests.Notifications;

/// <summary>
/// Customer notifications end to end: orders placed over HTTP, their events from <c>GET /v1/events</c> handed to the
/// silo's <see cref="INotificationSender"/> (as the delivery loop will), mails read back from a real SMTP server, SMS
/// from a real HTTP receiver, the order's timeline over HTTP.
/// </summary>
[Collection(NotificationCollection.Name)]
public sealed class NotificationTests(NotificationFixture fixture) : NotificationSteps(fixture)
{

    [Fact]
    public async Task A_pickup_order_mails_its_confirmation_and_the_pickup_code_with_a_qr_that_decodes_to_it_once_per_event()
    {
        var email = $"ann-{_id}@example.com";
        var (orderId, code, created, ready) = await ReadyForPickupAsync(email);
        var sent = Assert.IsType<NotificationOutcome.Sent>(await fx.Sender.SendAsync(created, default));
        Assert.Equal((NotificationChannel.Email, false), (sent.Channel, sent.Repeated));
        Assert.IsType<NotificationOutcome.Sent>(await fx.Sender.SendAsync(ready, default));

        var again = Assert.IsType<NotificationOutcome.Sent>(await fx.Sender.SendAsync(ready, default));
        Assert.True(again.Repeated);
        await fx.Sender.SendAsync(created, default);

        var mails = await fx.Smtp.To(email);
        Assert.Equal(2, mails.Length);
        var confirmation = mails.Single(m => m.MessageId == $"{created.Id}@shop.test");
        Assert.Equal($"Your order {orderId} is confirmed", confirmation.Subject);
        Assert.Equal("orders@shop.test", confirmation.From.Mailboxes.Single().Address);
        Assert.Contains("1 items, 4.00 in total", confirmation.TextBody, StringComparison.Ordinal);
        Assert.Contains("1 items, 4.00 in total", confirmation.HtmlBody, StringComparison.Ordinal);

        var pickup = mails.Single(m => m.MessageId == $"{ready.Id}@shop.test");
        Assert.Equal($"Your order {orderId} is ready for pickup", pickup.Subject);
        Assert.Contains($"Your pickup code is {code}.", pickup.TextBody, StringComparison.Ordinal);
        Assert.Contains($"cid:{NotificationRenderer.QrContentId}", pickup.HtmlBody, StringComparison.Ordinal);
        var qr = pickup.BodyParts.OfType<MimePart>().Single(p => p.ContentId == NotificationRenderer.QrContentId);
        Assert.Equal("image/png", qr.ContentType.MimeType);
        using var png = new MemoryStream();
        await qr.Content!.DecodeToAsync(png);
        Assert.Equal(code, DecodeQr(png.ToArray()));

        var timeline = await Timeline(orderId);
        var masked = $"a***@example.com";
        Assert.Equal(1, timeline.Count(t => t == ("notification.sent", $"email order_confirmation to {masked}")));
        Assert.Equal(1, timeline.Count(t => t == ("notification.sent", $"email ready_for_pickup to {masked}")));
    }

    [Fact]
    public async Task An_opted_out_customer_gets_nothing_and_the_timeline_says_so()
    {
        var email = $"bob-{_id}@example.com";
        var (orderId, _) = await PlacePickup(new { id = $"c-{_id}", email, notifications = new { channel = "email", optOut = true } });

        var outcome = await fx.Sender.SendAsync(await EventOf(orderId, EventTypes.OrderCreated), default);

        Assert.Equal(ChannelChoice.OptedOut, Assert.IsType<NotificationOutcome.Skipped>(outcome).Reason);
        Assert.Empty(await fx.Smtp.To(email));
        Assert.Contains(("notification.skipped", "order_confirmation: customer opted out"), await Timeline(orderId));
    }

    [Fact]
    public async Task After_the_customer_is_erased_nothing_is_sent()
    {
        var email = $"eve-{_id}@example.com";
        var (orderId, _) = await PlacePickup(new { id = $"c-{_id}", email });
        var created = await EventOf(orderId, EventTypes.OrderCreated);
        await fx.PostOk($"/v1/customers/c-{_id}/erase", new { });

        var outcome = await fx.Sender.SendAsync(created, default);

        Assert.Equal(NotificationLedger.ErasedReason, Assert.IsType<NotificationOutcome.Skipped>(outcome).Reason);
        Assert.Empty(await fx.Smtp.To(email));
        Assert.Contains(("notification.skipped", "order_confirmation: customer data erased"), await Timeline(orderId));
    }

    [Fact]
    public async Task An_sms_goes_signed_to_the_gateway_is_retried_after_a_503_and_not_sent_again()
    {
        var phone = "+447700900" + Random.Shared.Next(100, 999);
        var (orderId, _) = await PlacePickup(new { id = $"c-{_id}", email = $"cy-{_id}@example.com", phone, notifications = new { channel = "sms", optOut = false } });
        var created = await EventOf(orderId, EventTypes.OrderCreated);
        fx.Sms.Next.Enqueue(HttpStatusCode.ServiceUnavailable);

        Assert.IsType<NotificationOutcome.Retry>(await fx.Sender.SendAsync(created, default));
        var sent = Assert.IsType<NotificationOutcome.Sent>(await fx.Sender.SendAsync(created, default));
        Assert.IsType<NotificationOutcome.Sent>(await fx.Sender.SendAsync(created, default));

        Assert.Equal(NotificationChannel.Sms, sent.Channel);
        var mine = fx.Sms.To(phone);
        Assert.Equal(2, mine.Length); // the 503 and the one that went; none after it
        var body = JsonDocument.Parse(mine[1].Body).RootElement;
        Assert.Equal((phone, created.Id), (body.GetProperty("to").GetString(), body.GetProperty("eventId").GetString()));
        Assert.StartsWith($"Thank you for your order {orderId}", body.GetProperty("text").GetString(), StringComparison.Ordinal);
        AssertSigned(mine[1], created.Id);
        Assert.Empty(await fx.Smtp.To($"cy-{_id}@example.com"));

        var timeline = await Timeline(orderId);
        Assert.Contains(timeline, t => t.Event == "notification.retrying" && t.Detail.StartsWith($"sms order_confirmation to ***{phone[^2..]}, attempt 1: HTTP 503", StringComparison.Ordinal));
        Assert.Equal(1, timeline.Count(t => t == ("notification.sent", $"sms order_confirmation to ***{phone[^2..]}")));
    }

    [Fact]
    public async Task A_refused_sms_fails_for_good()
    {
        var phone = "+447700901" + Random.Shared.Next(100, 999);
        var (orderId, _) = await PlacePickup(new { id = $"c-{_id}", phone, notifications = new { channel = "sms" } });
        var created = await EventOf(orderId, EventTypes.OrderCreated);
        fx.Sms.Next.Enqueue(HttpStatusCode.BadRequest);

        Assert.Contains("HTTP 400", Assert.IsType<NotificationOutcome.Failed>(await fx.Sender.SendAsync(created, default)).Error, StringComparison.Ordinal);
        Assert.IsType<NotificationOutcome.Failed>(await fx.Sender.SendAsync(created, default));

        Assert.Single(fx.Sms.To(phone));
        Assert.Contains(await Timeline(orderId), t => t.Event == "notification.failed");
    }

    [Fact]
    public async Task A_channel_template_overrides_the_built_in_one_and_a_bad_one_is_refused()
    {
        var channel = $"web-n-{_id}";
        var bad = await fx.Http.PutAsJsonAsync($"/v1/channels/{channel}", Channel(new { kind = "order_confirmation", channel = "email", subject = "Hi {{name}}", text = "t" }));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("notificationTemplates[0].subject", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var saved = await fx.PutOk($"/v1/channels/{channel}", Channel(new
        {
            kind = "order_confirmation", channel = "email", subject = "Danke für {{orderId}}", text = "Bestellung {{orderId}}: {{total}}",
            html = "<h1>Danke</h1><p>{{customerId}}</p>",
        }));
        Assert.Equal("Danke für {{orderId}}", saved.GetProperty("notificationTemplates")[0].GetProperty("subject").GetString());
        var email = $"dora-{_id}@example.com";
        var (orderId, _) = await PlacePickup(new { id = $"c-{_id}", email }, channel);

        Assert.IsType<NotificationOutcome.Sent>(await fx.Sender.SendAsync(await EventOf(orderId, EventTypes.OrderCreated), default));

        var mail = Assert.Single(await fx.Smtp.To(email));
        Assert.Equal($"Danke für {orderId}", mail.Subject);
        Assert.Equal($"Bestellung {orderId}: 4.00", mail.TextBody?.Trim());
        Assert.Contains($"<h1>Danke</h1><p>c-{_id}</p>", mail.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_notification_fields_on_an_order_are_400()
    {
        foreach (var customer in new object[]
                 {
                     new { id = "c", phone = "0770 0900" },
                     new { id = "c", notifications = new { channel = "sms" } },
                     new { id = "c", notifications = new { channel = "pigeon" } },
                 })
        {
            var response = await fx.Http.PostAsJsonAsync("/v1/orders", Order(customer, GatewayFixture.Channel));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        }
    }
}
