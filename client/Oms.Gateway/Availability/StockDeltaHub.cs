using System.Threading.Channels;
using Oms.GrainInterfaces.Availability;
using Oms.Grains.Availability;
using Orleans.Streams;

namespace Oms.Gateway.Availability;

/// <summary>
/// This gateway's single subscription to the stock-delta streams: each delta moves this gateway's copy of its SKU's
/// view forward (<see cref="AvailabilityCopies"/>), then goes to its SSE clients. Keeps the last
/// <see cref="BufferSize"/> events so a client can resume with Last-Event-ID; event ids carry this process's
/// instance id, so an id from an earlier process (or one too old) is answered with a resync. A client that falls
/// <see cref="SubscriberQueue"/> events behind is not dropped silently: its queue is emptied and it is sent a resync.
/// </summary>
/// <para>
/// Embedded, the views run in this process and hand each delta over directly (<see cref="IStockDeltaListener"/>), before
/// their update returns: no stream subscription, so an event does not wait for the stream's pulling agent (it polls
/// every 100 ms) and the copy is exact when the write is acknowledged. On the cluster the deltas come from the stream.
/// </para>
public sealed partial class StockDeltaHub(IClusterClient client, AvailabilityCopies copies, ILogger<StockDeltaHub> logger, bool viewsInProcess)
    : BackgroundService, IStockDeltaListener
{
    public const int BufferSize = 10_000;
    public const int SubscriberQueue = 1_000;

    private readonly string _instance = Guid.NewGuid().ToString("N")[..8];
    private readonly LinkedList<(long Seq, StockDelta Delta)> _buffer = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly Lock _gate = new();
    private long _seq;

    public string EventId(long seq) => $"{_instance}-{seq}";

    /// <summary>
    /// Registers a subscriber. <paramref name="replay"/> holds the buffered events after <paramref name="lastEventId"/>;
    /// it is null when that id cannot be resumed from (unknown instance, or older than the buffer).
    /// </summary>
    public (Subscriber Subscriber, IDisposable Registration, List<(long Seq, StockDelta Delta)>? Replay) Subscribe(string? lastEventId)
    {
        var subscriber = new Subscriber(Channel.CreateBounded<(long, StockDelta)>(new BoundedChannelOptions(SubscriberQueue)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the subscriber is told, not silently thinned
            SingleReader = true,
        }));

        lock (_gate)
        {
            _subscribers.Add(subscriber);
            List<(long, StockDelta)>? replay = [];
            if (lastEventId is not null)
            {
                var first = _buffer.First?.Value.Seq ?? _seq + 1;
                replay = TryParse(lastEventId, out var after) && after >= first - 1 && after <= _seq
                    ? _buffer.Where(e => e.Seq > after).ToList()
                    : null;
            }

            return (subscriber, new Registration(this, subscriber), replay);
        }
    }

    /// <inheritdoc />
    public void Apply(StockDelta delta) => Publish(delta);

    /// <inheritdoc />
    public void Invalidate(string sku) => copies.Invalidate(sku);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (viewsInProcess) return; // the views hand their deltas over (Apply)
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var provider = client.GetStreamProvider(OmsNames.StreamProvider);
                for (var p = 0; p < OmsNames.StockDeltaPartitions; p++)
                {
                    var stream = provider.GetStream<StockDelta>(StreamId.Create(OmsNames.StockDeltaNamespace, p.ToString()));
                    await stream.SubscribeAsync((delta, _) =>
                    {
                        Publish(delta);
                        return Task.CompletedTask;
                    });
                }

                LogSubscribed(OmsNames.StockDeltaPartitions);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogSubscribeFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>One delta from the stream (public for tests, which inject gaps and floods through it).</summary>
    public void Publish(StockDelta delta)
    {
        // The copy first: a subscriber told of this change reads the availability after it.
        copies.Apply(delta);
        lock (_gate)
        {
            var seq = ++_seq;
            _buffer.AddLast((seq, delta));
            if (_buffer.Count > BufferSize) _buffer.RemoveFirst();
            foreach (var subscriber in _subscribers)
            {
                if (!subscriber.Queue.Writer.TryWrite((seq, delta))) subscriber.FellBehind = true;
            }
        }
    }

    private bool TryParse(string eventId, out long seq)
    {
        seq = 0;
        var parts = eventId.Split('-', 2);
        return parts.Length == 2 && parts[0] == _instance && long.TryParse(parts[1], out seq);
    }

    /// <summary>One SSE client's queue, and whether it overflowed since the client last caught up.</summary>
    public sealed class Subscriber(Channel<(long Seq, StockDelta Delta)> queue)
    {
        private volatile bool _fellBehind;

        public Channel<(long Seq, StockDelta Delta)> Queue { get; } = queue;

        public ChannelReader<(long Seq, StockDelta Delta)> Reader => Queue.Reader;

        public bool FellBehind
        {
            get => _fellBehind;
            set => _fellBehind = value;
        }

        /// <summary>True once after an overflow: the queue is emptied, and the client must fetch availability again.</summary>
        public bool TakeResync()
        {
            if (!_fellBehind) return false;
            while (Queue.Reader.TryRead(out _)) { }
            _fellBehind = false;
            return true;
        }
    }

    private sealed class Registration(StockDeltaHub hub, Subscriber subscriber) : IDisposable
    {
        public void Dispose()
        {
            lock (hub._gate) hub._subscribers.Remove(subscriber);
            subscriber.Queue.Writer.TryComplete();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to {Partitions} stock-delta streams")]
    private partial void LogSubscribed(int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to stock deltas yet; retrying")]
    private partial void LogSubscribeFailed(Exception ex);
}
