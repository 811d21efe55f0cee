using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Oms.Gateway.Idempotency;
using Oms.Gateway.Security;
using Oms.Grains.Webhooks;

namespace Oms.Gateway.OpenApi;

/// <summary>The shared pieces operations refer to: the problem body, the API-key scheme, the idempotency header.</summary>
public static class ContractComponents
{
    public const string Problem = "Problem";
    public const string ProblemLine = "ProblemLine";
    public const string ApiKeyScheme = "ApiKey";
    public const string IdempotencyKey = "IdempotencyKey";
    public const string RetryAfter = "RetryAfter";
    public const string IdempotentReplayed = "IdempotentReplayed";
    public const string SignatureScheme = "StandardWebhooksSignature";
    public const string WebhookId = "WebhookId";
    public const string WebhookTimestamp = "WebhookTimestamp";
    public const string WebhookSignatureHeader = "WebhookSignature";

    /// <summary>The header parameters of a request its sender signs (Standard Webhooks).</summary>
    public static readonly string[] SignatureHeaders = [WebhookId, WebhookTimestamp, WebhookSignatureHeader];

    public static void AddTo(OpenApiDocument document)
    {
        document.AddComponent(Problem, ProblemSchema());
        document.AddComponent(ProblemLine, ProblemLineSchema());
        foreach (var kind in ProblemKinds.All)
            document.AddComponent(kind.Name, new OpenApiExample { Summary = kind.Meaning, Value = JsonNode.Parse(kind.Example) });
        document.AddComponent(ApiKeyScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyMiddleware.Header,
            Description = "An API key with scopes (`storefront`, `cart`, `feeds`, `orders`, `store-ops`, `admin`; `admin` passes every check). " +
                          "Each operation lists the scope it needs in its `security` and in `x-oms-scope`. Missing or unknown key: 401; " +
                          "a key without the scope: 403. Always on in cluster mode; off in the embedded development default (the log says so).",
        });
        document.AddComponent(SignatureScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = WebhookSignature.SignatureHeader,
            Description = "Standard Webhooks signature of a partner without an API key (a carrier): `v1,` + base64 HMAC-SHA256 of " +
                          "`{webhook-id}.{webhook-timestamp}.{body}` with one of the sender's configured `whsec_` secrets; several space-separated " +
                          "while it rotates, any one matching is enough. A timestamp more than 5 minutes from now, a malformed header, an unknown " +
                          "sender or no match: 401.",
        });
        document.AddComponent(WebhookId, SignatureHeader(WebhookSignature.IdHeader, "The sender's message id (the same on every retry).", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"));
        document.AddComponent(WebhookTimestamp, SignatureHeader(WebhookSignature.TimestampHeader, "When the sender signed, in Unix seconds: within 5 minutes of now.", "1764669600"));
        document.AddComponent(WebhookSignatureHeader, SignatureHeader(WebhookSignature.SignatureHeader,
            "`v1,<base64 HMAC-SHA256>`, space-separated when several.", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="));
        document.AddComponent(IdempotencyKey, new OpenApiParameter
        {
            Name = IdempotencyMiddleware.Header,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes a POST safe to retry (IETF Idempotency-Key draft): the same key and body answer the first status and body again " +
                          "(with `Idempotent-Replayed: true`) and take effect once; the same key with another body is 422 `conflict`; a retry while " +
                          "the first is still running is 409 `conflict`. Keys are scoped to the API key and kept at least 24 h; 5xx answers are not kept.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255, Pattern = "^[\\x20-\\x7E]+$" },
            Example = JsonValue.Create("3f0c1e9a-order-7781"),
        });
        document.AddComponent(RetryAfter, new OpenApiHeader
        {
            Description = "Seconds to wait before retrying.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
        });
        document.AddComponent(IdempotentReplayed, new OpenApiHeader
        {
            Description = "`true` when this answer is the stored answer of an earlier request with the same `Idempotency-Key`.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("true")] },
        });
    }

    private static OpenApiParameter SignatureHeader(string name, string description, string example) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1 },
        Example = JsonValue.Create(example),
    };

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details with the stable machine `code` of the API; validation problems add `errors` by field.",
        Required = new HashSet<string> { "status", "title", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                // Generated clients (Kiota) use it as the message of the exception they throw for a problem.
                Extensions = new Dictionary<string, IOpenApiExtension> { ["x-ms-primary-error-message"] = new JsonNodeExtension(JsonValue.Create(true)) },
            },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "Stable machine code; each response lists the codes it can carry.",
                Enum = [.. ProblemKinds.AllCodes.Select(c => (JsonNode)JsonValue.Create(c))],
            },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Validation messages by field (`lines[2].quantity`, `body`, a header name).",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            ["field"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The id at fault of a 404." },
            ["available"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "`insufficient_stock`: units available of the first short line." },
            ["lines"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Description = "`insufficient_stock`: every short line.",
                Items = new OpenApiSchemaReference(ProblemLine),
            },
            ["orderStatus"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "`invalid_state` of an order: its status." },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
        },
    };

    private static OpenApiSchema ProblemLineSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "sku", "requested", "available" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["sku"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["requested"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["available"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
        },
    };
}
