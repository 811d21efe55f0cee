using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.Grains.Notifications;

/// <summary>Where one notification goes: a channel and an address, or why nothing is sent.</summary>
public sealed record ChannelChoice(NotificationChannel? Channel, string? To, string? SkipReason)
{
    public const string OptedOut = "customer opted out";
    public const string NoAddress = "no address to send to";

    /// <summary>
    /// The customer's preferred channel when it can reach them (SMS needs a phone number, SMS and push need their
    /// sender configured: <paramref name="configured"/>); otherwise e-mail; nothing when they opted out or no channel
    /// has an address. Push goes to the customer id: the push service knows their devices.
    /// </summary>
    public static ChannelChoice For(Customer customer, IReadOnlySet<NotificationChannel> configured)
    {
        if (customer.Notifications is { OptOut: true }) return Skip(OptedOut);
        var preferred = customer.Notifications?.Channel ?? NotificationChannel.Email;
        if (configured.Contains(preferred) && Address(customer, preferred) is { } to) return new(preferred, to, null);
        return configured.Contains(NotificationChannel.Email) && customer.Email is { Length: > 0 } email
            ? new(NotificationChannel.Email, email, null)
            : Skip(NoAddress);
    }

    /// <summary>An address for a timeline: enough to recognise it, not to read it (<c>a***@example.com</c>, <c>***89</c>).</summary>
    public static string Mask(NotificationChannel channel, string to) => channel switch
    {
        NotificationChannel.Email when to.IndexOf('@') is > 0 and var at => $"{to[0]}***{to[at..]}",
        NotificationChannel.Sms when to.Length > 2 => "***" + to[^2..],
        NotificationChannel.Push => to,
        _ => "***",
    };

    private static string? Address(Customer customer, NotificationChannel channel) => channel switch
    {
        NotificationChannel.Email => customer.Email is { Length: > 0 } e ? e : null,
        NotificationChannel.Sms => customer.Phone is { Length: > 0 } p ? p : null,
        NotificationChannel.Push => customer.Id,
        _ => null,
    };

    private static ChannelChoice Skip(string reason) => new(null, null, reason);
}
