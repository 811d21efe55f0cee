using Oms.GrainInterfaces.Events;

namespace Oms.Gateway.Events;

/// <summary>
/// Merges reads of every partition into one page (pure). Each partition's events stay in position order; among the
/// partitions the head with the earliest time goes first (ties: the lower partition), so a page is a prefix of every
/// partition's events and the order is stable. A partition whose events all made the page moves to how far its read
/// went (past holes and other types); one cut off by the limit moves to its last event on the page.
/// </summary>
public static class EventFeed
{
    public static (List<LoggedEvent> Events, long[] Next) Merge(long[] after, IReadOnlyList<EventPage> pages, IReadOnlySet<string>? types, int limit)
    {
        var lanes = pages.Select(p => p.Events.Where(e => types is null || types.Contains(e.Event.Type)).ToArray()).ToArray();
        var heads = new int[lanes.Length];
        var taken = new List<LoggedEvent>(Math.Min(limit, 256));
        while (taken.Count < limit)
        {
            var best = -1;
            for (var p = 0; p < lanes.Length; p++)
            {
                if (heads[p] < lanes[p].Length && (best < 0 || lanes[p][heads[p]].Event.At < lanes[best][heads[best]].Event.At)) best = p;
            }

            if (best < 0) break;
            taken.Add(lanes[best][heads[best]++]);
        }

        var next = (long[])after.Clone();
        for (var p = 0; p < lanes.Length; p++)
        {
            var cut = heads[p] < lanes[p].Length;
            var through = cut ? (heads[p] == 0 ? after[p] : lanes[p][heads[p] - 1].Position) : pages[p].Through;
            next[p] = Math.Max(after[p], through);
        }

        return (taken, next);
    }
}
