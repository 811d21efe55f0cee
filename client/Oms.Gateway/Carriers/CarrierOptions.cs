using Oms.Grains.Webhooks;

namespace Oms.Gateway.Carriers;

/// <summary>
/// The carriers that may report tracking events, by the id in their path (<c>Oms:Carriers:{carrier}:Secrets</c>, any
/// case): each signs with one of its <c>whsec_</c> secrets, several while it rotates.
/// </summary>
public sealed class CarrierOptions
{
    public const string Section = "Oms";

    public Dictionary<string, CarrierSettings> Carriers { get; set; } = [];

    /// <summary>The carrier's secrets; empty for a carrier that is not configured.</summary>
    public IReadOnlyList<string> SecretsOf(string carrier) =>
        Carriers.FirstOrDefault(c => string.Equals(c.Key, carrier, StringComparison.OrdinalIgnoreCase)).Value?.Secrets ?? [];

    public bool Valid => Carriers.All(c => c.Value.Secrets.Length > 0 && c.Value.Secrets.All(s => WebhookSecrets.TryDecode(s, out _)));
}

public sealed class CarrierSettings
{
    public string[] Secrets { get; set; } = [];
}
