using System.Text;
using Microsoft.Extensions.Options;

namespace Oms.Gateway.Security;

/// <summary>
/// X-Api-Key authentication with scopes, for /v1 and, while auth is on, the dashboard and /metrics (admin or ops).
/// A browser reaches the dashboard with HTTP Basic (any user name, the key as password: the 401 asks for it); a
/// Prometheus scraper may send the key as a Bearer token. Health, OpenAPI and the reference page stay open, and an
/// endpoint whose sender signs its requests (<see cref="SignatureAuthenticated"/>) checks that signature itself. The
/// caller goes into HttpContext.Items for rate limiting and idempotency scoping.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<ApiKeyOptions> options, ApiKeyDirectory directory)
{
    public const string Header = "X-Api-Key";
    public const string CallerItem = "oms.caller";
    public const string CallerKeyItem = "oms.caller.key";

    /// <summary>Auth off, or a path it does not cover: straight on, without an async frame of its own.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var operations = path.StartsWithSegments("/dashboard") || path.StartsWithSegments("/metrics");
        if (!options.Value.Enabled || !(operations || path.StartsWithSegments("/v1"))
            || context.GetEndpoint()?.Metadata.GetMetadata<SignatureAuthenticated>() is not null)
            return next(context);
        return AuthenticateAsync(context, operations);
    }

    private async Task AuthenticateAsync(HttpContext context, bool operations)
    {
        var presented = context.Request.Headers[Header].ToString();
        if (presented.Length == 0 && operations) presented = FromAuthorization(context.Request);
        var caller = directory.Authenticate(presented);
        if (caller is null)
        {
            if (operations) context.Response.Headers.WWWAuthenticate = "Basic realm=\"oms\", charset=\"UTF-8\"";
            await Problems.Create(401, ProblemCodes.Unauthorized, "Unauthorized", $"Send a valid {Header} header.").ExecuteAsync(context);
            return;
        }

        var allowed = operations
            ? caller.Has(Scopes.Ops)
            : context.GetEndpoint()?.Metadata.GetMetadata<RequiresScope>()?.Scope is not { } required || caller.Has(required);
        if (!allowed)
        {
            var needs = operations ? $"'{Scopes.Ops}' or '{Scopes.Admin}'" : $"'{context.GetEndpoint()!.Metadata.GetMetadata<RequiresScope>()!.Scope}'";
            await Problems.Create(403, ProblemCodes.Forbidden, "Forbidden", $"This key lacks the {needs} scope.").ExecuteAsync(context);
            return;
        }

        context.Items[CallerItem] = caller.Id;
        context.Items[CallerKeyItem] = caller;
        await next(context);
    }

    /// <summary>The key from <c>Authorization: Basic</c> (the password) or <c>Authorization: Bearer</c>.</summary>
    private static string FromAuthorization(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header[7..].Trim();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return "";
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            return decoded.Split(':', 2) is [_, var password] ? password : "";
        }
        catch (FormatException)
        {
            return "";
        }
    }
}
