using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Oms.Gateway.Errors;

/// <summary>
/// The one place exceptions become answers. Bad input that only shows while binding (malformed JSON, wrong
/// types, a body too large, a wrong content type) becomes a 4xx; a cluster fault becomes 503; anything else
/// is a bug and a 500.
/// </summary>
public sealed partial class OmsExceptionHandler(IProblemDetailsService problems, ILogger<OmsExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>The wait a 503 asks for: a silo's graceful stop or a dead silo's detection takes seconds.</summary>
    public const string RetryAfterSeconds = "1";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(bad),
            TimeoutException or Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException
                or Orleans.Runtime.Messaging.ConnectionFailedException =>
                Problem(StatusCodes.Status503ServiceUnavailable, ProblemCodes.Unavailable, "The cluster is unavailable", "Try again shortly."),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };

        if (problem?.Status == StatusCodes.Status503ServiceUnavailable) LogUnavailable(exception, context.Request.Method, context.Request.Path);
        if (problem is null)
        {
            if (context.RequestAborted.IsCancellationRequested) return true;
            LogUnhandled(exception, context.Request.Method, context.Request.Path);
            problem = Problem(StatusCodes.Status500InternalServerError, ProblemCodes.Internal, "Internal error", "An unexpected error occurred.");
        }

        context.Response.StatusCode = problem.Status!.Value;
        // A silo stopping or restarting (a rolling upgrade) is over in seconds: the client may retry, and is told when.
        if (problem.Status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        switch (bad.StatusCode)
        {
            case StatusCodes.Status413PayloadTooLarge:
                return Problem(413, ProblemCodes.PayloadTooLarge, "Payload too large", "The request body is larger than 32 MB.");
            case StatusCodes.Status415UnsupportedMediaType:
                return Problem(415, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "Send application/json.");
        }

        var json = Find<JsonException>(bad);
        var binding = json is null ? BindingFailure().Match(bad.Message) : Match.Empty;
        var field = json?.Path is { Length: > 1 } path ? path.TrimStart('$', '.')
            : binding.Success ? binding.Groups["name"].Value
            : "body";
        var message = json is not null ? $"not valid JSON for this field ({FirstLine(json.Message)})"
            : binding.Success ? $"'{binding.Groups["value"].Value}' is not a valid {binding.Groups["type"].Value.TrimEnd('?')}"
            : bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase) && bad.Message.Contains("provided", StringComparison.OrdinalIgnoreCase)
                ? "a JSON body is required"
                : bad.Message;
        var validation = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid",
            Detail = $"{field}: {message}",
        };
        validation.Extensions["code"] = ProblemCodes.ValidationFailed;
        return validation;
    }

    /// <summary>ASP.NET Core's message for a route or query value that does not parse: <c>Failed to bind parameter "int? limit" from "abc".</c></summary>
    [GeneratedRegex(@"^Failed to bind parameter ""(?<type>[^""]+) (?<name>[A-Za-z0-9_]+)"" from ""(?<value>.*)""\.?$")]
    private static partial Regex BindingFailure();

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is T t) return t;
        return null;
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Split(" Path:")[0].Trim();

    private static ProblemDetails Problem(int status, string code, string title, string detail)
    {
        var p = new ProblemDetails { Status = status, Title = title, Detail = detail };
        p.Extensions["code"] = code;
        return p;
    }

    /// <summary>A 503 says only "try again"; the log says which cluster fault it was (a timeout, a silo gone, a rejection).</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster unavailable on {Method} {Path}")]
    private partial void LogUnavailable(Exception ex, string method, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private partial void LogUnhandled(Exception ex, string method, string path);
}
