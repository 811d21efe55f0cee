namespace Oms.Gateway.Availability;

public sealed record NearRequest(double? Latitude, double? Longitude, double? RadiusKm);

public sealed record AvailabilityQueryRequest(string? Channel, string[]? Skus, NearRequest? Near, string[]? LocationIds);

public sealed record AvailabilityQueryResponse(string Channel, Oms.GrainInterfaces.Availability.SkuAvailability[] Items);

/// <summary>One SSE event: a change of one location × SKU, with the channel's availability after it.</summary>
public sealed record StockDeltaEvent(string LocationId, string Sku, int Atp, int Available, long Version, DateTimeOffset At);
