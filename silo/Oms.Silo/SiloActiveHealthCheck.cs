using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Oms.Silo;

/// <summary>
/// Ready while this silo is Active in the cluster's membership: not yet while it joins, and no longer once it starts
/// shutting down, so Kubernetes stops counting it (and a PodDisruptionBudget waits) before grains leave it.
/// </summary>
public sealed class SiloActiveHealthCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo {local.SiloAddress} active")
            : HealthCheckResult.Unhealthy($"silo {local.SiloAddress} {status}"));
    }
}
