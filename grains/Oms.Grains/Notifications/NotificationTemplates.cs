using Oms.GrainInterfaces.Notifications;

namespace Oms.Grains.Notifications;

/// <summary>A sales channel's template overrides: checked when the channel is saved, and the one used for a kind and channel.</summary>
public static class NotificationTemplates
{
    public const int MaxLength = 20_000;

    /// <summary>The channel's override for <paramref name="kind"/> on <paramref name="channel"/>, else the built-in one.</summary>
    public static NotificationTemplate Resolve(IEnumerable<NotificationTemplate>? overrides, NotificationKind kind, NotificationChannel channel) =>
        overrides?.FirstOrDefault(t => t.Kind == NotificationKinds.Name(kind) && t.Channel == channel) ?? DefaultTemplates.For(kind, channel);

    /// <summary>
    /// What is wrong with <paramref name="templates"/>, as (field under <paramref name="field"/>, message): an unknown
    /// kind, two for the same kind and channel, a missing text (and subject, for e-mail), HTML on a text channel, an
    /// unknown placeholder or a bad <c>{{</c>, or a text over <see cref="MaxLength"/>.
    /// </summary>
    public static IEnumerable<(string Field, string Message)> Validate(IReadOnlyList<NotificationTemplate> templates, string field)
    {
        var seen = new HashSet<(string, NotificationChannel)>();
        for (var i = 0; i < templates.Count; i++)
        {
            var t = templates[i];
            var at = $"{field}[{i}]";
            if (!NotificationKinds.TryParse(t.Kind, out var kind))
            {
                yield return ($"{at}.kind", $"must be one of {string.Join(", ", NotificationKinds.All.Select(NotificationKinds.Name))}");
                continue;
            }

            if (!seen.Add((t.Kind, t.Channel))) yield return (at, $"a second template for {t.Kind} on {t.Channel.ToString().ToLowerInvariant()}");
            var allowed = NotificationKinds.Placeholders(kind);
            foreach (var (name, text, required) in new[] { ("text", t.Text, true), ("subject", t.Subject, t.Channel == NotificationChannel.Email), ("html", t.Html, false) })
            {
                if (string.IsNullOrWhiteSpace(text))
                {
                    if (required) yield return ($"{at}.{name}", "is required");
                    continue;
                }

                if (t.Channel != NotificationChannel.Email && name != "text") yield return ($"{at}.{name}", "only e-mail templates have one");
                else if (text.Length > MaxLength) yield return ($"{at}.{name}", $"is longer than {MaxLength} characters");
                else if (!TemplateText.TryParse(text, allowed, out _, out var error)) yield return ($"{at}.{name}", error);
            }
        }
    }
}
