using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Orders;
using Oms.Grains.Reference;

namespace Oms.Grains.Notifications;

/// <summary>
/// The customer-notification consumer (issue 11 item 5, docs/decisions/0019): the rules decide what an event tells,
/// the order claims it (never twice) and names the customer as held now, the sales channel's template (or the
/// built-in one) is rendered, e-mail or the SMS/push gateway sends it, and the order records the result on its timeline.
/// </summary>
public sealed partial class NotificationSender(
    IGrainFactory grains,
    ReferenceDataCache reference,
    SmtpEmailSender email,
    TextMessageSender text,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<NotificationSender> logger) : INotificationSender
{
    public const string NotNotifying = "not a notifying event";

    public async Task<NotificationOutcome> SendAsync(IntegrationEvent e, CancellationToken cancellationToken)
    {
        NotificationFacts? facts;
        try
        {
            facts = NotificationRules.Decide(e, options.Value.TrackingUrls);
        }
        catch (JsonException ex)
        {
            return new NotificationOutcome.Failed($"payload of {e.Type} cannot be read: {ex.Message}");
        }

        if (facts is null) return new NotificationOutcome.Skipped(NotNotifying);
        var kind = NotificationKinds.Name(facts.Kind);
        var order = grains.GetGrain<IOrderGrain>(facts.OrderId);
        var claim = await order.ClaimNotificationAsync(e.Id, kind, options.Value.ClaimLease);
        switch (claim.Status)
        {
            case NotificationClaimStatus.NoSuchOrder:
                return new NotificationOutcome.Skipped($"order {facts.OrderId} is not known");
            case NotificationClaimStatus.Erased:
                return new NotificationOutcome.Skipped(NotificationLedger.ErasedReason);
            case NotificationClaimStatus.Busy:
                return new NotificationOutcome.Retry("another attempt is sending it", claim.RetryAt - clock.GetUtcNow());
            case NotificationClaimStatus.Done:
                return claim.Record!.Status switch
                {
                    NotificationStatus.Sent => new NotificationOutcome.Sent(claim.Record.Channel!.Value, claim.Record.Detail, Repeated: true),
                    NotificationStatus.Failed => new NotificationOutcome.Failed(claim.Record.Detail),
                    _ => new NotificationOutcome.Skipped(claim.Record.Detail),
                };
        }

        var attempts = claim.Record!.Attempts;
        var customer = claim.Customer!;
        var choice = ChannelChoice.For(customer, options.Value.Configured());
        if (choice.Channel is not { } channel)
        {
            await order.RecordNotificationAsync(new NotificationRecord(e.Id, kind, NotificationStatus.Skipped, null, null, choice.SkipReason!, clock.GetUtcNow(), attempts));
            return new NotificationOutcome.Skipped(choice.SkipReason!);
        }

        var values = new Dictionary<string, string>(facts.Values, StringComparer.Ordinal) { ["customerId"] = customer.Id };
        var overrides = reference.Current.Channels.GetValueOrDefault(facts.SalesChannel)?.NotificationTemplates;
        var message = NotificationRenderer.Render(e.Id, facts with { Values = values }, NotificationTemplates.Resolve(overrides, facts.Kind, channel), choice.To!);
        var outcome = channel == NotificationChannel.Email
            ? await email.SendAsync(message, cancellationToken)
            : await text.SendAsync(message, cancellationToken);

        var masked = ChannelChoice.Mask(channel, choice.To!);
        var (status, detail) = outcome switch
        {
            NotificationOutcome.Sent s => (NotificationStatus.Sent, s.Detail),
            NotificationOutcome.Retry r => (NotificationStatus.Retrying, r.Error),
            NotificationOutcome.Failed f => (NotificationStatus.Failed, f.Error),
            _ => (NotificationStatus.Skipped, ((NotificationOutcome.Skipped)outcome).Reason),
        };
        // Recorded even when the caller gave up: the message may be out, and a result that is not recorded costs a second send.
        await order.RecordNotificationAsync(new NotificationRecord(e.Id, kind, status, channel, masked, detail, clock.GetUtcNow(), attempts));
        if (status != NotificationStatus.Sent) LogNotSent(e.Id, kind, channel, status, detail);
        return outcome is NotificationOutcome.Sent ? new NotificationOutcome.Sent(channel, $"{channel.ToString().ToLowerInvariant()} {kind} to {masked}") : outcome;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification of event {EventId} ({Kind}) by {Channel} not sent: {Status}, {Detail}")]
    private partial void LogNotSent(string eventId, string kind, NotificationChannel channel, NotificationStatus status, string detail);
}
