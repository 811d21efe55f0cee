using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Oms.Gateway.Hosting;

namespace Oms.Gateway.Tests;

/// <summary>The write cap: at most N writes run at once, the rest wait their turn, reads and non-API paths never wait.</summary>
public sealed class WriteAdmissionTests
{
    [Theory]
    [InlineData(0, "PUT", "/v1/carts/c/lines/s", 40)]   // off: every write at once
    [InlineData(3, "PUT", "/v1/carts/c/lines/s", 3)]
    [InlineData(3, "POST", "/v1/orders", 3)]
    [InlineData(1, "DELETE", "/v1/carts/c", 1)]
    [InlineData(3, "GET", "/v1/availability/s", 40)]     // reads are never held
    [InlineData(3, "POST", "/health/ready", 40)]         // outside the API
    public async Task At_most_the_cap_run_at_once_and_all_complete(int cap, string method, string path, int expectedPeak)
    {
        var running = 0;
        var peak = 0;
        var release = new TaskCompletionSource();
        var middleware = new WriteAdmissionMiddleware(async _ =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await release.Task;
            Interlocked.Decrement(ref running);
        }, Options.Create(new WriteAdmissionOptions { MaxConcurrentWrites = cap }));

        var requests = Enumerable.Range(0, 40).Select(_ =>
        {
            var context = new DefaultHttpContext();
            context.Request.Method = method;
            context.Request.Path = path;
            return Task.Run(() => middleware.InvokeAsync(context));
        }).ToArray();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref running) < expectedPeak && DateTime.UtcNow < deadline) await Task.Delay(10);
        await Task.Delay(100); // a cap that leaked would show more by now
        Assert.Equal(expectedPeak, Volatile.Read(ref peak));
        release.SetResult();
        await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, running);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
