using Oms.Grains.Hosting;

namespace Oms.Gateway.Hosting;

/// <summary>
/// How this process runs: the embedded default (silo + gateway + dashboard in one process, SQLite file or
/// memory), or a cluster client of PostgreSQL-backed silos.
/// </summary>
public sealed record GatewayMode(bool Cluster, bool Demo, OmsSiloOptions Silo)
{
    public static GatewayMode From(IConfiguration configuration)
    {
        var silo = new OmsSiloOptions();
        configuration.GetSection(OmsSiloOptions.Section).Bind(silo);
        var cluster = configuration.GetValue<bool>("Oms:Cluster");
        silo.Storage = cluster ? StorageMode.Postgres
            : configuration.GetValue<bool>("Oms:InMemory") ? StorageMode.InMemory
            : StorageMode.Sqlite;
        if (cluster && string.IsNullOrWhiteSpace(silo.ConnectionString))
            throw new InvalidOperationException("--cluster needs --connection \"Host=...;Database=oms;...\" (Oms:ConnectionString)");
        return new GatewayMode(cluster, configuration.GetValue<bool>("Oms:Demo"), silo);
    }

    public string Describe() => Silo.Storage switch
    {
        StorageMode.InMemory => "embedded, IN MEMORY (nothing survives a restart)",
        StorageMode.Sqlite => $"embedded, durable in SQLite file {Path.GetFullPath(Silo.SqlitePath)}",
        _ => "cluster client (PostgreSQL clustering)",
    };
}
