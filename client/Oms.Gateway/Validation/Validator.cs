using System.Text.RegularExpressions;

namespace Oms.Gateway.Validation;

/// <summary>Collects field errors at the edge; the answer names every field at fault at once.</summary>
public sealed partial class Validator
{
    public const int MaxQuantity = 1_000_000;

    private readonly Dictionary<string, List<string>> _errors = [];

    public bool IsValid => _errors.Count == 0;

    public ProblemHttpResult Problem() => Problems.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

    /// <summary>The errors as one line, for places that report a row rather than a request.</summary>
    public string Describe() => string.Join("; ", _errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));

    public static bool IsId(string? value) => value is not null && IdPattern().IsMatch(value);

    public Validator Id(string field, string? value, bool required = true)
    {
        if (value is null) return required ? Add(field, "is required") : this;
        return IsId(value) ? this : Add(field, "must be 1-64 characters of A-Z a-z 0-9 . _ : -");
    }

    public Validator Ids(string field, string[]? values)
    {
        if (values is null) return this;
        for (var i = 0; i < values.Length; i++) Id($"{field}[{i}]", values[i]);
        return this;
    }

    public Validator Quantity(string field, int? value, bool required = true) =>
        Range(field, value, 0, MaxQuantity, required);

    public Validator Delta(string field, int? value) => Range(field, value, -MaxQuantity, MaxQuantity, required: true);

    public Validator Range(string field, int? value, int min, int max, bool required = true)
    {
        if (value is null) return required ? Add(field, "is required") : this;
        return value < min || value > max ? Add(field, $"must be between {min} and {max}") : this;
    }

    public Validator Range(string field, double? value, double min, double max, bool required = true)
    {
        if (value is null) return required ? Add(field, "is required") : this;
        return double.IsNaN(value.Value) || value < min || value > max ? Add(field, $"must be between {min} and {max}") : this;
    }

    public Validator Required(string field, object? value) => value is null ? Add(field, "is required") : this;

    public Validator Text(string field, string? value, int maxLength = 200, bool required = true)
    {
        if (value is null) return required ? Add(field, "is required") : this;
        if (string.IsNullOrWhiteSpace(value)) return Add(field, "must not be empty");
        return value.Length > maxLength ? Add(field, $"must be at most {maxLength} characters") : this;
    }

    public Validator Quantities(string field, Dictionary<string, int>? values)
    {
        if (values is null) return this;
        foreach (var (key, value) in values)
        {
            Id($"{field}.{key}", key);
            Quantity($"{field}.{key}", value);
        }

        return this;
    }

    public Validator Check(bool ok, string field, string message) => ok ? this : Add(field, message);

    /// <summary>A feed level's <c>asOf</c> not further ahead of <paramref name="now"/> than <paramref name="maxSkew"/> (<see cref="Oms.Grains.Inventory.FeedClock"/>).</summary>
    public Validator AsOfWithinSkew(DateTimeOffset? asOf, DateTimeOffset now, TimeSpan maxSkew) =>
        asOf is { } at ? Check(!Oms.Grains.Inventory.FeedClock.IsTooFarAhead(at, now, maxSkew), "asOf", Oms.Grains.Inventory.FeedClock.Describe(maxSkew)) : this;

    public Validator Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex IdPattern();
}
