using System.ComponentModel.DataAnnotations;

namespace Oms.Gateway.Hosting;

/// <summary>How many writes this gateway lets run at once (<c>Oms:Gateway</c>, docs/decisions/0023).</summary>
public sealed class WriteAdmissionOptions
{
    public const string Section = "Oms:Gateway";

    /// <summary>
    /// Writes (POST, PUT, PATCH, DELETE under /v1) running at once; later ones wait, oldest first, and reads never wait
    /// here. 0 (the default) admits every write: a flash sale then may take all the gateway's CPU from the reads, while a
    /// cap keeps the queue in front of a read short, at the cost of smaller group commits on a hot record.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxConcurrentWrites { get; set; }
}
