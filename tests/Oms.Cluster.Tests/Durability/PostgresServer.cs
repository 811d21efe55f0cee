using System.Diagnostics;

namespace Oms.Cluster.Tests.Durability;

/// <summary>
/// A throwaway PostgreSQL (initdb into a temp dir, a free port) with the Orleans schema, started through
/// deploy/pg-throwaway.sh, the same script the local cluster uses. Never a mock.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "oms-pg-" + Guid.NewGuid().ToString("N")[..8]);

    public int Port { get; } = RepoPaths.FreePort();

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=oms;Pooling=true";

    /// <summary>A silo process's arguments on this server, with free ports, and its HTTP (health) address.</summary>
    public (string[] Args, string Url) SiloArgs()
    {
        var url = $"http://127.0.0.1:{RepoPaths.FreePort()}";
        return (["--connection", ConnectionString, "--silo-port", RepoPaths.FreePort().ToString(), "--gateway-port", RepoPaths.FreePort().ToString(), "--urls", url], url);
    }

    public static bool Available => Directory.Exists("/usr/lib/postgresql") && Directory.EnumerateDirectories("/usr/lib/postgresql").Any();

    public async Task InitializeAsync()
    {
        if (!Available)
        {
            if (Environment.GetEnvironmentVariable("CI") is not null)
                throw new InvalidOperationException("PostgreSQL is not installed; .ci/run installs it (apt-get install postgresql)");
            return;
        }

        await RunScriptAsync("start", _dir, Port.ToString());
    }

    public async Task DisposeAsync()
    {
        if (!Available) return;
        await RunScriptAsync("stop", _dir);
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task RunScriptAsync(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "deploy", "pg-throwaway.sh"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"pg-throwaway.sh {string.Join(' ', args)} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }
}
