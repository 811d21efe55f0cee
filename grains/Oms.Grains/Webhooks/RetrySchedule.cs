namespace Oms.Grains.Webhooks;

/// <summary>
/// When the next attempt of a failed delivery goes, pure: the configured schedule (Standard Webhooks: at once, 5 s,
/// 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) with up to ±<see cref="JitterFraction"/> of jitter, a receiver's
/// <c>Retry-After</c> when it asks for longer, and null once the schedule is spent (dead letter).
/// </summary>
public static class RetrySchedule
{
    public const double JitterFraction = 0.2;

    public static readonly TimeSpan[] Standard =
    [
        TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <param name="attempts">Attempts made so far (1 after the first failure).</param>
    /// <param name="jitter">A random number in [0, 1).</param>
    public static DateTimeOffset? Next(IReadOnlyList<TimeSpan> schedule, int attempts, DateTimeOffset now, double jitter, TimeSpan? retryAfter = null)
    {
        if (attempts >= schedule.Count) return null;
        var wait = schedule[attempts];
        wait += wait * (JitterFraction * (2 * jitter - 1));
        if (retryAfter is { } asked && asked > wait) wait = asked;
        return now + wait;
    }

    /// <summary>What only a 2xx is: success; 410 disables the subscription; 429 and 503 may say when to come back.</summary>
    public static DeliveryVerdict Judge(int? statusCode) => statusCode switch
    {
        >= 200 and < 300 => DeliveryVerdict.Succeeded,
        410 => DeliveryVerdict.Gone,
        _ => DeliveryVerdict.Retry,
    };

    /// <summary>A <c>Retry-After</c> value (seconds or an HTTP date) as a wait, capped at <paramref name="max"/>; null if absent or unreadable.</summary>
    public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now, TimeSpan max)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        TimeSpan wait;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, null, out var seconds)) wait = TimeSpan.FromSeconds(seconds);
        else if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)) wait = at - now;
        else return null;
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        return wait > max ? max : wait;
    }
}
