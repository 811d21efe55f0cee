namespace Oms.Gateway.Security;

public static class Scopes
{
    public const string Storefront = "storefront";
    public const string Cart = "cart";
    public const string Feeds = "feeds";
    public const string Orders = "orders";
    public const string StoreOps = "store-ops";
    public const string Admin = "admin";
}

public sealed class ApiKey
{
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    public string[] Scopes { get; set; } = [];

    /// <summary>Requests per second allowed to this key (token bucket); 0 = no limit.</summary>
    public int PermitsPerSecond { get; set; }
}

/// <summary>Bound from "Oms:Auth". Auth is on when <see cref="Enabled"/> (always in cluster mode).</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Oms:Auth";

    public bool Enabled { get; set; }

    public List<ApiKey> Keys { get; set; } = [];
}
