using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Oms.GrainInterfaces;
using Oms.GrainInterfaces.Security;
using Oms.Gateway.Security;

namespace Oms.Gateway.Tests;

[Collection(AuthGatewayCollection.Name)]
public sealed class ApiKeysTests(AuthGatewayFixture fx)
{
    private const string Location = $"/v1/locations/{GatewayFixture.Warehouse}";
    private HttpClient Admin => fx.Client(AuthGatewayFixture.KeyFor(Scopes.Admin));

    private async Task<JsonElement> CreateAsync(string name, params string[] scopes)
    {
        var response = await Admin.PostAsJsonAsync("/v1/admin/api-keys", new { name, scopes });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<int> StatusWith(string key, string path = Location) => (int)(await fx.Client(key).GetAsync(path)).StatusCode;

    [Fact]
    public async Task An_issued_key_works_at_once_with_its_scopes_and_is_listed_without_its_secret()
    {
        var issued = await CreateAsync("shop-eu", "admin");
        var key = issued.GetProperty("key").GetString()!;
        var id = issued.GetProperty("id").GetString()!;
        Assert.StartsWith("omsk_", key);
        Assert.Equal(200, await StatusWith(key));

        var cart = (await CreateAsync("cart-only", "cart")).GetProperty("key").GetString()!;
        Assert.Equal(403, await StatusWith(cart));

        var listed = await Admin.GetStringAsync("/v1/admin/api-keys");
        Assert.DoesNotContain(key.Split('_')[^1], listed);
        var keys = JsonDocument.Parse(listed).RootElement.GetProperty("keys").EnumerateArray().ToList();
        var mine = keys.Single(k => k.GetProperty("id").GetString() == id);
        Assert.Equal("shop-eu", mine.GetProperty("name").GetString());
        Assert.Equal("runtime", mine.GetProperty("source").GetString());
        Assert.False(mine.TryGetProperty("key", out _));
        Assert.Contains(keys, k => k.GetProperty("source").GetString() == "configuration" && k.GetProperty("name").GetString() == "k-admin");
        Assert.DoesNotContain(AuthGatewayFixture.KeyFor(Scopes.Admin), listed);
    }

    [Theory]
    [InlineData("""{"scopes": ["cart"]}""", "name")]
    [InlineData("""{"name": "x", "scopes": []}""", "scopes")]
    [InlineData("""{"name": "x", "scopes": ["root"]}""", "scopes")]
    [InlineData("""{"name": "x", "scopes": ["cart"], "permitsPerSecond": -1}""", "permitsPerSecond")]
    [InlineData("""{"name": "x", "scopes": ["cart"], "expiresAt": "2001-01-01T00:00:00Z"}""", "expiresAt")]
    public async Task A_bad_key_request_is_a_400_naming_the_field(string body, string field)
    {
        var response = await Admin.PostAsync("/v1/admin/api-keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_rotated_key_keeps_its_old_secret_for_the_overlap_then_only_the_new_one_works()
    {
        var issued = await CreateAsync("rotating", "admin");
        var id = issued.GetProperty("id").GetString()!;
        var old = issued.GetProperty("key").GetString()!;

        var response = await Admin.PostAsJsonAsync($"/v1/admin/api-keys/{id}/rotate", new { overlapSeconds = 2 });
        var rotated = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fresh = rotated.GetProperty("key").GetString()!;
        Assert.NotEqual(old, fresh);
        Assert.Equal(id, rotated.GetProperty("id").GetString());
        Assert.Equal(200, await StatusWith(old));
        Assert.Equal(200, await StatusWith(fresh));

        var overlapEnds = rotated.GetProperty("previousKeyExpiresAt").GetDateTimeOffset();
        var wait = overlapEnds - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        Assert.Equal(401, await StatusWith(old));
        Assert.Equal(200, await StatusWith(fresh));
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_and_revoking_unknown_or_configured_keys_says_why()
    {
        var issued = await CreateAsync("to-revoke", "admin");
        var id = issued.GetProperty("id").GetString()!;
        var key = issued.GetProperty("key").GetString()!;
        Assert.Equal(200, await StatusWith(key));

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"/v1/admin/api-keys/{id}")).StatusCode);
        Assert.Equal(401, await StatusWith(key));
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"/v1/admin/api-keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Admin.PostAsJsonAsync($"/v1/admin/api-keys/{id}/rotate", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.DeleteAsync("/v1/admin/api-keys/000000000000")).StatusCode);
        var configured = await Admin.DeleteAsync("/v1/admin/api-keys/k-cart");
        Assert.Equal(HttpStatusCode.Conflict, configured.StatusCode);
        Assert.Contains("invalid_state", await configured.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await fx.Client(AuthGatewayFixture.KeyFor(Scopes.Cart)).DeleteAsync("/v1/carts/c-1")).StatusCode);
    }

    /// <summary>
    /// A revocation made elsewhere (here straight on the grain, as another gateway would, so this gateway is not
    /// told): this gateway refuses the key within <see cref="ApiKeyDirectory.PropagationBound"/>, by its poll.
    /// </summary>
    [Fact]
    public async Task A_key_revoked_through_another_gateway_is_refused_here_within_the_bound()
    {
        var issued = await CreateAsync("revoked-elsewhere", "admin");
        var id = issued.GetProperty("id").GetString()!;
        var key = issued.GetProperty("key").GetString()!;
        var client = fx.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Location)).StatusCode);

        var grains = fx.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IApiKeysGrain>(SingletonKeys.ApiKeys).RevokeAsync(id, DateTimeOffset.UtcNow);
        var clock = Stopwatch.StartNew();
        while ((await client.GetAsync(Location)).StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.True(clock.Elapsed < ApiKeyDirectory.PropagationBound, $"still accepted after {clock.Elapsed}");
            await Task.Delay(20);
        }

        Assert.True(clock.Elapsed < ApiKeyDirectory.PropagationBound, $"refused after {clock.Elapsed}");
    }

    [Fact]
    public async Task Over_its_rate_a_key_gets_429_problem_json_with_retry_after()
    {
        var client = fx.Client(AuthGatewayFixture.LimitedKey);
        var answers = await Task.WhenAll(Enumerable.Range(0, 4 * AuthGatewayFixture.LimitedPermitsPerSecond).Select(_ => client.GetAsync(Location)));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal("rate_limited", JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value.TotalSeconds, 1, 60);

        await Task.Delay(retryAfter.Value);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Location)).StatusCode);
    }
}
