using Oms.Grains;
using Oms.Gateway.Security;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Reference;

namespace Oms.Gateway.Orders;

/// <summary>Sourcing profiles and dry runs; the store and warehouse workflow on fulfilments.</summary>
public static class FulfilmentApi
{
    public static IEndpointRouteBuilder MapFulfilmentApi(this IEndpointRouteBuilder app)
    {
        var profiles = app.MapGroup("/v1/sourcing/profiles").WithTags(ApiTags.Sourcing).WithMetadata(new RequiresScope(Scopes.Admin));
        profiles.MapPut("/{profileId}", PutProfile).WithName("PutSourcingProfile")
            .WithSummary("Ordered filters, weighted ranking criteria and maxSplits, bound to channels");
        profiles.MapGet("/{profileId}", GetProfile).WithName("GetSourcingProfile").ProducesProblems(ProblemKinds.NotFound).WithSummary("A sourcing profile");

        app.MapPost("/v1/sourcing/plan", Plan).WithTags(ApiTags.Sourcing).WithMetadata(new RequiresScope(Scopes.Orders)).WithName("PlanSourcing").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Dry run: the plan an order would get now, with the reason for every choice and every rejected location; changes nothing");

        var locations = app.MapGroup("/v1/locations").WithTags(ApiTags.StoreFulfilment).WithMetadata(new RequiresScope(Scopes.StoreOps));
        locations.MapGet("/{locationId}/fulfilments", Queue).WithName("GetWorkQueue").ProducesProblems(ProblemKinds.NotFound).WithSummary("The location's work queue, optionally by status");
        locations.MapGet("/{locationId}/picklist", PickList).WithName("GetPickList").ProducesProblems(ProblemKinds.NotFound).WithSummary("What to pick, grouped by order or by item");

        var f = app.MapGroup("/v1/fulfilments").WithTags(ApiTags.StoreFulfilment).WithMetadata(new RequiresScope(Scopes.StoreOps));
        f.MapGet("/{fulfilmentId}", GetFulfilment).WithName("GetFulfilment").ProducesProblems(ProblemKinds.NotFound).WithSummary("One fulfilment");
        f.MapPost("/{fulfilmentId}/accept", (string fulfilmentId, IGrainFactory g) => Step(g, fulfilmentId, new FulfilmentCommand(FulfilmentAction.Accept)))
            .WithName("AcceptFulfilment").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("The location acknowledges the fulfilment (the first pick does too)");
        f.MapPost("/{fulfilmentId}/pick", Pick).WithName("PickFulfilment").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("Scan-to-pick: the barcode must be the SKU's");
        f.MapPost("/{fulfilmentId}/short", Short).WithName("ShortPick").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState)
            .WithSummary("Short pick with a reason code: the units are marked unavailable here and sourced again elsewhere (or cancelled)");
        f.MapPost("/{fulfilmentId}/pack", (string fulfilmentId, IGrainFactory g) => Step(g, fulfilmentId, new FulfilmentCommand(FulfilmentAction.Pack)))
            .WithName("PackFulfilment").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("Packed: every line picked");
        f.MapPost("/{fulfilmentId}/ship", Ship).WithName("ShipFulfilment").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("Handed to the carrier (a ship-to-store transfer: sent to the pickup store)");
        f.MapPost("/{fulfilmentId}/ready", Ready).WithName("ReadyForPickup").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("BOPIS: ready at the store; answers the pickupCode and its QR/barcode payload");
        f.MapPost("/{fulfilmentId}/collect", Collect).WithName("CollectFulfilment").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("BOPIS hand-over: the customer's pickupCode must match");
        f.MapPost("/{fulfilmentId}/check-in", CheckIn).WithName("CheckInForPickup").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState)
            .WithSummary("The customer arrived for a pickup (bay, note): shown on the store's queue");
        f.MapPost("/{fulfilmentId}/deliver", (string fulfilmentId, IGrainFactory g) => Step(g, fulfilmentId, new FulfilmentCommand(FulfilmentAction.Deliver)))
            .WithName("DeliverFulfilment").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("The carrier delivered it");
        return app;
    }

    private static async Task<Results<Ok<SourcingProfile>, ProblemHttpResult>> PutProfile(
        string profileId, SourcingProfileBody body, IGrainFactory grains, ReferenceDataCache cache)
    {
        var v = new Validator()
            .Id("profileId", profileId)
            .Required("channels", body.Channels)
            .Ids("channels", body.Channels)
            .Range("maxSplits", body.MaxSplits, 1, 20, required: false)
            .Range("maxDistanceKm", body.MaxDistanceKm, 0, 40_000, required: false)
            .Ids("highValueTiers", body.HighValueTiers);
        if (body.Filters is { } filters) v.Check(filters.Distinct().Count() == filters.Length, "filters", "each filter at most once");
        if (body.Ranking is { } ranking)
        {
            for (var i = 0; i < ranking.Length; i++)
            {
                if (ranking[i] is not { } r) v.Required($"ranking[{i}]", null);
                else v.Required($"ranking[{i}].criterion", r.Criterion).Range($"ranking[{i}].weight", r.Weight, 0, 1000);
            }
        }

        if (body.Filters?.Contains(SourcingFilter.MaxDistance) == true) v.Required("maxDistanceKm", body.MaxDistanceKm);
        if (body.Filters?.Contains(SourcingFilter.LocationType) == true)
            v.Check(body.LocationTypes is { Length: > 0 }, "locationTypes", "is required with the location_type filter");
        if (!v.IsValid) return v.Problem();

        var d = SourcingProfile.Default;
        var profile = new SourcingProfile(
            profileId, body.Channels!, body.Filters ?? d.Filters,
            body.Ranking is null ? d.Ranking : [.. body.Ranking.Select(r => new RankingWeight(r!.Criterion!.Value, r.Weight!.Value))],
            body.MaxSplits ?? d.MaxSplits, body.LocationTypes ?? [], body.MaxDistanceKm, body.HighValueTiers ?? d.HighValueTiers, body.ShipToStore ?? true);
        var saved = await grains.Ref<ICatalogGrain>(SingletonKeys.Catalog).PutSourcingProfileAsync(profile);
        await cache.RefreshAsync();
        return TypedResults.Ok(saved);
    }

    private static async Task<Results<Ok<SourcingProfile>, ProblemHttpResult>> GetProfile(string profileId, ReferenceDataCache cache)
    {
        if (!Validator.IsId(profileId)) return Problems.Validation("profileId", "is not a valid id");
        var snapshot = await cache.GetAsync();
        if (profileId == SourcingProfile.Default.ProfileId && snapshot.SourcingProfiles?.ContainsKey(profileId) != true) return TypedResults.Ok(SourcingProfile.Default);
        return snapshot.SourcingProfiles?.GetValueOrDefault(profileId) is { } profile
            ? TypedResults.Ok(profile)
            : Problems.NotFound("profileId", $"sourcing profile '{profileId}' is not known");
    }

    private static async Task<Results<Ok<SourcingPlan>, ProblemHttpResult>> Plan(OrderBody body, IGrainFactory grains)
    {
        var (request, problem) = OrdersApi.ToRequest(body);
        if (problem is not null) return problem;
        var result = await grains.Ref<ISourcingGrain>(0).PlanAsync(request!);
        if (result.Plan is { } plan) return TypedResults.Ok(plan);
        return OrdersApi.Problem(OrderResult.Fail(result.Outcome, result.Problem!, result.Field))!;
    }

    private static async Task<Results<Ok<WorkQueue>, ProblemHttpResult>> Queue(string locationId, string? status, IGrainFactory grains, ReferenceDataCache cache)
    {
        FulfilmentStatus? wanted = null;
        var v = new Validator().Id("locationId", locationId);
        if (status is not null)
        {
            var parsed = Enum.GetValues<FulfilmentStatus>().Where(s => Name(s) == status).Select(s => (FulfilmentStatus?)s).FirstOrDefault();
            v.Check(parsed is not null, "status", $"must be one of {string.Join(", ", Enum.GetValues<FulfilmentStatus>().Select(Name))}");
            wanted = parsed;
        }

        if (!v.IsValid) return v.Problem();
        if (await UnknownLocation(locationId, cache) is { } missing) return missing;
        return TypedResults.Ok(new WorkQueue(locationId, await grains.Ref<ILocationQueueGrain>(locationId).GetAsync(wanted)));
    }

    private static async Task<Results<Ok<PickList>, ProblemHttpResult>> PickList(string locationId, string? groupBy, IGrainFactory grains, ReferenceDataCache cache)
    {
        var v = new Validator().Id("locationId", locationId).Check(groupBy is null or "order" or "item", "groupBy", "must be order or item");
        if (!v.IsValid) return v.Problem();
        if (await UnknownLocation(locationId, cache) is { } missing) return missing;

        var open = (await grains.Ref<ILocationQueueGrain>(locationId).GetAsync(null))
            .Where(f => f.LocationId == locationId && f.Status is FulfilmentStatus.Released or FulfilmentStatus.Picking)
            .Select(f => (Fulfilment: f, Lines: f.Lines.Where(l => l.Quantity > l.Picked).ToArray()))
            .Where(x => x.Lines.Length > 0)
            .ToList();
        var skus = open.SelectMany(x => x.Lines.Select(l => l.Sku)).Distinct().ToArray();
        var products = await Task.WhenAll(skus.Select(sku => grains.Ref<IProductGrain>(sku).GetAsync()));
        var barcodes = skus.Select((sku, i) => (sku, products[i]?.Barcode ?? sku)).ToDictionary(x => x.sku, x => x.Item2);

        if (groupBy == "item")
        {
            var items = open.SelectMany(x => x.Lines.Select(l => (x.Fulfilment, Line: l)))
                .GroupBy(x => x.Line.Sku)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new PickListItem(g.Key, barcodes[g.Key], g.Sum(x => x.Line.Quantity - x.Line.Picked),
                    [.. g.Select(x => new PickListSource(x.Fulfilment.FulfilmentId, x.Fulfilment.OrderId, x.Line.Quantity - x.Line.Picked))]))
                .ToArray();
            return TypedResults.Ok(new PickList(locationId, "item", null, items));
        }

        var orders = open.Select(x => new PickListOrder(x.Fulfilment.OrderId, x.Fulfilment.FulfilmentId, x.Fulfilment.CreatedAt,
            [.. x.Lines.Select(l => new PickLine(l.Sku, barcodes[l.Sku], l.Quantity - l.Picked))])).ToArray();
        return TypedResults.Ok(new PickList(locationId, "order", orders, null));
    }

    private static async Task<Results<Ok<FulfilmentView>, ProblemHttpResult>> GetFulfilment(string fulfilmentId, IGrainFactory grains)
    {
        if (OrderOf(fulfilmentId) is not { } orderId) return BadFulfilmentId(fulfilmentId);
        var order = await grains.Ref<IOrderGrain>(orderId).GetAsync();
        return order?.Fulfilments.FirstOrDefault(f => f.FulfilmentId == fulfilmentId) is { } found
            ? TypedResults.Ok(found)
            : Problems.NotFound("fulfilmentId", $"fulfilment '{fulfilmentId}' is not known");
    }

    private static Task<Results<Ok<FulfilmentView>, ProblemHttpResult>> Pick(string fulfilmentId, PickBody body, IGrainFactory grains)
    {
        var v = new Validator().Id("sku", body.Sku).Text("barcode", body.Barcode, 128).Range("quantity", body.Quantity, 1, Validator.MaxQuantity);
        return v.IsValid
            ? Step(grains, fulfilmentId, new FulfilmentCommand(FulfilmentAction.Pick, body.Sku, body.Barcode, body.Quantity!.Value))
            : Task.FromResult<Results<Ok<FulfilmentView>, ProblemHttpResult>>(v.Problem());
    }

    private static Task<Results<Ok<FulfilmentView>, ProblemHttpResult>> Short(string fulfilmentId, ShortBody body, IGrainFactory grains)
    {
        var v = new Validator().Id("sku", body.Sku).Range("quantity", body.Quantity, 1, Validator.MaxQuantity).Id("reasonCode", body.ReasonCode);
        return v.IsValid
            ? Step(grains, fulfilmentId, new FulfilmentCommand(FulfilmentAction.Short, body.Sku, Quantity: body.Quantity!.Value, ReasonCode: body.ReasonCode))
            : Task.FromResult<Results<Ok<FulfilmentView>, ProblemHttpResult>>(v.Problem());
    }

    private static Task<Results<Ok<FulfilmentView>, ProblemHttpResult>> Ship(string fulfilmentId, ShipBody body, IGrainFactory grains)
    {
        var v = new Validator().Text("carrier", body.Carrier, 100).Text("trackingNumber", body.TrackingNumber, 100);
        return v.IsValid
            ? Step(grains, fulfilmentId, new FulfilmentCommand(FulfilmentAction.Ship, Carrier: body.Carrier!.Trim(), TrackingNumber: body.TrackingNumber!.Trim()))
            : Task.FromResult<Results<Ok<FulfilmentView>, ProblemHttpResult>>(v.Problem());
    }

    private static async Task<Results<Ok<ReadyResponse>, ProblemHttpResult>> Ready(string fulfilmentId, IGrainFactory grains)
    {
        if (OrderOf(fulfilmentId) is not { } orderId) return BadFulfilmentId(fulfilmentId);
        var result = await grains.Ref<IOrderGrain>(orderId).ApplyAsync(fulfilmentId, new FulfilmentCommand(FulfilmentAction.Ready));
        if (OrdersApi.Problem(result) is { } problem) return problem;
        var f = result.Order!.Fulfilments.First(x => x.FulfilmentId == fulfilmentId);
        return TypedResults.Ok(new ReadyResponse(fulfilmentId, f.PickupCode!, f.PickupPayload!, f));
    }

    private static Task<Results<Ok<FulfilmentView>, ProblemHttpResult>> Collect(string fulfilmentId, CollectBody body, IGrainFactory grains)
    {
        var v = new Validator().Text("pickupCode", body.PickupCode, 32);
        return v.IsValid
            ? Step(grains, fulfilmentId, new FulfilmentCommand(FulfilmentAction.Collect, PickupCode: body.PickupCode!.Trim()))
            : Task.FromResult<Results<Ok<FulfilmentView>, ProblemHttpResult>>(v.Problem());
    }

    private static async Task<Results<Ok<FulfilmentView>, ProblemHttpResult>> Step(IGrainFactory grains, string fulfilmentId, FulfilmentCommand command)
    {
        if (OrderOf(fulfilmentId) is not { } orderId) return BadFulfilmentId(fulfilmentId);
        var result = await grains.Ref<IOrderGrain>(orderId).ApplyAsync(fulfilmentId, command);
        return OrdersApi.Problem(result) ?? (Results<Ok<FulfilmentView>, ProblemHttpResult>)TypedResults.Ok(result.Order!.Fulfilments.First(f => f.FulfilmentId == fulfilmentId));
    }

    private static async Task<Results<Ok<FulfilmentView>, ProblemHttpResult>> CheckIn(string fulfilmentId, CheckInBody? body, IGrainFactory grains)
    {
        if (OrderOf(fulfilmentId) is not { } orderId) return BadFulfilmentId(fulfilmentId);
        var v = new Validator().Text("bay", body?.Bay, 50, required: false).Text("note", body?.Note, 500, required: false);
        if (!v.IsValid) return v.Problem();
        var result = await grains.Ref<IOrderGrain>(orderId).CheckInAsync(fulfilmentId, new CheckIn(body?.Bay?.Trim(), body?.Note?.Trim()));
        return OrdersApi.Problem(result) ?? (Results<Ok<FulfilmentView>, ProblemHttpResult>)TypedResults.Ok(result.Order!.Fulfilments.First(f => f.FulfilmentId == fulfilmentId));
    }

    private static string? OrderOf(string fulfilmentId) => OrdersApi.IsChildId(fulfilmentId) ? OrderKeys.OrderOfFulfilment(fulfilmentId) : null;

    /// <summary>400 for an id that is not an id at all; 404 for a well-formed one that names no fulfilment.</summary>
    private static ProblemHttpResult BadFulfilmentId(string fulfilmentId) => OrdersApi.IsChildId(fulfilmentId)
        ? Problems.NotFound("fulfilmentId", $"fulfilment '{fulfilmentId}' is not known")
        : Problems.Validation("fulfilmentId", "is not a valid fulfilment id");

    private static async Task<ProblemHttpResult?> UnknownLocation(string locationId, ReferenceDataCache cache) =>
        (await cache.GetAsync(s => s.Locations.ContainsKey(locationId))).Locations.ContainsKey(locationId)
            ? null
            : Problems.NotFound("locationId", $"location '{locationId}' is not known");

    private static string Name(FulfilmentStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}
