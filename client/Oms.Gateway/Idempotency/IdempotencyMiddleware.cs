using Oms.Grains;
using System.Security.Cryptography;
using Oms.Gateway.Security;
using Oms.GrainInterfaces.Idempotency;

namespace Oms.Gateway.Idempotency;

/// <summary>
/// Idempotency-Key on POST (IETF draft semantics): the same key and body replay the first answer; the same
/// key with another body is 422; a retry while the first is still running is 409. Answers of 5xx are not
/// kept, so a retry after a fault runs again.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IGrainFactory grains)
{
    public const string Header = "Idempotency-Key";

    /// <summary>The key of the request's record (<see cref="IIdempotencyGrain"/>), for an endpoint whose answer holds personal data.</summary>
    public const string RecordItem = "oms.idempotency-record";
    private const int MaxKeyLength = 255;
    private static readonly string[] ReplayedHeaders = ["Location"];

    /// <summary>Not a keyed POST (every read): straight on, without an async frame of its own.</summary>
    public Task InvokeAsync(HttpContext context) =>
        !HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.TryGetValue(Header, out var values)
            || context.GetEndpoint()?.Metadata.GetMetadata<SecretInResponse>() is not null
            || context.GetEndpoint()?.Metadata.GetMetadata<SignatureAuthenticated>() is not null
            ? next(context)
            : KeyedAsync(context, values);

    private async Task KeyedAsync(HttpContext context, Microsoft.Extensions.Primitives.StringValues values)
    {
        var key = values.ToString();
        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c < 0x20 || c > 0x7e))
        {
            await Problems.Validation(Header, $"must be 1-{MaxKeyLength} printable ASCII characters").ExecuteAsync(context);
            return;
        }

        var hash = await HashAsync(context.Request);
        var scope = context.Items[ApiKeyMiddleware.CallerItem] as string ?? "anonymous";
        var record = $"{scope}:{key}";
        var grain = grains.Ref<IIdempotencyGrain>(record);
        var begin = await grain.BeginAsync(hash);
        switch (begin.Outcome)
        {
            case IdempotencyOutcome.Replay:
                await ReplayAsync(context, begin.Response!);
                return;
            case IdempotencyOutcome.InProgress:
                await Problems.Conflict("A request with this Idempotency-Key is still being processed.").ExecuteAsync(context);
                return;
            case IdempotencyOutcome.Mismatch:
                await Problems.Conflict("This Idempotency-Key was used with a different request.", StatusCodes.Status422UnprocessableEntity)
                    .ExecuteAsync(context);
                return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var completed = false;
        context.Items[RecordItem] = record;
        try
        {
            await next(context);
            buffer.Position = 0;
            if (context.Response.StatusCode < 500)
            {
                var headers = ReplayedHeaders
                    .Where(h => context.Response.Headers.ContainsKey(h))
                    .ToDictionary(h => h, h => context.Response.Headers[h].ToString());
                await grain.CompleteAsync(hash, new StoredResponse(context.Response.StatusCode, context.Response.ContentType, buffer.ToArray(), headers));
                completed = true;
            }
        }
        finally
        {
            if (!completed) await grain.AbandonAsync(hash);
            context.Response.Body = original;
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext context, StoredResponse response)
    {
        context.Response.StatusCode = response.Status;
        if (response.ContentType is not null) context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers) context.Response.Headers[name] = value;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }

    private static async Task<string> HashAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0) sha.AppendData(chunk, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
