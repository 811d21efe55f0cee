using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Notifications;
using NC = Oms.GrainInterfaces.Notifications.NotificationChannel;

namespace Oms.Domain.Tests;

/// <summary>Which channel and address a customer gets: preference, fallback to e-mail, opt-out, nothing to reach.</summary>
public sealed class ChannelChoiceTests
{
    private static readonly HashSet<NC> All = [NC.Email, NC.Sms, NC.Push];
    private static readonly HashSet<NC> EmailOnly = [NC.Email];
    private static readonly HashSet<NC> SmsOnly = [NC.Sms];

    public static TheoryData<string, Customer, HashSet<NC>, NC?, string?> Rows => new()
    {
        { "no preference: e-mail", new("c1", null, "a@x.io"), All, NC.Email, "a@x.io" },
        { "prefers sms", new("c1", null, "a@x.io", "+447700900123", new(NC.Sms, false)), All, NC.Sms, "+447700900123" },
        { "prefers push: to the customer id", new("c1", null, null, null, new(NC.Push, false)), All, NC.Push, "c1" },
        { "prefers sms, no sms sender: e-mail", new("c1", null, "a@x.io", "+447700900123", new(NC.Sms, false)), EmailOnly, NC.Email, "a@x.io" },
        { "prefers sms, no phone: e-mail", new("c1", null, "a@x.io", null, new(NC.Sms, false)), All, NC.Email, "a@x.io" },
        { "opted out", new("c1", null, "a@x.io", "+447700900123", new(NC.Sms, true)), All, null, ChannelChoice.OptedOut },
        { "opted out without a channel", new("c1", null, "a@x.io", null, new(null, true)), All, null, ChannelChoice.OptedOut },
        { "no e-mail, no preference", new("c1", null, null), All, null, ChannelChoice.NoAddress },
        { "e-mail, no smtp", new("c1", null, "a@x.io"), SmsOnly, null, ChannelChoice.NoAddress },
        { "empty e-mail", new("c1", null, ""), All, null, ChannelChoice.NoAddress },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_customer_gets_their_channel(string _, Customer customer, HashSet<NC> configured, NC? channel, string? toOrReason)
    {
        var choice = ChannelChoice.For(customer, configured);

        Assert.Equal(channel, choice.Channel);
        Assert.Equal(toOrReason, channel is null ? choice.SkipReason : choice.To);
    }

    [Theory]
    [InlineData(NC.Email, "ann@example.com", "a***@example.com")]
    [InlineData(NC.Sms, "+447700900123", "***23")]
    [InlineData(NC.Push, "c1", "c1")]
    [InlineData(NC.Email, "broken", "***")]
    public void A_timeline_shows_the_address_masked(NC channel, string to, string masked) => Assert.Equal(masked, ChannelChoice.Mask(channel, to));
}
