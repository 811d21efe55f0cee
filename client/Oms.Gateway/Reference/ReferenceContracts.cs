using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Reference;

namespace Oms.Gateway.Reference;

public sealed record LocationRequest(
    string? Name,
    LocationType? Type,
    double? Latitude,
    double? Longitude,
    string? Region,
    string[]? Tags,
    int? Priority,
    int? DailyCapacity,
    double? TurnaroundHours,
    bool? Offline,
    double? CostPerUnit = null);

public sealed record ChannelBuffersRequest(Dictionary<string, int>? ByType, Dictionary<string, int>? ByLocation, int? Percent);

public sealed record ChannelRequest(
    string? Name,
    string? Region,
    LocationType[]? LocationTypes,
    string[]? LocationIds,
    string[]? LocationTags,
    string[]? ExcludedSkus,
    string[]? ExcludedCategories,
    ChannelBuffersRequest? Buffers,
    int? ReservationTtlSeconds,
    int? LowStockThreshold,
    NotificationTemplateBody?[]? NotificationTemplates = null);

/// <summary>
/// One of a channel's own customer-notification templates (README "Notifications"): <c>kind</c>, <c>channel</c>
/// (email, sms, push), <c>text</c>, and for e-mail <c>subject</c> and optional <c>html</c>; placeholders <c>{{name}}</c>.
/// </summary>
public sealed record NotificationTemplateBody(string? Kind, NotificationChannel? Channel, string? Subject, string? Text, string? Html);

public sealed record ChannelBuffersResponse(Dictionary<string, int> ByType, Dictionary<string, int> ByLocation, int Percent);

public sealed record ChannelResponse(
    string ChannelId,
    string Name,
    string? Region,
    LocationType[] LocationTypes,
    string[] LocationIds,
    string[] LocationTags,
    string[] ExcludedSkus,
    string[] ExcludedCategories,
    ChannelBuffersResponse Buffers,
    int ReservationTtlSeconds,
    int LowStockThreshold,
    NotificationTemplate[] NotificationTemplates)
{
    public static ChannelResponse From(ChannelPolicy c) => new(
        c.ChannelId, c.Name, c.Region, c.LocationTypes, c.LocationIds, c.LocationTags, c.ExcludedSkus, c.ExcludedCategories,
        new ChannelBuffersResponse(
            c.Buffers.ByType.ToDictionary(kv => LocationTypeNames.Name(kv.Key), kv => kv.Value),
            c.Buffers.ByLocation,
            c.Buffers.Percent),
        c.ReservationTtlSeconds,
        c.LowStockThreshold,
        c.NotificationTemplates ?? []);
}

public sealed record ProductRequest(
    string? Name,
    string? Category,
    int? BackorderLimit,
    int? PreorderLimit,
    string[]? Tags,
    string? Barcode);

public static class LocationTypeNames
{
    public static string Name(LocationType type) => type.ToString().ToLowerInvariant();

    public static bool TryParse(string name, out LocationType type) =>
        Enum.TryParse(name, ignoreCase: true, out type) && Enum.IsDefined(type) && !int.TryParse(name, out _);
}
