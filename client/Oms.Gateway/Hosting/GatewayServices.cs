using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using Oms.Gateway.Availability;
using Oms.Gateway.Carriers;
using Oms.Gateway.OpenApi;
using Oms.Gateway.Operations;
using Oms.Gateway.Security;

namespace Oms.Gateway.Hosting;

public static class GatewayServices
{
    public const long MaxRequestBodyBytes = 32L * 1024 * 1024;
    public const string RateLimitPolicy = "per-key";

    /// <summary>The request's caller (set by the API key middleware) has a per-second limit: the only requests the limiter can refuse.</summary>
    public static bool HasRateLimit(HttpContext context) =>
        context.Items.TryGetValue(ApiKeyMiddleware.CallerKeyItem, out var caller) && caller is ApiCaller { PermitsPerSecond: > 0 };

    public static WebApplicationBuilder AddOmsGateway(this WebApplicationBuilder builder, GatewayMode mode)
    {
        var services = builder.Services;
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        services.Configure<JsonOptions>(o => Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            ctx.ProblemDetails.Extensions.TryAdd("code", ProblemCodes.ForStatus(status));
        });
        services.AddExceptionHandler<OmsExceptionHandler>();
        services.AddOmsOpenApi();

        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section)
            .PostConfigure(o => o.Enabled |= mode.Cluster)
            .Validate(o => !o.Enabled || o.Keys.Count > 0, "Auth is on (cluster mode) but Oms:Auth:Keys is empty")
            .ValidateOnStart();
        services.AddOptions<CarrierOptions>().BindConfiguration(CarrierOptions.Section)
            .Validate(o => o.Valid, "Every Oms:Carriers:{carrier}:Secrets must hold one or more whsec_ secrets")
            .ValidateOnStart();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, token) =>
            {
                ctx.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds(ctx.Lease).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Problems.Create(429, ProblemCodes.RateLimited, "Too many requests", "This API key is over its rate limit.")
                    .ExecuteAsync(ctx.HttpContext);
            };
            o.AddPolicy(RateLimitPolicy, ctx =>
            {
                var caller = ctx.Items[ApiKeyMiddleware.CallerKeyItem] as ApiCaller;
                var limit = caller?.PermitsPerSecond ?? 0;
                return limit <= 0
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetTokenBucketLimiter(caller!.Id, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limit,
                        TokensPerPeriod = limit,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                    });
            });
        });

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<Inventory.InventoryFeedOptions>().BindConfiguration(Inventory.InventoryFeedOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApiKeyDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyDirectory>());
        services.AddStorefrontCors(builder.Configuration);

        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        services.AddOpenTelemetry().WithMetrics(m => m
            // ASP.NET Core's own meters (http.server.request.duration and Kestrel's): the instrumentation package
            // subscribed to the hosting DiagnosticListener, which made every request start an Activity (ADR 23).
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddMeter("Microsoft.Orleans")
            .AddMeter(OmsMetrics.MeterName)
            .AddMeter(Oms.Grains.OmsGrainMetrics.MeterName)
            .AddPrometheusExporter());
        services.AddSingleton<OmsMetrics>();
        services.AddOptions<AvailabilityOptions>().BindConfiguration(AvailabilityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<AvailabilityCopies>(sp, !mode.Cluster));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<StockDeltaHub>(sp, !mode.Cluster));
        // Embedded, the SKU views run in this process and hand their deltas to the hub, which keeps the copies exact
        // and tells the SSE clients at once (docs/decisions/0023). On the cluster nothing in a gateway calls it.
        services.AddSingleton<Oms.Grains.Availability.IStockDeltaListener>(sp => sp.GetRequiredService<StockDeltaHub>());
        services.AddHostedService(sp => sp.GetRequiredService<StockDeltaHub>());
        return builder;
    }

    /// <summary>When the token bucket will have a permit again (its own estimate), in whole seconds, at least 1.</summary>
    private static int RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new Rfc3339Converter());
    }
}
