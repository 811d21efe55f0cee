using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Oms.Gateway.Tests.Notifications;

/// <summary>A real Kestrel endpoint standing in for the SMS gateway: keeps each request, answers the statuses it is told to, then 200.</summary>
public sealed class TextReceiver : IAsyncDisposable
{
    public sealed record Received(string Body, Dictionary<string, string> Headers);

    private readonly WebApplication _app;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Statuses to answer before answering 200.</summary>
    public ConcurrentQueue<HttpStatusCode> Next { get; } = new();

    public int Port { get; } = GatewayFixture.FreePort();

    /// <summary>The requests whose body's <c>to</c> is <paramref name="to"/>, in arrival order.</summary>
    public Received[] To(string to) =>
        [.. Requests.Where(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("to").GetString() == to)];

    public TextReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/sms", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            Requests.Enqueue(new Received(body, request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
            return Results.StatusCode((int)(Next.TryDequeue(out var status) ? status : HttpStatusCode.OK));
        });
    }

    public Task StartAsync() => _app.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
