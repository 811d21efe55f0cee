namespace Oms.Gateway.Security;

/// <summary>
/// CORS for the storefront's browser calls only (availability reads and carts), from the origins in
/// <c>Oms:Cors:Origins</c>; none configured means no cross-origin access. A preflight is answered before the
/// API key is asked for (a browser sends none with it).
/// </summary>
public static class StorefrontCors
{
    public const string Policy = "storefront";
    public const string OriginsKey = "Oms:Cors:Origins";

    public static IServiceCollection AddStorefrontCors(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = configuration.GetSection(OriginsKey).Get<string[]>() ?? [];
        return services.AddCors(o => o.AddPolicy(Policy, p => p
            .WithOrigins(origins)
            .WithMethods("GET", "PUT", "POST", "DELETE")
            .WithHeaders(ApiKeyMiddleware.Header, Idempotency.IdempotencyMiddleware.Header, "Content-Type", "Last-Event-ID")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
    }
}
