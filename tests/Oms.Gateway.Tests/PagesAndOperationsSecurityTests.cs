using System.Net.Http.Headers;
using Oms.Gateway.Security;

namespace Oms.Gateway.Tests;

[Collection(AuthGatewayCollection.Name)]
public sealed class PagesAndOperationsSecurityTests(AuthGatewayFixture fx)
{
    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/metrics")]
    public async Task The_dashboard_and_metrics_ask_for_a_key_and_take_admin_or_ops_only(string path)
    {
        var anonymous = await fx.Client(null).GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString());

        Assert.Equal(HttpStatusCode.OK, (await fx.BasicClient(AuthGatewayFixture.KeyFor(Scopes.Ops)).GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fx.BasicClient(AuthGatewayFixture.KeyFor(Scopes.Admin)).GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fx.Client(AuthGatewayFixture.KeyFor(Scopes.Ops)).GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fx.BasicClient(AuthGatewayFixture.KeyFor(Scopes.Cart)).GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.BasicClient("wrong").GetAsync(path)).StatusCode);

        var bearer = fx.Client(null);
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AuthGatewayFixture.KeyFor(Scopes.Ops));
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Ops_keys_reach_nothing_under_v1()
    {
        var response = await fx.Client(AuthGatewayFixture.KeyFor(Scopes.Ops)).GetAsync($"/v1/locations/{GatewayFixture.Warehouse}");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/docs")]
    public async Task Health_the_contract_and_the_reference_page_stay_open(string path) =>
        Assert.Equal(HttpStatusCode.OK, (await fx.Client(null).GetAsync(path)).StatusCode);

    [Theory]
    [InlineData("/docs")]
    [InlineData("/dashboard/")]
    public async Task Pages_carry_the_security_headers(string path)
    {
        var response = await fx.BasicClient(AuthGatewayFixture.KeyFor(Scopes.Ops)).GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("PUT", "/v1/carts/c-cors/lines/SKU-1", AuthGatewayFixture.AllowedOrigin, true)]
    [InlineData("GET", "/v1/availability/SKU-1", AuthGatewayFixture.AllowedOrigin, true)]
    [InlineData("PUT", "/v1/carts/c-cors/lines/SKU-1", "https://evil.example", false)]
    [InlineData("POST", "/v1/orders", AuthGatewayFixture.AllowedOrigin, false)]
    [InlineData("PUT", "/v1/locations/WH-T", AuthGatewayFixture.AllowedOrigin, false)]
    public async Task Cors_preflights_pass_for_allowed_storefront_origins_on_storefront_and_cart_endpoints_only(
        string method, string path, string origin, bool allowed)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", method);
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key,content-type");
        var response = await fx.Client(null).SendAsync(preflight);
        var allowOrigin = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        Assert.Equal(allowed ? origin : null, allowOrigin);
        if (allowed)
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Contains("x-api-key", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_storefront_read_from_an_allowed_origin_carries_the_cors_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/availability/SKU-1?channel=web-test");
        request.Headers.Add("Origin", AuthGatewayFixture.AllowedOrigin);
        var response = await fx.Client(AuthGatewayFixture.KeyFor(Scopes.Storefront)).SendAsync(request);
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(AuthGatewayFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
