using System.Text.Json.Nodes;

namespace Oms.Gateway.Tests;

/// <summary>The served document is the contract: it matches the one the committed client was generated from, and says what the API does.</summary>
[Collection(GatewayCollection.Name)]
public sealed class OpenApiDocumentTests(GatewayFixture fx)
{
    [Fact]
    public async Task The_committed_client_was_generated_from_the_served_document()
    {
        var served = JsonNode.Parse(await fx.Http.GetStringAsync("/openapi/v1.json"));
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "tests", "Oms.Gateway.Client", "openapi.json")));
        Assert.True(JsonNode.DeepEquals(served, committed),
            "The served /openapi/v1.json differs from tests/Oms.Gateway.Client/openapi.json: run tests/Oms.Gateway.Client/regenerate.sh and commit.");
    }

    [Fact]
    public async Task Every_event_type_is_a_signed_webhook_with_its_payload_schema()
    {
        var doc = JsonNode.Parse(await fx.Http.GetStringAsync("/openapi/v1.json"))!;
        var webhooks = doc["webhooks"]!.AsObject();
        Assert.Equal(GrainInterfaces.Events.EventTypes.All.Order(), webhooks.Select(w => w.Key).Order());
        foreach (var (type, item) in webhooks)
        {
            var post = item!["post"]!;
            var envelope = post["requestBody"]!["content"]!["application/json"]!["schema"]!;
            Assert.Equal(type, (string?)envelope["properties"]!["type"]!["const"]);
            var data = (string)envelope["properties"]!["data"]!["$ref"]!;
            var payload = doc["components"]!["schemas"]![data["#/components/schemas/".Length..]]!;
            Assert.True(payload["properties"]!.AsObject().Count > 0, $"{type}: {data} has no properties");
            Assert.Equal(["WebhookId", "WebhookTimestamp", "WebhookSignature"],
                post["parameters"]!.AsArray().Select(p => ((string)p!["$ref"]!).Split('/')[^1]));
            Assert.NotEmpty(post["security"]!.AsArray());
        }

        Assert.Contains("fulfilment", doc["components"]!["schemas"]!["FulfilmentEventData"]!["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Every_operation_declares_its_scope_and_problems_and_no_other_paths_are_listed()
    {
        var doc = JsonNode.Parse(await fx.Http.GetStringAsync("/openapi/v1.json"))!;
        var paths = doc["paths"]!.AsObject();
        Assert.All(paths, p => Assert.StartsWith("/v1/", p.Key));
        foreach (var (path, item) in paths)
        foreach (var (method, op) in item!.AsObject())
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            Assert.True(op!["security"]?.AsArray().Count > 0, $"{name} has no security");
            var responses = op["responses"]!.AsObject();
            foreach (var status in new[] { "401", "503" }) Assert.True(responses.ContainsKey(status), $"{name} lacks {status}");
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                Assert.Equal("#/components/schemas/Problem", (string?)response!["content"]?["application/problem+json"]?["schema"]?["$ref"]);
            var idempotency = op["parameters"]?.AsArray().Any(p => (string?)p!["$ref"] == "#/components/parameters/IdempotencyKey") == true;
            // Issuing and rotating API keys and rotating a webhook secret answer with a secret shown once, which is
            // never stored for a replay (ADR 13, 16); a carrier's tracking event is signed, not keyed, and idempotent by its eventId.
            var replayable = method == "post" && !path.StartsWith("/v1/admin/api-keys", StringComparison.Ordinal)
                && !path.EndsWith("/rotate-secret", StringComparison.Ordinal) && !path.StartsWith("/v1/carriers/", StringComparison.Ordinal);
            Assert.True(idempotency == replayable, $"{name}: Idempotency-Key declared {idempotency}");
        }

        var cartPut = paths["/v1/carts/{cartId}/lines/{sku}"]!["put"]!;
        Assert.Equal("cart", (string?)cartPut["x-oms-scope"]);
        Assert.Contains("insufficient_stock", cartPut["responses"]!["409"]!["x-oms-problem-codes"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("apiKey", (string?)doc["components"]!["securitySchemes"]!["ApiKey"]!["type"]);
        var tracking = paths["/v1/carriers/{carrier}/tracking"]!["post"]!;
        Assert.True(tracking["security"]![0]!.AsObject().ContainsKey("StandardWebhooksSignature"));
        Assert.Null(tracking["x-oms-scope"]);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Oms.Orleans.sln"))) return dir.FullName;
        throw new InvalidOperationException("Oms.Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}
