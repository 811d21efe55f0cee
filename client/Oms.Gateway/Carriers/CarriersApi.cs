using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Oms.Gateway.Orders;
using Oms.Gateway.Security;
using Oms.GrainInterfaces.Carriers;
using Oms.GrainInterfaces.Orders;
using Oms.Grains;
using Oms.Grains.Webhooks;

namespace Oms.Gateway.Carriers;

/// <summary>
/// Carriers' tracking events (API.md "Events out and in"): signed like our webhooks with the carrier's secret, which is
/// the only authentication (<see cref="SignatureAuthenticated"/>). The signature is checked over the exact body bytes
/// before anything is parsed; an unknown carrier is refused like a bad signature, so the answer does not say which
/// carriers exist.
/// </summary>
public static class CarriersApi
{
    /// <summary>A tracking event is small; a larger body is refused before its signature is even computed.</summary>
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxDetail = 1000;
    public const int MaxTrackingNumber = 100;

    public static IEndpointRouteBuilder MapCarriersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/carriers/{carrier}/tracking", Track).WithTags(ApiTags.Carriers).WithMetadata(new SignatureAuthenticated("carrier"))
            .Accepts<CarrierTrackingBody>("application/json")
            .WithName("PostCarrierTracking").ProducesProblems(ProblemKinds.BadSignature, ProblemKinds.NotFound, ProblemKinds.PayloadTooLarge, ProblemKinds.UnsupportedMediaType)
            .WithSummary("A carrier's tracking event (once per eventId), signed per Standard Webhooks with the carrier's secret: moves the shipment, delivers it, or escalates an exception");
        return app;
    }

    private static async Task<Results<Ok<FulfilmentView>, ProblemHttpResult>> Track(
        string carrier, HttpRequest request, IGrainFactory grains, IOptions<CarrierOptions> carriers, IOptions<JsonOptions> json, TimeProvider time)
    {
        if (request.ContentLength > MaxBodyBytes) return TooLarge();
        var body = await ReadAsync(request);
        if (body is null) return TooLarge();

        var secrets = Validator.IsId(carrier) ? carriers.Value.SecretsOf(carrier) : [];
        var verdict = WebhookVerification.Verify(
            request.Headers[WebhookSignature.IdHeader], request.Headers[WebhookSignature.TimestampHeader], request.Headers[WebhookSignature.SignatureHeader],
            body, secrets, time.GetUtcNow());
        if (verdict != WebhookVerdict.Valid) return Unauthorized(verdict);
        if (!request.HasJsonContentType())
            return Problems.Create(415, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "Send application/json.");

        CarrierTrackingBody? e;
        try
        {
            e = JsonSerializer.Deserialize<CarrierTrackingBody>(body, json.Value.SerializerOptions);
        }
        catch (JsonException ex)
        {
            return Problems.Validation(ex.Path is { Length: > 2 } path ? path[2..] : "body", ex.Message.Split(" Path:")[0]);
        }

        if (e is null) return Problems.Validation("body", "is required");
        var v = new Validator()
            .Id("eventId", e.EventId)
            .Text("trackingNumber", e.TrackingNumber, MaxTrackingNumber)
            .Required("status", e.Status)
            .Required("at", e.At)
            .Text("detail", e.Detail, MaxDetail, required: false);
        if (e.At is { } at) v.Check(at <= time.GetUtcNow() + WebhookVerification.Tolerance, "at", "is in the future");
        if (!v.IsValid) return v.Problem();

        var number = e.TrackingNumber!.Trim();
        var fulfilmentId = await grains.Ref<ITrackingIndexGrain>(TrackingKey.For(carrier, number)).GetAsync();
        if (fulfilmentId is null || OrderKeys.OrderOfFulfilment(fulfilmentId) is not { } orderId)
            return Problems.NotFound("trackingNumber", $"no shipment with {carrier} tracking number '{number}' is known");
        var result = await grains.Ref<IOrderGrain>(orderId).TrackAsync(fulfilmentId,
            new CarrierEvent(carrier, e.EventId!, number, e.Status!.Value, e.At!.Value, e.Detail?.Trim()));
        return OrdersApi.Problem(result) ?? (Results<Ok<FulfilmentView>, ProblemHttpResult>)TypedResults.Ok(result.Order!.Fulfilments.First(f => f.FulfilmentId == fulfilmentId));
    }

    /// <summary>The exact body bytes (the signature is over them); null when longer than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ProblemHttpResult Unauthorized(WebhookVerdict verdict) => Problems.Create(401, ProblemCodes.Unauthorized, "Unauthorized", verdict switch
    {
        WebhookVerdict.OutsideTolerance => "webhook-timestamp is more than 5 minutes from now.",
        WebhookVerdict.Malformed => "Send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks).",
        _ => "The signature does not match a secret of this carrier.",
    });

    private static ProblemHttpResult TooLarge() =>
        Problems.Create(413, ProblemCodes.PayloadTooLarge, "Payload too large", $"A tracking event is at most {MaxBodyBytes / 1024} KiB.");
}
