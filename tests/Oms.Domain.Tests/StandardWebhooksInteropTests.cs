using System.Diagnostics;
using System.Text.Json;
using Oms.Grains.Webhooks;

namespace Oms.Domain.Tests;

/// <summary>
/// Our signatures checked by an implementation nobody here wrote: the npm package <c>standardwebhooks@1.1.1</c>
/// (tests/webhook-interop, installed with <c>npm ci</c> from its lock file).
/// </summary>
public sealed class StandardWebhooksInteropTests
{
    [Fact]
    public async Task The_standardwebhooks_library_verifies_our_signature_also_while_a_secret_rotates_and_refuses_a_changed_body()
    {
        var (current, old) = (WebhookSecrets.NewSecret(), WebhookSecrets.NewSecret());
        const string body = """{"id":"evt-1","type":"order.created","at":"2026-12-02T14:00:00Z","subject":"order:o-1","sequence":1,"data":{"orderId":"o-1"}}""";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = WebhookSignature.Standard("evt-1", timestamp, body, [current, old]);

        Assert.Equal("verified", await VerifyAsync(current, "evt-1", timestamp, signature, body));
        Assert.Equal("verified", await VerifyAsync(old, "evt-1", timestamp, signature, body));
        Assert.NotEqual("verified", await VerifyAsync(WebhookSecrets.NewSecret(), "evt-1", timestamp, signature, body));
        Assert.NotEqual("verified", await VerifyAsync(current, "evt-1", timestamp, signature, body.Replace("o-1", "o-2")));
    }

    private static async Task<string> VerifyAsync(string secret, string id, long timestamp, string signature, string body)
    {
        var folder = InteropFolder();
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "standardwebhooks"))) await RunAsync(folder, "npm", "ci --no-audit --no-fund --loglevel=error", null);
        var input = JsonSerializer.Serialize(new
        {
            secret,
            headers = new Dictionary<string, string> { ["webhook-id"] = id, ["webhook-timestamp"] = timestamp.ToString(), ["webhook-signature"] = signature },
            body,
        });
        return (await RunAsync(folder, "node", "verify.mjs", input)).Trim();
    }

    private static async Task<string> RunAsync(string folder, string file, string args, string? stdin)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return output;
    }

    private static string InteropFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Oms.Orleans.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "webhook-interop");
    }
}
