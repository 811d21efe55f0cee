using System.Text.Json;
using Oms.GrainInterfaces.Events;

namespace Oms.Gateway.Events;

/// <summary>One event as the feed lists it and webhooks deliver it; <see cref="Data"/> is the recorded payload.</summary>
public sealed record EventItem(string Id, string Type, DateTimeOffset At, string Subject, long Sequence, JsonElement Data)
{
    public static EventItem From(IntegrationEvent e)
    {
        using var data = JsonDocument.Parse(e.Data);
        return new(e.Id, e.Type, e.At, e.Subject, e.Sequence, data.RootElement.Clone());
    }
}
