using Oms.GrainInterfaces.Carriers;

namespace Oms.Gateway.Carriers;

/// <summary>A carrier's tracking event: <c>{eventId, trackingNumber, status, at, detail?}</c>.</summary>
public sealed record CarrierTrackingBody(string? EventId, string? TrackingNumber, TrackingStatus? Status, DateTimeOffset? At, string? Detail);
