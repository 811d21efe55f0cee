using Oms.GrainInterfaces.Webhooks;

namespace Oms.Grains.Webhooks;

/// <summary>
/// The rules of subscriptions, pure: put (keeping or replacing the secret), rotate with an overlap, disable, remove,
/// and which secrets sign at a given time (each change bumps the set's version).
/// </summary>
public static class WebhookRules
{
    /// <summary>The secrets that sign at <paramref name="now"/>, the current one first (it also signs <c>X-Signature</c>).</summary>
    public static string[] SigningSecrets(WebhookSubscription subscription, DateTimeOffset now) =>
        [.. subscription.Secrets.Where(s => s.ExpiresAt is not { } e || now < e).Reverse().Select(s => s.Secret)];

    /// <summary>
    /// An existing subscription keeps its creation time and, when the put names no secret, its secrets; a new one
    /// without a secret takes <paramref name="generated"/>.
    /// </summary>
    public static WebhookChange Put(WebhookSet set, WebhookSubscription subscription, WebhookSecret generated)
    {
        set.Subscriptions.TryGetValue(subscription.Id, out var existing);
        var usesGenerated = subscription.Secrets.Length == 0 && existing is null;
        var secrets = subscription.Secrets.Length > 0 ? subscription.Secrets : existing?.Secrets ?? [generated];
        var put = subscription with
        {
            Secrets = secrets,
            CreatedAt = existing?.CreatedAt ?? subscription.CreatedAt,
            DisabledReason = subscription.Enabled ? null : existing?.DisabledReason,
        };
        return Changed(set, put, usesGenerated);
    }

    /// <summary>The secrets it had keep signing until <paramref name="previousExpireAt"/> (or their own, earlier, expiry); expired ones are dropped.</summary>
    public static WebhookChange RotateSecret(WebhookSet set, string id, WebhookSecret secret, DateTimeOffset previousExpireAt)
    {
        if (!set.Subscriptions.TryGetValue(id, out var subscription)) return new WebhookChange(false, set);
        var previous = subscription.Secrets
            .Where(s => s.ExpiresAt is not { } e || e > secret.CreatedAt)
            .Select(s => s with { ExpiresAt = s.ExpiresAt is { } e && e < previousExpireAt ? e : previousExpireAt })
            .Where(s => s.ExpiresAt > secret.CreatedAt);
        return Changed(set, subscription with { Secrets = [.. previous, secret], UpdatedAt = secret.CreatedAt }, false);
    }

    public static WebhookChange Disable(WebhookSet set, string id, string reason, DateTimeOffset at)
    {
        if (!set.Subscriptions.TryGetValue(id, out var subscription)) return new WebhookChange(false, set);
        if (!subscription.Enabled) return new WebhookChange(true, set, subscription);
        return Changed(set, subscription with { Enabled = false, DisabledReason = reason, UpdatedAt = at }, false);
    }

    public static WebhookChange Remove(WebhookSet set, string id)
    {
        if (!set.Subscriptions.TryGetValue(id, out var subscription)) return new WebhookChange(false, set);
        var rest = new Dictionary<string, WebhookSubscription>(set.Subscriptions);
        rest.Remove(id);
        return new WebhookChange(true, new WebhookSet(set.Version + 1, rest), subscription);
    }

    private static WebhookChange Changed(WebhookSet set, WebhookSubscription subscription, bool generated) =>
        new(true, new WebhookSet(set.Version + 1, new Dictionary<string, WebhookSubscription>(set.Subscriptions) { [subscription.Id] = subscription }),
            subscription, generated);
}
