using Oms.Gateway.Availability;
using Oms.Grains;
using Oms.Gateway.Security;
using Oms.GrainInterfaces.Carts;

namespace Oms.Gateway.Carts;

/// <summary>Cart reservations: holds taken at add-to-cart, released on removal or expiry.</summary>
public static class CartsApi
{
    public const int MaxBasketLines = 200;

    public static IEndpointRouteBuilder MapCartsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/carts").WithTags(ApiTags.Carts).WithMetadata(new RequiresScope(Scopes.Cart)).RequireCors(StorefrontCors.Policy);
        group.MapPut("/{cartId}/lines/{sku}", PutLine).WithName("PutCartLine").WithExamples(CartExamples.LineRequest, CartExamples.LineResponse).ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InsufficientStock, ProblemKinds.Conflict)
            .WithSummary("Set the held quantity of a cart line (0 releases); 409 insufficient_stock keeps the previous hold");
        group.MapDelete("/{cartId}/lines/{sku}", DeleteLine).WithName("DeleteCartLine").WithSummary("Release a cart line");
        group.MapPut("/{cartId}", PutBasket).WithName("PutCartLines").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InsufficientStock, ProblemKinds.Conflict)
            .WithSummary("Set several lines at once, all or nothing");
        group.MapGet("/{cartId}", GetCart).WithName("GetCart").WithExamples(response: CartExamples.Cart).ProducesProblems(ProblemKinds.NotFound).WithSummary("Lines, holds and expiry");
        group.MapPost("/{cartId}/extend", Extend).WithName("ExtendCart").ProducesProblems(ProblemKinds.NotFound).WithSummary("Push the expiry out by the channel's TTL");
        group.MapDelete("/{cartId}", DeleteCart).WithName("DeleteCart").WithSummary("Release every hold");
        return app;
    }

    private static async Task<Results<Ok<CartLineResponse>, ProblemHttpResult>> PutLine(
        string cartId, string sku, CartLineBody body, IGrainFactory grains, AvailabilityCopies copies)
    {
        var v = new Validator()
            .Id("cartId", cartId)
            .Id("sku", sku)
            .Id("channel", body.Channel)
            .Quantity("quantity", body.Quantity)
            .Id("pickupLocationId", body.PickupLocationId, required: false);
        if (!v.IsValid) return v.Problem();

        var result = await grains.Ref<ICartGrain>(cartId)
            .SetLinesAsync(body.Channel!, [new CartLineRequest(sku, body.Quantity!.Value, body.PickupLocationId)]);
        copies.Written(sku);
        if (Problem(result) is { } problem) return problem;

        var line = result.Cart.Lines.FirstOrDefault(l => l.Sku == sku);
        return TypedResults.Ok(new CartLineResponse(cartId, sku, line?.Quantity ?? 0, line?.Reservations ?? [], result.Cart.ExpiresAt, line?.PickupLocationId));
    }

    private static async Task<Results<Ok<CartView>, ProblemHttpResult>> PutBasket(string cartId, BasketBody body, IGrainFactory grains, AvailabilityCopies copies)
    {
        var v = new Validator().Id("cartId", cartId).Id("channel", body.Channel).Required("lines", body.Lines);
        if (body.Lines is { } lines)
        {
            v.Check(lines.Length is > 0 and <= MaxBasketLines, "lines", $"must hold 1 to {MaxBasketLines} lines");
            for (var i = 0; i < lines.Length; i++)
            {
                v.Required($"lines[{i}]", lines[i]);
                if (lines[i] is not { } line) continue;
                v.Id($"lines[{i}].sku", line.Sku).Quantity($"lines[{i}].quantity", line.Quantity).Id($"lines[{i}].pickupLocationId", line.PickupLocationId, required: false);
            }

            v.Check(lines.Where(l => l?.Sku is not null).Select(l => l!.Sku).Distinct().Count() == lines.Count(l => l?.Sku is not null), "lines", "each SKU at most once");
        }

        if (!v.IsValid) return v.Problem();
        var result = await grains.Ref<ICartGrain>(cartId)
            .SetLinesAsync(body.Channel!, [.. body.Lines!.Select(l => new CartLineRequest(l!.Sku!, l.Quantity!.Value, l.PickupLocationId))]);
        foreach (var line in body.Lines!) copies.Written(line!.Sku!);
        return Problem(result) ?? (Results<Ok<CartView>, ProblemHttpResult>)TypedResults.Ok(result.Cart);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteLine(string cartId, string sku, IGrainFactory grains, AvailabilityCopies copies)
    {
        var v = new Validator().Id("cartId", cartId).Id("sku", sku);
        if (!v.IsValid) return v.Problem();
        var result = await grains.Ref<ICartGrain>(cartId).RemoveLineAsync(sku);
        copies.Written(sku);
        return Problem(result) ?? (Results<NoContent, ProblemHttpResult>)TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteCart(string cartId, IGrainFactory grains)
    {
        if (!Validator.IsId(cartId)) return Problems.Validation("cartId", "is not a valid id");
        var result = await grains.Ref<ICartGrain>(cartId).ClearAsync();
        return Problem(result) ?? (Results<NoContent, ProblemHttpResult>)TypedResults.NoContent();
    }

    private static async Task<Results<Ok<CartView>, ProblemHttpResult>> GetCart(string cartId, IGrainFactory grains)
    {
        if (!Validator.IsId(cartId)) return Problems.Validation("cartId", "is not a valid id");
        return await grains.Ref<ICartGrain>(cartId).GetAsync() is { } cart
            ? TypedResults.Ok(cart)
            : Problems.NotFound("cartId", $"cart '{cartId}' is not known");
    }

    private static async Task<Results<Ok<CartView>, ProblemHttpResult>> Extend(string cartId, IGrainFactory grains)
    {
        if (!Validator.IsId(cartId)) return Problems.Validation("cartId", "is not a valid id");
        var result = await grains.Ref<ICartGrain>(cartId).ExtendAsync();
        return Problem(result) ?? (Results<Ok<CartView>, ProblemHttpResult>)TypedResults.Ok(result.Cart);
    }

    private static ProblemHttpResult? Problem(CartResult result) => result.Outcome switch
    {
        CartOutcome.Ok => null,
        CartOutcome.InsufficientStock => Problems.Create(StatusCodes.Status409Conflict, ProblemCodes.InsufficientStock, "Insufficient stock",
            result.Detail ?? "not enough stock",
            new()
            {
                ["available"] = result.Shortfalls.FirstOrDefault()?.Available ?? 0,
                ["lines"] = result.Shortfalls.Select(s => new { sku = s.Sku, requested = s.Requested, available = s.Available }).ToArray(),
            }),
        CartOutcome.UnknownChannel => Problems.NotFound("channel", result.Detail!),
        CartOutcome.UnknownLocation => Problems.NotFound("pickupLocationId", result.Detail!),
        CartOutcome.ChannelMismatch => Problems.Conflict(result.Detail!),
        CartOutcome.NotFound => Problems.NotFound("cartId", result.Detail!),
        _ => throw new InvalidOperationException($"unexpected cart outcome {result.Outcome}"),
    };
}
