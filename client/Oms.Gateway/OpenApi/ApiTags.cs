namespace Oms.Gateway.OpenApi;

/// <summary>The operation groups of the document, with the descriptions it shows for them.</summary>
public static class ApiTags
{
    public const string Reference = "Reference data";
    public const string Feeds = "Stock feeds";
    public const string Availability = "Availability";
    public const string Carts = "Carts";
    public const string Orders = "Orders";
    public const string Sourcing = "Sourcing";
    public const string StoreFulfilment = "Store fulfilment";
    public const string ApiKeys = "API keys";
    public const string Events = "Events";
    public const string Customers = "Customer data";
    public const string Webhooks = "Webhooks";
    public const string Carriers = "Carriers";

    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        [Reference] = "Stock locations, sales channels and their stock policy, products (admin scope).",
        [Feeds] = "Stock in from ERP/WMS feeds: absolute levels (last writer wins by asOf), adjustments, inbound, bulk batches (feeds scope).",
        [Availability] = "Storefront reads: what a channel can sell, per SKU, per basket, near a point, and the live delta stream (storefront scope).",
        [Carts] = "Reservations: holds taken at add-to-cart, released on removal or expiry (cart scope).",
        [Orders] = "Order capture (all or nothing), review, cancel, returns and customer lookups (orders scope; the order policy needs admin).",
        [Sourcing] = "Sourcing profiles (admin) and the dry-run plan an order would get (orders).",
        [StoreFulfilment] = "The store and warehouse workflow: work queues, pick lists, pick, short, pack, ship, BOPIS ready and collect (store-ops scope).",
        [Events] = "Integration events from the durable event log: the pull feed with a cursor (orders scope); the same events go to webhooks.",
        [Customers] = "GDPR: erase (pseudonymise) and export a customer's personal data (admin scope).",
        [ApiKeys] = "Runtime API keys: issue (shown once, stored hashed), list without secrets, rotate with an overlap, revoke (admin scope).",
        [Webhooks] = "Webhook subscriptions and their deliveries: signed per Standard Webhooks, retried with backoff, dead letters replayable (admin scope).",
        [Carriers] = "Events in from carriers: tracking events signed per Standard Webhooks with the carrier's secret (no API key).",
    };
}
