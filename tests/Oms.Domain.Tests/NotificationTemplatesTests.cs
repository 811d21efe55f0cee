using Oms.GrainInterfaces.Notifications;
using Oms.Grains.Notifications;
using NC = Oms.GrainInterfaces.Notifications.NotificationChannel;

namespace Oms.Domain.Tests;

/// <summary>The placeholder syntax, HTML-encoding, validation at save time and the built-in templates.</summary>
public sealed class NotificationTemplatesTests
{
    private static readonly HashSet<string> Allowed = ["orderId", "pickupCode"];
    private static readonly Dictionary<string, string> Values = new() { ["orderId"] = "o<1>&", ["pickupCode"] = "42" };

    [Theory]
    [InlineData("Order {{orderId}}", "Order o<1>&", "Order o&lt;1&gt;&amp;")]
    [InlineData("{{ orderId }}/{{pickupCode}}", "o<1>&/42", "o&lt;1&gt;&amp;/42")]
    [InlineData("no placeholder", "no placeholder", "no placeholder")]
    [InlineData("a } and { and }} alone", "a } and { and }} alone", "a } and { and }} alone")]
    [InlineData("", "", "")]
    public void Renders_values_plain_or_html_encoded(string template, string plain, string html)
    {
        var parsed = TemplateText.Parse(template, Allowed);
        Assert.Equal(plain, parsed.Render(Values));
        Assert.Equal(html, parsed.Render(Values, System.Net.WebUtility.HtmlEncode));
    }

    [Theory]
    [InlineData("Hi {{name}}", "unknown placeholder '{{name}}'")]
    [InlineData("Hi {{orderId", "is not closed")]
    [InlineData("Hi {{}}", "empty placeholder")]
    [InlineData("{{orderId}} {{ total }}", "unknown placeholder '{{total}}'")]
    public void A_bad_template_is_refused_with_the_reason(string template, string reason)
    {
        Assert.False(TemplateText.TryParse(template, Allowed, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    public static TheoryData<string, NotificationTemplate[], string?> Sets => new()
    {
        { "valid e-mail and sms", [new("shipped", NC.Email, "Sent {{orderId}}", "{{trackingUrl}}", "<a href=\"{{trackingUrl}}\">track</a>"), new("shipped", NC.Sms, null, "{{trackingNumber}}", null)], null },
        { "unknown kind", [new("shipped_late", NC.Email, "s", "t", null)], "t[0].kind" },
        { "placeholder of another kind", [new("order_confirmation", NC.Sms, null, "{{pickupCode}}", null)], "t[0].text" },
        { "e-mail without subject", [new("cancelled", NC.Email, null, "t", null)], "t[0].subject" },
        { "empty text", [new("cancelled", NC.Push, null, " ", null)], "t[0].text" },
        { "html on sms", [new("cancelled", NC.Sms, null, "t", "<b>t</b>")], "t[0].html" },
        { "bad html placeholder", [new("cancelled", NC.Email, "s", "t", "{{refundAmount}}")], "t[0].html" },
        { "twice the same", [new("delayed", NC.Sms, null, "a", null), new("delayed", NC.Sms, null, "b", null)], "t[1]" },
        { "too long", [new("delayed", NC.Sms, null, new string('x', NotificationTemplates.MaxLength + 1), null)], "t[0].text" },
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void Templates_are_checked_when_saved(string _, NotificationTemplate[] templates, string? field)
    {
        var errors = NotificationTemplates.Validate(templates, "t").ToArray();
        Assert.Equal(field, errors.Select(e => e.Field).FirstOrDefault());
    }

    [Fact]
    public void Every_built_in_template_is_valid_and_an_override_wins_for_its_kind_and_channel_only()
    {
        var defaults = NotificationKinds.All.SelectMany(k => Enum.GetValues<NC>().Select(c => DefaultTemplates.For(k, c))).ToArray();
        Assert.Empty(NotificationTemplates.Validate(defaults, "defaults"));

        NotificationTemplate own = new("shipped", NC.Sms, null, "Parcel {{trackingNumber}}", null);
        Assert.Same(own, NotificationTemplates.Resolve([own], NotificationKind.Shipped, NC.Sms));
        Assert.Equal(DefaultTemplates.For(NotificationKind.Shipped, NC.Email), NotificationTemplates.Resolve([own], NotificationKind.Shipped, NC.Email));
        Assert.Equal(DefaultTemplates.For(NotificationKind.Delayed, NC.Sms), NotificationTemplates.Resolve(null, NotificationKind.Delayed, NC.Sms));
    }

    [Fact]
    public void A_pickup_mail_carries_the_qr_image_and_a_text_message_does_not()
    {
        var facts = new NotificationFacts(NotificationKind.ReadyForPickup, "o1", "web",
            new Dictionary<string, string> { ["orderId"] = "o1", ["pickupCode"] = "482913", ["pickupLocationId"] = "ST-1" }, "482913");

        var mail = NotificationRenderer.Render("evt_1", facts, DefaultTemplates.For(NotificationKind.ReadyForPickup, NC.Email), "a@x.io");
        var sms = NotificationRenderer.Render("evt_1", facts, DefaultTemplates.For(NotificationKind.ReadyForPickup, NC.Sms), "+447700900123");

        Assert.Equal("Your order o1 is ready for pickup", mail.Subject);
        Assert.Contains("cid:pickup-qr", mail.Html, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], mail.QrPng![..4]);
        Assert.Equal("Your order o1 is ready for pickup at ST-1. Your pickup code is 482913.", sms.Text);
        Assert.Null(sms.QrPng);
        Assert.Null(sms.Html);
    }
}
