using Oms.Grains.Hosting;
using Oms.Grains.Reference;
using Oms.Grains.Webhooks;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Oms.Gateway.Hosting;

public static class OrleansHosting
{
    /// <summary>Embedded: this process is a silo too. Cluster: an Orleans client of the PostgreSQL cluster.</summary>
    public static WebApplicationBuilder AddOmsOrleans(this WebApplicationBuilder builder, GatewayMode mode)
    {
        if (!mode.Cluster)
        {
            builder.UseOrleans(silo => silo.AddOms(mode.Silo));
            builder.Services.PostConfigure<WebhookOptions>(o => o.AllowedHosts ??= WebhookOptions.Loopback);
            return builder;
        }

        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = mode.Silo.ClusterId;
                o.ServiceId = mode.Silo.ServiceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = OmsSiloBuilderExtensions.PostgresInvariant;
                o.ConnectionString = mode.Silo.ConnectionString;
            });
            client.AddMemoryStreams(OmsNames.StreamProvider, b => b.ConfigurePartitioning(OmsNames.StockDeltaPartitions));
            client.AddDashboard(o => o.HideTrace = true);
        });
        builder.Services.AddSingleton<ReferenceDataCache>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReferenceDataCache>());
        WebhookOptions.AddTo(builder.Services);
        return builder;
    }
}
