namespace Oms.Gateway.Orders;

/// <summary>Examples shown in the OpenAPI document (answers as the gateway gives them; the lint checks them against the schemas).</summary>
public static class OrderExamples
{
    public const string PlaceRequest = """
        {"orderId": "ord-1001", "cartId": "cart-7781", "channel": "web-uk",
         "customer": {"id": "cust-42", "tier": "gold", "email": "ada@example.com"},
         "lines": [{"sku": "SKU-00001", "quantity": 2, "unitPrice": 89.5}],
         "fulfilment": {"type": "ship", "address": {"latitude": 51.5101, "longitude": -0.134, "country": "GB"}}}
        """;

    public const string Order = """
        {"orderId": "ord-1001", "status": "sourced", "channel": "web-uk",
         "customer": {"id": "cust-42", "tier": "gold", "email": "ada@example.com"}, "type": "ship",
         "lines": [{"sku": "SKU-00001", "quantity": 2, "unitPrice": 89.5, "cancelled": 0, "returned": 0}],
         "fulfilments": [{"fulfilmentId": "ord-1001:f1", "orderId": "ord-1001", "locationId": "ST-LON-OXF", "type": "ship", "status": "released",
           "lines": [{"sku": "SKU-00001", "quantity": 2, "picked": 0, "shorted": 0, "cancelled": 0}],
           "createdAt": "2026-06-01T08:05:00Z", "escalated": false,
           "reasons": ["ranked 1 of 2 for the units left, score 6.985", "distance 0.99 x 2: 0.8 km", "next best: WH-UK-DAV (6)"]}],
         "returns": [],
         "timeline": [{"at": "2026-06-01T08:05:00Z", "event": "created", "detail": "2 units, ship, channel web-uk"},
           {"at": "2026-06-01T08:05:00Z", "event": "sourced", "detail": "order is sourced"},
           {"at": "2026-06-01T08:05:00Z", "event": "cart_consumed", "detail": "cart cart-7781: held units converted, the rest released"}],
         "notifications": [{"eventId": "ord-1001:1", "orderId": "ord-1001", "type": "order.created", "at": "2026-06-01T08:05:00Z",
           "customerEmail": "ada@example.com", "detail": "2 units, ship, channel web-uk"}],
         "createdAt": "2026-06-01T08:05:00Z", "estimatedDelivery": "2026-06-03T08:05:00Z", "total": 179.0, "cartId": "cart-7781", "escalated": false}
        """;
}
