using Microsoft.Extensions.DependencyInjection;
using Oms.GrainInterfaces.Notifications;
using Oms.Grains.Webhooks;

namespace Oms.Grains.Notifications;

/// <summary>Customer notifications, bound from "Oms:Notifications" (README "Notifications").</summary>
public sealed class NotificationOptions
{
    public const string Section = "Oms:Notifications";

    /// <summary>E-mail; without a host no e-mail is sent (customers who have only e-mail are recorded as skipped).</summary>
    public SmtpSettings Smtp { get; set; } = new();

    public TextSenderSettings Sms { get; set; } = new();

    public TextSenderSettings Push { get; set; } = new();

    /// <summary>Per carrier, the tracking link template, e.g. <c>"dhl": "https://track.example/dhl?n={{trackingNumber}}"</c>.</summary>
    public Dictionary<string, string> TrackingUrls { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a claim holds before another attempt may take it (a sender that died never records its result).</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Whether the silo sends notifications for the events of the log (the delivery grain
    /// <c>~notifications</c>, docs/decisions/0019); off leaves <see cref="INotificationSender"/> to its caller (the
    /// sender's own tests drive it event by event).
    /// </summary>
    public bool FromEventLog { get; set; } = true;

    /// <summary>Whether the event log's notifications are sent: a sender is configured and <see cref="FromEventLog"/>.</summary>
    public bool Delivers => FromEventLog && Configured().Count > 0;

    /// <summary>One send's limit (SMTP session or HTTP call).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The channels whose sender is configured.</summary>
    public IReadOnlySet<NotificationChannel> Configured()
    {
        var configured = new HashSet<NotificationChannel>();
        if (!string.IsNullOrWhiteSpace(Smtp.Host)) configured.Add(NotificationChannel.Email);
        if (Sms.Url is not null) configured.Add(NotificationChannel.Sms);
        if (Push.Url is not null) configured.Add(NotificationChannel.Push);
        return configured;
    }

    /// <summary>Registers the options, the senders and <see cref="INotificationSender"/> in the silo.</summary>
    public static void AddTo(IServiceCollection services)
    {
        services.AddOptions<NotificationOptions>().BindConfiguration(Section)
            .Validate(o => o.Smtp.Host is null || (o.Smtp.Port is > 0 and < 65536 && !string.IsNullOrWhiteSpace(o.Smtp.From)), "Oms:Notifications:Smtp needs Port 1-65535 and From with Host")
            .Validate(o => Valid(o.Sms) && Valid(o.Push), "Oms:Notifications:Sms/Push: Url must be absolute http(s), Secret a whsec_ secret")
            .Validate(o => o.TrackingUrls.Values.All(t => TemplateText.TryParse(t, NotificationRules.TrackingPlaceholders, out _, out _)), "Oms:Notifications:TrackingUrls: only {{trackingNumber}} may be used")
            .Validate(o => o.ClaimLease > TimeSpan.Zero && o.Timeout > TimeSpan.Zero, "Oms:Notifications: ClaimLease and Timeout must be positive")
            .ValidateOnStart();
        services.AddSingleton<SmtpEmailSender>();
        services.AddSingleton<TextMessageSender>();
        services.AddSingleton<INotificationSender, NotificationSender>();
    }

    private static bool Valid(TextSenderSettings s) =>
        s.Url is null || (s.Url.IsAbsoluteUri && s.Url.Scheme is "http" or "https" && (s.Secret is null || WebhookSecrets.TryDecode(s.Secret, out _)));
}

public sealed class SmtpSettings
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    /// <summary>The sender, <c>Shop &lt;orders@shop.example&gt;</c> or a bare address; its domain ends the Message-ID.</summary>
    public string? From { get; set; }
    public string? User { get; set; }
    public string? Password { get; set; }
    /// <summary>True: TLS (implicit on 465, STARTTLS otherwise, required); false: STARTTLS when offered.</summary>
    public bool UseTls { get; set; }
}

/// <summary>A webhook-style text sender (SMS or push gateway): POST <c>{to, text, eventId}</c>, signed when a secret is set.</summary>
public sealed class TextSenderSettings
{
    public Uri? Url { get; set; }
    /// <summary>A <c>whsec_</c> secret: Standard Webhooks headers as on our webhooks.</summary>
    public string? Secret { get; set; }
}
