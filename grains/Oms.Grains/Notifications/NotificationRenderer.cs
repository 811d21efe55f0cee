using System.Net;
using Oms.GrainInterfaces.Notifications;
using QRCoder;

namespace Oms.Grains.Notifications;

/// <summary>Renders a template with an event's facts: values plain in the text parts, HTML-encoded in the HTML body.</summary>
public static class NotificationRenderer
{
    /// <summary>The content id of the pickup QR image in the HTML mail (<c>cid:pickup-qr</c>).</summary>
    public const string QrContentId = "pickup-qr";

    public static NotificationMessage Render(string eventId, NotificationFacts facts, NotificationTemplate template, string to)
    {
        var allowed = NotificationKinds.Placeholders(facts.Kind);
        string? Apply(string? text, Func<string, string>? encode) => text is null ? null : TemplateText.Parse(text, allowed).Render(facts.Values, encode);
        var email = template.Channel == NotificationChannel.Email;
        return new NotificationMessage(
            eventId, facts.Kind, template.Channel, to,
            email ? Apply(template.Subject, null) : null,
            Apply(template.Text, null)!,
            email ? Apply(template.Html, WebUtility.HtmlEncode) : null,
            email && facts.PickupCode is { } code ? QrPng(code) : null);
    }

    /// <summary>A QR code of <paramref name="payload"/> as PNG (QRCoder's own PNG writer: no System.Drawing).</summary>
    public static byte[] QrPng(string payload)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(8);
    }
}
