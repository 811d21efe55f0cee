using Oms.GrainInterfaces.Security;
using Oms.Grains.Security;

namespace Oms.Domain.Tests;

public sealed class ApiKeyRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_issued_key_parses_back_to_its_id_and_secret_and_is_stored_only_as_a_salted_hash()
    {
        var id = ApiKeySecrets.NewId();
        var secret = ApiKeySecrets.NewSecret();
        Assert.True(ApiKeySecrets.TryParse(ApiKeySecrets.Format(id, secret), out var parsedId, out var parsedSecret));
        Assert.Equal((id, secret), (parsedId, parsedSecret));

        var a = ApiKeySecrets.Hash(secret, T0);
        var b = ApiKeySecrets.Hash(secret, T0);
        Assert.NotEqual(a.Salt, b.Salt);
        Assert.NotEqual(a.Hash, b.Hash);
        Assert.DoesNotContain(secret, a.Hash + a.Salt);
        Assert.True(ApiKeySecrets.Matches(a, secret));
        Assert.False(ApiKeySecrets.Matches(a, secret + "x"));
        Assert.Equal(43, secret.Length);
    }

    [Theory]
    [InlineData("omsk_0123456789ab_secret", true)]
    [InlineData("omsk_0123456789ab_", false)]
    [InlineData("omsk_0123456789a_secret", false)]
    [InlineData("omsk__secret", false)]
    [InlineData("local-admin-key", false)]
    [InlineData("", false)]
    public void Only_the_shape_of_an_issued_key_parses(string presented, bool parses) =>
        Assert.Equal(parses, ApiKeySecrets.TryParse(presented, out _, out _));

    /// <summary>Times in seconds after T0; null = none.</summary>
    [Theory]
    // a fresh key, no expiry
    [InlineData(null, null, null, 10, true)]
    // a key with an expiry: before it, at it
    [InlineData(100, null, null, 99, true)]
    [InlineData(100, null, null, 100, false)]
    // revoked
    [InlineData(null, 50, null, 60, false)]
    // a rotated-out secret: inside its overlap, at its end, after
    [InlineData(null, null, 30, 29, true)]
    [InlineData(null, null, 30, 30, false)]
    [InlineData(null, null, 30, 31, false)]
    public void A_secret_opens_a_key_while_the_key_is_live_and_the_secret_has_not_expired(
        int? keyExpires, int? revoked, int? secretExpires, int now, bool opens)
    {
        const string secret = "s3cret";
        var key = Key("k", [ApiKeySecrets.Hash(secret, T0) with { ExpiresAt = At(secretExpires) }]) with { ExpiresAt = At(keyExpires), RevokedAt = At(revoked) };
        Assert.Equal(opens, ApiKeyRules.Verify(key, secret, T0.AddSeconds(now)));
        Assert.False(ApiKeyRules.Verify(key, "other", T0.AddSeconds(now)));
    }

    [Theory]
    // overlap 60 s: both secrets work until T0+10+60, then only the new one
    [InlineData(60, 69, true, true)]
    [InlineData(60, 70, false, true)]
    // no overlap: the old secret stops at the rotation
    [InlineData(0, 10, false, true)]
    public void Rotation_keeps_the_old_secret_for_the_overlap_only(int overlap, int now, bool oldOpens, bool newOpens)
    {
        var set = Set(Key("k", [ApiKeySecrets.Hash("old", T0)]));
        var rotatedAt = T0.AddSeconds(10);
        var change = ApiKeyRules.Rotate(set, "k", ApiKeySecrets.Hash("new", rotatedAt), rotatedAt.AddSeconds(overlap));

        Assert.Equal(ApiKeyOutcome.Done, change.Outcome);
        Assert.Equal(set.Version + 1, change.Set.Version);
        var key = change.Set.Keys["k"];
        Assert.Equal(oldOpens, ApiKeyRules.Verify(key, "old", T0.AddSeconds(now)));
        Assert.Equal(newOpens, ApiKeyRules.Verify(key, "new", T0.AddSeconds(now)));
    }

    [Fact]
    public void A_second_rotation_drops_secrets_already_past_their_overlap_and_never_lengthens_one()
    {
        var set = Set(Key("k", [ApiKeySecrets.Hash("a", T0)]));
        set = ApiKeyRules.Rotate(set, "k", ApiKeySecrets.Hash("b", T0.AddSeconds(10)), T0.AddSeconds(20)).Set;
        var second = ApiKeyRules.Rotate(set, "k", ApiKeySecrets.Hash("c", T0.AddSeconds(15)), T0.AddSeconds(100)).Set.Keys["k"];
        Assert.Equal(3, second.Secrets.Length);
        Assert.Equal(T0.AddSeconds(20), second.Secrets[0].ExpiresAt);
        Assert.Equal(T0.AddSeconds(100), second.Secrets[1].ExpiresAt);

        var third = ApiKeyRules.Rotate(ApiKeyRules.Rotate(set, "k", ApiKeySecrets.Hash("c", T0.AddSeconds(15)), T0.AddSeconds(100)).Set,
            "k", ApiKeySecrets.Hash("d", T0.AddSeconds(30)), T0.AddSeconds(40)).Set.Keys["k"];
        Assert.Equal(["b", "c", "d"], new[] { "a", "b", "c", "d" }.Where(s => ApiKeyRules.Verify(third, s, T0.AddSeconds(31))));
    }

    [Fact]
    public void Changes_report_unknown_duplicate_and_revoked_keys_and_leave_the_set_as_it_was()
    {
        var set = Set(Key("k", [ApiKeySecrets.Hash("a", T0)]));
        Assert.Equal(ApiKeyOutcome.AlreadyExists, ApiKeyRules.Create(set, Key("k", [])).Outcome);
        Assert.Equal(ApiKeyOutcome.NotFound, ApiKeyRules.Rotate(set, "x", ApiKeySecrets.Hash("b", T0), T0).Outcome);
        Assert.Equal(ApiKeyOutcome.NotFound, ApiKeyRules.Revoke(set, "x", T0).Outcome);

        var revoked = ApiKeyRules.Revoke(set, "k", T0.AddSeconds(5));
        Assert.Equal(ApiKeyOutcome.Done, revoked.Outcome);
        Assert.Empty(revoked.Set.Keys["k"].Secrets);
        Assert.Equal(T0.AddSeconds(5), revoked.Set.Keys["k"].RevokedAt);
        Assert.Equal(ApiKeyOutcome.Revoked, ApiKeyRules.Revoke(revoked.Set, "k", T0.AddSeconds(6)).Outcome);
        Assert.Equal(ApiKeyOutcome.Revoked, ApiKeyRules.Rotate(revoked.Set, "k", ApiKeySecrets.Hash("b", T0.AddSeconds(6)), T0.AddSeconds(9)).Outcome);
        Assert.Same(revoked.Set, ApiKeyRules.Revoke(revoked.Set, "k", T0.AddSeconds(6)).Set);
    }

    private static ApiKeyRecord Key(string id, ApiKeySecretHash[] secrets) => new(id, "name", ["cart"], 0, T0, null, null, secrets);

    private static ApiKeySet Set(ApiKeyRecord key) => new(7, new Dictionary<string, ApiKeyRecord> { [key.Id] = key });

    private static DateTimeOffset? At(int? seconds) => seconds is { } s ? T0.AddSeconds(s) : null;
}
