using System.ComponentModel.DataAnnotations;

namespace Oms.Grains.Hosting;

public enum StorageMode
{
    /// <summary>Grain state in memory: a throwaway run.</summary>
    InMemory,
    /// <summary>Grain state in a SQLite file through the Orleans ADO.NET provider; localhost clustering.</summary>
    Sqlite,
    /// <summary>Clustering, grain state and reminders in PostgreSQL through the Orleans ADO.NET providers.</summary>
    Postgres,
}

/// <summary>How a silo stores and finds its cluster. Bound from the "Oms" configuration section.</summary>
public sealed class OmsSiloOptions
{
    public const string Section = "Oms";

    public StorageMode Storage { get; set; } = StorageMode.Sqlite;

    /// <summary>SQLite file for <see cref="StorageMode.Sqlite"/>.</summary>
    public string SqlitePath { get; set; } = "oms-data/oms.db";

    /// <summary>Npgsql connection string for <see cref="StorageMode.Postgres"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Group-commit writers per silo (concurrent storage transactions); 0 = the mode's default (SQLite 1, PostgreSQL 2).
    /// Fewer writers make bigger batches (fewer commits) at the price of a write waiting for the one in flight.
    /// </summary>
    [Range(0, 64)]
    public int StorageWriters { get; set; }

    /// <summary>
    /// Running in a Kubernetes pod (<c>Oms:Kubernetes</c>): the silo listens on every address and advertises the pod's
    /// IP instead of loopback, and the silo host adds Orleans' Kubernetes hosting. Unset: true when the
    /// <c>KUBERNETES_SERVICE_HOST</c> variable that Kubernetes gives every pod is present.
    /// </summary>
    public bool? Kubernetes { get; set; }

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    [Required]
    public string ClusterId { get; set; } = "oms";

    [Required]
    public string ServiceId { get; set; } = "oms";
}
