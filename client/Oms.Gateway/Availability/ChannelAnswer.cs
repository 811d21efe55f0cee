using System.Text.Json;
using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Reference;
using Oms.Grains.Availability;

namespace Oms.Gateway.Availability;

/// <summary>
/// One channel's answer for one SKU, valid while both its <see cref="Copy"/> and its <see cref="Reference"/> data are
/// the current ones; its JSON is serialised once, on first use, with the API's own serializer options.
/// </summary>
public sealed class ChannelAnswer(SkuCopy copy, ReferenceSnapshot reference, SkuAvailability answer, JsonSerializerOptions options)
{
    private byte[]? _json;

    public SkuCopy Copy { get; } = copy;

    public ReferenceSnapshot Reference { get; } = reference;

    public SkuAvailability Answer { get; } = answer;

    /// <summary>The answer as the API writes it (UTF-8 JSON); a race computes it twice, never differently.</summary>
    public byte[] Json => _json ??= JsonSerializer.SerializeToUtf8Bytes(Answer, options);
}
