using Oms.GrainInterfaces.Availability;

namespace Oms.GrainInterfaces.Events;

/// <summary>
/// The payload of <c>stock.*</c> events: what the channel can sell of the SKU now (the figure a storefront or a
/// marketplace listing shows), its status, and what was announced before (null on the first announcement).
/// </summary>
public sealed record StockEventData(
    string Sku,
    string Channel,
    int Available,
    StockStatus Status,
    int? PreviousAvailable,
    StockStatus? PreviousStatus,
    int Backorderable,
    int Preorderable,
    DateTimeOffset? NextEta);
