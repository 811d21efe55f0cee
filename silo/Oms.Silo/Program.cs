using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Oms.Grains.Hosting;
using Oms.Silo;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

// A silo of the durable cluster: PostgreSQL clustering, grain state and reminders, and the dashboard.
//   dotnet Oms.Silo.dll --connection "Host=...;Database=oms" --silo-port 11111 --gateway-port 30000 --urls http://localhost:8081
// In a Kubernetes pod (KUBERNETES_SERVICE_HOST set, or Oms:Kubernetes=true) the silo name, address and cluster id come
// from the pod: see deploy/kubernetes.
var builder = WebApplication.CreateBuilder(OmsArgs.Normalize(args));

var options = new OmsSiloOptions();
builder.Configuration.GetSection(OmsSiloOptions.Section).Bind(options);
options.Storage = StorageMode.Postgres;
options.Kubernetes ??= !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));
if (string.IsNullOrWhiteSpace(options.ConnectionString))
    throw new InvalidOperationException("--connection \"Host=...;Database=oms;...\" (Oms:ConnectionString) is required");

builder.UseOrleans(silo =>
{
    silo.AddOms(options);
    if (options.Kubernetes == true) silo.UseKubernetesHosting();
});
builder.Services.AddHealthChecks().AddCheck<SiloActiveHealthCheck>("silo-active", tags: [SiloActiveHealthCheck.Tag]);
builder.Services.AddOpenTelemetry().WithMetrics(m => m
    .AddMeter("Microsoft.Orleans")
    .AddMeter(Oms.Grains.OmsGrainMetrics.MeterName)
    .AddPrometheusExporter());

var app = builder.Build();
app.MapOrleansDashboard(routePrefix: "/dashboard");
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(SiloActiveHealthCheck.Tag) });
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapGet("/", () => TypedResults.Redirect("/dashboard/"));
app.Run();
