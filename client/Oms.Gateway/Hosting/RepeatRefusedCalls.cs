using System.Collections.Concurrent;
using System.Reflection;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Oms.Gateway.Hosting;

/// <summary>
/// The gateway's outgoing call filter: a call the cluster refused without answering it (the silo it went to is stopping
/// or cannot be reached, as during a rolling restart) is sent again, twice at most, when repeating it is harmless
/// (<see cref="RepeatableAttribute"/>, or a read-only method). A timeout is not repeated: the call may have run, and
/// it has already cost its 30 s. What still fails becomes a 503 with Retry-After (<see cref="Errors.OmsExceptionHandler"/>).
/// </summary>
public sealed partial class RepeatRefusedCalls(ILogger<RepeatRefusedCalls> logger) : IOutgoingGrainCallFilter
{
    /// <summary>The waits before the second and third attempts: long enough for the client to drop a stopping gateway.</summary>
    public static readonly TimeSpan[] Waits = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(600)];

    private static readonly ConcurrentDictionary<MethodInfo, bool> RepeatableMethods = new();

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await context.Invoke();
                return;
            }
            catch (Exception ex) when (attempt < Waits.Length && IsRefused(ex) && IsRepeatable(context.InterfaceMethod))
            {
                LogRepeated(context.InterfaceMethod.Name, attempt + 1, ex.Message);
                await Task.Delay(Waits[attempt]);
            }
        }
    }

    /// <summary>Refused before any answer: the silo is stopping or gone, a message was rejected, a connection failed.</summary>
    public static bool IsRefused(Exception ex) => ex switch
    {
        SiloUnavailableException or ConnectionFailedException => true,
        OrleansMessageRejectionException => true,
        _ => false,
    };

    public static bool IsRepeatable(MethodInfo? method) => method is not null && RepeatableMethods.GetOrAdd(method,
        static m => m.GetCustomAttribute<RepeatableAttribute>() is not null || m.GetCustomAttribute<ReadOnlyAttribute>() is not null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending {Method} again (attempt {Attempt} refused: {Reason})")]
    private partial void LogRepeated(string method, int attempt, string reason);
}
