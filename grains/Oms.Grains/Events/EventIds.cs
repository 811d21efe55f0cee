using System.Security.Cryptography;

namespace Oms.Grains.Events;

/// <summary>Event ids: <c>evt_</c>, a random nonce of the write that raised the event, and the subject's sequence.</summary>
public static class EventIds
{
    public static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(6));

    public static string For(string nonce, long sequence) => $"evt_{nonce}_{sequence}";
}
