namespace Oms.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class WebhooksApiTests(GatewayFixture fx)
{
    private const string Receiver = "http://127.0.0.1:9/hook";

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        var response = await fx.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task A_subscription_shows_its_generated_secret_once_and_rotates_with_an_overlap()
    {
        var put = await fx.PutOk("/v1/webhooks/wh-life", new { url = Receiver, events = new[] { "order.created", "stock.out" }, description = "erp", enabled = true });
        var secret = put.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.Equal(["order.created", "stock.out"], put.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        var one = await fx.GetOk("/v1/webhooks/wh-life");
        Assert.False(one.TryGetProperty("secret", out _));
        Assert.Equal("erp", one.GetProperty("description").GetString());
        var listed = await fx.Http.GetStringAsync("/v1/webhooks");
        Assert.Contains("wh-life", listed);
        Assert.DoesNotContain(secret, listed);

        var again = await fx.PutOk("/v1/webhooks/wh-life", new { url = Receiver, events = new[] { "order.created" }, enabled = false });
        Assert.False(again.TryGetProperty("secret", out _));
        Assert.False(again.GetProperty("enabled").GetBoolean());
        Assert.Single(again.GetProperty("secrets").EnumerateArray());

        var rotated = await fx.PostOk("/v1/webhooks/wh-life/rotate-secret", new { overlapSeconds = 600 });
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        var secrets = rotated.GetProperty("secrets").EnumerateArray().ToList();
        Assert.Equal(2, secrets.Count);
        Assert.True(secrets[0].TryGetProperty("expiresAt", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/v1/webhooks/wh-life")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/v1/webhooks/wh-life")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, "/v1/webhooks/wh-life")).Status);
    }

    [Fact]
    public async Task A_given_secret_is_used_and_not_echoed()
    {
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var put = await fx.PutOk("/v1/webhooks/wh-own", new { url = Receiver, events = new[] { "order.created" }, secret, enabled = true });
        Assert.False(put.TryGetProperty("secret", out _));
        Assert.DoesNotContain(secret, await fx.Http.GetStringAsync("/v1/webhooks/wh-own"));
    }

    public static TheoryData<string, string, string?, string> BadInput => new()
    {
        // method, path, body, the field the 400 names (or the status when it is not a 400)
        { "PUT", "/v1/webhooks/wh-bad", """{"events": ["order.created"], "enabled": true}""", "url" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "ftp://x.example.com/", "events": ["order.created"], "enabled": true}""", "url" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://10.0.0.1/", "events": ["order.created"], "enabled": true}""", "url" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://169.254.169.254/latest", "events": ["order.created"], "enabled": true}""", "url" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://[fd00:ec2::254]/", "events": ["order.created"], "enabled": true}""", "url" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://metadata.google.internal/", "events": ["order.created"], "enabled": true}""", "url" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "not a url", "events": ["order.created"], "enabled": true}""", "url" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": [], "enabled": true}""", "events" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "enabled": true}""", "events" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": ["order.exploded"], "enabled": true}""", "events" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": ["ORDER.CREATED"], "enabled": true}""", "events" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": [null], "enabled": true}""", "events" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": ["order.created"], "secret": "plain", "enabled": true}""", "secret" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": ["order.created"], "secret": "whsec_c2hvcnQ=", "enabled": true}""", "secret" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": ["order.created"], "secret": "whsec_!!!", "enabled": true}""", "secret" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": ["order.created"]}""", "enabled" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": ["order.created"], "enabled": true, "description": ""}""", "description" },
        { "PUT", $"/v1/webhooks/{new string('a', 65)}", """{"url": "http://127.0.0.1/", "events": ["order.created"], "enabled": true}""", "id" },
        { "PUT", "/v1/webhooks/a%20b", """{"url": "http://127.0.0.1/", "events": ["order.created"], "enabled": true}""", "id" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": 5, "events": ["order.created"], "enabled": true}""", "400" },
        { "PUT", "/v1/webhooks/wh-bad", """{"url": "http://127.0.0.1/", "events": "order.created", "enabled": true}""", "400" },
        { "PUT", "/v1/webhooks/wh-bad", "not json", "400" },
        { "GET", "/v1/webhooks/a%20b", null, "id" },
        { "GET", "/v1/webhooks/wh-none", null, "404" },
        { "DELETE", "/v1/webhooks/a%20b", null, "id" },
        { "POST", "/v1/webhooks/a%20b/rotate-secret", null, "id" },
        { "POST", "/v1/webhooks/wh-none/rotate-secret", null, "404" },
        { "POST", "/v1/webhooks/wh-none/rotate-secret", """{"overlapSeconds": -1}""", "overlapSeconds" },
        { "POST", "/v1/webhooks/wh-none/rotate-secret", """{"overlapSeconds": 99999999}""", "overlapSeconds" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_a_4xx_naming_the_field_never_a_5xx(string method, string path, string? body, string expect)
    {
        var (status, answer) = await SendAsync(new HttpMethod(method), path, body);
        Assert.True((int)status < 500, $"{method} {path}: {(int)status}");
        if (int.TryParse(expect, out var code))
        {
            Assert.Equal(code, (int)status);
            return;
        }

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(answer.GetProperty("errors").TryGetProperty(expect, out _), answer.ToString());
    }
}
