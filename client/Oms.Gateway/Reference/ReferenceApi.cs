using Oms.Gateway.Availability;
using Oms.Grains;
using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Reference;
using Oms.Gateway.Security;
using Oms.Grains.Notifications;
using Oms.Grains.Reference;

namespace Oms.Gateway.Reference;

/// <summary>Locations, channels and products: reference data held by the catalog and product grains.</summary>
public static class ReferenceApi
{
    /// <summary>One per kind and channel at most.</summary>
    public const int MaxNotificationTemplates = 18;

    public static IEndpointRouteBuilder MapReferenceApi(this IEndpointRouteBuilder app)
    {
        var locations = app.MapGroup("/v1/locations").WithTags(ApiTags.Reference).WithMetadata(new RequiresScope(Scopes.Admin));
        locations.MapPut("/{locationId}", PutLocation).WithName("PutLocation").WithSummary("Create or replace a stock location");
        locations.MapGet("/{locationId}", GetLocation).WithName("GetLocation").ProducesProblems(ProblemKinds.NotFound).WithSummary("A stock location");

        var channels = app.MapGroup("/v1/channels").WithTags(ApiTags.Reference).WithMetadata(new RequiresScope(Scopes.Admin));
        channels.MapPut("/{channelId}", PutChannel).WithName("PutChannel").WithSummary("Create or replace a sales channel and its stock policy");
        channels.MapGet("/{channelId}", GetChannel).WithName("GetChannel").ProducesProblems(ProblemKinds.NotFound).WithSummary("A sales channel");

        var products = app.MapGroup("/v1/products").WithTags(ApiTags.Reference).WithMetadata(new RequiresScope(Scopes.Admin));
        products.MapPut("/{sku}", PutProduct).WithName("PutProduct").WithSummary("Create or replace a product");
        products.MapGet("/{sku}", GetProduct).WithName("GetProduct").ProducesProblems(ProblemKinds.NotFound).WithSummary("A product");
        return app;
    }

    private static async Task<Results<Ok<Location>, ProblemHttpResult>> PutLocation(
        string locationId, LocationRequest body, IGrainFactory grains, ReferenceDataCache cache)
    {
        var v = new Validator()
            .Id("locationId", locationId)
            .Text("name", body.Name)
            .Required("type", body.Type)
            .Range("latitude", body.Latitude, -90, 90)
            .Range("longitude", body.Longitude, -180, 180)
            .Id("region", body.Region, required: false)
            .Ids("tags", body.Tags)
            .Range("priority", body.Priority, 0, 1_000_000, required: false)
            .Quantity("dailyCapacity", body.DailyCapacity, required: false)
            .Range("turnaroundHours", body.TurnaroundHours, 0, 24 * 365, required: false)
            .Range("costPerUnit", body.CostPerUnit, 0, 1_000_000, required: false);
        if (!v.IsValid) return v.Problem();

        var location = new Location(
            locationId, body.Name!.Trim(), body.Type!.Value, body.Latitude!.Value, body.Longitude!.Value, body.Region,
            body.Tags ?? [], body.Priority ?? 0, body.DailyCapacity ?? 0, body.TurnaroundHours ?? 24, body.Offline ?? false, body.CostPerUnit ?? 0);
        var saved = await grains.Ref<ICatalogGrain>(SingletonKeys.Catalog).PutLocationAsync(location);
        await cache.RefreshAsync();
        return TypedResults.Ok(saved);
    }

    private static async Task<Results<Ok<Location>, ProblemHttpResult>> GetLocation(string locationId, ReferenceDataCache cache)
    {
        if (!Validator.IsId(locationId)) return Problems.Validation("locationId", "is not a valid id");
        var snapshot = await cache.GetAsync();
        return snapshot.Locations.TryGetValue(locationId, out var location)
            ? TypedResults.Ok(location)
            : Problems.NotFound("locationId", $"location '{locationId}' is not known");
    }

