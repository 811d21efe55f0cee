using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Oms.Gateway.Availability;
using Oms.GrainInterfaces.Availability;

namespace Oms.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class StreamTests(GatewayFixture fx)
{
    private readonly string _sku = $"SSE-{Guid.NewGuid():N}"[..20];

    private sealed record SseEvent(string? Id, string Event, JsonElement Data);

    /// <summary>Reads server-sent events from a stream into a channel until cancelled.</summary>
    private async Task<(ChannelReader<SseEvent> Events, CancellationTokenSource Stop)> ConnectAsync(string? lastEventId = null, string? skus = null)
    {
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/availability/stream?channel={GatewayFixture.Channel}&skus={skus ?? _sku}");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await fx.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

        var channel = Channel.CreateUnbounded<SseEvent>();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
        _ = Task.Run(async () =>
        {
            string? id = null, name = "message", data = null;
            try
            {
                while (await reader.ReadLineAsync(stop.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (data is not null) channel.Writer.TryWrite(new SseEvent(id, name, JsonDocument.Parse(data).RootElement.Clone()));
                        (id, name, data) = (null, "message", null);
                    }
                    else if (line.StartsWith("id: ")) id = line[4..];
                    else if (line.StartsWith("event: ")) name = line[7..];
                    else if (line.StartsWith("data: ")) data = line[6..];
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                response.Dispose();
                channel.Writer.TryComplete();
            }
        });
        return (channel.Reader, stop);
    }

    private static async Task<SseEvent> NextStock(ChannelReader<SseEvent> events)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var e = await events.ReadAsync(timeout.Token);
            if (e.Event == "stock") return e;
        }
    }

    [Fact]
    public async Task A_stock_change_arrives_as_an_event_with_its_version_and_channel_availability()
    {
        var (events, stop) = await ConnectAsync();
        using (stop)
        {
            await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}", new { onHand = 12, asOf = "2026-05-01T00:00:00Z" });
            await fx.PutOk($"/v1/inventory/{GatewayFixture.StoreNear}/{_sku}", new { onHand = 3, asOf = "2026-05-01T00:00:00Z" });
            await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/other-{_sku}", new { onHand = 1, asOf = "2026-05-01T00:00:00Z" });

            var first = await NextStock(events);
            Assert.Equal(GatewayFixture.Warehouse, first.Data.GetProperty("locationId").GetString());
            Assert.Equal(_sku, first.Data.GetProperty("sku").GetString());
            Assert.Equal(12, first.Data.GetProperty("atp").GetInt32());
            // "available" is the channel's figure when the event goes out: at least as new as this change.
            Assert.Contains(first.Data.GetProperty("available").GetInt32(), new[] { 12, 14 });
            Assert.Equal(1, first.Data.GetProperty("version").GetInt64());
            Assert.NotNull(first.Id);

            var second = await NextStock(events);
            Assert.Equal(GatewayFixture.StoreNear, second.Data.GetProperty("locationId").GetString());
            Assert.Equal(14, second.Data.GetProperty("available").GetInt32()); // 12 + (3 − store buffer 1)
            stop.Cancel();
        }
    }

    [Fact]
    public async Task A_client_resumes_from_its_last_event_id_or_is_told_to_resync()
    {
        string firstId;
        var (events, stop) = await ConnectAsync();
        using (stop)
        {
            await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}", new { onHand = 1, asOf = "2026-05-01T00:00:00Z" });
            firstId = (await NextStock(events)).Id!;
            stop.Cancel();
        }

        // Missed while disconnected:
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}", new { onHand = 2, asOf = "2026-05-01T00:01:00Z" });
        await Task.Delay(500);

        var (resumed, stop2) = await ConnectAsync(lastEventId: firstId);
        using (stop2)
        {
            var missed = await NextStock(resumed);
            Assert.Equal(2, missed.Data.GetProperty("version").GetInt64());
            stop2.Cancel();
        }

        var (lost, stop3) = await ConnectAsync(lastEventId: "from-another-process-1");
        using (stop3)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.Equal("resync", (await lost.ReadAsync(timeout.Token)).Event);
            stop3.Cancel();
        }
    }

    [Fact]
    public async Task A_subscriber_that_falls_a_whole_queue_behind_is_told_to_resync_and_then_gets_live_events()
    {
        await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}", new { onHand = 5, asOf = "2026-05-01T00:00:00Z" });
        var (events, stop) = await ConnectAsync();
        using (stop)
        {
            using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(10))) Assert.Equal("ready", (await events.ReadAsync(ready.Token)).Event);

            // A burst far beyond one subscriber's queue, faster than it reads (in sequence for the view, as a burst of
            // real deltas would be, so the gateway's copy follows without fetching).
            var hub = fx.Services.GetRequiredService<StockDeltaHub>();
            var view = await fx.Services.GetRequiredService<IGrainFactory>().GetGrain<ISkuAvailabilityGrain>(_sku).GetStockAsync();
            var version = view.Stock.Single().Version;
            const int burst = 20 * StockDeltaHub.SubscriberQueue;
            for (var i = 1; i <= burst; i++)
                hub.Publish(new StockDelta(GatewayFixture.Warehouse, _sku, 5, version, DateTimeOffset.UtcNow, 0, null, view.Epoch, view.Sequence + i));

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var before = 0;
            while ((await events.ReadAsync(timeout.Token)).Event != "resync") before++;
            Assert.InRange(before, 0, burst - 1);

            // After the resync it is live again: a real change arrives.
            await fx.PutOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}", new { onHand = 9, asOf = "2026-05-01T00:01:00Z" });
            while (true)
            {
                var e = await events.ReadAsync(timeout.Token);
                if (e.Event == "stock" && e.Data.GetProperty("atp").GetInt32() == 9) break;
            }

            stop.Cancel();
        }
    }

    [Fact]
    public async Task An_unknown_channel_is_404_before_the_stream_starts()
    {
        var response = await fx.Http.GetAsync("/v1/availability/stream?channel=nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }
}
