using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oms.Grains.Events;

/// <summary>
/// How event payloads are written: the gateway's JSON conventions (camelCase, enums as snake_case strings), once, by
/// the aggregate, so webhooks and the feed send the very bytes that were recorded.
/// </summary>
public static class EventJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write<T>(T data) => JsonSerializer.Serialize(data, Options);
}
