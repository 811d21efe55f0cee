namespace Oms.Gateway.Carts;

/// <summary>Examples shown in the OpenAPI document (answers as the gateway gives them; the lint checks them against the schemas).</summary>
public static class CartExamples
{
    public const string LineRequest = """{"channel": "web-uk", "quantity": 2}""";

    public const string LineResponse = """
        {"cartId": "cart-7781", "sku": "SKU-00001", "quantity": 2, "reservations": [{"locationId": "WH-UK-DAV", "quantity": 2}],
         "expiresAt": "2026-06-01T08:15:00Z"}
        """;

    public const string Cart = """
        {"cartId": "cart-7781", "channel": "web-uk", "expiresAt": "2026-06-01T08:15:00Z",
         "lines": [{"sku": "SKU-00001", "quantity": 2, "reservations": [{"locationId": "WH-UK-DAV", "quantity": 2}]}]}
        """;
}
