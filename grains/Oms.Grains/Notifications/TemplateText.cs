using System.Text;

namespace Oms.Grains.Notifications;

/// <summary>
/// A template with <c>{{name}}</c> placeholders, parsed once: text and names, nothing else (no expressions, no
/// loops, so a channel's template cannot run anything). A name not in the allowed set, an unclosed or empty
/// <c>{{</c>, is an error at parse time, i.e. when the template is saved, never when a customer is due a message.
/// </summary>
public sealed class TemplateText
{
    private readonly (string Text, string? Name)[] _parts;

    private TemplateText((string, string?)[] parts) => _parts = parts;

    /// <summary>Parses <paramref name="template"/>; throws <see cref="FormatException"/> with the reason when it is not valid.</summary>
    public static TemplateText Parse(string template, IReadOnlySet<string> allowed) =>
        TryParse(template, allowed, out var parsed, out var error) ? parsed : throw new FormatException(error);

    public static bool TryParse(string template, IReadOnlySet<string> allowed, out TemplateText parsed, out string error)
    {
        var parts = new List<(string, string?)>();
        var at = 0;
        parsed = null!;
        while (at < template.Length)
        {
            var open = template.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((template[at..], null));
                break;
            }

            if (open > at) parts.Add((template[at..open], null));
            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{{{{' at {open} is not closed";
                return false;
            }

            var name = template[(open + 2)..close].Trim();
            if (!allowed.Contains(name))
            {
                error = name.Length == 0
                    ? $"empty placeholder at {open}"
                    : $"unknown placeholder '{{{{{name}}}}}' (allowed: {string.Join(", ", allowed.Order(StringComparer.Ordinal))})";
                return false;
            }

            parts.Add(("", name));
            at = close + 2;
        }

        parsed = new TemplateText([.. parts]);
        error = "";
        return true;
    }

    /// <summary>The text with each placeholder's value passed through <paramref name="encode"/> (HTML-encoding for an HTML body).</summary>
    public string Render(IReadOnlyDictionary<string, string> values, Func<string, string>? encode = null)
    {
        var text = new StringBuilder();
        foreach (var (literal, name) in _parts)
        {
            if (name is null) text.Append(literal);
            else
            {
                var value = values.GetValueOrDefault(name, "");
                text.Append(encode is null ? value : encode(value));
            }
        }

        return text.ToString();
    }
}
