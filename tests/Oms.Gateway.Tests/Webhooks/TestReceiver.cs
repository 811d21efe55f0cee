using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Oms.Gateway.Tests.Webhooks;

/// <summary>One request as the receiver got it, and the status it answered (<see cref="Accepted"/>: a 2xx).</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string BodySignature, string Body, DateTimeOffset At, int Status = 0)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public bool Accepted => Status is >= 200 and < 300;
}

/// <summary>What the receiver answers one request with: a status, optional headers, after an optional delay.</summary>
public sealed record ReceiverAnswer(int Status, TimeSpan Delay = default, string? RetryAfter = null);

/// <summary>
/// A real HTTP receiver (Kestrel on a free loopback port) that fails on command: <see cref="Answer"/> decides each
/// request's status, delay and <c>Retry-After</c>. It records every request, and dedupes by <c>webhook-id</c> the way
/// a receiver should (<see cref="Effects"/>: one per event id, counted only on a 2xx).
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentQueue<ReceivedWebhook> Requests { get; } = new();

    /// <summary>Event ids answered 2xx, with how many times each was.</summary>
    public ConcurrentDictionary<string, int> Effects { get; } = new();

    /// <summary>The answer to a request, given the request and how many this receiver had before it. Default: 200.</summary>
    public Func<ReceivedWebhook, int, ReceiverAnswer> Answer { get; set; } = (_, _) => new ReceiverAnswer(200);

    public string Url { get; }

    private int _count;

    private TestReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<TestReceiver> StartAsync(string path = "/hook")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestReceiver? self = null;
        app.MapPost(path, async (HttpContext http) => await self!.HandleAsync(http));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new TestReceiver(app, address.TrimEnd('/') + path);
        return self;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        var h = http.Request.Headers;
        var got = new ReceivedWebhook(h["webhook-id"].ToString(), h["webhook-timestamp"].ToString(), h["webhook-signature"].ToString(),
            h["X-Signature"].ToString(), body, DateTimeOffset.UtcNow);
        var answer = Answer(got, Interlocked.Increment(ref _count) - 1);
        Requests.Enqueue(got with { Status = answer.Status });
        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (answer.RetryAfter is { } retryAfter) http.Response.Headers.RetryAfter = retryAfter;
        if (answer.Status is >= 200 and < 300) Effects.AddOrUpdate(got.Id, 1, (_, n) => n + 1);
        http.Response.StatusCode = answer.Status;
    }

    /// <summary>Waits until <paramref name="done"/> holds (polling), or fails after <paramref name="seconds"/>.</summary>
    public async Task WaitForAsync(Func<TestReceiver, bool> done, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!done(this))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"receiver: {what} not seen within {seconds} s ({Requests.Count} requests)");
            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
