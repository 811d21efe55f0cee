using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using Oms.Gateway.Security;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Webhooks;
using Oms.Grains;
using Oms.Grains.Webhooks;

namespace Oms.Gateway.Webhooks;

/// <summary>
/// Webhook subscriptions (admin): put, list and read without secrets, remove, rotate the signing secret with an
/// overlap. A generated or rotated secret is in that one answer only.
/// </summary>
public static class WebhooksApi
{
    public const int MaxOverlapSeconds = 30 * 24 * 3600;
    public const int MaxEvents = 32;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/v1/webhooks").WithTags(ApiTags.Webhooks).WithMetadata(new RequiresScope(Scopes.Admin));
        hooks.MapPut("/{id}", Put).WithName("PutWebhook").WithMetadata(new SecretInResponse())
            .WithSummary("Create or replace a subscription; a generated secret is shown in this answer only");
        hooks.MapGet("/", List).WithName("ListWebhooks").WithSummary("Every subscription, without secrets");
        hooks.MapGet("/{id}", Get).WithName("GetWebhook").ProducesProblems(ProblemKinds.NotFound).WithSummary("One subscription, without its secret");
        hooks.MapDelete("/{id}", Delete).WithName("DeleteWebhook").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Remove a subscription: nothing more is delivered to it");
        hooks.MapPost("/{id}/rotate-secret", Rotate).WithName("RotateWebhookSecret").WithMetadata(new SecretInResponse())
            .ProducesProblems(ProblemKinds.NotFound).WithSummary("A new signing secret (shown once); the old one still signs for the overlap");
        return app;
    }

    private static async Task<Results<Ok<WebhookInfo>, ProblemHttpResult>> Put(
        string id, PutWebhookBody body, IGrainFactory grains, TimeProvider time, IOptions<WebhookOptions> options)
    {
        var urlError = WebhookUrlRules.CheckUrl(body.Url, options.Value.AllowedHostList);
        var v = new Validator()
            .Id("id", id)
            .Check(urlError is null, "url", urlError ?? "")
            .Check(body.Events is { Length: > 0 and <= MaxEvents }, "events", $"must name 1 to {MaxEvents} event types")
            .Check(body.Secret is null || WebhookSecrets.TryDecode(body.Secret, out _), "secret", "must be whsec_ followed by base64 of 24 to 64 bytes")
            .Text("description", body.Description, maxLength: 500, required: false)
            .Required("enabled", body.Enabled);
        foreach (var type in body.Events ?? [])
            v.Check(type is not null && EventTypes.IsKnown(type), "events", $"'{type}' is not an event type ({string.Join(", ", EventTypes.All)})");
        if (!v.IsValid) return v.Problem();

        var now = time.GetUtcNow();
        var generated = new WebhookSecret(WebhookSecrets.NewSecret(), now);
        var subscription = new WebhookSubscription(id, body.Url!, [.. body.Events!.Distinct()], body.Description?.Trim(), body.Enabled!.Value,
            body.Secret is { } secret ? [new WebhookSecret(secret, now)] : [], now, now);
        var change = await Registry(grains).PutAsync(subscription, generated);
        return TypedResults.Ok(WebhookInfo.From(change.Subscription!, change.SecretGenerated ? generated.Secret : null));
    }

    private static async Task<Ok<WebhookList>> List(IGrainFactory grains)
    {
        var set = await Registry(grains).GetSetAsync();
        return TypedResults.Ok(new WebhookList([.. set.Subscriptions.Values.OrderBy(s => s.Id, StringComparer.Ordinal).Select(s => WebhookInfo.From(s))]));
    }

    private static async Task<Results<Ok<WebhookInfo>, ProblemHttpResult>> Get(string id, IGrainFactory grains)
    {
        if (!Validator.IsId(id)) return Problems.Validation("id", "is not a valid id");
        var set = await Registry(grains).GetSetAsync();
        return set.Subscriptions.TryGetValue(id, out var subscription) ? TypedResults.Ok(WebhookInfo.From(subscription)) : NotFound(id);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, IGrainFactory grains)
    {
        if (!Validator.IsId(id)) return Problems.Validation("id", "is not a valid id");
        var change = await Registry(grains).RemoveAsync(id);
        return change.Found ? TypedResults.NoContent() : NotFound(id);
    }

    private static async Task<Results<Ok<WebhookInfo>, ProblemHttpResult>> Rotate(
        string id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RotateWebhookSecretBody? body,
        IGrainFactory grains, TimeProvider time, IOptions<WebhookOptions> options)
    {
        var v = new Validator().Id("id", id).Range("overlapSeconds", body?.OverlapSeconds, 0, MaxOverlapSeconds, required: false);
        if (!v.IsValid) return v.Problem();
        var now = time.GetUtcNow();
        var overlap = body?.OverlapSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.RotationOverlap;
        var secret = new WebhookSecret(WebhookSecrets.NewSecret(), now);
        var change = await Registry(grains).RotateSecretAsync(id, secret, now + overlap);
        return change.Found ? TypedResults.Ok(WebhookInfo.From(change.Subscription!, secret.Secret)) : NotFound(id);
    }

    private static IWebhooksGrain Registry(IGrainFactory grains) => grains.Ref<IWebhooksGrain>(SingletonKeys.Webhooks);

    private static ProblemHttpResult NotFound(string id) => Problems.NotFound("id", $"webhook '{id}' is not known");
}
