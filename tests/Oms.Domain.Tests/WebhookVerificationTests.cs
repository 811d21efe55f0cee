using System.Text;
using Oms.Grains.Webhooks;

namespace Oms.Domain.Tests;

public sealed class WebhookVerificationTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Other = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Ts = 1614265330;
    private const string Body = """{"test": 2432232314}""";
    private const string Reference = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(Ts);

    private static WebhookVerdict Verify(string? id, string? ts, string? signature, string body = Body, string[]? secrets = null, long skew = 0) =>
        WebhookVerification.Verify(id, ts, signature, Encoding.UTF8.GetBytes(body), secrets ?? [Secret], Now.AddSeconds(skew));

    [Fact]
    public void The_standard_webhooks_reference_vector_verifies() => Assert.Equal(WebhookVerdict.Valid, Verify(Id, "1614265330", Reference));

    public static TheoryData<string, string?, string?, string?, string, string[], long, WebhookVerdict> Cases => new()
    {
        { "a second secret of a rotation", Id, "1614265330", Reference, Body, [Other, Secret], 0, WebhookVerdict.Valid },
        { "one of several signatures", Id, "1614265330", $"v1,{Convert.ToBase64String(new byte[32])} {Reference}", Body, [Secret], 0, WebhookVerdict.Valid },
        { "another version is skipped", Id, "1614265330", $"v2,abc {Reference}", Body, [Secret], 0, WebhookVerdict.Valid },
        { "4 min 59 s late", Id, "1614265330", Reference, Body, [Secret], 299, WebhookVerdict.Valid },
        { "5 min early", Id, "1614265330", Reference, Body, [Secret], -300, WebhookVerdict.Valid },
        { "5 min 1 s late", Id, "1614265330", Reference, Body, [Secret], 301, WebhookVerdict.OutsideTolerance },
        { "5 min 1 s early", Id, "1614265330", Reference, Body, [Secret], -301, WebhookVerdict.OutsideTolerance },
        { "a changed body", Id, "1614265330", Reference, Body + " ", [Secret], 0, WebhookVerdict.NoMatch },
        { "another id", "msg_other", "1614265330", Reference, Body, [Secret], 0, WebhookVerdict.NoMatch },
        { "another timestamp", Id, "1614265331", Reference, Body, [Secret], 0, WebhookVerdict.NoMatch },
        { "another secret", Id, "1614265330", Reference, Body, [Other], 0, WebhookVerdict.NoMatch },
        { "no secrets (unknown sender)", Id, "1614265330", Reference, Body, [], 0, WebhookVerdict.NoMatch },
        { "a broken configured secret", Id, "1614265330", Reference, Body, ["whsec_"], 0, WebhookVerdict.NoMatch },
        { "only other versions", Id, "1614265330", "v2,abc", Body, [Secret], 0, WebhookVerdict.Malformed },
        { "no id", null, "1614265330", Reference, Body, [Secret], 0, WebhookVerdict.Malformed },
        { "an id with a space", "msg 1", "1614265330", Reference, Body, [Secret], 0, WebhookVerdict.Malformed },
        { "no timestamp", Id, null, Reference, Body, [Secret], 0, WebhookVerdict.Malformed },
        { "a negative timestamp", Id, "-1614265330", Reference, Body, [Secret], 0, WebhookVerdict.Malformed },
        { "a timestamp in ms", Id, "1614265330000", Reference, Body, [Secret], 0, WebhookVerdict.Malformed },
        { "a decimal timestamp", Id, "1614265330.5", Reference, Body, [Secret], 0, WebhookVerdict.Malformed },
        { "no signature", Id, "1614265330", null, Body, [Secret], 0, WebhookVerdict.Malformed },
        { "a blank signature", Id, "1614265330", "  ", Body, [Secret], 0, WebhookVerdict.Malformed },
        { "no version", Id, "1614265330", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", Body, [Secret], 0, WebhookVerdict.Malformed },
        { "not base64", Id, "1614265330", "v1,not base64!", Body, [Secret], 0, WebhookVerdict.Malformed },
        { "a short mac", Id, "1614265330", "v1,g0hM9SsE+OTPJTGt", Body, [Secret], 0, WebhookVerdict.Malformed },
        { "too many signatures", Id, "1614265330", string.Join(' ', Enumerable.Repeat(Reference, 11)), Body, [Secret], 0, WebhookVerdict.Malformed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verdicts(string why, string? id, string? ts, string? signature, string body, string[] secrets, long skew, WebhookVerdict expected) =>
        Assert.True(expected == Verify(id, ts, signature, body, secrets, skew), why);

    [Fact]
    public void What_we_sign_we_verify_over_the_exact_bytes()
    {
        var secret = WebhookSecrets.NewSecret();
        var body = "{\"detail\":\"Zürich depot\"}";
        var header = WebhookSignature.Standard("evt_1", Ts, body, [WebhookSecrets.NewSecret(), secret]);
        Assert.Equal(WebhookVerdict.Valid, Verify("evt_1", "1614265330", header, body, [secret]));
    }
}
