using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Oms.Gateway.Security;

namespace Oms.Gateway.OpenApi;

/// <summary>
/// Each operation's contract from its endpoint metadata: the scope it needs (<see cref="RequiresScope"/>), its
/// failures (its own <see cref="ProblemsMetadata"/> plus those its kind implies), the Idempotency-Key of a POST,
/// and its examples. The middleware that enforces each rule is named beside it.
/// </summary>
public sealed class ContractOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document;
        // A POST whose answer is a secret shown once is not kept for replay (SecretInResponse), so it takes no Idempotency-Key.
        // A POST signed by its sender (SignatureAuthenticated) is idempotent by the sender's event id and takes none either.
        var signed = metadata.OfType<SignatureAuthenticated>().LastOrDefault();
        var isPost = HttpMethods.IsPost(context.Description.HttpMethod ?? "") && !metadata.OfType<SecretInResponse>().Any() && signed is null;
        var scope = metadata.OfType<RequiresScope>().LastOrDefault()?.Scope;

        if (signed is null) DescribeSecurity(operation, document, scope);
        else DescribeSignature(operation, document, signed);
        if (isPost)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameterReference(ContractComponents.IdempotencyKey, document));
            foreach (var success in SuccessResponses(operation))
            {
                success.Headers ??= new Dictionary<string, IOpenApiHeader>();
                success.Headers["Idempotent-Replayed"] = new OpenApiHeaderReference(ContractComponents.IdempotentReplayed, document);
            }
        }

        var kinds = Failures(operation, metadata, isPost, scope);
        foreach (var status in kinds.GroupBy(k => k.Status).OrderBy(g => g.Key))
            (operation.Responses ??= [])[status.Key.ToString()] = ProblemResponse([.. status], document);

        if (metadata.OfType<ExampleMetadata>().LastOrDefault() is { } examples) AddExamples(operation, examples);
        return Task.CompletedTask;
    }

    /// <summary>ApiKeyMiddleware: every /v1 call needs a known key, and the endpoint's scope (or admin) when it names one.</summary>
    private static void DescribeSecurity(OpenApiOperation operation, OpenApiDocument? document, string? scope)
    {
        OpenApiSecurityRequirement Needs(params string[] scopes) => new() { [new OpenApiSecuritySchemeReference(ContractComponents.ApiKeyScheme, document)] = [.. scopes] };

        operation.Security = scope switch
        {
            null => [Needs()],
            Scopes.Admin => [Needs(Scopes.Admin)],
            _ => [Needs(scope), Needs(Scopes.Admin)],
        };
        var needs = scope is null ? "Needs any valid `X-Api-Key`." : $"Needs an `X-Api-Key` with the `{scope}` scope (or `admin`).";
        operation.Description = operation.Description is { Length: > 0 } d ? $"{d}\n\n{needs}" : needs;
        if (scope is not null)
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-oms-scope"] = new JsonNodeExtension(JsonValue.Create(scope));
        }
    }

    /// <summary>The handler verifies the sender's Standard Webhooks signature (WebhookVerification); no API key.</summary>
    private static void DescribeSignature(OpenApiOperation operation, OpenApiDocument? document, SignatureAuthenticated signed)
    {
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContractComponents.SignatureScheme, document)] = [] }];
        operation.Parameters ??= [];
        foreach (var header in ContractComponents.SignatureHeaders) operation.Parameters.Add(new OpenApiParameterReference(header, document));
        var needs = $"No API key: signed by the {signed.Sender} per Standard Webhooks with one of its `whsec_` secrets (`webhook-signature` over " +
                    "`{webhook-id}.{webhook-timestamp}.{body}`, the timestamp within 5 minutes of now).";
        operation.Description = operation.Description is { Length: > 0 } d ? $"{d}\n\n{needs}" : needs;
    }

    private static List<ProblemKind> Failures(OpenApiOperation operation, IList<object> metadata, bool isPost, string? scope)
    {
        var hasBody = operation.RequestBody is not null;
        var kinds = new List<ProblemKind>();
        // Validator and OmsExceptionHandler: path, query and body values; IdempotencyMiddleware: a malformed key.
        if (hasBody || isPost || operation.Parameters is { Count: > 0 }) kinds.Add(ProblemKinds.Validation);
        if (!metadata.OfType<SignatureAuthenticated>().Any()) kinds.Add(ProblemKinds.Unauthorized);
        if (scope is not null) kinds.Add(ProblemKinds.Forbidden);
        kinds.AddRange(metadata.OfType<ProblemsMetadata>().SelectMany(m => m.Kinds));
        if (isPost) kinds.AddRange([ProblemKinds.IdempotencyInProgress, ProblemKinds.IdempotencyMismatch]);
        if (hasBody) kinds.AddRange([ProblemKinds.PayloadTooLarge, ProblemKinds.UnsupportedMediaType]);
        if (metadata.OfType<EnableRateLimitingAttribute>().Any()) kinds.Add(ProblemKinds.RateLimited);
        kinds.Add(ProblemKinds.Unavailable);
        return [.. kinds.Distinct()];
    }

    private static OpenApiResponse ProblemResponse(IReadOnlyList<ProblemKind> kinds, OpenApiDocument? document)
    {
        var codes = kinds.Select(k => k.Code).Distinct().ToArray();
        var response = new OpenApiResponse
        {
            Description = "Problem (`application/problem+json`), `code`:\n" + string.Join("\n", kinds.Select(k => $"- `{k.Code}`: {k.Meaning}")),
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new()
                {
                    Schema = new OpenApiSchemaReference(ContractComponents.Problem, document),
                    Examples = kinds.ToDictionary(k => k.Name, k => (IOpenApiExample)new OpenApiExampleReference(k.Name, document)),
                },
            },
            Extensions = new Dictionary<string, IOpenApiExtension>
            {
                ["x-oms-problem-codes"] = new JsonNodeExtension(new JsonArray([.. codes.Select(c => (JsonNode)JsonValue.Create(c))])),
            },
        };
        if (kinds.Contains(ProblemKinds.RateLimited) || kinds.Contains(ProblemKinds.Unavailable))
            response.Headers = new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = new OpenApiHeaderReference(ContractComponents.RetryAfter, document) };
        return response;
    }

    private static void AddExamples(OpenApiOperation operation, ExampleMetadata examples)
    {
        if (examples.Request is { } request && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
            body.Example = JsonNode.Parse(request);
        if (examples.Response is { } answer && SuccessResponses(operation).FirstOrDefault()?.Content?.TryGetValue("application/json", out var ok) == true)
            ok.Example = JsonNode.Parse(answer);
    }

    private static IEnumerable<OpenApiResponse> SuccessResponses(OpenApiOperation operation) =>
        (operation.Responses ?? []).Where(r => r.Key.StartsWith('2')).Select(r => r.Value).OfType<OpenApiResponse>();
}
