using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Oms.Gateway.Security;

namespace Oms.Gateway.Tests;

/// <summary>
/// Every /v1 endpoint the app maps (read from its EndpointDataSource, so a new one cannot be left out) against
/// every scope: no key and an unknown key → 401; a key with the endpoint's scope, or admin → past auth (any
/// answer but 401/403, never 5xx); any other key → 403. An endpoint authenticated by its sender's signature
/// (<see cref="SignatureAuthenticated"/>, a carrier's tracking events) ignores API keys: unsigned, it is 401 for every one.
/// </summary>
[Collection(AuthGatewayCollection.Name)]
public sealed class ScopeMatrixTests(AuthGatewayFixture fx)
{
    private sealed record Route(string Method, string Path, string? Scope, bool Signed);

    private List<Route> Routes() =>
    [
        .. fx.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => new Route(
                m, Fill(e.RoutePattern.RawText!), e.Metadata.GetMetadata<RequiresScope>()?.Scope, e.Metadata.GetMetadata<SignatureAuthenticated>() is not null))),
    ];

    [Fact]
    public void Every_v1_endpoint_names_the_scope_it_needs()
    {
        var routes = Routes();
        Assert.True(routes.Count >= 45, $"only {routes.Count} /v1 endpoints found");
        Assert.Empty(routes.Where(r => (r.Scope is null) != r.Signed).Select(r => $"{r.Method} {r.Path}"));
        Assert.All(routes.Where(r => !r.Signed), r => Assert.Contains(r.Scope!, Scopes.All));
        Assert.Contains(routes, r => r.Signed && r.Path.StartsWith("/v1/carriers/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_endpoint_answers_401_without_a_key_403_without_its_scope_and_passes_with_it()
    {
        var clients = Scopes.All.ToDictionary(s => s, s => fx.Client(AuthGatewayFixture.KeyFor(s)));
        var anonymous = fx.Client(null);
        var unknown = fx.Client("not-a-key");
        var failures = new List<string>();
        var cells = 0;
        foreach (var route in Routes())
        {
            var expectations = new List<(string Who, HttpClient Client, string Expect)>
            {
                ("no key", anonymous, "401"),
                ("unknown key", unknown, "401"),
            };
            expectations.AddRange(Scopes.All.Select(s => (s, clients[s], route.Signed ? "401" : s == route.Scope || s == Scopes.Admin ? "pass" : "403")));
            var answers = await Task.WhenAll(expectations.Select(e => StatusAsync(e.Client, route)));
            for (var i = 0; i < expectations.Count; i++)
            {
                cells++;
                var (who, _, expect) = expectations[i];
                var status = answers[i];
                var ok = expect switch
                {
                    "401" => status == 401,
                    "403" => status == 403,
                    _ => status is not (401 or 403) && status < 500,
                };
                if (!ok) failures.Add($"{route.Method} {route.Path} as {who}: {status}, expected {expect}");
            }
        }

        Assert.True(cells >= 45 * (Scopes.All.Count + 2), $"{cells} cells");
        Assert.Empty(failures);
    }

    /// <summary>The status, or 0 when a streaming answer's headers came after the auth check let it through (a timeout).</summary>
    private static async Task<int> StatusAsync(HttpClient client, Route route)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
        if (route.Method is "POST" or "PUT") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <summary>Route values that are valid ids, and a channel for the reads that need one.</summary>
    private static string Fill(string pattern)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(\w+)[^}]*\}", m => $"matrix-{m.Groups[1].Value}");
        return (path.StartsWith('/') ? path : "/" + path) + "?channel=web-test";
    }
}
