using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;

namespace Oms.Grains.Webhooks;

/// <summary>Webhook delivery, bound from "Oms:Webhooks"; read by the gateway (URL check, rotation) and the silo (delivery).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Oms:Webhooks";

    /// <summary>What the embedded (development) mode allows when the operator names no hosts.</summary>
    public static readonly string[] Loopback = ["127.0.0.1", "localhost"];

    /// <summary>Hosts a webhook may reach although they are private, loopback or link-local; null = none (cluster) or loopback (embedded).</summary>
    public string[]? AllowedHosts { get; set; }

    /// <summary>How long the old secret still signs after a rotation that does not say.</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>One attempt's limit.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Waits before each attempt (the first is usually zero); null = Standard Webhooks' schedule. Tests shorten it.</summary>
    public TimeSpan[]? RetrySchedule { get; set; }

    /// <summary>The longest <c>Retry-After</c> honoured.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Subjects of one subscription are hashed into this many lanes; a failing subject blocks only its lane.</summary>
    [Range(1, 64)]
    public int Lanes { get; set; } = 8;

    /// <summary>Finished deliveries (succeeded or dead) kept per subscription for the delivery log; older ones are dropped.</summary>
    [Range(1, 10_000)]
    public int DeliveryLogSize { get; set; } = 200;

    public IReadOnlyCollection<string> AllowedHostList => AllowedHosts ?? [];

    public IReadOnlyList<TimeSpan> Schedule => RetrySchedule is { Length: > 0 } s ? s : Webhooks.RetrySchedule.Standard;

    public static void AddTo(IServiceCollection services) =>
        services.AddOptions<WebhookOptions>().BindConfiguration(Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Timeout > TimeSpan.Zero && o.RotationOverlap >= TimeSpan.Zero, "Oms:Webhooks: Timeout must be positive, RotationOverlap not negative")
            .Validate(o => o.RetrySchedule is null || o.RetrySchedule.All(t => t >= TimeSpan.Zero), "Oms:Webhooks:RetrySchedule: no negative waits")
            .ValidateOnStart();
}
