using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Oms.Gateway.Security;

/// <summary>Requires the scope an endpoint declares.</summary>
public sealed record RequiresScope(string Scope);

/// <summary>
/// X-Api-Key authentication with scopes. The caller's key name goes into HttpContext.Items for rate limiting
/// and idempotency scoping. Health, metrics, OpenAPI and the reference UI stay open; the dashboard needs admin.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<ApiKeyOptions> options)
{
    public const string Header = "X-Api-Key";
    public const string CallerItem = "oms.caller";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var protectedPath = path.StartsWithSegments("/v1") || path.StartsWithSegments("/dashboard");
        if (!options.Value.Enabled || !protectedPath)
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[Header].ToString();
        if (presented.Length == 0 && path.StartsWithSegments("/dashboard")) presented = BasicPassword(context.Request);
        var key = options.Value.Keys.FirstOrDefault(k => FixedTimeEquals(k.Key, presented));
        if (key is null)
        {
            if (path.StartsWithSegments("/dashboard")) context.Response.Headers.WWWAuthenticate = "Basic realm=\"oms\"";
            await Problems.Create(401, ProblemCodes.Unauthorized, "Unauthorized", $"Send a valid {Header} header.").ExecuteAsync(context);
            return;
        }

        var required = path.StartsWithSegments("/dashboard") ? Scopes.Admin : context.GetEndpoint()?.Metadata.GetMetadata<RequiresScope>()?.Scope;
        if (required is not null && !key.Scopes.Contains(required) && !key.Scopes.Contains(Scopes.Admin))
        {
            await Problems.Create(403, ProblemCodes.Forbidden, "Forbidden", $"This key lacks the '{required}' scope.").ExecuteAsync(context);
            return;
        }

        context.Items[CallerItem] = key.Name;
        await next(context);
    }

    private static bool FixedTimeEquals(string expected, string presented) =>
        expected.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));

    private static string BasicPassword(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
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
