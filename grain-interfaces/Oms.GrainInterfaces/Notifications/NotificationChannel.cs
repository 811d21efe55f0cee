namespace Oms.GrainInterfaces.Notifications;

/// <summary>How a customer is told: e-mail over SMTP, or a text through the SMS or push sender.</summary>
[GenerateSerializer, Alias("oms.NotificationChannel")]
public enum NotificationChannel
{
    Email,
    Sms,
    Push,
}
