using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Oms.Gateway.OpenApi;

/// <summary>The document as a whole: what it is, where it is served, its tags and its shared components.</summary>
public sealed class ContractDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Oms.Orleans gateway API",
            Version = "v1",
            Description = "The availability master and order management HTTP API. JSON, camelCase, RFC 3339 UTC times. Every failure is " +
                          "`application/problem+json` with a stable `code`; every POST takes an `Idempotency-Key`; every operation needs an " +
                          "`X-Api-Key` with the scope it names.",
        };
        // Relative: the API is at the origin that served this document, whatever host or port that is.
        document.Servers = [new OpenApiServer { Url = "/" }];
        document.Tags = new HashSet<OpenApiTag>(ApiTags.Descriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
        ContractComponents.AddTo(document);
        return Task.CompletedTask;
    }
}
