using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;

namespace Oms.Grains.Storage;

/// <summary>How long storage keeps what nothing needs any more (<c>Oms:Retention</c>, docs/decisions/0022).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Oms:Retention";

    /// <summary>How often the sweep runs (the first run is one minute after the sweep grain starts, or sooner).</summary>
    public TimeSpan SweepEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An Idempotency-Key's answer is replayed this long after completion, then deleted (API.md: at least 24 h).</summary>
    public TimeSpan IdempotencyKeys { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A cart with no lines, or whose holds expired, is deleted this long after its last write.</summary>
    public TimeSpan Carts { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A cleared state (a removed webhook subscription's delivery state) is deleted this long after the clear.</summary>
    public TimeSpan ClearedStates { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows deleted per transaction, so a big backlog never holds the (single SQLite) writer for long.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    public static void AddTo(IServiceCollection services) =>
        services.AddOptions<RetentionOptions>().BindConfiguration(Section).ValidateDataAnnotations()
            .Validate(o => o.SweepEvery > TimeSpan.Zero && o.IdempotencyKeys > TimeSpan.Zero && o.Carts > TimeSpan.Zero && o.ClearedStates > TimeSpan.Zero,
                "Oms:Retention periods must be positive")
            .ValidateOnStart();
}
