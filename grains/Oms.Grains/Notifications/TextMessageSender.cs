using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Notifications;
using Oms.Grains.Webhooks;

namespace Oms.Grains.Notifications;

/// <summary>
/// SMS and push through a webhook-style gateway: POST <c>{to, text, eventId}</c> to the configured URL, signed with
/// the Standard Webhooks headers (<c>webhook-id</c> = the event id, the same on every retry) when a secret is set.
/// 2xx is sent; 429 and 5xx (honouring <c>Retry-After</c>) and no connection are retried; another 4xx is permanent.
/// </summary>
public sealed class TextMessageSender(IOptions<NotificationOptions> options, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);
    // Relaxed escaping: "+44..." stays readable in the body (it is JSON for a server, never put into a page).
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // One client for the process; the pooled connections are renewed so DNS changes are seen.
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false });

    public async Task<NotificationOutcome> SendAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        var settings = message.Channel == NotificationChannel.Sms ? options.Value.Sms : options.Value.Push;
        if (settings.Url is not { } url) return new NotificationOutcome.Failed($"no {message.Channel.ToString().ToLowerInvariant()} sender configured");
        var body = JsonSerializer.Serialize(new { to = message.To, text = message.Text, eventId = message.EventId }, Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (settings.Secret is { } secret)
        {
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add(WebhookSignature.IdHeader, message.EventId);
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Standard(message.EventId, timestamp, body, [secret]));
            request.Headers.Add(WebhookSignature.BodySignatureHeader, WebhookSignature.Body(body, secret));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return new NotificationOutcome.Sent(message.Channel, $"HTTP {status}");
            var error = $"HTTP {status} from {url.Host}";
            return response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500
                ? new NotificationOutcome.Retry(error, RetryAfter(response))
                : new NotificationOutcome.Failed(error);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new NotificationOutcome.Retry($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => RetrySchedule.ParseRetryAfter(
        response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null, clock.GetUtcNow(), MaxRetryAfter);

    public void Dispose() => _http.Dispose();
}
