namespace Oms.Gateway.Security;

/// <summary>The scopes of API.md, plus <see cref="Ops"/> for the dashboard and metrics only.</summary>
public static class Scopes
{
    public const string Storefront = "storefront";
    public const string Cart = "cart";
    public const string Feeds = "feeds";
    public const string Orders = "orders";
    public const string StoreOps = "store-ops";
    public const string Analytics = "analytics";
    public const string Admin = "admin";

    /// <summary>The dashboard and /metrics (as admin can), nothing under /v1: for monitoring and the people watching it.</summary>
    public const string Ops = "ops";

    public static readonly IReadOnlyList<string> All = [Storefront, Cart, Feeds, Orders, StoreOps, Analytics, Admin, Ops];
}
