using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Oms.Gateway.Hosting;

/// <summary>
/// Caps the writes running at once (<see cref="WriteAdmissionOptions.MaxConcurrentWrites"/>) with a FIFO
/// <see cref="ConcurrencyLimiter"/>, so that storefront reads of other SKUs keep their share of the CPU while one SKU takes
/// a flash sale at full rate (docs/decisions/0023). Reads and everything outside /v1 pass straight on.
/// </summary>
public sealed class WriteAdmissionMiddleware(RequestDelegate next, IOptions<WriteAdmissionOptions> options)
{
    private readonly ConcurrencyLimiter? _limiter = options.Value.MaxConcurrentWrites <= 0 ? null : new ConcurrencyLimiter(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.MaxConcurrentWrites,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    public Task InvokeAsync(HttpContext context) =>
        _limiter is null || HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || !context.Request.Path.StartsWithSegments("/v1")
            ? next(context)
            : AdmittedAsync(context, _limiter);

    private async Task AdmittedAsync(HttpContext context, ConcurrencyLimiter limiter)
    {
        using var lease = await limiter.AcquireAsync(1, context.RequestAborted);
        await next(context);
    }
}
