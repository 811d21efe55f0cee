using System.Security.Cryptography;
using System.Text;
using Oms.GrainInterfaces.Security;

namespace Oms.Grains.Security;

/// <summary>
/// Issued keys and their hashes. A key is <c>omsk_{id}_{secret}</c>: the id finds the record without a scan, the
/// secret is 32 random bytes (256 bits, base64url). A secret that random cannot be guessed or found in a
/// dictionary, so one SHA-256 over a per-secret salt and the secret is enough; a slow password hash (PBKDF2,
/// Argon2) protects low-entropy passwords and would only cost CPU on every request here (ADR 13).
/// </summary>
public static class ApiKeySecrets
{
    public const string Prefix = "omsk_";
    private const int SecretBytes = 32;
    private const int SaltBytes = 16;
    private const int IdBytes = 6;

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));

    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Format(string id, string secret) => $"{Prefix}{id}_{secret}";

    /// <summary>Splits a presented key; false for anything that is not an issued key's shape (e.g. a configured key).</summary>
    public static bool TryParse(string presented, out string id, out string secret)
    {
        id = secret = "";
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = presented.AsSpan(Prefix.Length);
        var at = rest.IndexOf('_');
        if (at != IdBytes * 2 || rest.Length - at - 1 < 1) return false;
        id = rest[..at].ToString();
        secret = rest[(at + 1)..].ToString();
        return true;
    }

    public static ApiKeySecretHash Hash(string secret, DateTimeOffset createdAt)
    {
        var salt = Base64Url(RandomNumberGenerator.GetBytes(SaltBytes));
        return new ApiKeySecretHash(salt, HashWith(salt, secret), createdAt);
    }

    public static string HashWith(string salt, string secret) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(salt, ":", secret))));

    /// <summary>Compares in constant time, so the answer's timing says nothing about how much of a hash matched.</summary>
    public static bool Matches(ApiKeySecretHash stored, string secret) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.Hash), Encoding.ASCII.GetBytes(HashWith(stored.Salt, secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
