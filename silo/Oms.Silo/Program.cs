using Oms.Grains.Hosting;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

// A silo of the durable cluster: PostgreSQL clustering, grain state and reminders, and the dashboard.
//   dotnet Oms.Silo.dll --connection "Host=...;Database=oms" --silo-port 11111 --gateway-port 30000 --urls http://localhost:8081
var builder = WebApplication.CreateBuilder(OmsArgs.Normalize(args));

var options = new OmsSiloOptions();
builder.Configuration.GetSection(OmsSiloOptions.Section).Bind(options);
options.Storage = StorageMode.Postgres;
if (string.IsNullOrWhiteSpace(options.ConnectionString))
    throw new InvalidOperationException("--connection \"Host=...;Database=oms;...\" (Oms:ConnectionString) is required");

builder.UseOrleans(silo => silo.AddOms(options));
builder.Services.AddHealthChecks();
builder.Services.AddOpenTelemetry().WithMetrics(m => m
    .AddMeter("Microsoft.Orleans")
    .AddMeter(Oms.Grains.OmsGrainMetrics.MeterName)
    .AddPrometheusExporter());

var app = builder.Build();
app.MapOrleansDashboard(routePrefix: "/dashboard");
app.MapHealthChecks("/health/live");
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapGet("/", () => TypedResults.Redirect("/dashboard/"));
app.Run();
