namespace Oms.Grains.Events;

/// <summary>Event ids: <c>evt_</c>, a <see cref="Nonce"/> of the write that raised the event, and the subject's sequence.</summary>
public static class EventIds
{
    public static string For(string nonce, long sequence) => $"evt_{nonce}_{sequence}";
}
