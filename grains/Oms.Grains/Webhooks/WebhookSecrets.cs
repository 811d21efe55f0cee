using System.Security.Cryptography;

namespace Oms.Grains.Webhooks;

/// <summary>
/// Standard Webhooks secrets: <c>whsec_</c> + base64 of 24 to 64 random bytes. They sign, so they are stored as they
/// are (docs/decisions/0016), unlike API keys.
/// </summary>
public static class WebhookSecrets
{
    public const string Prefix = "whsec_";
    public const int GeneratedBytes = 32;
    public const int MinBytes = 24;
    public const int MaxBytes = 64;

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedBytes));

    /// <summary>The key bytes of a well-formed secret: the prefix, then base64 of <see cref="MinBytes"/> to <see cref="MaxBytes"/> bytes.</summary>
    public static bool TryDecode(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var text = secret.AsSpan(Prefix.Length);
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64Chars(text, buffer, out var written) || written is < MinBytes or > MaxBytes) return false;
        key = buffer[..written];
        return true;
    }
}
