namespace Oms.Gateway.Tests.Webhooks;

/// <summary>
/// The embedded gateway with a retry schedule of milliseconds instead of hours (at once, 100 ms, 200 ms, 300 ms: four
/// attempts, then a dead letter), a 1 s attempt timeout and <c>Retry-After</c> honoured up to 3 s.
/// </summary>
public sealed class WebhookDeliveryFixture : GatewayFixture
{
    public const int Attempts = 4;

    protected override IEnumerable<(string Key, string Value)> Settings =>
    [
        ("Oms:Webhooks:RetrySchedule:0", "00:00:00"),
        ("Oms:Webhooks:RetrySchedule:1", "00:00:00.100"),
        ("Oms:Webhooks:RetrySchedule:2", "00:00:00.200"),
        ("Oms:Webhooks:RetrySchedule:3", "00:00:00.300"),
        ("Oms:Webhooks:Timeout", "00:00:01"),
        ("Oms:Webhooks:MaxRetryAfter", "00:00:03"),
    ];
}

[CollectionDefinition(Name)]
public sealed class WebhookDeliveryCollection : ICollectionFixture<WebhookDeliveryFixture>
{
    public const string Name = "webhook-delivery";
}
