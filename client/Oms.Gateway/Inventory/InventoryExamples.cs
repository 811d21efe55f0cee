namespace Oms.Gateway.Inventory;

/// <summary>Examples shown in the OpenAPI document (answers as the gateway gives them; the lint checks them against the schemas).</summary>
public static class InventoryExamples
{
    public const string LevelRequest = """{"onHand": 120, "safetyStock": 5, "unavailable": {"damaged": 2}, "asOf": "2026-06-01T08:00:00Z"}""";

    public const string Level = """
        {"locationId": "WH-UK-DAV", "sku": "SKU-00001", "onHand": 120, "reserved": 3, "allocated": 2, "unavailable": 2,
         "unavailableByReason": {"damaged": 2}, "safetyStock": 5, "inbound": 40,
         "inboundLines": [{"reference": "PO-7781", "quantity": 40, "eta": "2026-06-08T00:00:00Z"}],
         "atp": 108, "asOf": "2026-06-01T08:00:00Z", "version": 7, "nextEta": "2026-06-08T00:00:00Z"}
        """;

    public const string LevelResponse = $$"""{"applied": true, "level": {{Level}}}""";

    public const string BatchRequest = """
        {"items": [
          {"locationId": "WH-UK-DAV", "sku": "SKU-00002", "onHand": 40, "asOf": "2026-06-01T08:00:00Z"},
          {"locationId": "WH-UK-DAV", "sku": "SKU-00001", "onHand": 110, "asOf": "2026-05-01T08:00:00Z"},
          {"locationId": "NOWHERE", "sku": "SKU-00003", "onHand": 5, "asOf": "2026-06-01T08:00:00Z"}]}
        """;

    public const string BatchResponse = """{"applied": 1, "ignored": 1, "rejected": [{"index": 2, "code": "not_found", "detail": "location 'NOWHERE' is not known"}]}""";
}
