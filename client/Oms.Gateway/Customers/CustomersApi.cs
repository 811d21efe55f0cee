using Oms.GrainInterfaces.Orders;
using Oms.Gateway.Security;
using Oms.Grains;

namespace Oms.Gateway.Customers;

/// <summary>
/// Customer data (GDPR, docs/decisions/0017, admin scope): erase pseudonymises the customer's personal data in every
/// order and index, export returns all of it; both are recorded on the orders' timelines.
/// </summary>
public static class CustomersApi
{
    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/v1/customers").WithTags(ApiTags.Customers).WithMetadata(new RequiresScope(Scopes.Admin));
        customers.MapPost("/{customerId}/erase", Erase).WithName("EraseCustomer").ProducesProblems()
            .WithSummary("Pseudonymise the customer's personal data in every order and index (amounts and stock history stay); the same answer when repeated");
        customers.MapGet("/{customerId}/export", Export).WithName("ExportCustomer").ProducesProblems(ProblemKinds.NotFound)
            .WithSummary("Everything held about the customer: every order with its timeline (the export is recorded on each)");
        return app;
    }

    private static async Task<Results<Ok<CustomerErasureResult>, ProblemHttpResult>> Erase(string customerId, IGrainFactory grains)
    {
        var v = new Validator().Id("customerId", customerId);
        if (!v.IsValid) return v.Problem();
        return TypedResults.Ok(await grains.Ref<ICustomerOrdersGrain>(customerId).EraseAsync());
    }

    private static async Task<Results<Ok<CustomerExport>, ProblemHttpResult>> Export(string customerId, IGrainFactory grains, TimeProvider time)
    {
        var v = new Validator().Id("customerId", customerId);
        if (!v.IsValid) return v.Problem();
        var entries = await grains.Ref<ICustomerOrdersGrain>(customerId).GetAsync();
        var orders = (await Task.WhenAll(entries.Select(e => grains.Ref<IOrderGrain>(e.OrderId).ExportAsync()))).OfType<OrderView>().ToArray();
        if (orders.Length == 0) return Problems.NotFound("customerId", $"no data is held about customer '{customerId}'");
        return TypedResults.Ok(new CustomerExport(customerId, time.GetUtcNow(), orders[0].Customer, orders));
    }
}
