using System.Buffers;
using System.Text;
using System.Text.Json;
using Oms.GrainInterfaces.Events;

namespace Oms.Grains.Webhooks;

/// <summary>
/// The body of a delivery, pure: the event as <c>GET /v1/events</c> lists it (<c>{id, type, at, subject, sequence,
/// data}</c>), with <c>data</c> the very bytes the aggregate recorded.
/// </summary>
public static class WebhookPayload
{
    public static string Write(IntegrationEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + e.Data.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", e.Id);
            json.WriteString("type", e.Type);
            json.WriteString("at", e.At);
            json.WriteString("subject", e.Subject);
            json.WriteNumber("sequence", e.Sequence);
            json.WritePropertyName("data");
            json.WriteRawValue(e.Data, skipInputValidation: true);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
