using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Oms.Gateway.Webhooks;
using Oms.GrainInterfaces.Events;

namespace Oms.Gateway.OpenApi;

/// <summary>
/// What we send, in the document's OpenAPI 3.1 <c>webhooks</c>: one operation per event type, the POST a subscriber
/// receives, with the envelope (<c>{id, type, at, subject, sequence, data}</c>, the same as a <c>GET /v1/events</c>
/// item) and the payload schema of its <c>data</c>, and the Standard Webhooks headers that sign it.
/// </summary>
public sealed class EventWebhooksTransformer : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, Type> PayloadPrefixes = new(StringComparer.Ordinal)
    {
        ["order."] = typeof(OrderEventData),
        ["fulfilment."] = typeof(FulfilmentEventData),
        ["return."] = typeof(ReturnEventData),
        ["escalation."] = typeof(EscalationEventData),
        ["payment."] = typeof(PaymentEventData),
        ["stock."] = typeof(StockEventData),
        ["webhook."] = typeof(WebhookTestData),
    };

    /// <summary>The payload type of an event type's <c>data</c>.</summary>
    public static Type PayloadOf(string eventType) =>
        PayloadPrefixes.First(p => eventType.StartsWith(p.Key, StringComparison.Ordinal)).Value;

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var type in PayloadPrefixes.Values.Distinct())
        {
            if (document.Components?.Schemas?.ContainsKey(type.Name) == true) continue;
            document.AddComponent(type.Name, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
        }

        document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
        foreach (var eventType in EventTypes.All)
        {
            var payload = PayloadOf(eventType);
            var operation = new OpenApiOperation
            {
                OperationId = "on_" + eventType.Replace('.', '_'),
                Summary = $"`{eventType}`, delivered to a subscription that names it",
                Description = "One event per request, signed (Standard Webhooks and `X-Signature`); only a 2xx acknowledges it, a 410 disables " +
                              "the subscription, anything else is retried with the same `webhook-id`.",
                Tags = new HashSet<OpenApiTagReference> { new(ApiTags.Webhooks, document) },
                Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContractComponents.SignatureScheme, document)] = [] }],
                Parameters = [.. ContractComponents.SignatureHeaders.Select(h => (IOpenApiParameter)new OpenApiParameterReference(h, document))],
                RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = Envelope(eventType, new OpenApiSchemaReference(payload.Name, document)) },
                    },
                },
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse { Description = "Received (any 2xx)." },
                    ["410"] = new OpenApiResponse { Description = "Gone: the subscription is disabled until it is put again with `enabled: true`." },
                },
            };
            document.Webhooks[eventType] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = operation } };
        }
    }

    private static OpenApiSchema Envelope(string eventType, IOpenApiSchema data) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "id", "type", "at", "subject", "sequence", "data" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The event id, also `webhook-id`: the same on every retry and replay." },
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = eventType },
            ["at"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
            ["subject"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "`order:{orderId}`, `stock:{sku}:{channel}` or `webhook:{id}`." },
            ["sequence"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Description = "Counts the subject's events from 1: order them, see a gap." },
            ["data"] = data,
        },
    };
}
