namespace Oms.Gateway.Availability;

/// <summary>Examples shown in the OpenAPI document (answers as the gateway gives them; the lint checks them against the schemas).</summary>
public static class AvailabilityExamples
{
    public const string Sku = """
        {"sku": "SKU-00001", "channel": "web-uk", "available": 122, "status": "in_stock", "backorderable": 0, "preorderable": 0,
         "locations": [{"locationId": "WH-UK-DAV", "available": 115}, {"locationId": "ST-LON-OXF", "available": 7}]}
        """;

    public const string QueryRequest = """{"channel": "web-uk", "skus": ["SKU-00001", "SKU-00002"], "near": {"latitude": 51.5101, "longitude": -0.134, "radiusKm": 25}}""";

    public const string QueryResponse = """
        {"channel": "web-uk", "items": [
          {"sku": "SKU-00001", "channel": "web-uk", "available": 7, "status": "in_stock", "backorderable": 0, "preorderable": 0,
           "locations": [{"locationId": "ST-LON-OXF", "available": 7, "distanceKm": 0.79}]},
          {"sku": "SKU-00002", "channel": "web-uk", "available": 0, "status": "out_of_stock", "backorderable": 0, "preorderable": 0,
           "nextEta": "2026-06-08T00:00:00Z", "locations": []}]}
        """;
}
