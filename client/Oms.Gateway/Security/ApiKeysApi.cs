using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Security;
using Oms.Grains;
using Oms.Grains.Security;

namespace Oms.Gateway.Security;

/// <summary>
/// Runtime API keys (admin): issue (the key is in the answer once, only its salted hash is stored), list without
/// secrets, rotate with an overlap, revoke. Each change is offered to this gateway's directory at once; the others
/// see it on their next poll (<see cref="ApiKeyDirectory.PropagationBound"/>).
/// </summary>
public static class ApiKeysApi
{
    public const int MaxOverlapSeconds = 30 * 24 * 3600;

    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/v1/admin/api-keys").WithTags(ApiTags.ApiKeys).WithMetadata(new RequiresScope(Scopes.Admin), new SecretInResponse());
        keys.MapPost("/", Create).WithName("CreateApiKey").WithSummary("Issue a key: the answer shows it once; only its hash is stored");
        keys.MapGet("/", List).WithName("ListApiKeys").WithSummary("Every key, runtime and configured, without secrets");
        keys.MapPost("/{id}/rotate", Rotate).WithName("RotateApiKey").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState)
            .WithSummary("A new secret for the key (shown once); the old one keeps working for the overlap");
        keys.MapDelete("/{id}", Revoke).WithName("RevokeApiKey").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState)
            .WithSummary("Revoke a key: refused by every gateway within 2 s");
        return app;
    }

    private static async Task<Results<Created<IssuedApiKey>, ProblemHttpResult>> Create(
        CreateApiKeyBody body, IGrainFactory grains, ApiKeyDirectory directory, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var v = new Validator()
            .Text("name", body.Name)
            .Check(body.Scopes is { Length: > 0 }, "scopes", "must name at least one scope")
            .Range("permitsPerSecond", body.PermitsPerSecond, 0, 1_000_000, required: false)
            .Check(body.ExpiresAt is not { } e || e > now, "expiresAt", "must be in the future");
        foreach (var scope in body.Scopes ?? [])
            v.Check(Scopes.All.Contains(scope), "scopes", $"'{scope}' is not a scope ({string.Join(", ", Scopes.All)})");
        if (!v.IsValid) return v.Problem();

        var secret = ApiKeySecrets.NewSecret();
        var record = new ApiKeyRecord(ApiKeySecrets.NewId(), body.Name!.Trim(), [.. body.Scopes!.Distinct()], body.PermitsPerSecond ?? 0,
            now, body.ExpiresAt?.ToUniversalTime(), null, [ApiKeySecrets.Hash(secret, now)]);
        var change = await grains.Ref<IApiKeysGrain>(SingletonKeys.ApiKeys).CreateAsync(record);
        if (change.Outcome != ApiKeyOutcome.Done) return Problems.Conflict("A key with this id already exists; try again.");
        directory.Offer(change.Set);
        return TypedResults.Created($"/v1/admin/api-keys/{record.Id}", Issued(record, secret, null));
    }

    private static async Task<Ok<ApiKeyList>> List(IGrainFactory grains, ApiKeyDirectory directory)
    {
        var set = await grains.Ref<IApiKeysGrain>(SingletonKeys.ApiKeys).GetSetAsync();
        directory.Offer(set);
        return TypedResults.Ok(new ApiKeyList([
            .. directory.ConfiguredKeys.Select(ApiKeyInfo.From),
            .. set.Keys.Values.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).Select(ApiKeyInfo.From),
        ]));
    }

    private static async Task<Results<Ok<IssuedApiKey>, ProblemHttpResult>> Rotate(
        string id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RotateApiKeyBody? body,
        IGrainFactory grains, ApiKeyDirectory directory, TimeProvider time, IOptions<ApiKeyOptions> options)
    {
        var v = new Validator().Id("id", id).Range("overlapSeconds", body?.OverlapSeconds, 0, MaxOverlapSeconds, required: false);
        if (!v.IsValid) return v.Problem();
        if (IsConfigured(id, directory)) return ConfiguredKey(id);

        var now = time.GetUtcNow();
        var overlap = body?.OverlapSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.RotationOverlap;
        var secret = ApiKeySecrets.NewSecret();
        var change = await grains.Ref<IApiKeysGrain>(SingletonKeys.ApiKeys).RotateAsync(id, ApiKeySecrets.Hash(secret, now), now + overlap);
        switch (change.Outcome)
        {
            case ApiKeyOutcome.NotFound:
                return Problems.NotFound("id", $"API key '{id}' is not known");
            case ApiKeyOutcome.Revoked:
                return InvalidState($"API key '{id}' is revoked or expired");
        }

        directory.Offer(change.Set);
        return TypedResults.Ok(Issued(change.Key!, secret, now + overlap));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string id, IGrainFactory grains, ApiKeyDirectory directory, TimeProvider time)
    {
        if (!Validator.IsId(id)) return Problems.Validation("id", "is not a valid id");
        if (IsConfigured(id, directory)) return ConfiguredKey(id);
        var change = await grains.Ref<IApiKeysGrain>(SingletonKeys.ApiKeys).RevokeAsync(id, time.GetUtcNow());
        if (change.Outcome == ApiKeyOutcome.NotFound) return Problems.NotFound("id", $"API key '{id}' is not known");
        directory.Offer(change.Set);
        return TypedResults.NoContent();
    }

    private static bool IsConfigured(string id, ApiKeyDirectory directory) => directory.ConfiguredKeys.Any(k => k.Name == id);

    private static ProblemHttpResult ConfiguredKey(string id) =>
        InvalidState($"API key '{id}' comes from configuration (Oms:Auth:Keys): change it there");

    private static ProblemHttpResult InvalidState(string detail) =>
        Problems.Create(StatusCodes.Status409Conflict, ProblemCodes.InvalidState, "Not allowed in the current state", detail);

    private static IssuedApiKey Issued(ApiKeyRecord key, string secret, DateTimeOffset? previousExpiresAt) => new(
        key.Id, key.Name, key.Scopes, key.PermitsPerSecond, key.CreatedAt, key.ExpiresAt, ApiKeySecrets.Format(key.Id, secret), previousExpiresAt);
}
