using Oms.Gateway.Availability;
using System.Text.RegularExpressions;
using Oms.Grains;
using Oms.Gateway.Security;
using Oms.GrainInterfaces.Notifications;
using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Reference;
using Oms.GrainInterfaces.Sourcing;
using Oms.Grains.Reference;

namespace Oms.Gateway.Orders;

/// <summary>Order capture, review, cancel, returns and the call centre's lookups.</summary>
public static partial class OrdersApi
{
    public const int MaxLines = 200;

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex PhoneNumber();
    public const decimal MaxPrice = 1_000_000_000m;

    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/v1/orders").WithTags(ApiTags.Orders).WithMetadata(new RequiresScope(Scopes.Orders));
        orders.MapPost("/", Place).WithName("PlaceOrder").WithExamples(OrderExamples.PlaceRequest, OrderExamples.Order).ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InsufficientStock, ProblemKinds.Conflict)
            .WithSummary("Source, allocate (all or nothing) and record an order; consumes the cart's holds when cartId is given; 409 when stock is short");
        orders.MapGet("/{orderId}", Get).WithName("GetOrder").WithExamples(response: OrderExamples.Order).ProducesProblems(ProblemKinds.NotFound).WithSummary("The order with status, fulfilments, returns and timeline");
        orders.MapPost("/{orderId}/cancel", Cancel).WithName("CancelOrder").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("Cancel the whole order or some units before they leave; releases the allocation");
        orders.MapPost("/{orderId}/approve", Approve).WithName("ApproveOrder").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("Release an order held for review to its locations");
        orders.MapPost("/{orderId}/reject", Reject).WithName("RejectOrder").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState).WithSummary("Reject an order held for review: cancels it and releases its stock");
        orders.MapPost("/{orderId}/payment-events", PaymentEvent).WithName("PostPaymentEvent").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("A payment service's event (once per eventId): authorised/captured releases a payment hold, failed cancels what has not left");
        orders.MapPost("/{orderId}/returns", CreateReturn).WithName("CreateReturn").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState, ProblemKinds.InsufficientStock)
            .WithSummary("Open a return (refund per the brand's policy when received); with exchange lines, also places the linked replacement order");

        var returns = app.MapGroup("/v1/returns").WithTags(ApiTags.Orders).WithMetadata(new RequiresScope(Scopes.Orders));
        returns.MapPost("/{returnId}/receive", Receive).WithName("ReceiveReturn").ProducesProblems(ProblemKinds.NotFound, ProblemKinds.InvalidState)
            .WithSummary("Receive and check a return: resellable units back on hand, damaged ones unavailable; computes the refund");
        returns.MapGet("/{returnId}", GetReturn).WithName("GetReturn").ProducesProblems(ProblemKinds.NotFound).WithSummary("A return and its refund");

        app.MapGet("/v1/customers/{customerId}/orders", CustomerOrders).WithTags(ApiTags.Orders).WithMetadata(new RequiresScope(Scopes.Orders))
            .WithName("GetCustomerOrders").WithSummary("The customer's orders, newest first");

        var policy = app.MapGroup("/v1/order-policy").WithTags(ApiTags.Orders).WithMetadata(new RequiresScope(Scopes.Admin));
        policy.MapPut("/", PutPolicy).WithName("PutOrderPolicy").WithSummary("Fraud review threshold, flagged customers, escalation times and the refund policy");
        policy.MapGet("/", GetPolicy).WithName("GetOrderPolicy").WithSummary("The order policy in force");
        return app;
    }

    /// <summary>Validates an order body and turns it into the grain request; null with the problem when it is not valid.</summary>
    public static (OrderRequest? Request, ProblemHttpResult? Problem) ToRequest(OrderBody body)
    {
        var v = new Validator()
            .Id("orderId", body.OrderId, required: false)
            .Id("cartId", body.CartId, required: false)
            .Id("channel", body.Channel)
            .Required("customer", body.Customer)
            .Required("lines", body.Lines)
            .Required("fulfilment", body.Fulfilment);
        if (body.Customer is { } customer)
        {
            v.Id("customer.id", customer.Id).Id("customer.tier", customer.Tier, required: false).Text("customer.email", customer.Email, 254, required: false);
            if (customer.Email is { } email) v.Check(email.Contains('@'), "customer.email", "is not an e-mail address");
            if (customer.Phone is { } phone) v.Check(PhoneNumber().IsMatch(phone), "customer.phone", "must be an E.164 number: + and 7 to 15 digits");
            if (customer.Notifications is { Channel: NotificationChannel.Sms } && customer.Phone is null) v.Add("customer.phone", "is required when the preferred channel is sms");
        }

        if (body.Lines is { } lines)
        {
            v.Check(lines.Length is > 0 and <= MaxLines, "lines", $"must hold 1 to {MaxLines} lines");
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i] is not { } line)
                {
                    v.Required($"lines[{i}]", null);
                    continue;
                }

                v.Id($"lines[{i}].sku", line.Sku).Range($"lines[{i}].quantity", line.Quantity, 1, Validator.MaxQuantity);
                if (line.UnitPrice is { } price) v.Check(price >= 0 && price <= MaxPrice, $"lines[{i}].unitPrice", $"must be between 0 and {MaxPrice}");
            }

            var skus = lines.Where(l => l?.Sku is not null).Select(l => l!.Sku).ToList();
            v.Check(skus.Distinct().Count() == skus.Count, "lines", "each SKU at most once");
        }

        if (body.Fulfilment is { } f)
        {
            v.Required("fulfilment.type", f.Type).Id("fulfilment.pickupLocationId", f.PickupLocationId, required: f.Type == FulfilmentType.Pickup);
            if (f.Address is { } a)
            {
                v.Range("fulfilment.address.latitude", a.Latitude, -90, 90, required: a.Longitude is not null)
                    .Range("fulfilment.address.longitude", a.Longitude, -180, 180, required: a.Latitude is not null)
                    .Text("fulfilment.address.country", a.Country, 56, required: false);
            }
        }

        if (!v.IsValid) return (null, v.Problem());
        var c = body.Customer!;
        var fulfilment = body.Fulfilment!;
        return (new OrderRequest(
            body.CartId,
            body.Channel!,
            new Customer(c.Id!, c.Tier, c.Email, c.Phone,
                c.Notifications is { } n ? new NotificationPreference(n.Channel, n.OptOut ?? false) : null),
            [.. body.Lines!.Select(l => new OrderLineRequest(l!.Sku!, l.Quantity!.Value, l.UnitPrice ?? 0m))],
            fulfilment.Type!.Value,
            fulfilment.Type == FulfilmentType.Pickup ? fulfilment.PickupLocationId : null,
            fulfilment.Address is { } address ? new Address(address.Latitude, address.Longitude, address.Country) : null), null);
    }

    /// <summary>The HTTP answer of an order command that did not succeed.</summary>
    public static ProblemHttpResult? Problem(OrderResult result) => result.Outcome switch
    {
        OrderOutcome.Ok => null,
        OrderOutcome.NotFound or OrderOutcome.UnknownChannel or OrderOutcome.UnknownLocation => Problems.NotFound(result.Field ?? "id", result.Detail!),
        OrderOutcome.InsufficientStock => Problems.Create(StatusCodes.Status409Conflict, ProblemCodes.InsufficientStock, "Insufficient stock", result.Detail!,
            new()
            {
                ["available"] = result.Shortfalls.FirstOrDefault()?.Sourced ?? 0,
                ["lines"] = result.Shortfalls.Select(s => new { sku = s.Sku, requested = s.Requested, available = s.Sourced }).ToArray(),
            }),
        OrderOutcome.InvalidState => Problems.Create(StatusCodes.Status409Conflict, ProblemCodes.InvalidState, "Not allowed in the current state", result.Detail!,
            new() { ["orderStatus"] = result.Order?.Status }),
        OrderOutcome.Conflict => Problems.Conflict(result.Detail!),
        OrderOutcome.Invalid => Problems.Validation(result.Field ?? "body", result.Detail!),
        _ => throw new InvalidOperationException($"unexpected order outcome {result.Outcome}"),
    };

    /// <summary>Order ids of exchanges and fulfilment/return ids carry a suffix: up to 80 characters.</summary>
    public static bool IsChildId(string? id) =>
        id is { Length: > 0 and <= OrderKeys.MaxChildIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    private static async Task<Results<Created<OrderView>, ProblemHttpResult>> Place(OrderBody body, IGrainFactory grains, HttpContext context, AvailabilityCopies copies)
    {
        var (request, problem) = ToRequest(body);
        if (problem is not null) return problem;
        var orderId = body.OrderId ?? $"ord-{Guid.NewGuid():N}"[..24];
        var result = await grains.Ref<IOrderGrain>(orderId).PlaceAsync(request!, context.Items[Idempotency.IdempotencyMiddleware.RecordItem] as string);
        foreach (var line in request!.Lines) copies.Written(line.Sku);
        return Problem(result) ?? (Results<Created<OrderView>, ProblemHttpResult>)TypedResults.Created($"/v1/orders/{orderId}", result.Order!);
    }

    private static async Task<Results<Ok<OrderView>, ProblemHttpResult>> Get(string orderId, IGrainFactory grains)
    {
        if (!IsChildId(orderId)) return Problems.Validation("orderId", "is not a valid id");
        return await grains.Ref<IOrderGrain>(orderId).GetAsync() is { } order
            ? TypedResults.Ok(order)
            : Problems.NotFound("orderId", $"order '{orderId}' is not known");
    }

    private static async Task<Results<Ok<OrderView>, ProblemHttpResult>> Cancel(string orderId, CancelBody body, IGrainFactory grains)
    {
        var v = new Validator().Check(IsChildId(orderId), "orderId", "is not a valid id").Text("reason", body.Reason, 500);
        if (body.Lines is { } lines)
        {
            v.Check(lines.Length is > 0 and <= MaxLines, "lines", $"must hold 1 to {MaxLines} lines");
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i] is not { } line) v.Required($"lines[{i}]", null);
                else v.Id($"lines[{i}].sku", line.Sku).Range($"lines[{i}].quantity", line.Quantity, 1, Validator.MaxQuantity);
            }

            var skus = lines.Where(l => l?.Sku is not null).Select(l => l!.Sku).ToList();
            v.Check(skus.Distinct().Count() == skus.Count, "lines", "each SKU at most once");
        }

        if (!v.IsValid) return v.Problem();
        var result = await grains.Ref<IOrderGrain>(orderId)
            .CancelAsync(body.Lines?.Select(l => new LineQuantity(l!.Sku!, l.Quantity!.Value)).ToArray(), body.Reason!.Trim());
        return Problem(result) ?? (Results<Ok<OrderView>, ProblemHttpResult>)TypedResults.Ok(result.Order!);
    }

    private static async Task<Results<Ok<OrderView>, ProblemHttpResult>> PaymentEvent(string orderId, PaymentEventBody body, IGrainFactory grains)
    {
        var v = new Validator()
            .Check(IsChildId(orderId), "orderId", "is not a valid id")
            .Id("eventId", body.EventId)
            .Required("status", body.Status)
            .Required("at", body.At)
            .Check(body.Amount is not { } amount || amount is >= 0 and <= MaxPrice, "amount", $"must be 0 to {MaxPrice}");
        if (!v.IsValid) return v.Problem();
        var result = await grains.Ref<IOrderGrain>(orderId).PaymentAsync(new PaymentEvent(body.EventId!, body.Status!.Value, body.Amount, body.At!.Value.ToUniversalTime()));
        return Problem(result) ?? (Results<Ok<OrderView>, ProblemHttpResult>)TypedResults.Ok(result.Order!);
    }

    private static async Task<Results<Ok<OrderView>, ProblemHttpResult>> Approve(string orderId, ReviewBody? body, IGrainFactory grains)
    {
        var v = new Validator().Check(IsChildId(orderId), "orderId", "is not a valid id").Text("note", body?.Note, 500, required: false);
        if (!v.IsValid) return v.Problem();
        var result = await grains.Ref<IOrderGrain>(orderId).ApproveAsync(body?.Note?.Trim() ?? "approved after review");
        return Problem(result) ?? (Results<Ok<OrderView>, ProblemHttpResult>)TypedResults.Ok(result.Order!);
    }

    private static async Task<Results<Ok<OrderView>, ProblemHttpResult>> Reject(string orderId, ReviewBody body, IGrainFactory grains)
    {
        var v = new Validator().Check(IsChildId(orderId), "orderId", "is not a valid id").Text("reason", body.Reason, 500);
        if (!v.IsValid) return v.Problem();
        var result = await grains.Ref<IOrderGrain>(orderId).RejectAsync(body.Reason!.Trim());
        return Problem(result) ?? (Results<Ok<OrderView>, ProblemHttpResult>)TypedResults.Ok(result.Order!);
    }

    private static async Task<Results<Created<ReturnCreated>, ProblemHttpResult>> CreateReturn(string orderId, ReturnBody body, IGrainFactory grains)
    {
        var v = new Validator().Check(IsChildId(orderId), "orderId", "is not a valid id").Required("lines", body.Lines);
        if (body.Lines is { } lines)
        {
            v.Check(lines.Length is > 0 and <= MaxLines, "lines", $"must hold 1 to {MaxLines} lines");
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i] is not { } line) v.Required($"lines[{i}]", null);
                else v.Id($"lines[{i}].sku", line.Sku).Range($"lines[{i}].quantity", line.Quantity, 1, Validator.MaxQuantity).Text($"lines[{i}].reason", line.Reason, 500);
            }
        }

        if (body.Exchange is { } exchange)
        {
            v.Check(exchange.Length <= MaxLines, "exchange", $"must hold at most {MaxLines} lines");
            for (var i = 0; i < exchange.Length; i++)
            {
                if (exchange[i] is not { } line) v.Required($"exchange[{i}]", null);
                else v.Id($"exchange[{i}].sku", line.Sku).Range($"exchange[{i}].quantity", line.Quantity, 1, Validator.MaxQuantity);
            }

            var skus = exchange.Where(l => l?.Sku is not null).Select(l => l!.Sku).ToList();
            v.Check(skus.Distinct().Count() == skus.Count, "exchange", "each SKU at most once");
        }

        if (!v.IsValid) return v.Problem();
        var result = await grains.Ref<IOrderGrain>(orderId).CreateReturnAsync(
            [.. body.Lines!.Select(l => new ReturnLineRequest(l!.Sku!, l.Quantity!.Value, l.Reason!.Trim()))],
            body.Exchange?.Select(l => new LineQuantity(l!.Sku!, l.Quantity!.Value)).ToArray());
        if (Problem(result) is { } problem) return problem;
        var created = result.Order!.Returns.First(r => r.ReturnId == result.CreatedId);
        return TypedResults.Created($"/v1/returns/{created.ReturnId}", new ReturnCreated(created.ReturnId, orderId, created.ExchangeOrderId, created));
    }

    private static async Task<Results<Ok<ReturnView>, ProblemHttpResult>> Receive(string returnId, ReceiveBody body, IGrainFactory grains)
    {
        var orderId = IsChildId(returnId) ? OrderKeys.OrderOfReturn(returnId) : null;
        var v = new Validator().Check(IsChildId(returnId), "returnId", "is not a valid return id").Id("locationId", body.LocationId).Required("lines", body.Lines);
        if (body.Lines is { } lines)
        {
            v.Check(lines.Length is > 0 and <= MaxLines, "lines", $"must hold 1 to {MaxLines} lines");
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i] is not { } line) v.Required($"lines[{i}]", null);
                else v.Id($"lines[{i}].sku", line.Sku).Range($"lines[{i}].quantity", line.Quantity, 1, Validator.MaxQuantity).Required($"lines[{i}].condition", line.Condition);
            }
        }

        if (!v.IsValid) return v.Problem();
        if (orderId is null) return Problems.NotFound("returnId", $"return '{returnId}' is not known");
        var result = await grains.Ref<IOrderGrain>(orderId).ReceiveReturnAsync(
            returnId, [.. body.Lines!.Select(l => new ReceiveLine(l!.Sku!, l.Quantity!.Value, l.Condition!.Value))], body.LocationId!);
        return Problem(result) ?? (Results<Ok<ReturnView>, ProblemHttpResult>)TypedResults.Ok(result.Order!.Returns.First(r => r.ReturnId == returnId));
    }

    private static async Task<Results<Ok<ReturnView>, ProblemHttpResult>> GetReturn(string returnId, IGrainFactory grains)
    {
        if (!IsChildId(returnId)) return Problems.Validation("returnId", "is not a valid return id");
        var orderId = OrderKeys.OrderOfReturn(returnId);
        var order = orderId is null ? null : await grains.Ref<IOrderGrain>(orderId).GetAsync();
        return order?.Returns.FirstOrDefault(r => r.ReturnId == returnId) is { } found
            ? TypedResults.Ok(found)
            : Problems.NotFound("returnId", $"return '{returnId}' is not known");
    }

    private static async Task<Results<Ok<CustomerOrders>, ProblemHttpResult>> CustomerOrders(string customerId, IGrainFactory grains, int? limit)
    {
        var v = new Validator().Id("customerId", customerId).Range("limit", limit, 1, 1000, required: false);
        if (!v.IsValid) return v.Problem();
        var entries = (await grains.Ref<ICustomerOrdersGrain>(customerId).GetAsync()).Take(limit ?? 100).ToArray();
        var views = await Task.WhenAll(entries.Select(e => grains.Ref<IOrderGrain>(e.OrderId).GetAsync()));
        return TypedResults.Ok(new CustomerOrders(customerId,
            [.. entries.Select((e, i) => new CustomerOrderSummary(e.OrderId, e.CreatedAt, e.Channel, e.Total, views[i]?.Status))]));
    }

    private static async Task<Results<Ok<OrderPolicy>, ProblemHttpResult>> PutPolicy(OrderPolicyBody body, IGrainFactory grains, ReferenceDataCache cache)
    {
        var v = new Validator()
            .Ids("flaggedCustomers", body.FlaggedCustomers)
            .Range("reviewEscalateAfterSeconds", body.ReviewEscalateAfterSeconds, 1, 30 * 24 * 3600, required: false)
            .Range("acknowledgeEscalateAfterSeconds", body.AcknowledgeEscalateAfterSeconds, 1, 30 * 24 * 3600, required: false)
            .Range("returnEscalateAfterSeconds", body.ReturnEscalateAfterSeconds, 1, 365 * 24 * 3600, required: false);
        if (body.ReviewAbove is { } above) v.Check(above >= 0 && above <= MaxPrice, "reviewAbove", $"must be between 0 and {MaxPrice}");
        if (body.Refund is { } r)
        {
            v.Range("refund.windowDays", r.WindowDays, 0, 3650, required: false).Ids("refund.nonReturnableCategories", r.NonReturnableCategories);
            if (r.RestockingFeePercent is { } fee) v.Check(fee is >= 0 and <= 100, "refund.restockingFeePercent", "must be between 0 and 100");
            if (r.DamagedRefundPercent is { } damaged) v.Check(damaged is >= 0 and <= 100, "refund.damagedRefundPercent", "must be between 0 and 100");
        }

        if (!v.IsValid) return v.Problem();
        var d = OrderPolicy.Default;
        var refund = body.Refund is { } rb
            ? new RefundPolicy(rb.WindowDays ?? d.Refund.WindowDays, rb.RestockingFeePercent ?? d.Refund.RestockingFeePercent,
                rb.NonReturnableCategories ?? [], rb.DamagedRefundPercent ?? d.Refund.DamagedRefundPercent)
            : d.Refund;
        var policy = new OrderPolicy(body.ReviewAbove ?? d.ReviewAbove, body.FlaggedCustomers ?? [], body.ReviewEscalateAfterSeconds ?? d.ReviewEscalateAfterSeconds,
            body.AcknowledgeEscalateAfterSeconds ?? d.AcknowledgeEscalateAfterSeconds, body.ReturnEscalateAfterSeconds ?? d.ReturnEscalateAfterSeconds, refund,
            body.HoldUntilPaid ?? false);
        var saved = await grains.Ref<ICatalogGrain>(SingletonKeys.Catalog).PutOrderPolicyAsync(policy);
        await cache.RefreshAsync();
        return TypedResults.Ok(saved);
    }

    private static async Task<Ok<OrderPolicy>> GetPolicy(ReferenceDataCache cache) => TypedResults.Ok((await cache.GetAsync()).Policy);
}
