namespace Oms.Gateway.OpenApi;

public static class OpenApiContract
{
    /// <summary>
    /// The served <c>/openapi/v1.json</c>: only the /v1 API (not the dashboard, health, metrics or pages), each
    /// operation with its scope, failures, idempotency header and examples.
    /// </summary>
    public static IServiceCollection AddOmsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer<ContractDocumentTransformer>();
            o.AddDocumentTransformer<EventWebhooksTransformer>();
            o.AddOperationTransformer<ContractOperationTransformer>();
            o.AddSchemaTransformer<ContractSchemaTransformer>();
        });
}
