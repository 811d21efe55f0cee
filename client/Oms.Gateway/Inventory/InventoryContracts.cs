using Oms.GrainInterfaces.Inventory;

namespace Oms.Gateway.Inventory;

public sealed record LevelRequest(int? OnHand, int? SafetyStock, Dictionary<string, int>? Unavailable, DateTimeOffset? AsOf);

public sealed record LevelResponse(bool Applied, InventoryLevel Level);

public sealed record AdjustmentRequest(string? LocationId, string? Sku, int? Delta, string? Reason, string? EventId);

public sealed record AdjustmentResponse(bool Applied, bool Duplicate, InventoryLevel Level);

public sealed record InboundRequest(string? LocationId, string? Sku, int? Quantity, DateTimeOffset? Eta, string? Reference);

public sealed record BatchRowRequest(string? LocationId, string? Sku, int? OnHand, int? SafetyStock, DateTimeOffset? AsOf);

public sealed record BatchRequest(BatchRowRequest?[]? Items);
