using System.Buffers;
using System.Text.Json;

namespace Oms.Gateway.Availability;

/// <summary>
/// A whole-channel basket answer (<see cref="AvailabilityQueryResponse"/>) written from the SKUs' kept answers: their
/// bytes are copied in as they are, not serialised again (docs/decisions/0023). The same JSON the serializer writes.
/// </summary>
public static class QueryAnswerJson
{
    public static byte[] Write(string channel, IReadOnlyList<ChannelAnswer> answers, JsonSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + answers.Count * 320);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString(Name(options, nameof(AvailabilityQueryResponse.Channel)), channel);
            writer.WriteStartArray(Name(options, nameof(AvailabilityQueryResponse.Items)));
            foreach (var answer in answers) writer.WriteRawValue(answer.Json, skipInputValidation: true);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Name(JsonSerializerOptions options, string property) => options.PropertyNamingPolicy?.ConvertName(property) ?? property;
}
