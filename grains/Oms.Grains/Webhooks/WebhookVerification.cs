using System.Globalization;
using System.Security.Cryptography;

namespace Oms.Grains.Webhooks;

/// <summary>Why a signed request was refused, or that it was not.</summary>
public enum WebhookVerdict
{
    Valid,
    /// <summary>A header is missing or not in the Standard Webhooks form.</summary>
    Malformed,
    /// <summary>The timestamp is further from now than the tolerance, either way (a replay, or a skewed clock).</summary>
    OutsideTolerance,
    /// <summary>No configured secret (there may be none: an unknown sender) produced any of the signatures.</summary>
    NoMatch,
}

/// <summary>
/// Verifies a Standard Webhooks request we receive (a carrier's tracking event), pure: <c>webhook-id</c>,
/// <c>webhook-timestamp</c> (Unix seconds within <see cref="Tolerance"/> of now, both ways) and
/// <c>webhook-signature</c> (space-separated <c>v1,&lt;base64&gt;</c>, one per secret the sender signs with while it
/// rotates). Valid when any signature is the HMAC of <c>{id}.{timestamp}.{body}</c> over the body's exact bytes with
/// any of the sender's secrets, compared in constant time.
/// </summary>
public static class WebhookVerification
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Longest <c>webhook-id</c> taken; Standard Webhooks ids are short.</summary>
    public const int MaxIdLength = 256;

    /// <summary>At most this many signatures are tried, so a header cannot make us compute without bound.</summary>
    public const int MaxSignatures = 10;

    private const int MacBytes = 32;

    public static WebhookVerdict Verify(
        string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || id.Any(c => c < 0x21 || c > 0x7e)) return WebhookVerdict.Malformed;
        if (timestamp is null || timestamp.Length is 0 or > 12 || !timestamp.All(char.IsAsciiDigit)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return WebhookVerdict.Malformed;
        if (Macs(signatures) is not { Count: > 0 } macs) return WebhookVerdict.Malformed;
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)Tolerance.TotalSeconds) return WebhookVerdict.OutsideTolerance;

        var match = false;
        foreach (var secret in secrets)
        {
            if (!WebhookSecrets.TryDecode(secret, out var key)) continue;
            var expected = WebhookSignature.StandardMac(key, id, seconds, body);
            // Every pair is compared, so the time taken says nothing about which one (if any) matched.
            foreach (var mac in macs) match |= CryptographicOperations.FixedTimeEquals(expected, mac);
        }

        return match ? WebhookVerdict.Valid : WebhookVerdict.NoMatch;
    }

    /// <summary>The <c>v1</c> MACs of the header; null when it is missing or any part is malformed. Other versions are skipped.</summary>
    private static List<byte[]>? Macs(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        var parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > MaxSignatures) return null;
        var macs = new List<byte[]>();
        foreach (var part in parts)
        {
            var comma = part.IndexOf(',');
            if (comma <= 0) return null;
            if (part[..comma] != "v1") continue;
            var mac = new byte[MacBytes + 3];
            if (!Convert.TryFromBase64String(part[(comma + 1)..], mac, out var written) || written != MacBytes) return null;
            macs.Add(mac[..MacBytes]);
        }

        return macs;
    }
}
