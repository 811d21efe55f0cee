using Oms.Gateway.Availability;
using Oms.Gateway.Carriers;
using Oms.Gateway.Carts;
using Oms.Gateway.Customers;
using Oms.Gateway.Demo;
using Oms.Gateway.Events;
using Oms.Gateway.Hosting;
using Oms.Grains.Hosting;
using Oms.Gateway.Idempotency;
using Oms.Gateway.Inventory;
using Oms.Gateway.Operations;
using Oms.Gateway.Orders;
using Oms.Gateway.Reference;
using Oms.Gateway.Security;
using Oms.Gateway.Webhooks;

var builder = WebApplication.CreateBuilder(OmsArgs.Normalize(args));
var mode = GatewayMode.From(builder.Configuration);

builder.AddOmsOrleans(mode);
builder.AddOmsGateway(mode);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<SecurityHeadersMiddleware>();
app.UseCors();
app.UseMiddleware<ApiKeyMiddleware>();
// Only a caller whose key has a rate limit pays for the limiter (docs/decisions/0023): most reads come without one.
app.UseWhen(GatewayServices.HasRateLimit, limited => limited.UseRateLimiter());
app.UseMiddleware<IdempotencyMiddleware>();

var api = app.MapGroup("").RequireRateLimiting(GatewayServices.RateLimitPolicy);
api.MapReferenceApi();
api.MapInventoryApi();
api.MapAvailabilityApi();
api.MapCartsApi();
api.MapOrdersApi();
api.MapFulfilmentApi();
api.MapApiKeysApi();
api.MapEventsApi();
api.MapCustomersApi();
api.MapWebhooksApi();
app.MapCarriersApi();
app.MapOperationsApi();

app.LogStartup(mode);
if (mode.Demo) app.LoadDemoDataOnStart();

app.Run();

/// <summary>Visible to WebApplicationFactory in the gateway tests.</summary>
public partial class Program;
