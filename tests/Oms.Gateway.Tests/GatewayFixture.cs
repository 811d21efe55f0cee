using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Oms.Gateway.Hosting;

namespace Oms.Gateway.Tests;

/// <summary>
/// The embedded gateway (silo + HTTP, in-memory storage) on a real Kestrel port, so every test goes over real
/// HTTP. Each fixture has its own silo ports so collections never collide.
/// </summary>
public class GatewayFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    public HttpClient Http { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Oms:InMemory", "true");
        builder.UseSetting("Oms:SiloPort", FreePort().ToString());
        builder.UseSetting("Oms:GatewayPort", FreePort().ToString());
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseEnvironment("Development");
        builder.UseSetting($"Oms:Carriers:{Carrier}:Secrets:0", CarrierSecret);
        builder.UseSetting($"Oms:Carriers:{Carrier}:Secrets:1", CarrierPreviousSecret);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    /// <summary>Settings a derived fixture adds.</summary>
    protected virtual IEnumerable<(string Key, string Value)> Settings => [];

    public async Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        Http = CreateClient();
        BaseAddress = Http.BaseAddress!;
        Http.Timeout = TimeSpan.FromSeconds(60);
        await SeedAsync();
    }

    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    /// <summary>Three London-area locations and a channel over them; every test adds its own SKUs.</summary>
    public const string Channel = "web-test";
    public const string Warehouse = "WH-T";
    public const string StoreNear = "ST-T-OXF";
    public const string StoreFar = "ST-T-MAN";

    /// <summary>A carrier that reports tracking events, with two secrets (a rotation in progress).</summary>
    public const string Carrier = "test-carrier";
    public const string CarrierSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string CarrierPreviousSecret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    private async Task SeedAsync()
    {
        await PutOk($"/v1/locations/{Warehouse}", new { name = "Test DC", type = "warehouse", latitude = 52.2565, longitude = -1.1629, region = "UK" });
        await PutOk($"/v1/locations/{StoreNear}", new { name = "Oxford Street", type = "store", latitude = 51.5152, longitude = -0.1419, region = "UK" });
        await PutOk($"/v1/locations/{StoreFar}", new { name = "Manchester", type = "store", latitude = 53.4838, longitude = -2.2390, region = "UK" });
        await PutOk($"/v1/channels/{Channel}", new { name = "Test web", region = "UK", locationTypes = new[] { "warehouse", "store" }, buffers = new { byType = new { store = 1 } } });
    }

    public async Task<JsonElement> PutOk(string path, object body)
    {
        var response = await Http.PutAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"PUT {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> GetOk(string path)
    {
        var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> PostOk(string path, object body)
    {
        var response = await Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        GatewayServices.Configure(options);
        return options;
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
