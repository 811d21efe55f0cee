using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Oms.Gateway.Client;
using Oms.Gateway.Client.Models;

namespace Oms.Gateway.Tests;

/// <summary>
/// The client Kiota generated from the served document (tests/Oms.Gateway.Client) drives the order flow over
/// real HTTP: if the document lied about a path, a body or an error, this would not compile or would fail here.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class KiotaClientTests(GatewayFixture fx)
{
    // A drop-ship vendor and a channel of its own, so the fixture's channel and its tests never see them.
    private const string Vendor = "KC-DSV";
    private const string Channel = "kiota-web";
    private const string Sku = "KC-SKU-1";

    [Fact]
    public async Task The_generated_client_places_and_reads_an_order_and_gets_insufficient_stock_as_a_typed_problem()
    {
        var api = Client().V1;
        await api.Locations[Vendor].PutAsync(new LocationRequest { Name = "Kiota vendor", Type = LocationType.Dsv, Latitude = 52.2, Longitude = -1.16, Region = "UK" });
        await api.Channels[Channel].PutAsync(new ChannelRequest { Name = "Kiota web", Region = "UK", LocationIds = [Vendor] });
        await api.Products[Sku].PutAsync(new ProductRequest { Name = "Generated-client boot", Category = "shoes" });
        var level = await api.Inventory[Vendor][Sku].PutAsync(new LevelRequest { OnHand = 5, AsOf = new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero) });
        Assert.True(level!.Applied);
        Assert.Equal(5, level.Level!.Atp);

        var line = await api.Carts["kc-cart-1"].Lines[Sku].PutAsync(new CartLineBody { Channel = Channel, Quantity = 2 });
        Assert.Equal(2, line!.Quantity);
        Assert.Equal(Vendor, Assert.Single(line.Reservations!).LocationId);

        var placed = await api.Orders.PostAsync(new OrderBody
        {
            OrderId = "kc-ord-1",
            CartId = "kc-cart-1",
            Channel = Channel,
            Customer = new CustomerBody { Id = "kc-cust", Email = "kc@example.com" },
            Lines = [new OrderLineBody { Sku = Sku, Quantity = 2, UnitPrice = 40 }],
            Fulfilment = new FulfilmentBody { Type = FulfilmentType.Ship, Address = new AddressBody { Latitude = 51.5, Longitude = -0.13, Country = "GB" } },
        }, c => c.Headers.Add("Idempotency-Key", "kc-ord-1-attempt"));
        Assert.Equal("kc-ord-1", placed!.OrderId);
        Assert.Equal(Vendor, Assert.Single(placed.Fulfilments!).LocationId);

        var order = await api.Orders["kc-ord-1"].GetAsync();
        Assert.Equal(OrderStatus.Sourced, order!.Status);
        Assert.Equal(2, Assert.Single(order.Lines!).Quantity);
        Assert.Contains(order.Timeline!, t => t.Event == "created");

        // 3 left; a second cart asking for 4 is refused with the typed problem the document declares for 409.
        var problem = await Assert.ThrowsAsync<Problem>(() => api.Carts["kc-cart-2"].Lines[Sku].PutAsync(new CartLineBody { Channel = Channel, Quantity = 4 }));
        Assert.Equal(409, problem.ResponseStatusCode);
        Assert.Equal(Problem_code.Insufficient_stock, problem.Code);
        Assert.Equal(3, problem.Available);
        var shortLine = Assert.Single(problem.Lines!);
        Assert.Equal((Sku, 4, 3), (shortLine.Sku, shortLine.Requested, shortLine.Available));
        Assert.False(string.IsNullOrEmpty(problem.Message));

        var missing = await Assert.ThrowsAsync<Problem>(() => api.Orders["kc-ord-never"].GetAsync());
        Assert.Equal((404, Problem_code.Not_found), (missing.ResponseStatusCode, missing.Code));
    }

    private OmsApiClient Client() =>
        new(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: fx.Http) { BaseUrl = fx.BaseAddress.GetLeftPart(UriPartial.Authority) });
}
