using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;

namespace Oms.Grains.Notifications;

/// <summary>
/// E-mail over SMTP with MailKit: a text and an HTML part (the pickup QR inline as <c>cid:pickup-qr</c>), the
/// Message-ID derived from the event id so a receiver can drop a repeat. Transient errors (no connection, TLS, SMTP
/// 4xx, a dropped session) are <see cref="NotificationOutcome.Retry"/>; an SMTP 5xx (a recipient or message refused)
/// is <see cref="NotificationOutcome.Failed"/>, except a refused login, a configuration fault retried until fixed.
/// </summary>
public sealed class SmtpEmailSender(IOptions<NotificationOptions> options)
{
    public async Task<NotificationOutcome> SendAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        MimeMessage mail;
        try
        {
            mail = Build(message, MailboxAddress.Parse(smtp.From!));
        }
        catch (ParseException ex)
        {
            return new NotificationOutcome.Failed($"not an e-mail address: {ex.Message}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        using var client = new SmtpClient { Timeout = (int)options.Value.Timeout.TotalMilliseconds };
        try
        {
            var security = !smtp.UseTls ? SecureSocketOptions.StartTlsWhenAvailable : smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
            await client.ConnectAsync(smtp.Host!, smtp.Port, security, timeout.Token);
            if (!string.IsNullOrEmpty(smtp.User)) await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", timeout.Token);
            var answer = await client.SendAsync(mail, timeout.Token);
            await client.DisconnectAsync(quit: true, CancellationToken.None);
            return new NotificationOutcome.Sent(message.Channel, answer);
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            return new NotificationOutcome.Failed($"SMTP {(int)ex.StatusCode}: {ex.Message}");
        }
        catch (SmtpCommandException ex)
        {
            return new NotificationOutcome.Retry($"SMTP {(int)ex.StatusCode}: {ex.Message}");
        }
        catch (Exception ex) when (ex is SocketException or IOException or SmtpProtocolException or SslHandshakeException
            or AuthenticationException or ServiceNotConnectedException or TimeoutException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new NotificationOutcome.Retry($"SMTP {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>The mail of <paramref name="message"/>: Message-ID <c>{eventId}@{from's domain}</c>, text and HTML, the QR inline.</summary>
    public static MimeMessage Build(NotificationMessage message, MailboxAddress from)
    {
        var mail = new MimeMessage { Subject = message.Subject ?? "", MessageId = $"{message.EventId}@{Domain(from)}" };
        mail.From.Add(from);
        mail.To.Add(MailboxAddress.Parse(message.To));
        var body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html };
        if (message.QrPng is { } png)
        {
            var image = body.LinkedResources.Add("pickup-qr.png", png, new ContentType("image", "png"));
            image.ContentId = NotificationRenderer.QrContentId;
        }

        mail.Body = body.ToMessageBody();
        return mail;
    }

    private static string Domain(MailboxAddress from) => from.Domain is { Length: > 0 } d ? d : MimeUtils.GenerateMessageId().Split('@')[^1];
}
