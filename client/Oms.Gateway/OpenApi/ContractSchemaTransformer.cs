using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Oms.Gateway.OpenApi;

/// <summary>
/// Makes the generated schemas say what the serializer does. Nulls are never written
/// (<c>JsonIgnoreCondition.WhenWritingNull</c>) and nullable request fields may be left out (the Validator decides
/// what is required, with a 400 naming the field), so a nullable property is not <c>required</c>. Times go through
/// our RFC 3339 converter and enums through a snake_case converter, which hides their JSON type from the generator.
/// </summary>
public sealed class ContractSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is null && schema.Format == "date-time")
            schema.Type = IsNullable(context.JsonPropertyInfo) ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;

        // An enum used only as nullable gets a null member; the property's oneOf [null, enum] already says it may be null.
        if (schema.Type is null && schema.Enum is { Count: > 0 } values && values.All(v => v is null || v.GetValueKind() == JsonValueKind.String))
        {
            schema.Type = JsonSchemaType.String;
            schema.Enum = [.. values.Where(v => v is not null)];
        }

        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && schema.Required is { Count: > 0 } required)
            foreach (var property in context.JsonTypeInfo.Properties.Where(IsNullable))
                required.Remove(property.Name);
        return Task.CompletedTask;
    }

    private static bool IsNullable(JsonPropertyInfo? property) =>
        property is not null && (Nullable.GetUnderlyingType(property.PropertyType) is not null || (!property.PropertyType.IsValueType && property.IsGetNullable));
}
