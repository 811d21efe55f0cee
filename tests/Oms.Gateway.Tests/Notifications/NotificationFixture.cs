using Oms.Grains.Notifications;
using Oms.Grains.Webhooks;

namespace Oms.Gateway.Tests.Notifications;

/// <summary>
/// The embedded gateway with notifications configured: e-mail to a real smtp4dev, SMS to a Kestrel receiver. The
/// event log's delivery loop is off here (the tests hand events to the sender one by one); <see
/// cref="NotificationDeliveryFixture"/> has it on.
/// </summary>
public class NotificationFixture : GatewayFixture, IAsyncLifetime
{
    public static readonly string SmsSecret = WebhookSecrets.NewSecret();

    public Smtp4dev Smtp { get; } = Smtp4dev.Start();

    public TextReceiver Sms { get; } = new();

    public INotificationSender Sender => (INotificationSender)Services.GetService(typeof(INotificationSender))!;

    protected override IEnumerable<(string Key, string Value)> Settings =>
    [
        ("Oms:Notifications:Smtp:Host", "127.0.0.1"),
        ("Oms:Notifications:Smtp:Port", Smtp.SmtpPort.ToString()),
        ("Oms:Notifications:Smtp:From", "Test Shop <orders@shop.test>"),
        ("Oms:Notifications:Sms:Url", $"http://127.0.0.1:{Sms.Port}/sms"),
        ("Oms:Notifications:Sms:Secret", SmsSecret),
        ("Oms:Notifications:TrackingUrls:dhl", "https://track.example/dhl?n={{trackingNumber}}"),
        ("Oms:Notifications:Timeout", "00:00:05"),
        ("Oms:Notifications:FromEventLog", FromEventLog.ToString()),
    ];

    protected virtual bool FromEventLog => false;

    public new async Task InitializeAsync()
    {
        await Sms.StartAsync();
        await base.InitializeAsync();
        await Smtp.ReadyAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Sms.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>Notifications sent by the silo from the event log, as in production.</summary>
public sealed class NotificationDeliveryFixture : NotificationFixture
{
    protected override bool FromEventLog => true;
}

[CollectionDefinition(Name)]
public sealed class NotificationDeliveryCollection : ICollectionFixture<NotificationDeliveryFixture>
{
    public const string Name = "notification-delivery";
}

[CollectionDefinition(Name)]
public sealed class NotificationCollection : ICollectionFixture<NotificationFixture>
{
    public const string Name = "notifications";
}
