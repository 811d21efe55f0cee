namespace Oms.Gateway.Tests;

/// <summary>The embedded gateway with stock events on (<c>Oms:Events:Stock</c>, off by default).</summary>
public sealed class StockEventsFixture : GatewayFixture
{
    protected override IEnumerable<(string Key, string Value)> Settings => [("Oms:Events:Stock", "true")];
}

[CollectionDefinition(Name)]
public sealed class StockEventsCollection : ICollectionFixture<StockEventsFixture>
{
    public const string Name = "stock-events";
}
