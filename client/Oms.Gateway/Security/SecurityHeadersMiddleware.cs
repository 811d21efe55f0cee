namespace Oms.Gateway.Security;

/// <summary>
/// Headers for the pages a browser shows (the API reference, the dashboard, the start page): no MIME sniffing, no
/// referrer to other sites, no framing by other sites. The JSON API, health and metrics are left as they are:
/// nothing renders them, and the hot paths stay as small as they were.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public const string ContentSecurityPolicy = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'";

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/v1") && !path.StartsWithSegments("/health") && !path.StartsWithSegments("/metrics"))
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
        }

        return next(context);
    }
}
