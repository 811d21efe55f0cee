using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Oms.Cluster.Tests.Durability;

/// <summary>Paths of the built programs, found from the repository root above the test assembly.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, whichever this test assembly was built as.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string Program(string project) =>
        Path.Combine(Root, project, "bin", Configuration, "net10.0", Path.GetFileName(project) + ".dll");

    public static string Gateway => Program(Path.Combine("client", "Oms.Gateway"));

    public static string Silo => Program(Path.Combine("silo", "Oms.Silo"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Oms.Orleans.sln"))) return dir.FullName;
        throw new InvalidOperationException("Oms.Orleans.sln not found above " + AppContext.BaseDirectory);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A product process (gateway or silo) started as `dotnet X.dll args`, killed hard on demand.</summary>
public sealed class TestProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];

    private TestProcess(Process process) => _process = process;

    public string Log
    {
        get
        {
            lock (_log) return string.Join('\n', _log.TakeLast(80));
        }
    }

    /// <summary>Every line so far, for a failure that needs more than the last 80.</summary>
    public void WriteLog(string path)
    {
        lock (_log) File.WriteAllLines(path, _log);
    }

    public static TestProcess Start(string dll, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built; run `dotnet build Oms.Orleans.sln` first", dll);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;

        var process = new Process { StartInfo = info };
        var host = new TestProcess(process);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until <paramref name="url"/> answers 200 (the process is up and its cluster is ready).</summary>
    public async Task WaitReadyAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"process exited with {_process.ExitCode}:\n{Log}");
            try
            {
                if ((await http.GetAsync(url)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{url} not ready after {timeout}:\n{Log}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush, as a crash.</summary>
    public void KillHard()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, as an orchestrator stops a pod: waits for the exit and says how long the graceful stop took.</summary>
    public TimeSpan StopGracefully(TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        if (!_process.HasExited && Kill(_process.Id, Sigterm) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"process {_process.Id} still running {timeout} after SIGTERM:\n{Log}");
        return Stopwatch.GetElapsedTime(started);
    }

    private const int Sigterm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.Add(line);
    }
}
