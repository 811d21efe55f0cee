using System.Security.Cryptography;
using System.Text;

namespace Oms.Grains.Webhooks;

/// <summary>
/// The signature headers of one delivery, pure: Standard Webhooks' <c>webhook-signature</c> (<c>v1,</c> + base64
/// HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c>, one per live secret, space-separated) and <c>X-Signature</c>
/// (<c>sha256=</c> + hex HMAC-SHA256 of the body with the current secret).
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string BodySignatureHeader = "X-Signature";

    /// <summary><paramref name="secrets"/>: the current secret first, then any still inside a rotation's overlap.</summary>
    public static string Standard(string id, long timestamp, string body, IEnumerable<string> secrets) =>
        string.Join(' ', secrets.Select(s => "v1," + Convert.ToBase64String(StandardMac(Key(s), id, timestamp, Encoding.UTF8.GetBytes(body)))));

    public static string Body(string body, string secret) => "sha256=" + Convert.ToHexStringLower(Hmac(secret, body));

    /// <summary>The raw HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c> with the key bytes of a secret, over the body's exact bytes.</summary>
    public static byte[] StandardMac(ReadOnlySpan<byte> key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, content);
    }

    private static byte[] Hmac(string secret, string content) => HMACSHA256.HashData(Key(secret), Encoding.UTF8.GetBytes(content));

    private static byte[] Key(string secret) =>
        WebhookSecrets.TryDecode(secret, out var key) ? key : throw new ArgumentException("not a whsec_ secret", nameof(secret));
}
