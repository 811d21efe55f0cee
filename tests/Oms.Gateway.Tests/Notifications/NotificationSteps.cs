using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Oms.GrainInterfaces.Events;
using Oms.Grains.Webhooks;
using StbImageSharp;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Oms.Gateway.Tests.Notifications;

/// <summary>Placing and moving orders for the notification tests, and reading what they sent.</summary>
public abstract class NotificationSteps(NotificationFixture fixture)
{
    protected readonly NotificationFixture fx = fixture;
    protected readonly string _id = Guid.NewGuid().ToString("N")[..10];
    protected const string Store = GatewayFixture.StoreNear;

    protected string Sku => $"N-{_id}";

    protected static object Channel(object template) => new
    {
        name = "Notify web", region = "UK", locationTypes = new[] { "warehouse", "store" }, notificationTemplates = new[] { template },
    };

    protected object Order(object customer, string channel) => new
    {
        orderId = $"ord-n-{Guid.NewGuid():N}"[..24],
        channel,
        customer,
        lines = new[] { new { sku = Sku, quantity = 1, unitPrice = 4m } },
        fulfilment = new { type = "pickup", pickupLocationId = Store },
    };

    protected async Task<(string OrderId, string FulfilmentId)> PlacePickup(object customer, string channel = GatewayFixture.Channel)
    {
        await fx.PutOk($"/v1/products/{Sku}", new { name = Sku, barcode = $"BC{Sku}" });
        await fx.PutOk($"/v1/inventory/{Store}/{Sku}", new { onHand = 10, asOf = "2026-04-01T00:00:00Z" });
        var response = await fx.Http.PostAsJsonAsync("/v1/orders", Order(customer, channel));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var order = JsonDocument.Parse(text).RootElement;
        return (order.GetProperty("orderId").GetString()!, order.GetProperty("fulfilments")[0].GetProperty("fulfilmentId").GetString()!);
    }

    /// <summary>A pickup order for <paramref name="email"/> picked, packed and ready: its code and its two notifying events.</summary>
    protected async Task<(string OrderId, string Code, IntegrationEvent Created, IntegrationEvent Ready)> ReadyForPickupAsync(string email)
    {
        var (orderId, fid) = await PlacePickup(new { id = $"c-{_id}", email });
        await Step(fid, "pick", new { sku = Sku, barcode = $"BC{Sku}", quantity = 1 });
        await Step(fid, "pack");
        var code = (await Step(fid, "ready")).GetProperty("pickupCode").GetString()!;
        return (orderId, code, await EventOf(orderId, EventTypes.OrderCreated), await EventOf(orderId, EventTypes.FulfilmentReadyForPickup));
    }

    protected async Task<JsonElement> Step(string fulfilmentId, string step, object? body = null)
    {
        var response = await fx.Http.PostAsJsonAsync($"/v1/fulfilments/{fulfilmentId}/{step}", body ?? new { });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{step}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The order's event of <paramref name="type"/> from the pull feed, as the delivery loop will hand it over.</summary>
    protected async Task<IntegrationEvent> EventOf(string orderId, string type)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            string? after = null;
            while (true)
            {
                var page = await fx.GetOk($"/v1/events?types={type}&limit=1000" + (after is null ? "" : $"&after={after}"));
                var events = page.GetProperty("events").EnumerateArray().ToArray();
                if (events.FirstOrDefault(e => e.GetProperty("subject").GetString() == EventSubjects.Order(orderId)) is { ValueKind: JsonValueKind.Object } e)
                {
                    return new IntegrationEvent(e.GetProperty("id").GetString()!, type, e.GetProperty("at").GetDateTimeOffset(),
                        e.GetProperty("subject").GetString()!, e.GetProperty("sequence").GetInt64(), e.GetProperty("data").GetRawText());
                }

                if (events.Length == 0) break;
                after = page.GetProperty("next").GetString();
            }

            if (DateTime.UtcNow > until) throw new InvalidOperationException($"no {type} event of {orderId} in the feed");
            await Task.Delay(100);
        }
    }

    protected async Task<(string Event, string Detail)[]> Timeline(string orderId) =>
        [.. (await fx.GetOk($"/v1/orders/{orderId}")).GetProperty("timeline").EnumerateArray()
            .Select(t => (t.GetProperty("event").GetString()!, t.GetProperty("detail").GetString()!))];

    /// <summary>Standard Webhooks: HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c> with the secret's key, computed here, not by our signer.</summary>
    protected static void AssertSigned(TextReceiver.Received request, string eventId)
    {
        Assert.Equal(eventId, request.Headers[WebhookSignature.IdHeader]);
        var timestamp = request.Headers[WebhookSignature.TimestampHeader];
        var key = Convert.FromBase64String(NotificationFixture.SmsSecret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{eventId}.{timestamp}.{request.Body}")));
        Assert.Equal(expected, request.Headers[WebhookSignature.SignatureHeader]);
        Assert.InRange(long.Parse(timestamp), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
    }

    /// <summary>The PNG read by StbImageSharp (managed, no System.Drawing) and the QR code by ZXing's reader.</summary>
    protected static string DecodeQr(byte[] png)
    {
        var image = ImageResult.FromMemory(png, ColorComponents.RedGreenBlueAlpha);
        var source = new RGBLuminanceSource(image.Data, image.Width, image.Height, RGBLuminanceSource.BitmapFormat.RGBA32);
        var result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)));
        Assert.NotNull(result);
        return result.Text;
    }
}