    private static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> PutChannel(
        string channelId, ChannelRequest body, IGrainFactory grains, ReferenceDataCache cache)
    {
        var byType = new Dictionary<LocationType, int>();
        var v = new Validator()
            .Id("channelId", channelId)
            .Text("name", body.Name)
            .Id("region", body.Region, required: false)
            .Ids("locationIds", body.LocationIds)
            .Ids("locationTags", body.LocationTags)
            .Ids("excludedSkus", body.ExcludedSkus)
            .Ids("excludedCategories", body.ExcludedCategories)
            .Range("reservationTtlSeconds", body.ReservationTtlSeconds, 1, 7 * 24 * 3600, required: false)
            .Quantity("lowStockThreshold", body.LowStockThreshold, required: false);
        if (body.Buffers is { } buffers)
        {
            v.Quantities("buffers.byLocation", buffers.ByLocation)
             .Range("buffers.percent", buffers.Percent, 0, 100, required: false);
            foreach (var (type, units) in buffers.ByType ?? [])
            {
                if (LocationTypeNames.TryParse(type, out var parsed)) byType[parsed] = units;
                else v.Add($"buffers.byType.{type}", "must be warehouse, hub, store or dsv");
                v.Quantity($"buffers.byType.{type}", units);
            }
        }

        var templates = new List<NotificationTemplate>();
        for (var i = 0; i < (body.NotificationTemplates?.Length ?? 0); i++)
        {
            if (body.NotificationTemplates![i] is not { } t) v.Required($"notificationTemplates[{i}]", null);
            else if (t.Channel is null) v.Required($"notificationTemplates[{i}].channel", null);
            else templates.Add(new NotificationTemplate(t.Kind ?? "", t.Channel.Value, t.Subject, t.Text ?? "", t.Html));
        }

        v.Check(templates.Count <= MaxNotificationTemplates, "notificationTemplates", $"at most {MaxNotificationTemplates}");
        if (v.IsValid)
        {
            foreach (var (field, message) in NotificationTemplates.Validate(templates, "notificationTemplates")) v.Add(field, message);
        }

        if (!v.IsValid) return v.Problem();

        var channel = new ChannelPolicy(
            channelId, body.Name!.Trim(), body.Region,
            body.LocationTypes ?? [], body.LocationIds ?? [], body.LocationTags ?? [],
            body.ExcludedSkus ?? [], body.ExcludedCategories ?? [],
            new ChannelBuffers(byType, body.Buffers?.ByLocation ?? [], body.Buffers?.Percent ?? 0),
            body.ReservationTtlSeconds ?? ChannelPolicy.DefaultReservationTtlSeconds,
            body.LowStockThreshold ?? ChannelPolicy.DefaultLowStockThreshold,
            templates.Count == 0 ? null : [.. templates]);
        var saved = await grains.Ref<ICatalogGrain>(SingletonKeys.Catalog).PutChannelAsync(channel);
        await cache.RefreshAsync();
        return TypedResults.Ok(ChannelResponse.From(saved));
    }

    private static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> GetChannel(string channelId, ReferenceDataCache cache)
    {
        if (!Validator.IsId(channelId)) return Problems.Validation("channelId", "is not a valid id");
        var snapshot = await cache.GetAsync();
        return snapshot.Channels.TryGetValue(channelId, out var channel)
            ? TypedResults.Ok(ChannelResponse.From(channel))
            : Problems.NotFound("channelId", $"channel '{channelId}' is not known");
    }

    private static async Task<Results<Ok<Product>, ProblemHttpResult>> PutProduct(string sku, ProductRequest body, IGrainFactory grains, AvailabilityCopies copies)
    {
        var v = new Validator()
            .Id("sku", sku)
            .Text("name", body.Name)
            .Id("category", body.Category, required: false)
            .Quantity("backorderLimit", body.BackorderLimit, required: false)
            .Quantity("preorderLimit", body.PreorderLimit, required: false)
            .Ids("tags", body.Tags)
            .Id("barcode", body.Barcode, required: false);
        if (!v.IsValid) return v.Problem();

        var product = new Product(sku, body.Name!.Trim(), body.Category, body.BackorderLimit ?? 0, body.PreorderLimit ?? 0, body.Tags ?? [], body.Barcode);
        var stored = await grains.Ref<IProductGrain>(sku).PutAsync(product);
        copies.Written(sku);
        return TypedResults.Ok(stored);
    }

    private static async Task<Results<Ok<Product>, ProblemHttpResult>> GetProduct(string sku, IGrainFactory grains)
    {
        if (!Validator.IsId(sku)) return Problems.Validation("sku", "is not a valid id");
        return await grains.Ref<IProductGrain>(sku).GetAsync() is { } product
            ? TypedResults.Ok(product)
            : Problems.NotFound("sku", $"product '{sku}' is not known");
    }
}
