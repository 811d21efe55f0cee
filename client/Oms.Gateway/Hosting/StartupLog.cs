using Microsoft.Extensions.Options;
using Oms.Gateway.Security;

namespace Oms.Gateway.Hosting;

public static partial class StartupLog
{
    /// <summary>Says, once the server listens, which mode this is, where the data lives, the URLs and the auth state.</summary>
    public static void LogStartup(this WebApplication app, GatewayMode mode)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Oms.Gateway");
            var url = app.Urls.FirstOrDefault() ?? "http://localhost:5080";
            var auth = app.Services.GetRequiredService<IOptions<ApiKeyOptions>>().Value;
            LogMode(logger, mode.Describe());
            LogUrls(logger, url);
            if (auth.Enabled) LogAuthOn(logger, auth.Keys.Count);
            else LogAuthOff(logger);
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Oms.Orleans gateway: {Mode}")]
    private static partial void LogMode(ILogger logger, string mode);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "API {Url}/v1 · API reference {Url}/docs · OpenAPI {Url}/openapi/v1.json · dashboard {Url}/dashboard/ · health {Url}/health/ready · metrics {Url}/metrics")]
    private static partial void LogUrls(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys required (X-Api-Key): {Count} keys configured")]
    private static partial void LogAuthOn(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "AUTH IS OFF: development mode, every request is accepted without an API key. Cluster mode (or Oms:Auth:Enabled=true) turns it on.")]
    private static partial void LogAuthOff(ILogger logger);
}
