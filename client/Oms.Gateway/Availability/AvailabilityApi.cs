using Oms.Grains;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Reference;
using Oms.Gateway.Security;
using Oms.Grains.Availability;
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
        group.MapGet("/{sku}", GetSku).WithName("GetAvailability").Produces<SkuAvailability>().WithExamples(response: AvailabilityExamples.Sku).ProducesProblems(ProblemKinds.NotFound).WithSummary("What a channel can sell of a SKU");
        group.MapPost("/query", Query).WithName("QueryAvailability").Produces<AvailabilityQueryResponse>().WithExamples(AvailabilityExamples.QueryRequest, AvailabilityExamples.QueryResponse).ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Availability of a basket of SKUs, optionally near a point or at given locations");
        return app;
    }

    /// <summary>
    /// Answered from this gateway's copy of the SKU's view and the channel's kept answer (docs/decisions/0023): no grain
    /// call and no serialisation while neither the SKU's stock nor the reference data changed.
    /// </summary>
    private static async ValueTask<IResult> GetSku(
        string sku, [FromQuery] string? channel, AvailabilityCopies copies, ReferenceDataCache cache, OmsMetrics metrics)
    {
        if (!Validator.IsId(sku) || !Validator.IsId(channel)) return new Validator().Id("sku", sku).Id("channel", channel).Problem();
        var reference = cache.Current;
        if (!reference.Channels.TryGetValue(channel!, out var policy))
        {
            reference = await cache.GetAsync(s => s.Channels.ContainsKey(channel!));
            if (!reference.Channels.TryGetValue(channel!, out policy)) return Problems.NotFound("channel", $"channel '{channel}' is not known");
        }

        var copy = await copies.GetAsync(sku);
        metrics.AvailabilityReads.Add(1);
        if (!copy.Known) return Problems.NotFound("sku", $"'{sku}' has no product and no stock record");
        return new Utf8JsonResult(copies.Answer(copy, policy, reference).Json);
    }

    private static async Task<IResult> Query(
        AvailabilityQueryRequest body, AvailabilityCopies copies, ReferenceDataCache cache, OmsMetrics metrics,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
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
        var reference = await cache.GetAsync(s => s.Channels.ContainsKey(body.Channel!));
        if (!reference.Channels.TryGetValue(body.Channel!, out var policy)) return Problems.NotFound("channel", $"channel '{body.Channel}' is not known");

        var scope = new AvailabilityScope(body.Near?.Latitude, body.Near?.Longitude, body.Near?.RadiusKm, body.LocationIds);
        var whole = scope is { IsNear: false, LocationIds: null };
        var distinct = body.Skus!.Distinct(StringComparer.Ordinal).ToArray();
        // Every miss goes out at once; the kept copies answer without waiting.
        var pending = new ValueTask<SkuCopy>[distinct.Length];
        for (var i = 0; i < distinct.Length; i++) pending[i] = copies.GetAsync(distinct[i]);
        metrics.AvailabilityReads.Add(distinct.Length);
        if (whole)
        {
            // The SKUs' kept answers, copied into the response as they are.
            var kept = new ChannelAnswer[distinct.Length];
            for (var i = 0; i < distinct.Length; i++) kept[i] = copies.Answer(await pending[i], policy, reference);
            return new Utf8JsonResult(QueryAnswerJson.Write(body.Channel!, kept, json.Value.SerializerOptions));
        }

        var items = new SkuAvailability[distinct.Length];
        for (var i = 0; i < distinct.Length; i++) items[i] = (await pending[i]).Answer(policy, reference, scope);
        return TypedResults.Ok(new AvailabilityQueryResponse(body.Channel!, items));
    }

    private static async Task<IResult> Stream(
        HttpContext context, [FromQuery] string? channel, [FromQuery] string? skus, StockDeltaHub hub, ReferenceDataCache cache, AvailabilityCopies copies,
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
        var events = new StockEventSource(copies, cache, channel!, wanted);
        // The stream ends when the process stops, so that an open subscriber does not hold a graceful stop (and the silo's
        // deactivations) to the host's 30 s shutdown timeout; the client reconnects with Last-Event-ID elsewhere.
        var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(ended);
        return TypedResults.ServerSentEvents(Events(hub, events, lastEventId, ended.Token));
    }

    private static async IAsyncEnumerable<SseItem<object>> Events(
        StockDeltaHub hub, StockEventSource source, string? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (subscriber, registration, replay) = hub.Subscribe(lastEventId);
        var reader = subscriber.Reader;
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
                var resync = false;
                while (!resync && reader.TryRead(out var item))
                {
                    any = true;
                    resync = subscriber.TakeResync();
                    if (!resync && await source.ToEventAsync(item.Delta) is { } e) yield return new SseItem<object>(e, "stock") { EventId = hub.EventId(item.Seq) };
                }

                if (resync || subscriber.TakeResync())
                {
                    // This client fell a whole queue behind (a slow reader): the deltas it missed are gone from its queue.
                    yield return new SseItem<object>(new { reason = "fell behind the stream; fetch availability again" }, "resync");
                    continue;
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
