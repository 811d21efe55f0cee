namespace Oms.Gateway.Security;

/// <summary>Bound from "Oms:Auth". Auth is on when <see cref="Enabled"/> (always in cluster mode).</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Oms:Auth";

    public bool Enabled { get; set; }

    public List<ApiKey> Keys { get; set; } = [];

    /// <summary>How long the old secret of a rotated key keeps working when the rotation does not say.</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);
}
