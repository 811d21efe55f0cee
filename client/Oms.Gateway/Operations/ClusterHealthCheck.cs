using Oms.Grains;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Oms.GrainInterfaces.Reference;

namespace Oms.Gateway.Operations;

/// <summary>Ready when a grain answers and storage reads: the catalog grain is persisted, so activating it reads storage.</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await grains.Ref<ICatalogGrain>(SingletonKeys.Catalog).GetVersionAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"catalog version {version}");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("cluster or storage not answering", ex);
        }
    }
}
