namespace Oms.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class ReferenceDataTests(GatewayFixture fx)
{
    [Fact]
    public async Task A_location_is_stored_and_read_back()
    {
        var put = await fx.PutOk("/v1/locations/ST-REF-1", new
        {
            name = "Leeds", type = "store", latitude = 53.7956, longitude = -1.5463, region = "UK",
            tags = new[] { "flagship" }, priority = 3, dailyCapacity = 200, turnaroundHours = 4, offline = false,
        });
        Assert.Equal("store", put.GetProperty("type").GetString());

        var got = await fx.GetOk("/v1/locations/ST-REF-1");
        Assert.Equal("Leeds", got.GetProperty("name").GetString());
        Assert.Equal(53.7956, got.GetProperty("latitude").GetDouble());
        Assert.Equal(["flagship"], got.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(200, got.GetProperty("dailyCapacity").GetInt32());
    }

    [Fact]
    public async Task Unknown_ids_are_404_problems()
    {
        foreach (var path in new[] { "/v1/locations/NOPE-1", "/v1/channels/NOPE-1", "/v1/products/NOPE-1" })
        {
            var response = await fx.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("not_found", problem.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task A_channel_keeps_its_policy()
    {
        await fx.PutOk("/v1/channels/ch-ref", new
        {
            name = "Ref", region = "UK", locationTypes = new[] { "store" }, locationIds = new[] { GatewayFixture.Warehouse },
            excludedSkus = new[] { "X-1" }, excludedCategories = new[] { "test" },
            buffers = new { byType = new { store = 2 }, byLocation = new Dictionary<string, int> { [GatewayFixture.Warehouse] = 5 }, percent = 10 },
            reservationTtlSeconds = 600,
        });
        var got = await fx.GetOk("/v1/channels/ch-ref");
        Assert.Equal(2, got.GetProperty("buffers").GetProperty("byType").GetProperty("store").GetInt32());
        Assert.Equal(5, got.GetProperty("buffers").GetProperty("byLocation").GetProperty(GatewayFixture.Warehouse).GetInt32());
        Assert.Equal(10, got.GetProperty("buffers").GetProperty("percent").GetInt32());
        Assert.Equal(600, got.GetProperty("reservationTtlSeconds").GetInt32());
        Assert.Equal(["store"], got.GetProperty("locationTypes").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task A_product_is_stored_and_read_back()
    {
        await fx.PutOk("/v1/products/P-REF-1", new { name = "Runner", category = "shoes", backorderLimit = 5, preorderLimit = 0, tags = new[] { "sale" } });
        var got = await fx.GetOk("/v1/products/P-REF-1");
        Assert.Equal("shoes", got.GetProperty("category").GetString());
        Assert.Equal(5, got.GetProperty("backorderLimit").GetInt32());
    }
}
