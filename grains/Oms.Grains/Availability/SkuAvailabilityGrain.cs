using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Inventory;
using Oms.GrainInterfaces.Reference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Events;
using Oms.Grains.Events;
using Oms.Grains.Reference;
using Orleans.Core;
using Orleans.Storage;
using Orleans.Streams;

namespace Oms.Grains.Availability;

/// <summary>
/// The availability view of one SKU. The inventory grains push each committed change, and the first read after
/// activation also reads every location's last persisted level (a bulk feed of new SKUs activates views without
/// paying for that). Reads are [ReadOnly] and interleave; one SKU's view never waits on another's.
/// <para>
/// Stock events (docs/decisions/0015): a change arms a timer for <see cref="EventLogOptions.StockWindow"/>; when it
/// fires, each channel's answer is compared with what was last announced (<see cref="StockAnnouncements"/>), the
/// events go to the event log, and only then is the announcement recorded, the view's one durable state. A view that
/// dies in between announces the level again on its next change (at least once).
/// </para>
/// <para>
/// That state is not a <c>[PersistentState]</c>: Orleans would read it on every activation, a storage read on the
/// storefront's read path that, with stock events off (the default), nothing uses. It is read on the first
/// announcement instead. (<see cref="IPersistentStateFactory"/> cannot do that: it joins the activation lifecycle,
/// which refuses new participants once the grain is active.)
/// </para>
/// </summary>
public sealed partial class SkuAvailabilityGrain(
    ReferenceDataCache reference,
    IOptions<EventLogOptions> events,
    TimeProvider clock,
    IEnumerable<IStockDeltaListener> listeners,
    ILogger<SkuAvailabilityGrain> logger)
    : Grain, ISkuAvailabilityGrain
{
    /// <summary>How long to wait before announcing again after the event log or the state write failed.</summary>
    private static readonly TimeSpan AnnounceRetry = TimeSpan.FromSeconds(2);

    private IGrainTimer? _announce;

    /// <summary>What was last announced, once read; null again after a failure, so that the next try reads it anew.</summary>
    private StateStorageBridge<StockAnnouncementState>? _announced;

    private readonly Dictionary<string, LocationStock> _stock = new(StringComparer.Ordinal);
    private Product _product = Product.Unknown("");
    private bool _productKnown;
    private IAsyncStream<StockDelta>? _deltas;
    private Task? _loaded;
    private readonly IStockDeltaListener[] _listeners = [.. listeners];

    /// <summary>This activation's publication order (<see cref="StockDelta.Sequence"/>), so readers see a lost delta.</summary>
    private readonly long _epoch = Random.Shared.NextInt64(1, long.MaxValue);
    private long _sequence;

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
        var delta = new StockDelta(stock.LocationId, Sku, stock.Atp, stock.Version, DateTimeOffset.UtcNow, stock.Inbound, stock.NextEta, _epoch, ++_sequence);
        foreach (var listener in _listeners) listener.Apply(delta);

        try
        {
            await _deltas!.OnNextAsync(delta);
        }
        catch (Exception ex)
        {
            // The stream feeds live subscribers only; the view itself is already up to date.
            LogPublishFailed(ex, Sku);
        }

        ArmAnnouncement(events.Value.StockWindow);
    }

    public Task ProductChangedAsync(Product product)
    {
        _product = product;
        _productKnown = true;
        foreach (var listener in _listeners) listener.Invalidate(Sku);
        ArmAnnouncement(events.Value.StockWindow);
        return Task.CompletedTask;
    }

    /// <summary>One timer per window: changes while it is armed join its announcement.</summary>
    private void ArmAnnouncement(TimeSpan after)
    {
        if (_announce is not null || !events.Value.Stock) return;
        _announce = this.RegisterGrainTimer(static (self, _) => self.AnnounceAsync(), this, new GrainTimerCreationOptions(after, Timeout.InfiniteTimeSpan));
    }

    private async Task AnnounceAsync()
    {
        _announce?.Dispose();
        _announce = null;
        try
        {
            var snapshot = await reference.GetAsync();
            // No channel, no subject: nothing to load or compare (a feed before any channel exists pays nothing).
            if (snapshot.Channels.Count == 0) return;
            // The view's levels and what was announced are independent reads: one wait for both.
            var announcedRead = AnnouncedAsync();
            await Task.WhenAll(EnsureLoadedAsync(), announcedRead);
            var announced = await announcedRead;
            var now = clock.GetUtcNow();
            var nonce = Nonce.New();
            var raised = new List<IntegrationEvent>();
            var next = new Dictionary<string, Announced>(announced.State.Channels, StringComparer.Ordinal);
            foreach (var channel in snapshot.Channels.Values)
            {
                var answer = ChannelRules.Compute(channel, _product, snapshot.Locations, _stock.Values, AvailabilityScope.All, known: true);
                var before = next.GetValueOrDefault(channel.ChannelId);
                var types = StockAnnouncements.Types(before, answer);
                if (types.Count == 0) continue;
                var data = EventJson.Write(StockAnnouncements.Data(before, answer));
                var sequence = before?.Sequence ?? 0;
                var subject = EventSubjects.Stock(Sku, channel.ChannelId);
                foreach (var type in types) raised.Add(new IntegrationEvent(EventIds.For(nonce, ++sequence), type, now, subject, sequence, data));
                next[channel.ChannelId] = new Announced(answer.Available, answer.Status, sequence);
            }

            if (raised.Count == 0) return;
            // Subjects of one SKU may live in different partitions; each partition gets its own, in sequence.
            await Task.WhenAll(raised.GroupBy(e => OmsNames.EventPartitionOf(e.Subject))
                .Select(g => GrainFactory.Ref<IEventLogGrain>(g.Key).AppendAsync([.. g], provisional: false)));
            announced.State = new StockAnnouncementState { Channels = next };
            await announced.WriteStateAsync();
        }
        catch (Exception ex)
        {
            LogAnnounceFailed(ex, Sku);
            _announced = null;
            ArmAnnouncement(AnnounceRetry);
        }
    }

    private async Task<StateStorageBridge<StockAnnouncementState>> AnnouncedAsync()
    {
        if (_announced is not null) return _announced;
        var state = new StateStorageBridge<StockAnnouncementState>(
            StockAnnouncementState.Name, GrainContext, ServiceProvider.GetRequiredKeyedService<IGrainStorage>(OmsNames.Storage));
        await state.ReadStateAsync();
        return _announced = state;
    }

    public async Task<SkuAvailability?> GetAsync(string channelId, AvailabilityScope scope)
    {
        await EnsureLoadedAsync();
        var snapshot = await SnapshotWith(channelId);
        return snapshot.Channels.TryGetValue(channelId, out var channel)
            ? ChannelRules.Compute(channel, _product, snapshot.Locations, _stock.Values, scope, _productKnown || _stock.Count > 0)
            : null;
    }

    public async Task<SkuStock> GetStockAsync()
    {
        await EnsureLoadedAsync();
        return new SkuStock(Sku, _product, _productKnown || _stock.Count > 0, [.. _stock.Values], _epoch, _sequence);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce stock events for {Sku}; trying again shortly")]
    private partial void LogAnnounceFailed(Exception ex, string sku);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish a stock delta for {Sku}")]
    private partial void LogPublishFailed(Exception ex, string sku);
}
