using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Oms.Grains.Reference;
using Orleans.Streams;

namespace Oms.Grains.Availability;

/// <summary>
/// The availability view of one SKU. Holds nothing durable: on activation it reads every location's last
/// persisted level, after that the inventory grains push each committed change. Reads are [ReadOnly] and
/// interleave; one SKU's view never waits on another's.
/// </summary>
public sealed partial class SkuAvailabilityGrain(ReferenceDataCache reference, ILogger<SkuAvailabilityGrain> logger)
    : Grain, ISkuAvailabilityGrain
{
    private readonly Dictionary<string, LocationStock> _stock = new(StringComparer.Ordinal);
    private Product _product = Product.Unknown("");
    private IAsyncStream<StockDelta>? _deltas;
    private bool _productKnown;

    private string Sku => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var product = await GrainFactory.GetGrain<IProductGrain>(Sku).GetAsync();
        _productKnown = product is not null;
        _product = product ?? Product.Unknown(Sku);

        var snapshot = await reference.GetAsync();
        var levels = await Task.WhenAll(snapshot.Locations.Keys.Select(locationId =>
            GrainFactory.GetGrain<IInventoryGrain>(InventoryKey.For(locationId, Sku)).GetAsync()));
        foreach (var level in levels.Where(l => l.Version > 0)) Remember(level.ToLocationStock());

        _deltas = this.GetStreamProvider(OmsNames.StreamProvider)
            .GetStream<StockDelta>(StreamId.Create(OmsNames.StockDeltaNamespace, OmsNames.PartitionOf(Sku).ToString()));
    }

    public async Task UpdateAsync(LocationStock stock)
    {
        // Equal versions still publish: the activation that this very push triggered may already have read the
        // level from the inventory grain, and the change must not go unannounced.
        if (_stock.TryGetValue(stock.LocationId, out var known) && known.Version > stock.Version) return;
        _stock[stock.LocationId] = stock;

        if (_deltas is null) return;
        var snapshot = reference.Current;
        var byChannel = new Dictionary<string, int>();
        foreach (var channel in snapshot.Channels.Values)
        {
            if (!snapshot.Locations.TryGetValue(stock.LocationId, out var location) || !ChannelRules.IsEligible(channel, location)) continue;
            byChannel[channel.ChannelId] =
                ChannelRules.Compute(channel, _product, snapshot.Locations, _stock.Values, AvailabilityScope.All).Available;
        }

        try
        {
            await _deltas.OnNextAsync(new StockDelta(stock.LocationId, Sku, stock.Atp, stock.Version, byChannel, DateTimeOffset.UtcNow));
        }
        catch (Exception ex)
        {
            // The stream feeds live subscribers only; the view itself is already up to date.
            LogPublishFailed(ex, Sku);
        }
    }

    public Task ProductChangedAsync(Product product)
    {
        _product = product;
        _productKnown = true;
        return Task.CompletedTask;
    }

    public Task<SkuAvailability?> GetAsync(string channelId, AvailabilityScope scope)
    {
        var snapshot = reference.Current;
        return Task.FromResult(snapshot.Channels.TryGetValue(channelId, out var channel)
            ? ChannelRules.Compute(channel, _product, snapshot.Locations, _stock.Values, scope, _productKnown || _stock.Count > 0)
            : null);
    }

    public Task<LocationStock[]> GetLocationsAsync() => Task.FromResult(_stock.Values.ToArray());

    private bool Remember(LocationStock stock)
    {
        if (_stock.TryGetValue(stock.LocationId, out var known) && known.Version >= stock.Version) return false;
        _stock[stock.LocationId] = stock;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish a stock delta for {Sku}")]
    private partial void LogPublishFailed(Exception ex, string sku);
}
