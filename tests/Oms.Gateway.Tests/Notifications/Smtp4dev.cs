using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;

namespace Oms.Gateway.Tests.Notifications;

/// <summary>
/// A real SMTP server for the notification tests: the smtp4dev dotnet tool of the repo's tool manifest
/// (<c>dotnet tool restore</c> installs it; test.sh does), in memory, on free ports, its mails read back over its REST API.
/// </summary>
public sealed class Smtp4dev : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _api;
    private readonly List<string> _output = [];
    private readonly string _appData = Directory.CreateTempSubdirectory("smtp4dev-").FullName;

    public int SmtpPort { get; } = GatewayFixture.FreePort();

    private Smtp4dev()
    {
        var web = GatewayFixture.FreePort();
        _api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}"), Timeout = TimeSpan.FromSeconds(10) };
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["tool", "run", "smtp4dev", "--db=", $"--smtpport={SmtpPort}", $"--imapport={GatewayFixture.FreePort()}",
                     $"--pop3port={GatewayFixture.FreePort()}", $"--urls=http://127.0.0.1:{web}", "--nousersettings", "--hostname=localhost",
                     "--tlsmode=None", $"--baseappdatapath={_appData}"])
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts it; <see cref="ReadyAsync"/> waits for it (it takes a few seconds: start it first, then other things).</summary>
    public static Smtp4dev Start() => new();

    public async Task ReadyAsync()
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) break;
            try
            {
                if ((await _api.GetAsync("/api/messages")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException("smtp4dev did not start (run `dotnet tool restore` in the repo): " + string.Join('\n', Tail()));
    }

    /// <summary>Every mail received, as MIME (smtp4dev's raw source of each).</summary>
    public async Task<MimeMessage[]> MessagesAsync()
    {
        var list = await _api.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=1000");
        var mails = new List<MimeMessage>();
        foreach (var item in list.GetProperty("results").EnumerateArray())
        {
            await using var raw = await _api.GetStreamAsync($"/api/messages/{item.GetProperty("id").GetString()}/raw");
            mails.Add(await MimeMessage.LoadAsync(raw));
        }

        return [.. mails];
    }

    /// <summary>The mails to <paramref name="to"/>.</summary>
    public async Task<MimeMessage[]> To(string to) =>
        [.. (await MessagesAsync()).Where(m => m.To.Mailboxes.Any(a => a.Address == to))];

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _api.Dispose();
        Directory.Delete(_appData, recursive: true);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 40) _output.RemoveAt(0);
        }
    }

    private string[] Tail()
    {
        lock (_output) return [.. _output];
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, ".config", "dotnet-tools.json")) && File.Exists(Path.Combine(dir.FullName, "Oms.Orleans.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("the repository root (with .config/dotnet-tools.json) is not above " + AppContext.BaseDirectory);
    }
}
