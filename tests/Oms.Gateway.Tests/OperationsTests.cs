namespace Oms.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class OperationsTests(GatewayFixture fx)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/dashboard/")]
    [InlineData("/docs")]
    public async Task Operations_endpoints_answer(string path) =>
        Assert.Equal(HttpStatusCode.OK, (await fx.Http.GetAsync(path)).StatusCode);

    [Fact]
    public async Task Metrics_are_prometheus_text()
    {
        await fx.Http.GetAsync($"/v1/locations/{GatewayFixture.Warehouse}");
        var text = await fx.Http.GetStringAsync("/metrics");
        Assert.Contains("http_server_request_duration_seconds", text);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_contract()
    {
        var doc = await fx.GetOk("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[]
                 {
                     "/v1/locations/{locationId}", "/v1/channels/{channelId}", "/v1/products/{sku}",
                     "/v1/inventory/{locationId}/{sku}", "/v1/inventory/adjustments", "/v1/inventory/inbound", "/v1/inventory/batch",
                     "/v1/availability/{sku}", "/v1/availability/query", "/v1/availability/stream",
                     "/v1/carts/{cartId}/lines/{sku}", "/v1/carts/{cartId}", "/v1/carts/{cartId}/extend",
                     "/v1/orders", "/v1/orders/{orderId}", "/v1/orders/{orderId}/cancel", "/v1/orders/{orderId}/returns",
                     "/v1/returns/{returnId}/receive", "/v1/customers/{customerId}/orders",
                     "/v1/sourcing/profiles/{profileId}", "/v1/sourcing/plan",
                     "/v1/locations/{locationId}/fulfilments", "/v1/locations/{locationId}/picklist",
                     "/v1/fulfilments/{fulfilmentId}/pick", "/v1/fulfilments/{fulfilmentId}/short", "/v1/fulfilments/{fulfilmentId}/pack",
                     "/v1/fulfilments/{fulfilmentId}/ship", "/v1/fulfilments/{fulfilmentId}/ready", "/v1/fulfilments/{fulfilmentId}/collect",
                     "/v1/fulfilments/{fulfilmentId}/deliver",
                 })
            Assert.Contains(path, paths);
    }
}
