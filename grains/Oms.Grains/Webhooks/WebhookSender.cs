using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Webhooks;

namespace Oms.Grains.Webhooks;

/// <summary>
/// Sends one delivery over HTTP: the Standard Webhooks headers signed with every live secret, <c>X-Signature</c>, the
/// attempt's timeout, no redirects (a 3xx is a failure), and the outbound address rule applied to the addresses the
/// host resolves to at connect time, so a name that points inside the network is refused even when its URL passed.
/// One client per silo: connections to a receiver are pooled across deliveries.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private const int ErrorBodyChars = 200;

    private readonly IOptions<WebhookOptions> _options;
    private readonly TimeProvider _clock;
    private readonly HttpClient _http;

    public WebhookSender(IOptions<WebhookOptions> options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = ConnectAsync,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Oms.Orleans-Webhooks/1");
    }

    public async Task<WebhookAttemptResult> SendAsync(WebhookSubscription subscription, IntegrationEvent e)
    {
        var options = _options.Value;
        var now = _clock.GetUtcNow();
        var body = WebhookPayload.Write(e);
        var timestamp = now.ToUnixTimeSeconds();
        var secrets = WebhookRules.SigningSecrets(subscription, now);
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, e.Id);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Standard(e.Id, timestamp, body, secrets));
        request.Headers.TryAddWithoutValidation(WebhookSignature.BodySignatureHeader, WebhookSignature.Body(body, secrets[0]));

        var watch = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(options.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            var retryAfter = code is 429 or 503 && response.Headers.TryGetValues("Retry-After", out var values)
                ? RetrySchedule.ParseRetryAfter(values.FirstOrDefault(), now, options.MaxRetryAfter)
                : null;
            string? error = null;
            if (RetrySchedule.Judge(code) != DeliveryVerdict.Succeeded) error = await ErrorOfAsync(response, timeout.Token);
            return Result(now, code, watch, error, retryAfter);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Result(now, null, watch, $"no answer within {options.Timeout.TotalSeconds:0.###} s", null);
        }
        catch (HttpRequestException ex)
        {
            return Result(now, null, watch, ex.InnerException is HttpRequestException inner ? inner.Message : ex.Message, null);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UriFormatException)
        {
            return Result(now, null, watch, ex.Message, null);
        }
    }

    private static WebhookAttemptResult Result(DateTimeOffset at, int? code, Stopwatch watch, string? error, TimeSpan? retryAfter) =>
        new(new DeliveryAttempt(at, code, (int)Math.Min(int.MaxValue, watch.ElapsedMilliseconds), error), retryAfter);

    private static async Task<string> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return string.IsNullOrWhiteSpace(text) ? status : $"{status}: {(text.Length > ErrorBodyChars ? text[..ErrorBodyChars] + "…" : text)}";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return status;
        }
    }

    /// <summary>Resolves the host, refuses internal addresses the operator did not allow, then connects.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (WebhookUrlRules.CheckResolved(host, addresses, _options.Value.AllowedHostList) is { } refusal)
            throw new HttpRequestException(refusal);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();
}
