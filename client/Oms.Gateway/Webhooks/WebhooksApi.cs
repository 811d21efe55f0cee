using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using Oms.Gateway.Security;
using Oms.GrainInterfaces.Events;
using Oms.GrainInterfaces.Webhooks;
using Oms.Grains;
using Oms.Grains.Events;
using Oms.Grains.Webhooks;

namespace Oms.Gateway.Webhooks;

/// <summary>
/// Webhook subscriptions (admin): put, list and read without secrets, remove, rotate the signing secret with an
/// overlap, send a test event, read the delivery log and replay deliveries. A generated or rotated secret is in that
/// one answer only.
/// </summary>
public static class WebhooksApi
{
    public const int MaxOverlapSeconds = 30 * 24 * 3600;
    public const int MaxEvents = 32;
    public const int DefaultDeliveries = 100;
    public const int MaxDeliveries = 1000;

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
        hooks.MapPost("/{id}/test", SendTest).WithName("TestWebhook").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Queue a webhook.test event for this subscription only; its delivery shows in the delivery log");
        hooks.MapGet("/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("The delivery log, newest first, with every attempt: pending, failed (retrying), and the last succeeded and dead ones");
        hooks.MapPost("/{id}/deliveries/{deliveryId}/replay", Replay).WithName("ReplayWebhookDelivery").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Deliver again at once with a fresh retry schedule (the same webhook-id)");
        hooks.MapPost("/{id}/replay-dead", ReplayDead).WithName("ReplayDeadWebhookDeliveries").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Replay every dead letter of this subscription");
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

    private static async Task<Results<Accepted<WebhookDeliveryInfo>, ProblemHttpResult>> SendTest(string id, IGrainFactory grains, TimeProvider time)
    {
        if (!Validator.IsId(id)) return Problems.Validation("id", "is not a valid id");
        var now = time.GetUtcNow();
        var nonce = Nonce.New();
        var test = new IntegrationEvent(EventIds.For(nonce, 1), EventTypes.WebhookTest, now, WebhookSubject(id), 1,
            EventJson.Write(new WebhookTestData(id, "a test event sent by POST /v1/webhooks/{id}/test")));
        var delivery = await DeliveryGrain(grains, id).SendTestAsync(test);
        return delivery is null ? NotFound(id) : TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", WebhookDeliveryInfo.From(delivery));
    }

    private static async Task<Results<Ok<WebhookDeliveryList>, ProblemHttpResult>> Deliveries(string id, string? status, int? limit, IGrainFactory grains)
    {
        var v = new Validator().Id("id", id).Range("limit", limit, 1, MaxDeliveries, required: false);
        DeliveryStatus? wanted = null;
        if (status is not null)
        {
            wanted = ParseStatus(status);
            v.Check(wanted is not null, "status", "must be pending, failed, succeeded or dead");
        }

        if (!v.IsValid) return v.Problem();
        if (!await ExistsAsync(grains, id)) return NotFound(id);
        var deliveries = await DeliveryGrain(grains, id).ListAsync(wanted, limit ?? DefaultDeliveries);
        return TypedResults.Ok(new WebhookDeliveryList([.. deliveries.Select(WebhookDeliveryInfo.From)]));
    }

    private static async Task<Results<Accepted<WebhookDeliveryInfo>, ProblemHttpResult>> Replay(string id, string deliveryId, IGrainFactory grains)
    {
        var v = new Validator().Id("id", id).Id("deliveryId", deliveryId);
        if (!v.IsValid) return v.Problem();
        if (!await ExistsAsync(grains, id)) return NotFound(id);
        var replayed = await DeliveryGrain(grains, id).ReplayAsync(deliveryId);
        return replayed is null
            ? Problems.NotFound("deliveryId", $"delivery '{deliveryId}' is not in the delivery log of webhook '{id}'")
            : TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", WebhookDeliveryInfo.From(replayed));
    }

    private static async Task<Results<Accepted<WebhookReplayResult>, ProblemHttpResult>> ReplayDead(string id, IGrainFactory grains)
    {
        if (!Validator.IsId(id)) return Problems.Validation("id", "is not a valid id");
        if (!await ExistsAsync(grains, id)) return NotFound(id);
        var count = await DeliveryGrain(grains, id).ReplayDeadAsync();
        return TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", new WebhookReplayResult(count));
    }

    /// <summary>The subject of a subscription's test events.</summary>
    public static string WebhookSubject(string id) => "webhook:" + id;

    private static DeliveryStatus? ParseStatus(string status) => status switch
    {
        "pending" => DeliveryStatus.Pending,
        "failed" => DeliveryStatus.Failed,
        "succeeded" => DeliveryStatus.Succeeded,
        "dead" => DeliveryStatus.Dead,
        _ => null,
    };

    private static async Task<bool> ExistsAsync(IGrainFactory grains, string id) =>
        (await Registry(grains).GetSetAsync()).Subscriptions.ContainsKey(id);

    private static IWebhookDeliveryGrain DeliveryGrain(IGrainFactory grains, string id) => grains.Ref<IWebhookDeliveryGrain>(id);

    private static IWebhooksGrain Registry(IGrainFactory grains) => grains.Ref<IWebhooksGrain>(SingletonKeys.Webhooks);

    private static ProblemHttpResult NotFound(string id) => Problems.NotFound("id", $"webhook '{id}' is not known");
}
