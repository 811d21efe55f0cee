using Oms.Grains;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Mvc;
using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Reference;
using Oms.Gateway.Security;
using Oms.Grains.Reference;

namespace Oms.Gateway.Availability;

/// <summary>Storefront reads, answered by the per-SKU availability views, and the live delta stream.</summary>
public static class AvailabilityApi
{
    public const int MaxQuerySkus = 500;
    public const double MaxRadiusKm = 20_000;

    public static IEndpointRouteBuilder MapAvailabilityApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/availability").WithTags(ApiTags.Availability).WithMetadata(new RequiresScope(Scopes.Storefront)).RequireCors(StorefrontCors.Policy);
        group.MapGet("/stream", Stream).WithName("StreamStockDeltas").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Live stock deltas for a channel as server-sent events; resume with Last-Event-ID")
            .Produces<StockDeltaEvent>(StatusCodes.Status200OK, "text/event-stream");
        group.MapGet("/{sku}", GetSku).WithName("GetAvailability").WithExamples(response: AvailabilityExamples.Sku).ProducesProblems(ProblemKinds.NotFound).WithSummary("What a channel can sell of a SKU");
        group.MapPost("/query", Query).WithName("QueryAvailability").WithExamples(AvailabilityExamples.QueryRequest, AvailabilityExamples.QueryResponse).ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Availability of a basket of SKUs, optionally near a point or at given locations");
        return app;
    }

    private static async Task<Results<Ok<SkuAvailability>, ProblemHttpResult>> GetSku(
        string sku, [FromQuery] string? channel, IGrainFactory grains, ReferenceDataCache cache, OmsMetrics metrics)
    {
        var v = new Validator().Id("sku", sku).Id("channel", channel);
        if (!v.IsValid) return v.Problem();
        if (await UnknownChannel(cache, channel!) is { } notFound) return notFound;

        var answer = await grains.Ref<ISkuAvailabilityGrain>(sku).GetAsync(channel!, AvailabilityScope.All);
        metrics.AvailabilityReads.Add(1);
        return answer switch
        {
            null => Problems.NotFound("channel", $"channel '{channel}' is not known"),
            { Known: false } => Problems.NotFound("sku", $"'{sku}' has no product and no stock record"),
            _ => TypedResults.Ok(answer),
        };
    }

    private static async Task<Results<Ok<AvailabilityQueryResponse>, ProblemHttpResult>> Query(
        AvailabilityQueryRequest body, IGrainFactory grains, ReferenceDataCache cache, OmsMetrics metrics)
    {
        var v = new Validator()
            .Id("channel", body.Channel)
            .Required("skus", body.Skus)
            .Ids("skus", body.Skus)
            .Ids("locationIds", body.LocationIds);
        if (body.Skus is { } skus) v.Check(skus.Length is > 0 and <= MaxQuerySkus, "skus", $"must hold 1 to {MaxQuerySkus} SKUs");
        if (body.Near is { } near)
        {
            v.Range("near.latitude", near.Latitude, -90, 90)
             .Range("near.longitude", near.Longitude, -180, 180)
             .Range("near.radiusKm", near.RadiusKm, 0, MaxRadiusKm);
        }

        if (!v.IsValid) return v.Problem();
        if (await UnknownChannel(cache, body.Channel!) is { } notFound) return notFound;

        var scope = new AvailabilityScope(body.Near?.Latitude, body.Near?.Longitude, body.Near?.RadiusKm, body.LocationIds);
        var items = await Task.WhenAll(body.Skus!.Distinct(StringComparer.Ordinal)
            .Select(sku => grains.Ref<ISkuAvailabilityGrain>(sku).GetAsync(body.Channel!, scope)));
        metrics.AvailabilityReads.Add(items.Length);
        if (items.Any(i => i is null)) return Problems.NotFound("channel", $"channel '{body.Channel}' is not known");
        return TypedResults.Ok(new AvailabilityQueryResponse(body.Channel!, items!));
    }

    private static async Task<IResult> Stream(
        HttpContext context, [FromQuery] string? channel, [FromQuery] string? skus, StockDeltaHub hub, ReferenceDataCache cache, IGrainFactory grains,
        IHostApplicationLifetime lifetime)
    {
        var filter = skus?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var v = new Validator().Id("channel", channel).Ids("skus", filter);
        if (!v.IsValid) return v.Problem();
        if (await UnknownChannel(cache, channel!) is { } notFound) return notFound;

        var lastEventId = context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? context.Request.Query["lastEventId"].FirstOrDefault();
        var wanted = filter.Length == 0 ? null : filter.ToHashSet(StringComparer.Ordinal);
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var events = new StockEventSource(grains, cache, channel!, wanted);
        // The stream ends when the process stops, so that an open subscriber does not hold a graceful stop (and the silo's
        // deactivations) to the host's 30 s shutdown timeout; the client reconnects with Last-Event-ID elsewhere.
        var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(ended);
        return TypedResults.ServerSentEvents(Events(hub, events, lastEventId, ended.Token));
    }

    private static async IAsyncEnumerable<SseItem<object>> Events(
        StockDeltaHub hub, StockEventSource source, string? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (reader, registration, replay) = hub.Subscribe(lastEventId);
        using (registration)
        {
            if (replay is null)
            {
                yield return new SseItem<object>(new { reason = "cannot resume from that event id; fetch availability again" }, "resync");
            }
            else
            {
                yield return new SseItem<object>(new { channel = source.Channel }, "ready");
                foreach (var (seq, delta) in replay)
                    if (await source.ToEventAsync(delta) is { } e) yield return new SseItem<object>(e, "stock") { EventId = hub.EventId(seq) };
            }

            while (true)
            {
                using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                heartbeat.CancelAfter(TimeSpan.FromSeconds(15));
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(heartbeat.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    more = true;
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                if (!more) yield break;
                var any = false;
                while (reader.TryRead(out var item))
                {
                    any = true;
                    if (await source.ToEventAsync(item.Delta) is { } e) yield return new SseItem<object>(e, "stock") { EventId = hub.EventId(item.Seq) };
                }

                if (!any) yield return new SseItem<object>(new { at = DateTimeOffset.UtcNow }, "heartbeat");
            }
        }
    }

    private static async ValueTask<ProblemHttpResult?> UnknownChannel(ReferenceDataCache cache, string channelId)
    {
        var snapshot = await cache.GetAsync(s => s.Channels.ContainsKey(channelId));
        return snapshot.Channels.ContainsKey(channelId) ? null : Problems.NotFound("channel", $"channel '{channelId}' is not known");
    }
}
