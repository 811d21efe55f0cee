namespace Oms.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class IdempotencyTests(GatewayFixture fx)
{
    private readonly string _sku = $"IDEM-{Guid.NewGuid():N}"[..20];

    private async Task<HttpResponseMessage> Post(string path, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await fx.Http.SendAsync(request);
    }

    [Fact]
    public async Task The_same_key_and_body_replays_the_first_answer_with_one_effect()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { locationId = GatewayFixture.Warehouse, sku = _sku, delta = 5, reason = "receipt", eventId = $"e-{_sku}" };
        var first = await Post("/v1/inventory/adjustments", body, key);
        var firstText = await first.Content.ReadAsStringAsync();
        var replays = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            var r = await Post("/v1/inventory/adjustments", body, key);
            return (r.StatusCode, Text: await r.Content.ReadAsStringAsync(), Replayed: r.Headers.Contains("Idempotent-Replayed"));
        }));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.All(replays, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(firstText, r.Text); // "applied": true, as the first time, not "duplicate"
            Assert.True(r.Replayed);
        });
        Assert.Equal(5, (await fx.GetOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}")).GetProperty("onHand").GetInt32());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422()
    {
        var key = Guid.NewGuid().ToString();
        await Post("/v1/inventory/adjustments", new { locationId = GatewayFixture.Warehouse, sku = _sku, delta = 1, reason = "r", eventId = "a" }, key);
        var other = await Post("/v1/inventory/adjustments", new { locationId = GatewayFixture.Warehouse, sku = _sku, delta = 2, reason = "r", eventId = "b" }, key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("conflict", (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(1, (await fx.GetOk($"/v1/inventory/{GatewayFixture.Warehouse}/{_sku}")).GetProperty("onHand").GetInt32());
    }

    [Fact]
    public async Task A_retry_while_the_first_is_running_is_409()
    {
        var key = Guid.NewGuid().ToString();
        var items = Enumerable.Range(0, 20_000).Select(i => new { locationId = GatewayFixture.Warehouse, sku = $"{_sku}-{i}", onHand = 1, asOf = "2026-03-01T00:00:00Z" }).ToArray();
        var slow = Post("/v1/inventory/batch", new { items }, key);
        await Task.Delay(300);
        var retry = await Post("/v1/inventory/batch", new { items }, key);
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal("conflict", (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await slow).StatusCode);
        var after = await Post("/v1/inventory/batch", new { items }, key);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(20_000, (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applied").GetInt32());
    }
}
