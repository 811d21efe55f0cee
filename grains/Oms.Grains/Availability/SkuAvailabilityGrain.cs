using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Oms.Grains.Reference;
using Orleans.Streams;

namespace Oms.Grains.Availability;

/// <summary>
/// The availability view of one SKU. Holds nothing durable: the inventory grains push each committed change,
/// and the first read after activation also reads every location's last persisted level (a bulk feed of new
/// SKUs activates views without paying for that). Reads are [ReadOnly] and interleave; one SKU's view never
/// waits on another's.
/// </summary>
public sealed partial class SkuAvailabilityGrain(ReferenceDataCache reference, ILogger<SkuAvailabilityGrain> logger)
    : Grain, ISkuAvailabilityGrain
{
    private readonly Dictionary<string, LocationStock> _stock = new(StringComparer.Ordinal);
    private Product _product = Product.Unknown("");
    private bool _productKnown;
    private IAsyncStream<StockDelta>? _deltas;
    private Task? _loaded;

    private string Sku => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _product = Product.Unknown(Sku);
        _deltas = this.GetStreamProvider(OmsNames.StreamProvider)
            .GetStream<StockDelta>(StreamId.Create(OmsNames.StockDeltaNamespace, OmsNames.PartitionOf(Sku).ToString()));
        return Task.CompletedTask;
    }

    public async Task UpdateAsync(LocationStock stock)
    {
        // Equal versions still publish: a read may have loaded this very level from the inventory grain while
        // its push was on the way, and the change must not go unannounced.
        if (_stock.TryGetValue(stock.LocationId, out var known) && known.Version > stock.Version) return;
        _stock[stock.LocationId] = stock;

        try
        {
            await _deltas!.OnNextAsync(new StockDelta(stock.LocationId, Sku, stock.Atp, stock.Version, DateTimeOffset.UtcNow));
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

    public async Task<SkuAvailability?> GetAsync(string channelId, AvailabilityScope scope)
    {
        await EnsureLoadedAsync();
        var snapshot = await SnapshotWith(channelId);
        return snapshot.Channels.TryGetValue(channelId, out var channel)
            ? ChannelRules.Compute(channel, _product, snapshot.Locations, _stock.Values, scope, _productKnown || _stock.Count > 0)
            : null;
    }

    public async Task<HoldCandidate[]> GetHoldCandidatesAsync(string channelId)
    {
        await EnsureLoadedAsync();
        var snapshot = await SnapshotWith(channelId);
        if (!snapshot.Channels.TryGetValue(channelId, out var channel) || ChannelRules.IsExcluded(channel, _product)) return [];
        return [.. snapshot.Locations.Values
            .Where(l => ChannelRules.IsEligible(channel, l))
            .Select(l =>
            {
                var atp = _stock.TryGetValue(l.LocationId, out var s) ? s.Atp : 0;
                return new HoldCandidate(l.LocationId, ChannelRules.Sellable(channel, l, atp), ChannelRules.Buffer(channel, l, atp));
            })];
    }

    /// <summary>
    /// This silo's reference data, fetched again once if it does not know the channel yet: a channel created moments
    /// ago through another process reaches this one's cache within a poll (250 ms), and a read must not miss it.
    /// </summary>
    private ValueTask<ReferenceSnapshot> SnapshotWith(string channelId) =>
        reference.Current.Channels.ContainsKey(channelId) ? ValueTask.FromResult(reference.Current) : reference.GetAsync(s => s.Channels.ContainsKey(channelId));

    private Task EnsureLoadedAsync() => _loaded is { IsCompletedSuccessfully: true } ? Task.CompletedTask : _loaded = LoadAsync();

    private async Task LoadAsync()
    {
        var product = await GrainFactory.Ref<IProductGrain>(Sku).GetAsync();
        if (product is not null && !_productKnown)
        {
            _product = product;
            _productKnown = true;
        }

        var snapshot = await reference.GetAsync();
        var levels = await Task.WhenAll(snapshot.Locations.Keys.Select(locationId =>
            GrainFactory.Ref<IInventoryGrain>(InventoryKey.For(locationId, Sku)).GetAsync()));
        foreach (var level in levels.Where(l => l.Version > 0))
        {
            if (!_stock.TryGetValue(level.LocationId, out var known) || known.Version < level.Version)
                _stock[level.LocationId] = level.ToLocationStock();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish a stock delta for {Sku}")]
    private partial void LogPublishFailed(Exception ex, string sku);
}
