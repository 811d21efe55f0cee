using System.Net;
using System.Security.Cryptography;
using System.Text;
using Oms.GrainInterfaces.Webhooks;
using Oms.Grains.Webhooks;

namespace Oms.Domain.Tests;

public sealed class WebhookRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Loopback = ["127.0.0.1", "localhost"];

    /// <summary>The example of the Standard Webhooks specification and its reference libraries.</summary>
    [Fact]
    public void The_signature_matches_the_standard_webhooks_reference_vector()
    {
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        const string body = """{"test": 2432232314}""";
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookSignature.Standard("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, [secret]));
    }

    [Fact]
    public void Several_secrets_sign_space_separated_and_the_body_signature_is_hex_of_the_body_alone()
    {
        var (a, b) = (WebhookSecrets.NewSecret(), WebhookSecrets.NewSecret());
        var both = WebhookSignature.Standard("e1", 5, "{}", [a, b]).Split(' ');
        Assert.Equal([WebhookSignature.Standard("e1", 5, "{}", [a]), WebhookSignature.Standard("e1", 5, "{}", [b])], both);
        Assert.True(WebhookSecrets.TryDecode(a, out var key));
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("{\"x\":1}"))), WebhookSignature.Body("{\"x\":1}", a));
    }

    [Theory]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true)] // 24 bytes
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true)] // 32 bytes
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", false)] // 23 bytes
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false)]
    [InlineData("whsec_not base64!!", false)]
    [InlineData("whsec_", false)]
    [InlineData("", false)]
    public void Only_a_whsec_secret_of_24_to_64_bytes_decodes(string secret, bool ok) => Assert.Equal(ok, WebhookSecrets.TryDecode(secret, out _));

    [Fact]
    public void A_generated_secret_is_32_random_bytes() =>
        Assert.True(WebhookSecrets.TryDecode(WebhookSecrets.NewSecret(), out var key) && key.Length == 32);

    [Theory]
    [InlineData("https://hooks.example.com/oms", null)]
    [InlineData("http://hooks.example.com:8443/x?y=1", null)]
    [InlineData("http://127.0.0.1:5000/hook", null)] // allowed: loopback is in the list
    [InlineData("http://localhost:5000/hook", null)]
    [InlineData("ftp://hooks.example.com/x", "http or https")]
    [InlineData("file:///etc/passwd", "http or https")]
    [InlineData("/relative", "http or https")] // a file path on Unix
    [InlineData("hooks.example.com/x", "absolute")]
    [InlineData("", "required")]
    [InlineData("https://user:pw@hooks.example.com/", "credentials")]
    [InlineData("http://10.1.2.3/", "private")]
    [InlineData("http://172.16.0.1/", "private")]
    [InlineData("http://172.31.255.255/", "private")]
    [InlineData("http://172.32.0.1/", null)]
    [InlineData("http://192.168.1.1/", "private")]
    [InlineData("http://169.254.169.254/latest/meta-data", "private")]
    [InlineData("http://169.254.1.1/", "private")]
    [InlineData("http://127.0.0.2/", "private")]
    [InlineData("http://0.0.0.0/", "private")]
    [InlineData("http://[::1]/", "private")]
    [InlineData("http://[fd00:ec2::254]/", "private")]
    [InlineData("http://[fc00::1]/", "private")]
    [InlineData("http://[fe80::1]/", "private")]
    [InlineData("http://[::ffff:10.0.0.1]/", "private")]
    [InlineData("http://[2001:db8::1]/", null)]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/", "internal")]
    [InlineData("http://app.localhost/", "internal")]
    public void Only_public_http_urls_or_allowed_hosts_may_be_subscribed(string url, string? error)
    {
        var found = WebhookUrlRules.CheckUrl(url, Loopback);
        if (error is null) Assert.Null(found);
        else Assert.Contains(error, found);
    }

    [Fact]
    public void Without_the_allow_list_loopback_is_refused_and_an_allowed_private_host_passes()
    {
        Assert.NotNull(WebhookUrlRules.CheckUrl("http://127.0.0.1:5000/", []));
        Assert.NotNull(WebhookUrlRules.CheckUrl("http://localhost/", []));
        Assert.Null(WebhookUrlRules.CheckUrl("http://10.0.0.7/", ["10.0.0.7"]));
    }

    [Theory]
    [InlineData("hooks.example.com", "93.184.216.34", null)]
    [InlineData("evil.example.com", "10.0.0.5", "private")]
    [InlineData("evil.example.com", "169.254.169.254", "private")]
    [InlineData("evil.example.com", "::1", "private")]
    [InlineData("localhost", "127.0.0.1", null)] // allowed by name
    public void A_name_is_checked_again_with_the_addresses_it_resolves_to(string host, string address, string? error)
    {
        var found = WebhookUrlRules.CheckResolved(host, [IPAddress.Parse(address)], Loopback);
        if (error is null) Assert.Null(found);
        else Assert.Contains(error, found);
    }

    [Fact]
    public void A_name_that_resolves_to_nothing_is_refused() =>
        Assert.Contains("did not resolve", WebhookUrlRules.CheckResolved("nowhere.example.com", [], Loopback));

    [Fact]
    public void A_put_without_a_secret_keeps_the_existing_one_and_only_a_new_subscription_takes_the_generated_one()
    {
        var generated = new WebhookSecret("whsec_gen", T0);
        var first = WebhookRules.Put(WebhookSet.Empty, Subscription([]), generated);
        Assert.True(first.SecretGenerated);
        Assert.Equal(["whsec_gen"], first.Subscription!.Secrets.Select(s => s.Secret));

        var again = WebhookRules.Put(first.Set, Subscription([]) with { CreatedAt = T0.AddDays(1) }, new WebhookSecret("whsec_other", T0));
        Assert.False(again.SecretGenerated);
        Assert.Equal(["whsec_gen"], again.Subscription!.Secrets.Select(s => s.Secret));
        Assert.Equal(T0, again.Subscription.CreatedAt);
        Assert.Equal(2, again.Set.Version);

        var own = WebhookRules.Put(again.Set, Subscription([new WebhookSecret("whsec_own", T0)]), generated);
        Assert.Equal(["whsec_own"], own.Subscription!.Secrets.Select(s => s.Secret));
    }

    [Fact]
    public void A_rotated_secret_signs_first_and_the_old_one_until_the_overlap_ends()
    {
        var set = WebhookRules.Put(WebhookSet.Empty, Subscription([new WebhookSecret("whsec_old", T0)]), new WebhookSecret("whsec_x", T0)).Set;
        var rotated = WebhookRules.RotateSecret(set, "s1", new WebhookSecret("whsec_new", T0.AddHours(1)), T0.AddHours(25));
        var s = rotated.Subscription!;
        Assert.Equal(["whsec_new", "whsec_old"], WebhookRules.SigningSecrets(s, T0.AddHours(2)));
        Assert.Equal(["whsec_new"], WebhookRules.SigningSecrets(s, T0.AddHours(25)));

        var now = WebhookRules.RotateSecret(rotated.Set, "s1", new WebhookSecret("whsec_newer", T0.AddHours(2)), T0.AddHours(2));
        Assert.Equal(["whsec_newer"], now.Subscription!.Secrets.Select(x => x.Secret));
        Assert.False(WebhookRules.RotateSecret(set, "nope", new WebhookSecret("whsec_n", T0), T0).Found);
    }

    [Fact]
    public void A_410_disables_once_and_putting_it_enabled_clears_the_reason()
    {
        var set = WebhookRules.Put(WebhookSet.Empty, Subscription([]), new WebhookSecret("whsec_x", T0)).Set;
        var disabled = WebhookRules.Disable(set, "s1", "410 Gone", T0);
        Assert.False(disabled.Subscription!.Enabled);
        Assert.Same(disabled.Set, WebhookRules.Disable(disabled.Set, "s1", "again", T0).Set);
        var back = WebhookRules.Put(disabled.Set, Subscription([]), new WebhookSecret("whsec_y", T0));
        Assert.True(back.Subscription!.Enabled);
        Assert.Null(back.Subscription.DisabledReason);
        Assert.False(WebhookRules.Remove(back.Set, "s2").Found);
        Assert.Empty(WebhookRules.Remove(back.Set, "s1").Set.Subscriptions);
    }

    private static WebhookSubscription Subscription(WebhookSecret[] secrets) =>
        new("s1", "https://hooks.example.com/", ["order.created"], null, true, secrets, T0, T0);

    /// <summary>Attempts made, jitter draw, Retry-After seconds (-1 none) → seconds until the next attempt (-1 dead).</summary>
    [Theory]
    [InlineData(1, 0.5, -1, 5)]
    [InlineData(1, 0.0, -1, 4)]
    [InlineData(1, 0.999999, -1, 6)]
    [InlineData(2, 0.5, -1, 300)]
    [InlineData(7, 0.5, -1, 36000)]
    [InlineData(8, 0.5, -1, -1)]
    [InlineData(1, 0.5, 120, 120)] // Retry-After longer than the schedule wins
    [InlineData(2, 0.5, 1, 300)] // shorter does not hurry us
    public void Retries_follow_the_schedule_with_jitter_and_retry_after(int attempts, double jitter, int retryAfter, int expectSeconds)
    {
        var next = RetrySchedule.Next(RetrySchedule.Standard, attempts, T0, jitter, retryAfter < 0 ? null : TimeSpan.FromSeconds(retryAfter));
        if (expectSeconds < 0) Assert.Null(next);
        else Assert.Equal(expectSeconds, Math.Round((next!.Value - T0).TotalSeconds));
    }

    [Theory]
    [InlineData(200, DeliveryVerdict.Succeeded)]
    [InlineData(204, DeliveryVerdict.Succeeded)]
    [InlineData(299, DeliveryVerdict.Succeeded)]
    [InlineData(301, DeliveryVerdict.Retry)]
    [InlineData(400, DeliveryVerdict.Retry)]
    [InlineData(410, DeliveryVerdict.Gone)]
    [InlineData(429, DeliveryVerdict.Retry)]
    [InlineData(500, DeliveryVerdict.Retry)]
    [InlineData(null, DeliveryVerdict.Retry)]
    public void Only_2xx_succeeds_and_410_means_gone(int? status, DeliveryVerdict verdict) => Assert.Equal(verdict, RetrySchedule.Judge(status));

    [Theory]
    [InlineData("30", 30)]
    [InlineData("0", 0)]
    [InlineData("99999", 3600)]
    [InlineData("Thu, 01 Jan 2026 00:01:00 GMT", 60)]
    [InlineData("Wed, 31 Dec 2025 00:00:00 GMT", 0)]
    [InlineData("soon", -1)]
    [InlineData("-5", -1)]
    [InlineData(null, -1)]
    public void Retry_after_reads_seconds_or_a_date_and_is_capped(string? value, int expectSeconds)
    {
        var wait = RetrySchedule.ParseRetryAfter(value, T0, TimeSpan.FromHours(1));
        Assert.Equal(expectSeconds < 0 ? null : TimeSpan.FromSeconds(expectSeconds), wait);
    }
}
