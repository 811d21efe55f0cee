using Microsoft.Extensions.Hosting;
using Oms.GrainInterfaces.Reference;

namespace Oms.Grains.Reference;

/// <summary>
/// This process's copy of locations and channels. Every silo and every gateway keeps one; it polls the catalog
/// grain's version twice a second and takes a newer snapshot as soon as it sees one, so a change is visible
/// everywhere within a second, and at once in the process that made it.
/// </summary>
public sealed partial class ReferenceDataCache(IGrainFactory grains, ILogger<ReferenceDataCache> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private volatile ReferenceSnapshot _current = ReferenceSnapshot.Empty;
    private volatile bool _loaded;

    public ReferenceSnapshot Current => _current;

    /// <summary>Takes <paramref name="snapshot"/> if it is newer than what this process has.</summary>
    public void Offer(ReferenceSnapshot snapshot)
    {
        while (true)
        {
            var current = _current;
            if (snapshot.Version <= current.Version) return;
#pragma warning disable CS0420 // a volatile field passed by ref to Interlocked keeps its semantics
            if (Interlocked.CompareExchange(ref _current, snapshot, current) == current) return;
#pragma warning restore CS0420
        }
    }

    public async Task<ReferenceSnapshot> RefreshAsync()
    {
        var catalog = grains.Ref<ICatalogGrain>(SingletonKeys.Catalog);
        var version = await catalog.GetVersionAsync();
        if (version > _current.Version) Offer(await catalog.GetSnapshotAsync());
        _loaded = true;
        return _current;
    }

    /// <summary>The snapshot, fetched first if this process has never loaded one.</summary>
    public ValueTask<ReferenceSnapshot> GetAsync() =>
        _loaded ? ValueTask.FromResult(_current) : new ValueTask<ReferenceSnapshot>(RefreshAsync());

    /// <summary>
    /// The snapshot, fetched again once if it lacks what the caller needs: something created moments ago through
    /// another process may not have reached this one yet.
    /// </summary>
    public async ValueTask<ReferenceSnapshot> GetAsync(Func<ReferenceSnapshot, bool> has)
    {
        var snapshot = await GetAsync();
        return has(snapshot) ? snapshot : await RefreshAsync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reference data refresh failed; retrying")]
    private partial void LogRefreshFailed(Exception ex);
}
