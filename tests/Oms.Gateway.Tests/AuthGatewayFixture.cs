using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Oms.Gateway.Security;

namespace Oms.Gateway.Tests;

/// <summary>
/// The embedded gateway with auth on, as outside development: one configured key per scope (<see cref="KeyFor"/>),
/// a rate-limited storefront key, and a storefront origin allowed for CORS.
/// </summary>
public sealed class AuthGatewayFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AllowedOrigin = "https://shop.example";
    public const string LimitedKey = "test-limited-key";
    public const int LimitedPermitsPerSecond = 2;

    public Uri BaseAddress { get; private set; } = null!;

    public static string KeyFor(string scope) => $"test-{scope}-key";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Oms:InMemory", "true");
        builder.UseSetting("Oms:SiloPort", GatewayFixture.FreePort().ToString());
        builder.UseSetting("Oms:GatewayPort", GatewayFixture.FreePort().ToString());
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Oms:Auth:Enabled", "true");
        for (var i = 0; i < Scopes.All.Count; i++)
        {
            builder.UseSetting($"Oms:Auth:Keys:{i}:Name", $"k-{Scopes.All[i]}");
            builder.UseSetting($"Oms:Auth:Keys:{i}:Key", KeyFor(Scopes.All[i]));
            builder.UseSetting($"Oms:Auth:Keys:{i}:Scopes:0", Scopes.All[i]);
        }

        var limited = Scopes.All.Count;
        builder.UseSetting($"Oms:Auth:Keys:{limited}:Name", "k-limited");
        builder.UseSetting($"Oms:Auth:Keys:{limited}:Key", LimitedKey);
        builder.UseSetting($"Oms:Auth:Keys:{limited}:Scopes:0", Scopes.Admin);
        builder.UseSetting($"Oms:Auth:Keys:{limited}:PermitsPerSecond", LimitedPermitsPerSecond.ToString());
        builder.UseSetting("Oms:Cors:Origins:0", AllowedOrigin);
        builder.UseEnvironment("Production");
    }

    public async Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        BaseAddress = CreateClient().BaseAddress!;
        var admin = Client(KeyFor(Scopes.Admin));
        var response = await admin.PutAsJsonAsync($"/v1/locations/{GatewayFixture.Warehouse}",
            new { name = "Test DC", type = "warehouse", latitude = 52.2565, longitude = -1.1629, region = "UK" });
        response.EnsureSuccessStatusCode();
    }

    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    /// <summary>A client that sends <paramref name="key"/> as X-Api-Key (none when null).</summary>
    public HttpClient Client(string? key)
    {
        var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        if (key is not null) client.DefaultRequestHeaders.Add(ApiKeyMiddleware.Header, key);
        return client;
    }

    public HttpClient BasicClient(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"ops:{key}")));
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class AuthGatewayCollection : ICollectionFixture<AuthGatewayFixture>
{
    public const string Name = "auth-gateway";
}
