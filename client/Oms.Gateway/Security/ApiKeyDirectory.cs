using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Security;
using Oms.Grains;
using Oms.Grains.Security;

namespace Oms.Gateway.Security;

/// <summary>
/// This gateway's view of every key: the configured ones, hashed at start-up (SHA-256 with a salt made for this
/// process, so no plaintext is kept or compared), and the runtime ones from <see cref="IApiKeysGrain"/>. It polls
/// the grain's version every <see cref="PollInterval"/> and takes a newer set at once, so a key created, rotated
/// or revoked through any gateway counts here within <see cref="PropagationBound"/>, and at once in the gateway
/// that made the change (it offers the new set).
/// </summary>
public sealed partial class ApiKeyDirectory(
    IGrainFactory grains, IOptions<ApiKeyOptions> options, TimeProvider time, ILogger<ApiKeyDirectory> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>What README and ADR 13 promise: a poll interval plus a slow grain call, with room for a loaded machine.</summary>
    public static readonly TimeSpan PropagationBound = TimeSpan.FromSeconds(2);

    /// <summary>Made per process: the configured keys' hashes mean nothing outside it.</summary>
    private static readonly string Salt = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>The configured keys as callers, keyed by their salted hash (the first of two equal keys wins).</summary>
    private readonly FrozenDictionary<string, ApiCaller> _configured = options.Value.Keys
        .Where(k => k.Key.Length > 0)
        .GroupBy(k => HashConfigured(k.Key))
        .ToFrozenDictionary(g => g.Key, g => new ApiCaller(g.First().Name, g.First().Name, g.First().Scopes.ToFrozenSet(), g.First().PermitsPerSecond));

    private volatile ApiKeySet _runtime = ApiKeySet.Empty;

    public ApiKeySet Runtime => _runtime;

    public IEnumerable<ApiKey> ConfiguredKeys => options.Value.Keys;

    /// <summary>The caller a presented key belongs to, or null: unknown, revoked, expired, or a rotated-out secret past its overlap.</summary>
    public ApiCaller? Authenticate(string presented)
    {
        if (presented.Length == 0) return null;
        if (ApiKeySecrets.TryParse(presented, out var id, out var secret)
            && _runtime.Keys.TryGetValue(id, out var key)
            && ApiKeyRules.Verify(key, secret, time.GetUtcNow()))
            return new ApiCaller(key.Id, key.Name, key.Scopes.ToFrozenSet(), key.PermitsPerSecond);
        return _configured.GetValueOrDefault(HashConfigured(presented));
    }

    /// <summary>Takes <paramref name="set"/> if it is newer than what this gateway has.</summary>
    public void Offer(ApiKeySet set)
    {
        while (true)
        {
            var current = _runtime;
            if (set.Version <= current.Version) return;
#pragma warning disable CS0420 // a volatile field passed by ref to Interlocked keeps its semantics
            if (Interlocked.CompareExchange(ref _runtime, set, current) == current) return;
#pragma warning restore CS0420
        }
    }

    public async Task RefreshAsync()
    {
        var grain = grains.Ref<IApiKeysGrain>(SingletonKeys.ApiKeys);
        if (await grain.GetVersionAsync() > _runtime.Version) Offer(await grain.GetSetAsync());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        using var timer = new PeriodicTimer(PollInterval, time);
        do
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(ex);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static string HashConfigured(string key) => ApiKeySecrets.HashWith(Salt, key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key refresh failed; the last known keys stay in force and it is retried")]
    private partial void LogRefreshFailed(Exception ex);
}
