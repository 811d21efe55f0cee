using Oms.Gateway.Availability;
using Microsoft.Extensions.Options;
using Oms.Grains;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Oms.Gateway.Security;
using Oms.Grains.Reference;

namespace Oms.Gateway.Inventory;

/// <summary>Stock in: absolute levels, adjustments, inbound, bulk batches; and the per-location read.</summary>
public static class InventoryApi
{
    public const int MaxBatchRows = 100_000;

    /// <summary>Rows per call to a feed-batch worker: big enough to amortise the hop, small enough to spread over silos.</summary>
    private const int ChunkRows = 2_000;

    /// <summary>Chunks applied at once; each applies up to 64 keys concurrently, so this bounds the load one batch puts on the cluster.</summary>
    private const int ChunksInFlight = 4;

    public static IEndpointRouteBuilder MapInventoryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/inventory").WithTags(ApiTags.Feeds).WithMetadata(new RequiresScope(Scopes.Feeds));
        group.MapPut("/{locationId}/{sku}", PutLevel).WithName("PutInventoryLevel").WithExamples(InventoryExamples.LevelRequest, InventoryExamples.LevelResponse).ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Set the absolute level of a location × SKU (last writer wins by asOf)");
        group.MapGet("/{locationId}/{sku}", GetLevel).WithName("GetInventoryLevel").WithExamples(response: InventoryExamples.Level).ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Every quantity of a location × SKU");
        group.MapPost("/adjustments", PostAdjustment).WithName("PostInventoryAdjustment").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Apply a stock movement once per eventId");
        group.MapPost("/inbound", PostInbound).WithName("PostInboundStock").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Record expected stock with an ETA under a reference (replaces that reference)");
        group.MapPost("/batch", PostBatch).WithName("PostInventoryBatch").WithExamples(InventoryExamples.BatchRequest, InventoryExamples.BatchResponse)
            .WithSummary("Apply up to 100,000 absolute levels; bad rows are rejected one by one");
        return app;
    }

    private static async Task<Results<Ok<LevelResponse>, ProblemHttpResult>> PutLevel(
        string locationId, string sku, LevelRequest body, IGrainFactory grains, ReferenceDataCache cache,
        IOptions<InventoryFeedOptions> feed, TimeProvider time, AvailabilityCopies copies)
    {
        var v = new Validator()
            .Id("locationId", locationId)
            .Id("sku", sku)
            .Quantity("onHand", body.OnHand)
            .Quantity("safetyStock", body.SafetyStock, required: false)
            .Quantities("unavailable", body.Unavailable)
            .Required("asOf", body.AsOf)
            .AsOfWithinSkew(body.AsOf, time.GetUtcNow(), feed.Value.MaxClockSkew);
        if (!v.IsValid) return v.Problem();
        if (await UnknownLocation(cache, locationId) is { } notFound) return notFound;

        var level = new AbsoluteLevel(body.OnHand!.Value, body.SafetyStock, body.Unavailable, body.AsOf!.Value.ToUniversalTime());
        var result = await Inventory(grains, locationId, sku).SetLevelAsync(level);
        copies.Written(sku);
        return TypedResults.Ok(new LevelResponse(result.Applied, result.Level));
    }

    private static async Task<Results<Ok<InventoryLevel>, ProblemHttpResult>> GetLevel(
        string locationId, string sku, IGrainFactory grains, ReferenceDataCache cache)
    {
        var v = new Validator().Id("locationId", locationId).Id("sku", sku);
        if (!v.IsValid) return v.Problem();
        if (await UnknownLocation(cache, locationId) is { } notFound) return notFound;

        var level = await Inventory(grains, locationId, sku).GetAsync();
        if (level.Version == 0 && await grains.Ref<IProductGrain>(sku).GetAsync() is null)
            return Problems.NotFound("sku", $"no stock record and no product for '{sku}'");
        return TypedResults.Ok(level);
    }

    private static async Task<Results<Ok<AdjustmentResponse>, ProblemHttpResult>> PostAdjustment(
        AdjustmentRequest body, IGrainFactory grains, ReferenceDataCache cache)
    {
        var v = new Validator()
            .Id("locationId", body.LocationId)
            .Id("sku", body.Sku)
            .Delta("delta", body.Delta)
            .Text("reason", body.Reason, maxLength: 64)
            .Id("eventId", body.EventId);
        if (!v.IsValid) return v.Problem();
        if (await UnknownLocation(cache, body.LocationId!) is { } notFound) return notFound;

        var result = await Inventory(grains, body.LocationId!, body.Sku!)
            .AdjustAsync(new Adjustment(body.Delta!.Value, body.Reason!.Trim(), body.EventId!));
        return TypedResults.Ok(new AdjustmentResponse(result.Applied, result.Duplicate, result.Level));
    }

    private static async Task<Results<Ok<InventoryLevel>, ProblemHttpResult>> PostInbound(
        InboundRequest body, IGrainFactory grains, ReferenceDataCache cache)
    {
        var v = new Validator()
            .Id("locationId", body.LocationId)
            .Id("sku", body.Sku)
            .Quantity("quantity", body.Quantity)
            .Required("eta", body.Eta)
            .Id("reference", body.Reference);
        if (!v.IsValid) return v.Problem();
        if (await UnknownLocation(cache, body.LocationId!) is { } notFound) return notFound;

        var line = new InboundLine(body.Reference!, body.Quantity!.Value, body.Eta!.Value.ToUniversalTime());
        return TypedResults.Ok(await Inventory(grains, body.LocationId!, body.Sku!).SetInboundAsync(line));
    }

    private static async Task<Results<Ok<FeedBatchResult>, ProblemHttpResult>> PostBatch(
        BatchRequest body, IGrainFactory grains, OmsMetrics metrics, IOptions<InventoryFeedOptions> feed, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (body.Items is null) return Problems.Validation("items", "is required");
        if (body.Items.Length > MaxBatchRows) return Problems.Validation("items", $"at most {MaxBatchRows} rows per batch");

        var rejected = new List<RowRejection>();
        var rows = new List<FeedRow>(body.Items.Length);
        for (var i = 0; i < body.Items.Length; i++)
        {
            var item = body.Items[i];
            if (item is null)
            {
                rejected.Add(new RowRejection(i, ProblemCodes.ValidationFailed, "row is null"));
                continue;
            }

            var v = new Validator()
                .Id("locationId", item.LocationId)
                .Id("sku", item.Sku)
                .Quantity("onHand", item.OnHand)
                .Quantity("safetyStock", item.SafetyStock, required: false)
                .Required("asOf", item.AsOf)
                .AsOfWithinSkew(item.AsOf, now, feed.Value.MaxClockSkew);
            if (!v.IsValid)
            {
                rejected.Add(new RowRejection(i, ProblemCodes.ValidationFailed, v.Describe()));
                continue;
            }

            rows.Add(new FeedRow(i, item.LocationId!, item.Sku!, new AbsoluteLevel(item.OnHand!.Value, item.SafetyStock, null, item.AsOf!.Value.ToUniversalTime())));
        }

        var results = new FeedBatchResult[(rows.Count + ChunkRows - 1) / ChunkRows];
        await Parallel.ForEachAsync(rows.Chunk(ChunkRows).Select((chunk, n) => (chunk, n)),
            new ParallelOptions { MaxDegreeOfParallelism = ChunksInFlight, CancellationToken = cancellationToken },
            async (c, _) => results[c.n] = await grains.Ref<IFeedBatchGrain>(c.n).ApplyAsync(c.chunk));

        rejected.AddRange(results.SelectMany(r => r.Rejected));
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        var answer = new FeedBatchResult(results.Sum(r => r.Applied), results.Sum(r => r.Ignored), [.. rejected]);
        metrics.FeedRows.Add(answer.Applied, new KeyValuePair<string, object?>("outcome", "applied"));
        metrics.FeedRows.Add(answer.Ignored, new KeyValuePair<string, object?>("outcome", "ignored"));
        metrics.FeedRows.Add(answer.Rejected.Length, new KeyValuePair<string, object?>("outcome", "rejected"));
        return TypedResults.Ok(answer);
    }

    private static IInventoryGrain Inventory(IGrainFactory grains, string locationId, string sku) =>
        grains.Ref<IInventoryGrain>(InventoryKey.For(locationId, sku));

    private static async ValueTask<ProblemHttpResult?> UnknownLocation(ReferenceDataCache cache, string locationId)
    {
        var snapshot = await cache.GetAsync(s => s.Locations.ContainsKey(locationId));
        return snapshot.Locations.ContainsKey(locationId) ? null : Problems.NotFound("locationId", $"location '{locationId}' is not known");
    }
}
