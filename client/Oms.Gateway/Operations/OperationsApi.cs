using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Orleans.Dashboard;
using Scalar.AspNetCore;

namespace Oms.Gateway.Operations;

public static class OperationsApi
{
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Operations");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).WithTags("Operations");
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithTitle("Oms.Orleans gateway").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        app.MapGet("/", () => TypedResults.Redirect("/docs")).ExcludeFromDescription();
        return app;
    }
}
