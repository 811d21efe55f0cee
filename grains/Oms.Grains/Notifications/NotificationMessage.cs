using Oms.GrainInterfaces.Notifications;

namespace Oms.Grains.Notifications;

/// <summary>
/// One rendered notification. <see cref="EventId"/> is the dedupe key a receiver sees (the e-mail's Message-ID, the
/// SMS/push body's <c>eventId</c> and <c>webhook-id</c>); <see cref="QrPng"/> is the pickup QR image, inline in the mail.
/// </summary>
public sealed record NotificationMessage(
    string EventId,
    NotificationKind Kind,
    NotificationChannel Channel,
    string To,
    string? Subject,
    string Text,
    string? Html,
    byte[]? QrPng);
