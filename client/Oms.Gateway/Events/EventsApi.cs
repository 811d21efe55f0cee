using Microsoft.AspNetCore.Mvc;
using Oms.GrainInterfaces;
using Oms.GrainInterfaces.Events;
using Oms.Gateway.Security;
using Oms.Grains;

namespace Oms.Gateway.Events;

/// <summary>
/// The pull feed for systems that cannot take webhooks (docs/decisions/0015): the same events, from the durable
/// event log, in a stable order with a cursor.
/// </summary>
public static class EventsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Reads of the log per request at most when the asked types are rare: the page may then come back short.</summary>
    private const int MaxRounds = 4;

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/events", List).WithTags(ApiTags.Events).WithMetadata(new RequiresScope(Scopes.Orders))
            .WithName("ListEvents").ProducesProblems()
            .WithSummary("Integration events after a cursor, oldest first; poll again with next: nothing missed, nothing twice");
        return app;
    }

    private static async Task<Results<Ok<EventFeedPage>, ProblemHttpResult>> List(
        [FromQuery] string? after, [FromQuery] string? types, [FromQuery] int? limit, IGrainFactory grains)
    {
        var cursor = EventCursor.Parse(after);
        var wanted = types?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var v = new Validator()
            .Check(cursor is not null, "after", "is not a cursor of this feed (pass the next of an earlier page, or nothing to start)")
            .Range("limit", limit, 1, MaxLimit, required: false);
        foreach (var type in wanted ?? []) v.Check(EventTypes.IsKnown(type), "types", $"'{type}' is not an event type ({string.Join(", ", EventTypes.All)})");
        if (!v.IsValid) return v.Problem();

        var size = limit ?? DefaultLimit;
        var filter = wanted is { Length: > 0 } ? wanted.ToHashSet(StringComparer.Ordinal) : null;
        var position = cursor!;
        var events = new List<LoggedEvent>();
        for (var round = 0; round < MaxRounds && events.Count < size; round++)
        {
            var from = position;
            var pages = await Task.WhenAll(Enumerable.Range(0, OmsNames.EventLogPartitions)
                .Select(p => grains.Ref<IEventLogGrain>(p).ReadAsync(from[p], size - events.Count)));
            var (taken, next) = EventFeed.Merge(from, pages, filter, size - events.Count);
            events.AddRange(taken);
            var moved = !next.SequenceEqual(from);
            position = next;
            // Another round only when this one passed over events of other types and could have read more.
            if (!moved || taken.Count > 0 && pages.All(p => p.Events.Length < size)) break;
        }

        return TypedResults.Ok(new EventFeedPage([.. events.Select(e => EventItem.From(e.Event))], EventCursor.Format(position)));
    }
}
